package logger_test

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/logger"
)

func TestStatisticsZeroEvents(t *testing.T) {
	l := newLogger(t, logger.Options{MaxEvents: 50})
	s := l.Statistics()
	require.Zero(t, s.TotalEvents)
	require.Zero(t, s.EventsInMemory)
	require.Equal(t, int64(50), s.MaxEvents)
	require.False(t, math.IsNaN(s.SuccessRate), "SuccessRate is NaN")
	require.Zero(t, s.SuccessRate)
	require.False(t, math.IsNaN(s.AvgDurationMs), "AvgDurationMs is NaN")
	require.Zero(t, s.AvgDurationMs)
	require.Zero(t, s.P50DurationMs)
	require.Zero(t, s.P95DurationMs)
	require.Zero(t, s.P99DurationMs)
	require.Empty(t, s.ByOperation)
	require.Empty(t, s.ByStatus)
	require.Zero(t, s.Dropped)
	require.Zero(t, s.Rejected)
	require.Zero(t, s.Evicted)
	require.Zero(t, s.Failed)
	require.Zero(t, s.QueueDepth)

	sf := l.StatisticsFor(logger.Filter{UserID: "nobody"})
	require.Zero(t, sf.TotalEvents)
	require.False(t, math.IsNaN(sf.SuccessRate))
	require.Zero(t, sf.SuccessRate)
	require.Zero(t, sf.AvgDurationMs)

	require.Equal(t, logger.UserStats{}, l.UserStatistics("nobody"))
	require.Equal(t, logger.UserStats{}, l.UserStatistics(""))
}

// Events without a duration: averages and percentiles stay 0, not NaN.
func TestStatisticsNoDurations(t *testing.T) {
	l := newLogger(t, logger.Options{})
	for range 5 {
		require.NoError(t, l.Log(context.Background(), logger.Event{Operation: logger.OpRead, Status: logger.StatusFailure}))
	}
	s := l.Statistics()
	require.Equal(t, int64(5), s.TotalEvents)
	require.Zero(t, s.SuccessRate)
	require.Zero(t, s.AvgDurationMs)
	require.Zero(t, s.P50DurationMs)
	require.Zero(t, s.P99DurationMs)
}

// nearestRank returns the q quantile of sorted by nearest rank.
func nearestRank(sorted []float64, q float64) float64 {
	r := int(math.Ceil(q * float64(len(sorted))))
	r = min(max(r, 1), len(sorted))
	return sorted[r-1]
}

func TestStatisticsDurations(t *testing.T) {
	for _, tc := range []struct {
		name      string
		durations []time.Duration // besides, five events carry none
	}{
		{"1..100 ms", func() []time.Duration {
			var d []time.Duration
			for i := 1; i <= 100; i++ {
				d = append(d, time.Duration(i)*time.Millisecond)
			}
			return d
		}()},
		{"1..1000 µs reversed", func() []time.Duration {
			var d []time.Duration
			for i := 1000; i >= 1; i-- {
				d = append(d, time.Duration(i)*time.Microsecond)
			}
			return d
		}()},
		{"skewed", []time.Duration{
			time.Millisecond, time.Millisecond, time.Millisecond, 2 * time.Millisecond, 3 * time.Millisecond,
			5 * time.Millisecond, 8 * time.Millisecond, 13 * time.Millisecond, 21 * time.Millisecond, 10 * time.Second,
		}},
		{"one", []time.Duration{1234567 * time.Nanosecond}},
		{"nanoseconds", []time.Duration{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := newLogger(t, logger.Options{MaxEvents: 10})
			ctx := context.Background()
			var sum time.Duration
			logged := 0
			sorted := make([]float64, 0, len(tc.durations))
			for i, d := range tc.durations {
				require.NoError(t, l.Log(ctx, logger.Event{Operation: logger.OpRead, Duration: d}))
				logged++
				sum += d
				sorted = append(sorted, float64(d)/1e6)
				if i%20 == 0 {
					require.NoError(t, l.Log(ctx, logger.Event{Operation: logger.OpRead})) // no duration
					logged++
				}
			}
			slices.Sort(sorted)
			s := l.Statistics()
			wantAvg := float64(sum) / float64(len(tc.durations)) / 1e6
			require.InDelta(t, wantAvg, s.AvgDurationMs, wantAvg*1e-12, "the average is exact and ignores events without a duration")
			for _, p := range []struct {
				q   float64
				got float64
			}{{0.50, s.P50DurationMs}, {0.95, s.P95DurationMs}, {0.99, s.P99DurationMs}} {
				want := nearestRank(sorted, p.q)
				require.InDelta(t, want, p.got, want/32, "P%v: want %v (nearest rank) within 1/32", p.q*100, want)
			}
			require.LessOrEqual(t, s.P50DurationMs, s.P95DurationMs)
			require.LessOrEqual(t, s.P95DurationMs, s.P99DurationMs)
			// Evicted events still count: the ring holds at most 10.
			require.Equal(t, int64(logged), s.TotalEvents)
			require.Equal(t, int64(min(logged, 10)), s.EventsInMemory)
		})
	}
}

