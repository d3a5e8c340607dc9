package stats_test

import (
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/auditlog/auditlog/stats"
	"github.com/stretchr/testify/require"
)

type (
	op     string
	status string
)

type sample = stats.Sample[op, status]

func TestCountersEmpty(t *testing.T) {
	c := stats.NewCounters[op, status]()
	s := c.Summary()
	require.Zero(t, s.Total)
	require.Zero(t, s.Success)
	require.Zero(t, s.DurationCount)
	require.Zero(t, s.DurationSum)
	require.Zero(t, s.P50)
	require.Zero(t, s.P95)
	require.Zero(t, s.P99)
	require.NotNil(t, s.ByOperation)
	require.Empty(t, s.ByOperation)
	require.NotNil(t, s.ByStatus)
	require.Empty(t, s.ByStatus)
	require.Equal(t, 0, c.Users())
	_, ok := c.User("alice")
	require.False(t, ok)
}

func TestCountersSummary(t *testing.T) {
	tests := []struct {
		name    string
		samples []sample
		want    stats.Summary[op, status]
	}{
		{
			name:    "one sample",
			samples: []sample{{Operation: "read", Status: "ok", Success: true, Duration: 5}},
			want: stats.Summary[op, status]{
				Total: 1, Success: 1, DurationCount: 1, DurationSum: 5, P50: 5, P95: 5, P99: 5,
				ByOperation: map[op]int64{"read": 1}, ByStatus: map[status]int64{"ok": 1},
			},
		},
		{
			name: "zero durations are not counted",
			samples: []sample{
				{Operation: "read", Status: "ok", Success: true, Duration: 0},
				{Operation: "read", Status: "ok", Success: true, Duration: 10},
				{Operation: "write", Status: "denied", Failure: true},
			},
			want: stats.Summary[op, status]{
				Total: 3, Success: 2, DurationCount: 1, DurationSum: 10, P50: 10, P95: 10, P99: 10,
				ByOperation: map[op]int64{"read": 2, "write": 1},
				ByStatus:    map[status]int64{"ok": 2, "denied": 1},
			},
		},
		{
			name:    "no durations at all",
			samples: []sample{{Operation: "a", Status: "s"}, {Operation: "b", Status: "s"}},
			want: stats.Summary[op, status]{
				Total: 2, ByOperation: map[op]int64{"a": 1, "b": 1}, ByStatus: map[status]int64{"s": 2},
			},
		},
		{
			name: "neither success nor failure",
			samples: []sample{
				{Operation: "x", Status: "pending"},
				{Operation: "x", Status: "pending", Success: true},
			},
			want: stats.Summary[op, status]{
				Total: 2, Success: 1,
				ByOperation: map[op]int64{"x": 2}, ByStatus: map[status]int64{"pending": 2},
			},
		},
		{
			name:    "empty names are counted",
			samples: []sample{{}, {}},
			want: stats.Summary[op, status]{
				Total: 2, ByOperation: map[op]int64{"": 2}, ByStatus: map[status]int64{"": 2},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := stats.NewCounters[op, status]()
			for _, s := range tt.samples {
				c.Add(s)
			}
			require.Equal(t, tt.want, c.Summary())
		})
	}
}

func TestCountersPercentiles(t *testing.T) {
	c := stats.NewCounters[op, status]()
	// Durations 1..20 (exact buckets), shuffled, with zero-duration samples
	// in between that must not shift the ranks.
	for _, d := range []int64{7, 20, 1, 13, 2, 19, 3, 18, 4, 17, 5, 16, 6, 15, 8, 14, 9, 12, 10, 11} {
		c.Add(sample{Operation: "op", Duration: d})
		c.Add(sample{Operation: "op"})
	}
	s := c.Summary()
	require.Equal(t, int64(40), s.Total)
	require.Equal(t, int64(20), s.DurationCount)
	require.Equal(t, int64(210), s.DurationSum)
	require.Equal(t, int64(10), s.P50, "⌈0.50·20⌉ = 10th")
	require.Equal(t, int64(19), s.P95, "⌈0.95·20⌉ = 19th")
	require.Equal(t, int64(20), s.P99, "⌈0.99·20⌉ = 20th")
}

func TestCountersSummaryIsACopy(t *testing.T) {
	c := stats.NewCounters[op, status]()
	c.Add(sample{Operation: "read", Status: "ok", Success: true})
	c.Add(sample{Operation: "write", Status: "ok", Success: true})

	s := c.Summary()
	s.ByOperation["read"] = 100
	s.ByOperation["delete"] = 7
	delete(s.ByOperation, "write")
	s.ByStatus["ok"] = -1
	s.ByStatus["new"] = 3

	again := c.Summary()
	require.Equal(t, map[op]int64{"read": 1, "write": 1}, again.ByOperation)
	require.Equal(t, map[status]int64{"ok": 2}, again.ByStatus)

	// And later samples do not reach an earlier summary.
	c.Add(sample{Operation: "read", Status: "ok"})
	require.Equal(t, map[op]int64{"read": 1, "write": 1}, again.ByOperation)
	require.Equal(t, map[status]int64{"ok": 2}, again.ByStatus)
	require.Equal(t, int64(2), again.Total)
	require.Equal(t, int64(3), c.Summary().Total)
	require.Equal(t, map[op]int64{"read": 2, "write": 1}, c.Summary().ByOperation)
}

