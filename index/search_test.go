package index_test

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/auditlog/auditlog/index"
	"github.com/stretchr/testify/require"
)

// seekLinear is the reference for index.Seek.
func seekLinear(seqs []uint64, from int, seq uint64) (int, bool) {
	for i := from; i < len(seqs); i++ {
		if seqs[i] >= seq {
			return i, seqs[i] == seq
		}
	}
	return len(seqs), false
}

// randomSorted returns an ascending list of n seqs starting near base; with
// dups, neighbours may be equal.
func randomSorted(r *rand.Rand, n int, base uint64, dups bool) []uint64 {
	out := make([]uint64, n)
	s := base
	for i := range out {
		if dups {
			s += r.Uint64N(3) // 0: equal to the previous one
		} else {
			s += 1 + r.Uint64N(4)
		}
		out[i] = s
	}
	return out
}

func TestSeek(t *testing.T) {
	list := []uint64{2, 4, 4, 4, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30, 32}
	tests := []struct {
		name  string
		seqs  []uint64
		from  int
		seq   uint64
		want  int
		found bool
	}{
		{"nil list", nil, 0, 5, 0, false},
		{"empty list", []uint64{}, 0, 5, 0, false},
		{"from past the end", list, len(list) + 3, 1, len(list), false},
		{"from at the end", list, len(list), 1, len(list), false},
		{"below the first", list, 0, 1, 0, false},
		{"the first", list, 0, 2, 0, true},
		{"at from already", list, 4, 3, 4, false},
		{"first of equal elements", list, 0, 4, 1, true},
		{"first of equal elements from inside the run", list, 2, 4, 2, true},
		{"between elements", list, 0, 9, 5, false},
		{"one step", list, 0, 4, 1, true},
		{"far gallop exact", list, 0, 30, 15, true},
		{"far gallop between", list, 0, 29, 15, false},
		{"the last", list, 0, 32, 16, true},
		{"the last from the last", list, 16, 32, 16, true},
		{"above the last", list, 0, 33, len(list), false},
		{"above the last from the last", list, 16, 33, len(list), false},
		{"max seq", list, 3, ^uint64(0), len(list), false},
		{"single element hit", []uint64{5}, 0, 5, 0, true},
		{"single element below", []uint64{5}, 0, 4, 0, false},
		{"single element above", []uint64{5}, 0, 6, 1, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			i, ok := index.Seek(tt.seqs, tt.from, tt.seq)
			require.Equal(t, tt.want, i)
			require.Equal(t, tt.found, ok)
			ri, rok := seekLinear(tt.seqs, tt.from, tt.seq)
			require.Equal(t, ri, i, "table entry disagrees with the reference")
			require.Equal(t, rok, ok)
		})
	}
}

func TestSeekRandom(t *testing.T) {
	seed := testSeed(t)
	r := rand.New(rand.NewPCG(seed, 1))
	for iter := 0; iter < 3000; iter++ {
		n := r.IntN(300)
		if iter%10 == 0 {
			n = r.IntN(5000)
		}
		seqs := randomSorted(r, n, r.Uint64N(10), iter%2 == 0)
		top := uint64(10)
		if n > 0 {
			top = seqs[n-1] + 3
		}
		for range 30 {
			from := r.IntN(n + 4) // includes positions at and past the end
			seq := r.Uint64N(top + 1)
			if n > 0 && r.IntN(3) == 0 {
				seq = seqs[r.IntN(n)] // an element present, often in a run
			}
			wi, wok := seekLinear(seqs, from, seq)
			gi, gok := index.Seek(seqs, from, seq)
			require.Equal(t, wi, gi, "n=%d from=%d seq=%d seqs=%v", n, from, seq, seqs)
			require.Equal(t, wok, gok, "n=%d from=%d seq=%d", n, from, seq)
		}
	}
}

// TestSeekIntersect walks two lists forward with Seek, as the query planner
// does, and compares the intersection with a map-based one.
func TestSeekIntersect(t *testing.T) {
	seed := testSeed(t)
	r := rand.New(rand.NewPCG(seed, 2))
	for iter := 0; iter < 300; iter++ {
		a := randomSorted(r, r.IntN(50), 0, false)
		b := randomSorted(r, r.IntN(2000), 0, false)
		inA := map[uint64]bool{}
		for _, s := range a {
			inA[s] = true
		}
		var want []uint64
		for _, s := range b {
			if inA[s] {
				want = append(want, s)
			}
		}
		var got []uint64
		pos := 0
		for _, s := range a {
			i, ok := index.Seek(b, pos, s)
			if ok {
				got = append(got, s)
			}
			pos = i
		}
		require.Equal(t, want, got)
	}
}