func TestStatisticsEqualDurationsExact(t *testing.T) {
	l := newLogger(t, logger.Options{})
	for range 7 {
		require.NoError(t, l.Log(context.Background(), logger.Event{Operation: logger.OpRead, Duration: 1500 * time.Microsecond}))
	}
	s := l.Statistics()
	require.Equal(t, 1.5, s.AvgDurationMs)
	require.Equal(t, 1.5, s.P50DurationMs)
	require.Equal(t, 1.5, s.P95DurationMs)
	require.Equal(t, 1.5, s.P99DurationMs)
}

func TestStatisticsKnownInputs(t *testing.T) {
	l := newLogger(t, logger.Options{MaxEvents: 4})
	ctx := context.Background()
	events := []logger.Event{
		{Operation: logger.OpCreate, Status: logger.StatusSuccess, Duration: 10 * time.Millisecond},
		{Operation: logger.OpCreate, Status: logger.StatusFailure, Duration: 20 * time.Millisecond},
		{Operation: logger.OpRead},
		{Operation: logger.OpRead, Status: logger.StatusPartial, Duration: 30 * time.Millisecond},
		{Operation: logger.OpRead, Status: logger.StatusSuccess},
		{Operation: logger.OpDelete, Status: logger.StatusFailure},
		{Operation: "CUSTOM.OP", Status: logger.StatusSuccess, Duration: 40 * time.Millisecond},
		{Operation: logger.OpRead, Status: logger.StatusSuccess},
		{Operation: logger.OpRead, Status: logger.StatusSuccess},
		{Operation: logger.OpUpdate, Status: logger.StatusPartial},
	}
	for _, ev := range events[:6] {
		require.NoError(t, l.Log(ctx, ev))
	}
	require.NoError(t, l.LogBatch(ctx, events[6:]))
	s := l.Statistics()
	require.Equal(t, int64(10), s.TotalEvents, "evicted events count")
	require.Equal(t, int64(4), s.EventsInMemory)
	require.Equal(t, int64(4), s.MaxEvents)
	require.Equal(t, int64(6), s.Evicted)
	require.Equal(t, 0.6, s.SuccessRate) // 6 of 10, the empty status included
	require.Equal(t, 25.0, s.AvgDurationMs)
	require.Equal(t, map[logger.Operation]int64{
		logger.OpCreate: 2, logger.OpRead: 5, logger.OpDelete: 1, "CUSTOM.OP": 1, logger.OpUpdate: 1,
	}, s.ByOperation)
	require.Equal(t, map[logger.Status]int64{
		logger.StatusSuccess: 6, logger.StatusFailure: 2, logger.StatusPartial: 2,
	}, s.ByStatus)

	// The maps are the caller's own.
	s.ByOperation[logger.OpRead] = 1000
	s.ByStatus[logger.StatusSuccess] = 1000
	s2 := l.Statistics()
	require.Equal(t, int64(5), s2.ByOperation[logger.OpRead])
	require.Equal(t, int64(6), s2.ByStatus[logger.StatusSuccess])

	// StatisticsFor covers only the events in memory.
	sf := l.StatisticsFor(logger.Filter{})
	require.Equal(t, int64(4), sf.TotalEvents)
	require.Equal(t, int64(4), sf.EventsInMemory)
	require.Equal(t, 0.75, sf.SuccessRate)
	require.Equal(t, 40.0, sf.AvgDurationMs)
	require.Equal(t, map[logger.Operation]int64{"CUSTOM.OP": 1, logger.OpRead: 2, logger.OpUpdate: 1}, sf.ByOperation)
	require.Zero(t, sf.Evicted)
	require.Zero(t, sf.Rejected)
	require.Zero(t, sf.Dropped)

	sr := l.StatisticsFor(logger.Filter{Operation: logger.OpRead, Limit: 1, Offset: 1})
	require.Equal(t, int64(2), sr.TotalEvents, "StatisticsFor ignores Limit and Offset")
	require.Equal(t, 1.0, sr.SuccessRate)
}

