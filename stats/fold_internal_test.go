package stats

import (
	"cmp"
	"math/rand/v2"
	"runtime"
	"slices"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

func heapInUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// TestCountersUsersBounded sends a million distinct user ids, as a login
// endpoint that logs the names it is sent would, between the samples of
// three active users and samples without a user. The tracked users stay
// within 2 × (MaxUsers + Recent), the heap does not grow with the ids,
// the active users' counters stay exact, and no sample is lost from the
// totals.
func TestCountersUsersBounded(t *testing.T) {
	const (
		maxUsers = 1000
		recent   = 1000
		n        = 1_000_000
		bound    = 2 * (maxUsers + recent)
	)
	ops := []string{"LOGIN", "READ", "UPDATE"}
	heavy := []string{"alice", "bob", "carol"}
	type ref struct {
		total, failures, last int64
		byOp                  map[string]int64
	}
	want := map[string]*ref{}
	for _, h := range heavy {
		want[h] = &ref{byOp: map[string]int64{}}
	}
	var noUser int64
	var buf []byte
	c := NewCountersWithLimit[string, string](UserLimit{MaxUsers: maxUsers, Recent: recent})
	before := heapInUse()
	for i := range n {
		s := Sample[string, string]{Operation: ops[i%len(ops)], Status: "ok", UnixNano: int64(i), Success: true}
		switch i % 10 {
		case 0, 3:
			h := heavy[(i/10)%len(heavy)]
			s.User = h
			r := want[h]
			r.total++
			if i%7 == 0 {
				s.Failure, s.Success = true, false
				r.failures++
			}
			r.last = int64(i)
			r.byOp[s.Operation]++
		case 5:
			noUser++
		default:
			buf = strconv.AppendInt(append(buf[:0], "attacker-"...), int64(i), 10)
			s.User = string(buf)
		}
		c.Add(s)
		if c.Users() > bound {
			t.Fatalf("after %d samples, %d users are tracked, above %d", i+1, c.Users(), bound)
		}
	}
	grown := int64(heapInUse()) - int64(before)
	t.Logf("tracked %d users, folded %d, heap grew by %d bytes", c.Users(), c.foldedUsers, grown)
	// About 200 bytes a user; 1 MB for 2 × 2000 users is generous, where
	// keeping every id costs about 200 MB.
	require.Less(t, grown, int64(1<<20), "the heap grows with the distinct ids")

	for _, h := range heavy {
		got, ok := c.User(h)
		require.True(t, ok, h)
		r := want[h]
		require.Equal(t, UserSummary[string]{Total: r.total, Failures: r.failures, LastUnixNano: r.last, ByOperation: r.byOp}, got, h)
	}
	// Every user with a sample among the last Recent is tracked.
	for i := n - recent; i < n; i++ {
		if i%10 == 0 || i%10 == 3 || i%10 == 5 {
			continue
		}
		u, ok := c.User("attacker-" + strconv.Itoa(i))
		require.True(t, ok, "attacker-%d has a recent sample", i)
		require.Equal(t, int64(1), u.Total)
	}
	_, ok := c.User("attacker-1")
	require.False(t, ok, "a user with one old sample is folded")

	sum := c.Summary()
	require.Equal(t, int64(n), sum.Total)
	require.Equal(t, int64(c.Users()), sum.Users)
	var tracked int64
	for _, u := range c.users {
		tracked += u.total
	}
	require.Equal(t, sum.Total, tracked+sum.FoldedSamples+noUser, "every sample is in the tracked users, the folded ones or without a user")
	require.Equal(t, sum.FoldedUsers, sum.FoldedSamples, "each folded user had one sample")
	runtime.KeepAlive(c)
}

// TestSelectFirst checks the quickselect against a sort, on random
// totals with many ties (broken by seen).
func TestSelectFirst(t *testing.T) {
	seed := rand.Uint64()
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, 3))
	for range 200 {
		n := 1 + r.IntN(300)
		ts := make([]tracked[string], n)
		for i, seen := range r.Perm(n) {
			ts[i] = tracked[string]{strconv.Itoa(i), &user[string]{total: 1 + r.Int64N(4), seen: int64(seen)}}
		}
		k := r.IntN(n)
		sorted := slices.Clone(ts)
		slices.SortFunc(sorted, func(a, b tracked[string]) int {
			return cmp.Or(cmp.Compare(b.u.total, a.u.total), cmp.Compare(b.u.seen, a.u.seen))
		})
		selectFirst(ts, k)
		ids := func(ts []tracked[string]) []string {
			var out []string
			for _, t := range ts {
				out = append(out, t.id)
			}
			slices.Sort(out)
			return out
		}
		require.Equal(t, ids(sorted[:k]), ids(ts[:k]), "n=%d k=%d", n, k)
		require.Equal(t, ids(sorted), ids(ts), "a permutation")
	}
}

// TestFoldedSet: the filter never misses an id it was given, and rarely
// claims one it was not.
func TestFoldedSet(t *testing.T) {
	var s foldedSet
	require.False(t, s.has("a"), "empty")
	for i := range 10_000 {
		s.add("folded-" + strconv.Itoa(i))
	}
	for i := range 10_000 {
		require.True(t, s.has("folded-"+strconv.Itoa(i)))
	}
	claimed := 0
	for i := range 100_000 {
		if s.has("other-" + strconv.Itoa(i)) {
			claimed++
		}
	}
	t.Logf("%d of 100,000 other ids claimed", claimed)
	require.Less(t, claimed, 30, "about 2 expected")
}
