package index_test

import (
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/auditlog/auditlog/index"
	"github.com/stretchr/testify/require"
)

// testSeed returns the seed of a randomised test: AUDITLOG_SEED when set,
// the clock otherwise. It logs the seed so a failure can be replayed.
func testSeed(t testing.TB) uint64 {
	t.Helper()
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("AUDITLOG_SEED"); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		require.NoError(t, err, "AUDITLOG_SEED must be an unsigned integer")
		seed = v
	}
	t.Logf("seed %d (replay with AUDITLOG_SEED=%d)", seed, seed)
	return seed
}

// seqsOf returns the postings of key, nil when the key is absent.
func seqsOf(k *index.Keyed, key string) []uint64 {
	p := k.Get(key)
	if p == nil {
		return nil
	}
	return p.Seqs()
}

func TestKeyedAddReturnsCanonicalCopy(t *testing.T) {
	k := new(index.Keyed)
	in1 := string([]byte("alice"))
	in2 := string([]byte("alice"))
	require.NotSame(t, unsafeData(in1), unsafeData(in2), "test precondition: distinct backing arrays")

	pa := k.Add(in1, 1)
	require.NotNil(t, pa)
	a := pa.Key()
	require.Equal(t, "alice", a)
	require.NotSame(t, unsafeData(in1), unsafeData(a), "the index keeps its own copy, not the caller's string")

	pb := k.Add(in2, 2)
	require.Same(t, pa, pb, "Add returns the key's one postings")
	b := pb.Key()
	require.Equal(t, "alice", b)
	require.Same(t, unsafeData(a), unsafeData(b), "later Adds return the first copy")

	// The same copy is what Get and Ascend report.
	p := k.Get("alice")
	require.Same(t, pa, p)
	require.Same(t, unsafeData(a), unsafeData(p.Key()))
	var seen int
	k.Ascend("", func(key string, p *index.Postings) bool {
		seen++
		require.Same(t, unsafeData(a), unsafeData(key))
		return true
	})
	require.Equal(t, 1, seen)

	// A duplicate Add and an out-of-order Add return the copy too.
	require.Same(t, pa, k.Add(string([]byte("alice")), 2))
	require.Same(t, pa, k.Add(string([]byte("alice")), 0))
	require.Same(t, unsafeData(a), unsafeData(pa.Key()))
	require.Equal(t, []uint64{0, 1, 2}, seqsOf(k, "alice"))
}

func TestKeyedEmptyKeyNotIndexed(t *testing.T) {
	k := new(index.Keyed)
	require.Nil(t, k.Add("", 1))
	require.Nil(t, k.Add("", 2))
	require.Equal(t, 0, k.Keys())
	require.Equal(t, 0, k.Refs())
	require.Nil(t, k.Get(""))
	require.False(t, k.Remove("", 1))

	k.Add("x", 3)
	require.Nil(t, k.Add("", 4))
	require.False(t, k.RemoveFrom(nil, 4), "RemoveFrom of the nil postings of an empty key")
	require.Equal(t, 1, k.Keys())
	require.Equal(t, 1, k.Refs())
	require.Equal(t, []string{"x"}, ascendKeys(k, ""))
}