func TestUserStatistics(t *testing.T) {
	base := time.Date(2024, 4, 1, 0, 0, 0, 0, time.UTC)
	l := newLogger(t, logger.Options{MaxEvents: 3})
	ctx := context.Background()
	log := func(user string, op logger.Operation, status logger.Status, minute int) {
		t.Helper()
		require.NoError(t, l.Log(ctx, logger.Event{UserID: user, Operation: op, Status: status, Time: base.Add(time.Duration(minute) * time.Minute)}))
	}
	// ann: READ ×3, UPDATE ×3, CREATE ×1 → READ (tie with UPDATE, alphabetical).
	log("ann", logger.OpUpdate, logger.StatusFailure, 1)
	log("ann", logger.OpRead, "", 2)
	log("ann", logger.OpUpdate, logger.StatusSuccess, 3)
	log("ann", logger.OpCreate, logger.StatusFailure, 9) // her latest
	log("ann", logger.OpRead, logger.StatusPartial, 4)   // late
	log("ann", logger.OpUpdate, logger.StatusSuccess, 5)
	log("ann", logger.OpRead, logger.StatusFailure, 6)
	// ben: DELETE ×2, APPROVE ×2, ZAP ×2 → APPROVE.
	log("ben", logger.OpDelete, "", 1)
	log("ben", "ZAP", "", 2)
	log("ben", logger.OpApprove, "", 3)
	log("ben", logger.OpDelete, "", 4)
	log("ben", logger.OpApprove, "", 5)
	log("ben", "ZAP", "", 6)
	// cat: a single event, then many of another user: evicted, still counted.
	log("cat", logger.OpLogin, logger.StatusFailure, 0)
	for i := range 10 {
		log("dan", logger.OpLogout, "", 10+i)
	}
	// An event without a user counts for nobody.
	log("", logger.OpExport, "", 30)

	// Map order must not decide the tie: ask many times.
	for range 50 {
		ann := l.UserStatistics("ann")
		require.Equal(t, logger.UserStats{
			UserID: "ann", TotalOperations: 7, LastActivity: base.Add(9 * time.Minute),
			MostCommonOperation: logger.OpRead,
			ByOperation:         map[logger.Operation]int64{logger.OpRead: 3, logger.OpUpdate: 3, logger.OpCreate: 1},
			Failures:            3,
		}, ann)
		require.Equal(t, logger.OpApprove, l.UserStatistics("ben").MostCommonOperation)
	}
	ben := l.UserStatistics("ben")
	require.Equal(t, int64(6), ben.TotalOperations)
	require.Zero(t, ben.Failures)
	require.Equal(t, base.Add(6*time.Minute), ben.LastActivity)

	cat := l.UserStatistics("cat")
	require.Equal(t, logger.UserStats{
		UserID: "cat", TotalOperations: 1, LastActivity: base, MostCommonOperation: logger.OpLogin,
		ByOperation: map[logger.Operation]int64{logger.OpLogin: 1}, Failures: 1,
	}, cat, "evicted events still count")
	require.Zero(t, l.Count(logger.Filter{UserID: "cat"}), "cat's event was evicted")

	dan := l.UserStatistics("dan")
	require.Equal(t, int64(10), dan.TotalOperations)
	require.Equal(t, base.Add(19*time.Minute), dan.LastActivity)
	require.Equal(t, time.UTC, dan.LastActivity.Location())

	require.Equal(t, logger.UserStats{}, l.UserStatistics("nobody"), "unknown user → zero value")
	require.Equal(t, logger.UserStats{}, l.UserStatistics(""), "events without a user are nobody's")
	require.Equal(t, logger.UserStats{}, l.UserStatistics("ANN"), "user ids are exact")

	// The map is the caller's own.
	ann := l.UserStatistics("ann")
	ann.ByOperation[logger.OpRead] = 100
	require.Equal(t, int64(3), l.UserStatistics("ann").ByOperation[logger.OpRead])
}