func TestCountersUsers(t *testing.T) {
	c := stats.NewCounters[op, status]()
	samples := []sample{
		{User: "alice", Operation: "read", UnixNano: 100, Success: true},
		{User: "alice", Operation: "write", UnixNano: 300, Failure: true},
		{User: "alice", Operation: "read", UnixNano: 200, Failure: true}, // older than the last: last stays 300
		{User: "bob", Operation: "login", UnixNano: -50, Success: true},  // a time before 1970
		{User: "", Operation: "boot", UnixNano: 1000},                    // no user
		{User: "carol", Operation: "read", UnixNano: 0},
	}
	for _, s := range samples {
		c.Add(s)
	}
	require.Equal(t, 3, c.Users(), "samples without a user are not a user")
	require.Equal(t, int64(6), c.Summary().Total)

	tests := []struct {
		id   string
		ok   bool
		want stats.UserSummary[op]
	}{
		{"alice", true, stats.UserSummary[op]{Total: 3, Failures: 2, LastUnixNano: 300, ByOperation: map[op]int64{"read": 2, "write": 1}}},
		{"bob", true, stats.UserSummary[op]{Total: 1, Failures: 0, LastUnixNano: -50, ByOperation: map[op]int64{"login": 1}}},
		{"carol", true, stats.UserSummary[op]{Total: 1, LastUnixNano: 0, ByOperation: map[op]int64{"read": 1}}},
		{"dave", false, stats.UserSummary[op]{}},
		{"", false, stats.UserSummary[op]{}},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			got, ok := c.User(tt.id)
			require.Equal(t, tt.ok, ok)
			require.Equal(t, tt.want, got)
		})
	}

	t.Run("ByOperation is a copy", func(t *testing.T) {
		u, ok := c.User("alice")
		require.True(t, ok)
		u.ByOperation["read"] = 99
		u.ByOperation["admin"] = 1
		again, _ := c.User("alice")
		require.Equal(t, map[op]int64{"read": 2, "write": 1}, again.ByOperation)

		c.Add(sample{User: "alice", Operation: "write", UnixNano: 400})
		require.Equal(t, map[op]int64{"read": 2, "write": 1}, again.ByOperation, "an earlier copy does not change")
		latest, _ := c.User("alice")
		require.Equal(t, stats.UserSummary[op]{Total: 4, Failures: 2, LastUnixNano: 400, ByOperation: map[op]int64{"read": 2, "write": 2}}, latest)
		require.Equal(t, 3, c.Users())
	})
}

func TestCountersLastTimeOnlyGrows(t *testing.T) {
	c := stats.NewCounters[op, status]()
	for _, ts := range []int64{-10, -20, 5, 3, 5, -1} {
		c.Add(sample{User: "u", UnixNano: ts})
	}
	u, ok := c.User("u")
	require.True(t, ok)
	require.Equal(t, int64(5), u.LastUnixNano)
	require.Equal(t, int64(6), u.Total)

	c2 := stats.NewCounters[op, status]()
	c2.Add(sample{User: "u", UnixNano: -20})
	c2.Add(sample{User: "u", UnixNano: -30})
	u, _ = c2.User("u")
	require.Equal(t, int64(-20), u.LastUnixNano, "the first time counts even when negative")
}

// adds counts one sample of op for each user in turn.
func adds(c *stats.Counters[op, status], users ...string) {
	for _, u := range users {
		c.Add(sample{User: u, Operation: "read"})
	}
}

func tracked(c *stats.Counters[op, status], users ...string) map[string]int64 {
	got := map[string]int64{}
	for _, u := range users {
		if s, ok := c.User(u); ok {
			got[u] = s.Total
		}
	}
	return got
}

// TestCountersFoldLeastActive: with no recent samples kept, the fold
// keeps the MaxUsers most active users, the latest seen first among
// equals, and folds the rest into the totals.
func TestCountersFoldLeastActive(t *testing.T) {
	c := stats.NewCountersWithLimit[op, status](stats.UserLimit{MaxUsers: 2})
	adds(c, "a", "a", "a", "b", "b", "c", "d") // 4 users: 2 × MaxUsers
	require.Equal(t, 4, c.Users(), "no fold below 2 × MaxUsers")
	require.Zero(t, c.Summary().FoldedUsers)

	adds(c, "e") // the fifth user folds c and d, the least active
	all := []string{"a", "b", "c", "d", "e"}
	require.Equal(t, map[string]int64{"a": 3, "b": 2, "e": 1}, tracked(c, all...))
	sum := c.Summary()
	require.Equal(t, int64(8), sum.Total, "folded samples stay in the totals")
	require.Equal(t, map[op]int64{"read": 8}, sum.ByOperation)
	require.Equal(t, int64(3), sum.Users)
	require.Equal(t, int64(2), sum.FoldedUsers)
	require.Equal(t, int64(2), sum.FoldedSamples)

	a, _ := c.User("a")
	require.False(t, a.Partial, "a was tracked from its first sample")
	e, _ := c.User("e")
	require.False(t, e.Partial, "e was never folded")

	adds(c, "c") // c comes back: counted again from here, and said so
	cs, ok := c.User("c")
	require.True(t, ok)
	require.Equal(t, stats.UserSummary[op]{Total: 1, ByOperation: map[op]int64{"read": 1}, Partial: true}, cs)

	// The next fold comes at 2 × MaxUsers tracked again: d is the fifth.
	// c and e have one sample each, like d: all folded but the newcomer.
	adds(c, "d")
	require.Equal(t, map[string]int64{"a": 3, "b": 2, "d": 1}, tracked(c, all...))
	sum = c.Summary()
	require.Equal(t, int64(10), sum.Total)
	require.Equal(t, int64(4), sum.FoldedUsers, "c twice, d once, e once")
	require.Equal(t, int64(4), sum.FoldedSamples)
}