func TestBetween(t *testing.T) {
	list := []uint64{1, 3, 5, 5, 7, 9}
	tests := []struct {
		name   string
		seqs   []uint64
		lo, hi uint64
		want   []uint64
	}{
		{"all", list, 0, 100, list},
		{"inclusive both ends", list, 3, 7, []uint64{3, 5, 5, 7}},
		{"exclusive of neighbours", list, 4, 6, []uint64{5, 5}},
		{"lo equals hi on an element", list, 9, 9, []uint64{9}},
		{"lo equals hi on a run", list, 5, 5, []uint64{5, 5}},
		{"lo equals hi between elements", list, 4, 4, []uint64{}},
		{"below all", list, 0, 0, []uint64{}},
		{"above all", list, 10, 20, []uint64{}},
		{"first only", list, 0, 1, []uint64{1}},
		{"last only", list, 9, ^uint64(0), []uint64{9}},
		{"full uint64 range", list, 0, ^uint64(0), list},
		{"nil list", nil, 0, 10, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := index.Between(tt.seqs, tt.lo, tt.hi)
			require.Len(t, got, len(tt.want))
			if len(tt.want) > 0 {
				require.Equal(t, tt.want, got)
			}
		})
	}

	t.Run("lo above hi is empty", func(t *testing.T) {
		require.Empty(t, index.Between(list, 7, 3))
		require.Empty(t, index.Between(list, 6, 5))
		require.Empty(t, index.Between(list, ^uint64(0), 0))
	})

	t.Run("shares memory", func(t *testing.T) {
		seqs := []uint64{1, 3, 5, 7, 9}
		got := index.Between(seqs, 3, 7)
		require.Equal(t, []uint64{3, 5, 7}, got)
		require.Same(t, &seqs[1], &got[0])
		got[1] = 6
		require.Equal(t, []uint64{1, 3, 6, 7, 9}, seqs, "a write through the result reaches the list")
	})
}

func TestBetweenRandom(t *testing.T) {
	seed := testSeed(t)
	r := rand.New(rand.NewPCG(seed, 3))
	for iter := 0; iter < 2000; iter++ {
		seqs := randomSorted(r, r.IntN(200), 0, iter%2 == 0)
		top := uint64(700)
		lo, hi := r.Uint64N(top), r.Uint64N(top)
		var want []uint64
		for _, s := range seqs {
			if lo <= s && s <= hi {
				want = append(want, s)
			}
		}
		got := index.Between(seqs, lo, hi)
		require.Len(t, got, len(want), "lo=%d hi=%d seqs=%v", lo, hi, seqs)
		if len(want) > 0 {
			require.Equal(t, want, got, "lo=%d hi=%d", lo, hi)
		}
	}
}

func TestUnion(t *testing.T) {
	tests := []struct {
		name  string
		lists [][]uint64
		want  []uint64
	}{
		{"two disjoint", [][]uint64{{1, 3, 5}, {2, 4, 6}}, []uint64{1, 2, 3, 4, 5, 6}},
		{"overlapping", [][]uint64{{1, 2, 3}, {2, 3, 4}}, []uint64{1, 2, 3, 4}},
		{"identical", [][]uint64{{1, 2}, {1, 2}, {1, 2}}, []uint64{1, 2}},
		{"one after the other", [][]uint64{{7, 8}, {1, 2}}, []uint64{1, 2, 7, 8}},
		{"with empty lists", [][]uint64{{}, {5}, nil, {3, 5}}, []uint64{3, 5}},
		{"duplicates within a list", [][]uint64{{1, 1, 2}, {2, 2, 3}}, []uint64{1, 2, 3}},
		{"extremes", [][]uint64{{0, ^uint64(0)}, {0, 1}}, []uint64{0, 1, ^uint64(0)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			orig := make([][]uint64, len(tt.lists))
			for i, l := range tt.lists {
				orig[i] = slices.Clone(l)
			}
			require.Equal(t, tt.want, index.Union(tt.lists...))
			for i := range tt.lists {
				require.Equal(t, orig[i], tt.lists[i], "Union must not change its inputs")
			}
		})
	}

	t.Run("all empty", func(t *testing.T) {
		require.Empty(t, index.Union(nil, []uint64{}))
	})
	t.Run("zero lists", func(t *testing.T) {
		require.Nil(t, index.Union())
	})
	t.Run("one list returned as is", func(t *testing.T) {
		l := []uint64{1, 4, 9}
		got := index.Union(l)
		require.Equal(t, l, got)
		require.Same(t, &l[0], &got[0])
		require.Equal(t, cap(l), cap(got))
	})
}

func TestUnionRandom(t *testing.T) {
	seed := testSeed(t)
	r := rand.New(rand.NewPCG(seed, 4))
	for iter := 0; iter < 500; iter++ {
		lists := make([][]uint64, 2+r.IntN(5))
		set := map[uint64]bool{}
		for i := range lists {
			lists[i] = randomSorted(r, r.IntN(100), r.Uint64N(50), false)
			for _, s := range lists[i] {
				set[s] = true
			}
		}
		want := make([]uint64, 0, len(set))
		for s := range set {
			want = append(want, s)
		}
		slices.Sort(want)
		require.Equal(t, want, index.Union(lists...))
	}
}