// The tie-break holds for many operations with equal counts, whatever
// order they were logged in.
func TestUserStatisticsTieBreak(t *testing.T) {
	ops := []logger.Operation{"ZULU", "MIKE", "ALPHA", "KILO", "BRAVO", "ALPHA2", "A9"}
	for shift := range ops {
		t.Run(fmt.Sprint("rotation ", shift), func(t *testing.T) {
			l := newLogger(t, logger.Options{})
			for round := range 3 {
				for i := range ops {
					op := ops[(i+shift+round)%len(ops)]
					require.NoError(t, l.Log(context.Background(), logger.Event{UserID: "u", Operation: op}))
				}
			}
			for range 20 {
				require.Equal(t, logger.Operation("A9"), l.UserStatistics("u").MostCommonOperation)
			}
			// One more of another breaks the tie.
			require.NoError(t, l.Log(context.Background(), logger.Event{UserID: "u", Operation: "ZULU"}))
			require.Equal(t, logger.Operation("ZULU"), l.UserStatistics("u").MostCommonOperation)
		})
	}
}

func TestStatisticsCountersAfterRefusals(t *testing.T) {
	l, gate := newGatedLogger(t, logger.Options{QueueSize: 1, DropWhenFull: true, MaxEvents: 2})
	gate.Block(t, l)
	ctx := context.Background()
	require.NoError(t, l.Log(ctx, logger.Event{Operation: logger.OpRead}))
	require.ErrorIs(t, l.Log(ctx, logger.Event{Operation: logger.OpRead}), logger.ErrDropped)
	require.ErrorIs(t, l.Log(ctx, logger.Event{Operation: ""}), logger.ErrInvalidEvent)
	gate.Release()
	mustFlush(t, l)
	require.NoError(t, l.Log(ctx, logger.Event{Operation: logger.OpRead}))
	s := l.Statistics()
	require.Equal(t, int64(3), s.TotalEvents)
	require.Equal(t, int64(1), s.Dropped)
	require.Equal(t, int64(1), s.Rejected)
	require.Equal(t, int64(1), s.Evicted)
	require.Equal(t, int64(2), s.EventsInMemory)
	require.Zero(t, s.Failed)
	require.Zero(t, s.QueueDepth)
	require.Equal(t, int64(2), l.StatisticsFor(logger.Filter{}).TotalEvents)
}

func heapInUse() int64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}