func TestKeyedAdd(t *testing.T) {
	tests := []struct {
		name string
		adds []uint64
		want []uint64
	}{
		{"single", []uint64{7}, []uint64{7}},
		{"ascending", []uint64{1, 2, 5, 9}, []uint64{1, 2, 5, 9}},
		{"same seq twice", []uint64{4, 4}, []uint64{4}},
		{"same seq three times after others", []uint64{1, 4, 4, 4}, []uint64{1, 4}},
		{"out of order before the only one", []uint64{5, 3}, []uint64{3, 5}},
		{"out of order in the middle", []uint64{1, 5, 3}, []uint64{1, 3, 5}},
		{"out of order at the front", []uint64{2, 4, 6, 1}, []uint64{1, 2, 4, 6}},
		{"out of order duplicate of an earlier seq", []uint64{1, 3, 5, 3}, []uint64{1, 3, 5}},
		{"out of order duplicate of the first seq", []uint64{1, 3, 5, 1}, []uint64{1, 3, 5}},
		{"shuffled", []uint64{6, 2, 4, 3, 1, 5, 2, 6}, []uint64{1, 2, 3, 4, 5, 6}},
		{"seq zero", []uint64{0, 0, 1}, []uint64{0, 1}},
		{"max seq", []uint64{1, ^uint64(0), ^uint64(0)}, []uint64{1, ^uint64(0)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := new(index.Keyed)
			for _, s := range tt.adds {
				p := k.Add("key", s)
				require.NotNil(t, p)
				require.Equal(t, "key", p.Key())
				require.Same(t, k.Get("key"), p)
			}
			p := k.Get("key")
			require.NotNil(t, p)
			require.Equal(t, tt.want, p.Seqs())
			require.Equal(t, len(tt.want), p.Len())
			require.Equal(t, "key", p.Key())
			require.Equal(t, 1, k.Keys())
			require.Equal(t, len(tt.want), k.Refs(), "Refs counts distinct (key, seq) pairs")
		})
	}
}

func TestKeyedRemove(t *testing.T) {
	tests := []struct {
		name     string
		adds     []uint64 // under key "k"
		key      string
		seq      uint64
		ok       bool
		want     []uint64 // postings of "k" afterwards; nil: key gone
		wantRefs int
	}{
		{"front", []uint64{1, 2, 3}, "k", 1, true, []uint64{2, 3}, 2},
		{"middle", []uint64{1, 2, 3}, "k", 2, true, []uint64{1, 3}, 2},
		{"back", []uint64{1, 2, 3}, "k", 3, true, []uint64{1, 2}, 2},
		{"last one left", []uint64{5}, "k", 5, true, nil, 0},
		{"absent seq below", []uint64{2, 4}, "k", 1, false, []uint64{2, 4}, 2},
		{"absent seq between", []uint64{2, 4}, "k", 3, false, []uint64{2, 4}, 2},
		{"absent seq above", []uint64{2, 4}, "k", 5, false, []uint64{2, 4}, 2},
		{"absent key", []uint64{2, 4}, "other", 2, false, []uint64{2, 4}, 2},
		{"empty key", []uint64{2, 4}, "", 2, false, []uint64{2, 4}, 2},
		{"empty index", nil, "k", 1, false, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := new(index.Keyed)
			for _, s := range tt.adds {
				k.Add("k", s)
			}
			k.Add("z", 1) // a neighbour that must not be touched
			require.Equal(t, tt.ok, k.Remove(tt.key, tt.seq))
			require.Equal(t, tt.want, seqsOf(k, "k"))
			if tt.want == nil {
				require.Nil(t, k.Get("k"), "a key no record carries is deleted")
				require.Equal(t, 1, k.Keys())
			} else {
				require.Equal(t, 2, k.Keys())
			}
			require.Equal(t, tt.wantRefs+1, k.Refs())
			require.Equal(t, []uint64{1}, seqsOf(k, "z"))
		})
	}
}

func TestKeyedRemoveFrontDoesNotCopy(t *testing.T) {
	k := new(index.Keyed)
	for s := uint64(1); s <= 8; s++ {
		k.Add("k", s)
	}
	before := k.Get("k").Seqs()
	require.True(t, k.Remove("k", 1))
	after := k.Get("k").Seqs()
	require.Equal(t, []uint64{2, 3, 4, 5, 6, 7, 8}, after)
	require.Same(t, &before[1], &after[0], "removing the oldest seq reslices the list in place (O(1))")

	// Removing from the middle shifts the tail within the same array.
	before = after
	require.True(t, k.Remove("k", 5))
	after = k.Get("k").Seqs()
	require.Equal(t, []uint64{2, 3, 4, 6, 7, 8}, after)
	require.Same(t, &before[0], &after[0])

	// Removing the same pair again reports false and changes nothing.
	require.False(t, k.Remove("k", 5))
	require.False(t, k.Remove("k", 1))
	require.Equal(t, []uint64{2, 3, 4, 6, 7, 8}, k.Get("k").Seqs())
	require.Equal(t, 6, k.Refs())
}