// TestCountersFoldTies: among users with as many samples, the latest seen
// stays.
func TestCountersFoldTies(t *testing.T) {
	c := stats.NewCountersWithLimit[op, status](stats.UserLimit{MaxUsers: 2})
	adds(c, "w", "x", "y", "z", "x", "w") // w and x have two, y then z one
	adds(c, "n")
	require.Equal(t, map[string]int64{"w": 2, "x": 2, "n": 1}, tracked(c, "w", "x", "y", "z", "n"))
	c = stats.NewCountersWithLimit[op, status](stats.UserLimit{MaxUsers: 3})
	adds(c, "w", "x", "y", "z", "u", "v", "x", "w") // w, x: two; y, z, u, v: one
	adds(c, "n")
	require.Equal(t, map[string]int64{"w": 2, "x": 2, "v": 1, "n": 1}, tracked(c, "w", "x", "y", "z", "u", "v", "n"))
}

// TestCountersFoldKeepsRecent: a user with a sample among the last Recent
// samples keeps its counters even when users with more samples are
// folded.
func TestCountersFoldKeepsRecent(t *testing.T) {
	c := stats.NewCountersWithLimit[op, status](stats.UserLimit{MaxUsers: 1, Recent: 2})
	adds(c, "big", "big", "big", "mid", "mid")
	adds(c, "tiny") // the third user: big is old, but the one kept; mid is recent
	require.Zero(t, c.Summary().FoldedUsers)
	adds(c, "u4")
	require.Equal(t, 4, c.Users())
	// u5 comes at sample 8: the last two samples are u4's and u5's own.
	adds(c, "u5")
	require.Equal(t, map[string]int64{"big": 3, "u4": 1, "u5": 1}, tracked(c, "big", "mid", "tiny", "u4", "u5"))
	sum := c.Summary()
	require.Equal(t, int64(2), sum.FoldedUsers, "mid and tiny")
	require.Equal(t, int64(3), sum.FoldedSamples)
	require.Equal(t, int64(8), sum.Total)
}

// TestCountersFoldModel checks the counters against a plain map of every
// user's samples, over a random stream with a few active users and many
// passing ones: the bound on tracked users, every recent user tracked,
// exact counts unless Partial, and every sample accounted for.
func TestCountersFoldModel(t *testing.T) {
	seed := testSeed(t)
	r := rand.New(rand.NewPCG(seed, 9))
	for iter := range 20 {
		lim := stats.UserLimit{MaxUsers: 1 + r.IntN(20), Recent: r.IntN(30)}
		bound := 2 * (lim.MaxUsers + lim.Recent)
		c := stats.NewCountersWithLimit[op, status](lim)
		want := map[string]int64{}
		var users []string // the user of each sample, "" for none
		var noUser int64
		for i := range 3000 {
			var u string
			switch x := r.IntN(10); {
			case x < 3:
				u = "active-" + strconv.Itoa(r.IntN(5))
			case x < 4:
			default:
				u = "user-" + strconv.Itoa(r.IntN(500))
			}
			c.Add(sample{User: u, Operation: "read"})
			users = append(users, u)
			if u == "" {
				noUser++
			} else {
				want[u]++
			}
			require.LessOrEqual(t, c.Users(), bound, "iter %d sample %d %+v", iter, i, lim)
			if i%50 != 0 {
				continue
			}
			for _, ru := range users[max(0, len(users)-lim.Recent):] {
				if ru != "" {
					_, ok := c.User(ru)
					require.True(t, ok, "iter %d: %s has a recent sample", iter, ru)
				}
			}
			var counted int64
			for id, n := range want {
				got, ok := c.User(id)
				if !ok {
					continue
				}
				counted += got.Total
				if got.Partial {
					require.LessOrEqual(t, got.Total, n, id)
				} else {
					require.Equal(t, n, got.Total, "iter %d: %s is not Partial", iter, id)
				}
			}
			sum := c.Summary()
			require.Equal(t, sum.Total, counted+sum.FoldedSamples+noUser, "iter %d sample %d", iter, i)
		}
	}
}