// TestUserStatisticsBounded: a login endpoint that logs the names it is
// sent gets a new user id per event. The users with counters stay within
// 2 × (MaxUsers + MaxEvents), the heap does not grow with the ids, the
// active users' figures stay exact, a user with an event in memory is
// answered, and every total still counts every event.
func TestUserStatisticsBounded(t *testing.T) {
	const (
		maxEvents = 1000
		maxUsers  = 1000
		batches   = 400
		perBatch  = 500
		n         = batches * perBatch
		bound     = 2 * (maxUsers + maxEvents)
	)
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	l := newLogger(t, logger.Options{MaxEvents: maxEvents, MaxUsers: maxUsers})
	ctx := context.Background()
	heavy := []string{"alice", "bob", "carol"}
	want := map[string]*logger.UserStats{}
	for _, h := range heavy {
		want[h] = &logger.UserStats{UserID: h, MostCommonOperation: logger.OpRead, ByOperation: map[logger.Operation]int64{}}
	}
	wantOps, wantStatus := map[logger.Operation]int64{}, map[logger.Status]int64{}
	before := heapInUse()
	batch := make([]logger.Event, perBatch)
	for b := range batches {
		for j := range batch {
			i := b*perBatch + j
			ev := logger.Event{Operation: logger.OpLogin, Status: logger.StatusFailure, Time: base.Add(time.Duration(i) * time.Millisecond)}
			if i%10 == 0 {
				h := heavy[(i/10)%len(heavy)]
				ev.UserID, ev.Operation, ev.Status = h, logger.OpRead, logger.StatusSuccess
				if i%70 == 0 {
					ev.Operation, ev.Status = logger.OpUpdate, logger.StatusFailure
					want[h].Failures++
				}
				w := want[h]
				w.TotalOperations++
				w.ByOperation[ev.Operation]++
				w.LastActivity = ev.Time
			} else {
				ev.UserID = fmt.Sprintf("guess-%d", i)
			}
			batch[j] = ev
			wantOps[ev.Operation]++
			wantStatus[ev.Status]++
		}
		require.NoError(t, l.LogBatch(ctx, batch))
		if b%20 == 19 {
			s := l.Statistics()
			require.LessOrEqual(t, s.TrackedUsers, int64(bound), "after %d events", (b+1)*perBatch)
		}
	}
	clear(batch)
	s := l.Statistics()
	grown := heapInUse() - before
	t.Logf("%d users with counters, %d folded, heap grew by %d bytes", s.TrackedUsers, s.FoldedUsers, grown)
	// The ring of 1,000 events and at most 4,000 users' counters take
	// about 1.5 MB; keeping every id takes about 26 MB.
	require.Less(t, grown, int64(6<<20), "the heap grows with the distinct ids")

	for _, h := range heavy {
		require.Equal(t, *want[h], l.UserStatistics(h), "an active user's figures are exact")
	}
	var heavyEvents int64
	for _, w := range want {
		heavyEvents += w.TotalOperations
	}
	require.Equal(t, int64(n), s.TotalEvents)
	require.Equal(t, wantOps, s.ByOperation)
	require.Equal(t, wantStatus, s.ByStatus)
	// Each guessed name had one event: the tracked users' events, those of
	// the folded ones and none without a user make TotalEvents.
	require.Equal(t, s.TotalEvents, heavyEvents+(s.TrackedUsers-int64(len(heavy)))+s.FoldedEvents)
	require.Equal(t, s.FoldedUsers, s.FoldedEvents)

	last := fmt.Sprintf("guess-%d", n-1)
	require.Equal(t, int64(1), l.UserStatistics(last).TotalOperations, "a user with an event in memory keeps its counters")
	require.Equal(t, logger.UserStats{}, l.UserStatistics("guess-1"), "a folded user reads as unknown")
	require.Equal(t, 1, l.Count(logger.Filter{UserID: last}))
}

func TestMaxUsersInvalid(t *testing.T) {
	for _, n := range []int{-1, math.MinInt, 1<<30 + 1} {
		l, err := logger.New(logger.Options{MaxUsers: n})
		require.ErrorIs(t, err, logger.ErrInvalidOptions)
		require.ErrorContains(t, err, "MaxUsers")
		require.Nil(t, l)
	}
}