func TestKeyedRemoveFIFODrains(t *testing.T) {
	k := new(index.Keyed)
	for s := uint64(10); s < 20; s++ {
		k.Add("k", s)
	}
	for s := uint64(10); s < 20; s++ {
		require.True(t, k.Remove("k", s), "seq %d", s)
		require.Equal(t, int(19-s), k.Refs())
		if s < 19 {
			require.Equal(t, seqRange(s+1, 20), k.Get("k").Seqs())
		}
	}
	require.Nil(t, k.Get("k"))
	require.Equal(t, 0, k.Keys())

	// The key can come back after it was deleted.
	require.Equal(t, "k", k.Add("k", 30).Key())
	require.Equal(t, []uint64{30}, k.Get("k").Seqs())
	require.Equal(t, 1, k.Keys())
	require.Equal(t, 1, k.Refs())
}

func seqRange(lo, hi uint64) []uint64 {
	var out []uint64
	for s := lo; s < hi; s++ {
		out = append(out, s)
	}
	return out
}

func TestKeyedCounts(t *testing.T) {
	k := new(index.Keyed)
	require.Equal(t, 0, k.Keys())
	require.Equal(t, 0, k.Refs())

	k.Add("a", 1)
	k.Add("b", 1)
	k.Add("a", 2)
	k.Add("a", 2) // duplicate: not counted
	k.Add("c", 3)
	k.Add("", 4) // not indexed
	require.Equal(t, 3, k.Keys())
	require.Equal(t, 4, k.Refs())

	require.True(t, k.Remove("a", 1))
	require.Equal(t, 3, k.Keys())
	require.Equal(t, 3, k.Refs())
	require.True(t, k.Remove("b", 1))
	require.Equal(t, 2, k.Keys())
	require.Equal(t, 2, k.Refs())
	require.False(t, k.Remove("b", 1))
	require.Equal(t, 2, k.Keys())
	require.Equal(t, 2, k.Refs())
}

// ascendKeys returns the keys Ascend visits from pivot, in its order.
func ascendKeys(k *index.Keyed, pivot string) []string {
	var keys []string
	k.Ascend(pivot, func(key string, p *index.Postings) bool {
		if p == nil || p.Key() != key || p.Len() == 0 {
			panic("Ascend visited " + strconv.Quote(key) + " with bad postings")
		}
		keys = append(keys, key)
		return true
	})
	return keys
}

func TestKeyedAscend(t *testing.T) {
	k := new(index.Keyed)
	require.Empty(t, ascendKeys(k, ""))

	for i, key := range []string{"delta", "alpha", "echo", "charlie", "bravo"} {
		k.Add(key, uint64(i))
	}
	k.Add("alpha", 10)

	collect := func(pivot string, limit int) []string {
		var out []string
		k.Ascend(pivot, func(key string, p *index.Postings) bool {
			require.Equal(t, key, p.Key())
			out = append(out, key)
			return len(out) < limit
		})
		return out
	}
	tests := []struct {
		name  string
		pivot string
		limit int
		want  []string
	}{
		{"all in key order", "", 100, []string{"alpha", "bravo", "charlie", "delta", "echo"}},
		{"pivot present is included", "charlie", 100, []string{"charlie", "delta", "echo"}},
		{"pivot absent starts at next", "c", 100, []string{"charlie", "delta", "echo"}},
		{"pivot past the end", "zulu", 100, nil},
		{"stops when fn returns false", "", 2, []string{"alpha", "bravo"}},
		{"stop after one", "bravo", 1, []string{"bravo"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, collect(tt.pivot, tt.limit))
		})
	}

	t.Run("postings per key", func(t *testing.T) {
		got := map[string][]uint64{}
		k.Ascend("", func(key string, p *index.Postings) bool {
			got[key] = slices.Clone(p.Seqs())
			return true
		})
		require.Equal(t, map[string][]uint64{
			"delta": {0}, "alpha": {1, 10}, "echo": {2}, "charlie": {3}, "bravo": {4},
		}, got)
	})

	t.Run("removed keys are not visited", func(t *testing.T) {
		require.True(t, k.Remove("echo", 2))
		require.True(t, k.Remove("alpha", 1))
		require.Equal(t, []string{"alpha", "bravo", "charlie", "delta"}, ascendKeys(k, ""))
	})
}

