package index_test

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/auditlog/auditlog/index"
	"github.com/stretchr/testify/require"
)

func TestPairs(t *testing.T) {
	x := index.NewPairs()
	require.Zero(t, x.Len())
	require.Empty(t, x.AppendSeqs(nil, "a"))

	in := string([]byte("ab"))
	own := x.Add(in, 2)
	require.Equal(t, "ab", own)
	require.NotSame(t, unsafeData(in), unsafeData(own), "Add returns the index's copy")

	long := strings.Repeat("x", 5000) // beyond what the index copies into shared chunks
	ownLong := x.Add(long, 7)
	require.Equal(t, long, ownLong)
	require.NotSame(t, unsafeData(long), unsafeData(ownLong))
	require.True(t, x.Remove(long, 7))

	x.Add("a", 5)
	x.Add("a", 1)
	x.Add("a", 3)
	x.Add("a", 3) // the same pair twice: once
	x.Add("b", 1)
	x.Add("aa", 4)
	require.Equal(t, 6, x.Len())

	tests := []struct {
		key  string
		want []uint64
	}{
		{"a", []uint64{1, 3, 5}},
		{"aa", []uint64{4}},
		{"ab", []uint64{2}},
		{"b", []uint64{1}},
		{"", nil},
		{"c", nil},
		{"A", nil},
	}
	for _, tt := range tests {
		t.Run(strconv.Quote(tt.key), func(t *testing.T) {
			require.Equal(t, tt.want, x.AppendSeqs(nil, tt.key))
			dst := []uint64{100}
			require.Equal(t, append([]uint64{100}, tt.want...), x.AppendSeqs(dst, tt.key), "appends to dst")
		})
	}

	t.Run("empty key not indexed", func(t *testing.T) {
		require.Equal(t, "", x.Add("", 9))
		require.Equal(t, 6, x.Len())
		require.False(t, x.Remove("", 9))
	})

	t.Run("remove", func(t *testing.T) {
		require.False(t, x.Remove("a", 2))
		require.False(t, x.Remove("zz", 1))
		require.True(t, x.Remove("a", 3))
		require.False(t, x.Remove("a", 3))
		require.Equal(t, []uint64{1, 5}, x.AppendSeqs(nil, "a"))
		require.Equal(t, 5, x.Len())
	})
}

func TestPairsModel(t *testing.T) {
	seed := testSeed(t)
	r := rand.New(rand.NewPCG(seed, 8))
	x := index.NewPairs()
	model := map[string][]uint64{}
	type rec struct {
		seq uint64
		key string
	}
	var live []rec
	var seq uint64
	for step := 0; step < 5000; step++ {
		if len(live) == 0 || r.IntN(3) != 0 {
			seq++
			key := "id-" + strconv.Itoa(r.IntN(300))
			require.Equal(t, key, x.Add(key, seq))
			model[key] = append(model[key], seq)
			live = append(live, rec{seq, key})
		} else {
			i := 0 // mostly FIFO, sometimes anywhere
			if r.IntN(4) == 0 {
				i = r.IntN(len(live))
			}
			rc := live[i]
			live = slices.Delete(live, i, i+1)
			require.True(t, x.Remove(rc.key, rc.seq))
			l := model[rc.key]
			j := slices.Index(l, rc.seq)
			model[rc.key] = slices.Delete(l, j, j+1)
		}
		require.Equal(t, len(live), x.Len())
		if step%25 == 0 {
			for key, want := range model {
				got := x.AppendSeqs(nil, key)
				if len(want) == 0 {
					require.Empty(t, got, key)
				} else {
					require.Equal(t, want, got, key)
				}
			}
		}
	}
}
