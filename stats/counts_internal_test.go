package stats

import (
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestCountsManyKeys goes past the keys kept in the slice, so that the
// map takes the rest, and checks every count against a plain map.
func TestCountsManyKeys(t *testing.T) {
	seed := rand.Uint64()
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, 1))
	var c counts[string]
	want := map[string]int64{}
	require.Equal(t, want, c.clone(), "empty, not nil")
	for range 10_000 {
		k := "OP_" + strconv.Itoa(r.IntN(3*fewKeys))
		c.add(k)
		want[k]++
	}
	require.Len(t, c.few, fewKeys)
	require.NotEmpty(t, c.many)
	require.Equal(t, want, c.clone())
}