func TestKeyedIndependentInstances(t *testing.T) {
	a, b := new(index.Keyed), new(index.Keyed)
	a.Add("k", 1)
	b.Add("k", 2)
	b.Add("other", 3)
	require.Equal(t, []uint64{1}, seqsOf(a, "k"))
	require.Equal(t, []uint64{2}, seqsOf(b, "k"))
	require.Nil(t, a.Get("other"))
	require.Equal(t, 1, a.Keys())
	require.Equal(t, 2, b.Keys())
}

func TestKeyedManyKeys(t *testing.T) {
	// Enough keys for a B-tree of several levels.
	k := new(index.Keyed)
	const n = 5000
	for i := range n {
		key := "k" + strconv.Itoa(i)
		require.Equal(t, key, k.Add(key, uint64(i)).Key())
		require.Equal(t, key, k.Add(key, uint64(i+n)).Key())
	}
	require.Equal(t, n, k.Keys())
	require.Equal(t, 2*n, k.Refs())
	keys := ascendKeys(k, "")
	require.Len(t, keys, n)
	require.True(t, slices.IsSorted(keys), "Ascend visits keys in order")
	for i := range n {
		key := "k" + strconv.Itoa(i)
		require.Equal(t, []uint64{uint64(i), uint64(i + n)}, seqsOf(k, key), key)
	}
	for i := 0; i < n; i += 2 {
		key := "k" + strconv.Itoa(i)
		require.True(t, k.Remove(key, uint64(i)))
		require.True(t, k.Remove(key, uint64(i+n)))
		require.Nil(t, k.Get(key))
	}
	require.Equal(t, n/2, k.Keys())
	require.Equal(t, n, k.Refs())
	for i := 1; i < n; i += 2 {
		require.Equal(t, []uint64{uint64(i), uint64(i + n)}, seqsOf(k, "k"+strconv.Itoa(i)))
	}
	require.Len(t, ascendKeys(k, ""), n/2)
}

// TestKeyedModel drives a Keyed the way the logger does (records with
// increasing seqs, each carrying a few keys, evicted oldest first) and
// checks it against a map after every step.
func TestKeyedModel(t *testing.T) {
	// Up to fewKeys keys Keyed scans a list; beyond, it hashes.
	for _, keys := range []int{6, 40} {
		t.Run(strconv.Itoa(keys), func(t *testing.T) { keyedModel(t, keys) })
	}
}

