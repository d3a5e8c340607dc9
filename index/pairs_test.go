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
		require.Empty(t, x.AppendSeqs(nil, ""))
		require.False(t, x.Remove("", 9))
	})

	t.Run("remove", func(t *testing.T) {
		require.False(t, x.Remove("a", 2))
		require.False(t, x.Remove("zz", 1))
		require.True(t, x.Remove("a", 3))
		require.False(t, x.Remove("a", 3))
		require.Equal(t, []uint64{1, 5}, x.AppendSeqs(nil, "a"))
	})

	t.Run("trim", func(t *testing.T) {
		x.Trim(2)
		require.Equal(t, []uint64{5}, x.AppendSeqs(nil, "a"))
		require.Empty(t, x.AppendSeqs(nil, "b"))
		require.False(t, x.Remove("b", 1), "trimmed already")
		require.Equal(t, "", x.Add("b", 1), "below the trim point: not indexed")
		require.Empty(t, x.AppendSeqs(nil, "b"))
		x.Trim(1) // a lower trim point changes nothing
		require.Empty(t, x.AppendSeqs(nil, "b"))
		require.Equal(t, []uint64{2}, x.AppendSeqs(nil, "ab"))
		x.Trim(100)
		for _, k := range []string{"a", "aa", "ab", "b"} {
			require.Empty(t, x.AppendSeqs(nil, k), k)
		}
		require.Equal(t, "a", x.Add("a", 100))
		require.Equal(t, []uint64{100}, x.AppendSeqs(nil, "a"))
	})
}

func TestPairsBadSeq(t *testing.T) {
	x := index.NewPairs()
	require.Equal(t, "", x.Add("a", 1<<55), "a seq of 2⁵⁵ or more is not indexed")
	require.Empty(t, x.AppendSeqs(nil, "a"))
	require.False(t, x.Remove("a", 1<<55))
	require.Equal(t, "a", x.Add("a", 1<<55-1))
	require.Equal(t, []uint64{1<<55 - 1}, x.AppendSeqs(nil, "a"))
}

func TestPairsModel(t *testing.T) {
	// Small and large: the large run spans many segments, and the pool of
	// keys is small enough that keys recur within a segment and across.
	for _, size := range []struct{ steps, keys int }{{5000, 300}, {60_000, 20_000}} {
		t.Run(strconv.Itoa(size.steps), func(t *testing.T) { pairsModel(t, size.steps, size.keys) })
	}
}

// pairsModel adds pairs with growing seqs and removes them (mostly the
// oldest, by Trim or Remove; sometimes any, by Remove), checking every
// key's seqs against a map.
func pairsModel(t *testing.T, steps, keys int) {
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
	remove := func(i int) {
		rc := live[i]
		live = slices.Delete(live, i, i+1)
		l := model[rc.key]
		j := slices.Index(l, rc.seq)
		model[rc.key] = slices.Delete(l, j, j+1)
	}
	check := func() {
		for key, want := range model {
			got := x.AppendSeqs(nil, key)
			if len(want) == 0 {
				require.Empty(t, got, key)
			} else {
				require.Equal(t, want, got, key)
			}
		}
	}
	for step := 0; step < steps; step++ {
		switch op := r.IntN(12); {
		case len(live) == 0 || op < 8:
			seq++
			for range 1 + r.IntN(2) { // a record carries one key or two
				key := "id-" + strconv.Itoa(r.IntN(keys))
				require.Equal(t, key, x.Add(key, seq))
				if l := model[key]; len(l) == 0 || l[len(l)-1] != seq {
					model[key] = append(l, seq)
					live = append(live, rec{seq, key})
				}
			}
		case op < 10: // the oldest record leaves through Trim
			oldest := live[0].seq
			for len(live) > 0 && live[0].seq == oldest {
				remove(0)
			}
			x.Trim(oldest + 1)
		case op < 11: // the oldest pair leaves through Remove
			rc := live[0]
			require.True(t, x.Remove(rc.key, rc.seq))
			remove(0)
		default: // any pair leaves through Remove
			i := r.IntN(len(live))
			rc := live[i]
			if live[0].seq == rc.seq && i > 0 {
				break // keep the model's oldest record whole for Trim
			}
			require.True(t, x.Remove(rc.key, rc.seq))
			remove(i)
		}
		if step%(steps/50) == 0 {
			check()
		}
	}
	check()
}