// TestUserStatisticsBoundedRecovered: the statistics rebuilt from a
// journal of many distinct users are bounded the same way, and the users
// of the events back in memory keep their counters.
func TestUserStatisticsBoundedRecovered(t *testing.T) {
	const (
		maxEvents = 50
		maxUsers  = 50
		n         = 3000
	)
	dir := t.TempDir()
	opts := logger.Options{MaxEvents: maxEvents, MaxUsers: maxUsers, Journal: &logger.JournalOptions{Dir: dir, Recover: true}}
	l, err := logger.New(opts)
	require.NoError(t, err)
	for i := range n {
		require.NoError(t, l.Log(context.Background(), logger.Event{Operation: logger.OpLogin, UserID: fmt.Sprintf("guess-%d", i)}))
	}
	require.NoError(t, l.Close())

	l = newLogger(t, opts)
	s := l.Statistics()
	require.Equal(t, int64(n), s.TotalEvents)
	require.LessOrEqual(t, s.TrackedUsers, int64(2*(maxUsers+maxEvents)))
	require.Equal(t, s.TotalEvents, s.TrackedUsers+s.FoldedEvents, "one event each")
	for i := n - maxEvents; i < n; i++ {
		require.Equal(t, int64(1), l.UserStatistics(fmt.Sprintf("guess-%d", i)).TotalOperations, "guess-%d is in memory", i)
	}
	require.Equal(t, logger.UserStats{}, l.UserStatistics("guess-0"))
}

// TestUserStatisticsFolded follows users through a fold: with a ring of
// two events and MaxUsers 1, the fold at the fifth user keeps the most
// active user and the one with an event in memory, folds the others into
// the totals, and a folded user that comes back is counted again, marked
// Partial.
func TestUserStatisticsFolded(t *testing.T) {
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	l := newLogger(t, logger.Options{MaxEvents: 2, MaxUsers: 1})
	ctx := context.Background()
	for i, u := range []string{"ann", "ann", "ann", "bob", "cat", "dan", "eve"} {
		require.NoError(t, l.Log(ctx, logger.Event{UserID: u, Operation: logger.OpRead, Time: base.Add(time.Duration(i) * time.Minute)}))
	}
	s := l.Statistics()
	require.Equal(t, int64(7), s.TotalEvents)
	require.Equal(t, map[logger.Operation]int64{logger.OpRead: 7}, s.ByOperation, "folded events stay in the totals")
	require.Equal(t, int64(3), s.TrackedUsers, "ann, the most active; dan, in memory; eve, the newcomer")
	require.Equal(t, int64(2), s.FoldedUsers, "bob and cat")
	require.Equal(t, int64(2), s.FoldedEvents)

	require.Equal(t, logger.UserStats{UserID: "ann", TotalOperations: 3, LastActivity: base.Add(2 * time.Minute),
		MostCommonOperation: logger.OpRead, ByOperation: map[logger.Operation]int64{logger.OpRead: 3}}, l.UserStatistics("ann"))
	require.Equal(t, int64(1), l.UserStatistics("dan").TotalOperations)
	require.False(t, l.UserStatistics("eve").Partial, "eve was never folded")
	require.Equal(t, logger.UserStats{}, l.UserStatistics("bob"), "a folded user reads as unknown")
	require.Equal(t, logger.UserStats{}, l.UserStatistics("cat"))

	require.NoError(t, l.Log(ctx, logger.Event{UserID: "bob", Operation: logger.OpDelete, Time: base.Add(time.Hour)}))
	require.Equal(t, logger.UserStats{UserID: "bob", TotalOperations: 1, LastActivity: base.Add(time.Hour),
		MostCommonOperation: logger.OpDelete, ByOperation: map[logger.Operation]int64{logger.OpDelete: 1}, Partial: true},
		l.UserStatistics("bob"), "bob is counted again from his return, and said to be partial")
}