func keyedModel(t *testing.T, keys int) {
	seed := testSeed(t)
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))

	pool := make([]string, keys)
	for i := range pool {
		pool[i] = "key-" + strconv.Itoa(i)
	}
	pool[0] = "" // records without the key

	type record struct {
		seq   uint64
		keys  []string
		posts []*index.Postings // what Add returned, for RemoveFrom
	}
	var (
		k     = new(index.Keyed)
		model = map[string][]uint64{}
		live  []record
		seq   uint64
	)

	check := func(step int) {
		refs := 0
		for key, want := range model {
			p := k.Get(key)
			require.NotNil(t, p, "step %d key %q", step, key)
			require.Equal(t, want, p.Seqs(), "step %d key %q", step, key)
			require.Equal(t, key, p.Key())
			require.Equal(t, len(want), p.Len())
			refs += len(want)
		}
		for _, key := range pool {
			if _, ok := model[key]; !ok {
				require.Nil(t, k.Get(key), "step %d: key %q should be gone", step, key)
			}
		}
		require.Equal(t, len(model), k.Keys(), "step %d", step)
		require.Equal(t, refs, k.Refs(), "step %d", step)

		keys := ascendKeys(k, "")
		var want []string
		for key := range model {
			want = append(want, key)
		}
		slices.Sort(want)
		require.Equal(t, want, keys, "step %d: Ascend order", step)
	}

	const steps = 5000
	window := 1 + r.IntN(200)
	for step := 0; step < steps; step++ {
		if len(live) == 0 || (len(live) < window && r.IntN(3) != 0) {
			seq += 1 + r.Uint64N(3)
			rec := record{seq: seq}
			for range r.IntN(5) {
				// A skewed pick so some keys are hot and others rare; the
				// same key may come twice in one record.
				key := pool[min(r.IntN(len(pool)), r.IntN(len(pool)))]
				got := k.Add(key, seq)
				if key == "" {
					require.Nil(t, got)
					continue
				}
				require.NotNil(t, got)
				require.Equal(t, key, got.Key())
				require.Same(t, k.Get(key), got)
				if l := model[key]; len(l) == 0 || l[len(l)-1] != seq {
					model[key] = append(l, seq)
				}
				rec.keys = append(rec.keys, got.Key())
				rec.posts = append(rec.posts, got)
			}
			live = append(live, rec)
		} else {
			rec := live[0]
			live = live[1:]
			removed := map[string]bool{}
			for i, key := range rec.keys {
				var ok bool
				if r.IntN(2) == 0 {
					ok = k.Remove(key, rec.seq)
				} else {
					ok = k.RemoveFrom(rec.posts[i], rec.seq)
				}
				require.Equal(t, !removed[key], ok, "step %d: remove (%q, %d)", step, key, rec.seq)
				if removed[key] {
					continue
				}
				removed[key] = true
				l := model[key]
				require.Equal(t, rec.seq, l[0], "model: FIFO removal takes the front")
				if len(l) == 1 {
					delete(model, key)
				} else {
					model[key] = l[1:]
				}
			}
			require.False(t, k.Remove("", rec.seq))
		}
		if r.IntN(50) == 0 {
			window = 1 + r.IntN(200)
		}
		check(step)
	}

	for len(live) > 0 {
		rec := live[0]
		live = live[1:]
		for _, key := range rec.keys {
			k.Remove(key, rec.seq)
		}
	}
	require.Equal(t, 0, k.Keys())
	require.Equal(t, 0, k.Refs())
	require.Empty(t, ascendKeys(k, ""), "keys left after draining")
}

func TestKeyedRemoveFrom(t *testing.T) {
	k := new(index.Keyed)
	pa := k.Add("a", 1)
	k.Add("a", 2)
	k.Add("a", 3)
	pb := k.Add("b", 1)

	require.True(t, k.RemoveFrom(pa, 1), "front")
	require.Equal(t, []uint64{2, 3}, seqsOf(k, "a"))
	require.Equal(t, 3, k.Refs())
	require.False(t, k.RemoveFrom(pa, 1), "already removed")
	require.False(t, k.RemoveFrom(pa, 9), "never added")
	require.True(t, k.RemoveFrom(pa, 3), "back")
	require.Equal(t, []uint64{2}, seqsOf(k, "a"))
	require.Equal(t, 2, k.Refs())
	require.Equal(t, 2, k.Keys())

	require.True(t, k.RemoveFrom(pb, 1), "the last seq of b")
	require.Nil(t, k.Get("b"), "a key no record carries is deleted")
	require.Equal(t, 1, k.Keys())
	require.Equal(t, 1, k.Refs())
	require.Equal(t, []string{"a"}, ascendKeys(k, ""))

	// b comes back with new postings; the old ones are stale and empty.
	pb2 := k.Add("b", 5)
	require.NotSame(t, pb, pb2)
	require.False(t, k.RemoveFrom(pb, 5), "stale postings do not reach the new ones")
	require.Equal(t, []uint64{5}, seqsOf(k, "b"))
	require.Equal(t, 2, k.Refs())
	require.True(t, k.RemoveFrom(pb2, 5))
	require.False(t, k.RemoveFrom(nil, 5))
	require.Equal(t, 1, k.Keys())
	require.Equal(t, 1, k.Refs())
}
