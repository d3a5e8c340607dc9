package index_test

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/auditlog/auditlog/index"
	"github.com/stretchr/testify/require"
)

func rangeOf(o *index.Ordered, lo, hi int64) []index.Item {
	var out []index.Item
	o.Range(lo, hi, func(it index.Item) bool {
		out = append(out, it)
		return true
	})
	return out
}

func TestOrdered(t *testing.T) {
	o := index.NewOrdered()
	require.Equal(t, 0, o.Len())
	require.Empty(t, rangeOf(o, math.MinInt64, math.MaxInt64))

	// Added out of order, with equal keys and a negative one.
	o.Add(20, 5)
	o.Add(10, 7)
	o.Add(20, 2)
	o.Add(10, 3)
	o.Add(-5, 9)
	o.Add(30, 1)
	require.Equal(t, 6, o.Len())
	o.Add(20, 2) // the same pair again
	require.Equal(t, 6, o.Len(), "a pair is held once")

	all := []index.Item{{-5, 9}, {10, 3}, {10, 7}, {20, 2}, {20, 5}, {30, 1}}
	tests := []struct {
		name   string
		lo, hi int64
		want   []index.Item
	}{
		{"everything", math.MinInt64, math.MaxInt64, all},
		{"inclusive both ends", 10, 20, all[1:5]},
		{"single key", 20, 20, all[3:5]},
		{"between keys", 11, 19, nil},
		{"below all", math.MinInt64, -6, nil},
		{"above all", 31, math.MaxInt64, nil},
		{"negative lo", -5, 10, all[0:3]},
		{"lo above hi", 20, 10, nil},
		{"open start at hi", math.MinInt64, -5, all[0:1]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, rangeOf(o, tt.lo, tt.hi))
		})
	}

	t.Run("stops when fn returns false", func(t *testing.T) {
		var got []index.Item
		o.Range(math.MinInt64, math.MaxInt64, func(it index.Item) bool {
			got = append(got, it)
			return len(got) < 2
		})
		require.Equal(t, all[:2], got)
	})

	t.Run("remove", func(t *testing.T) {
		o := index.NewOrdered()
		for _, it := range all {
			o.Add(it.Key, it.Seq)
		}
		require.False(t, o.Remove(20, 3), "absent seq under a present key")
		require.False(t, o.Remove(21, 2), "absent key")
		require.Equal(t, 6, o.Len())
		require.True(t, o.Remove(20, 2))
		require.False(t, o.Remove(20, 2), "removed twice")
		require.Equal(t, 5, o.Len())
		require.Equal(t, []index.Item{{10, 3}, {10, 7}, {20, 5}}, rangeOf(o, 10, 20))
		for _, it := range all {
			o.Remove(it.Key, it.Seq)
		}
		require.Equal(t, 0, o.Len())
		require.Empty(t, rangeOf(o, math.MinInt64, math.MaxInt64))
	})
}

func TestOrderedRandom(t *testing.T) {
	seed := testSeed(t)
	r := rand.New(rand.NewPCG(seed, 5))
	o := index.NewOrdered()
	model := map[index.Item]bool{}
	var seq uint64
	for step := 0; step < 3000; step++ {
		if len(model) == 0 || r.IntN(3) != 0 {
			seq++
			it := index.Item{Key: r.Int64N(100) - 50, Seq: seq}
			o.Add(it.Key, it.Seq)
			model[it] = true
		} else {
			it := index.Item{Key: r.Int64N(100) - 50, Seq: r.Uint64N(seq + 1)}
			require.Equal(t, model[it], o.Remove(it.Key, it.Seq))
			delete(model, it)
		}
		require.Equal(t, len(model), o.Len())
		if step%20 == 0 {
			lo, hi := r.Int64N(120)-60, r.Int64N(120)-60
			var want []index.Item
			for it := range model {
				if lo <= it.Key && it.Key <= hi {
					want = append(want, it)
				}
			}
			slices.SortFunc(want, func(a, b index.Item) int {
				return cmp.Or(cmp.Compare(a.Key, b.Key), cmp.Compare(a.Seq, b.Seq))
			})
			require.Equal(t, want, rangeOf(o, lo, hi), "lo=%d hi=%d", lo, hi)
		}
	}
}
