package logger_test

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/logger"
)

// ---------------------------------------------------------------------------
// Helpers shared by the package's tests.

// newLogger starts a Logger and closes it when the test ends.
func newLogger(t testing.TB, opts logger.Options) *logger.Logger {
	t.Helper()
	l, err := logger.New(opts)
	require.NoError(t, err)
	require.NotNil(t, l)
	t.Cleanup(func() { require.NoError(t, l.Close()) })
	return l
}

// fixedNow is a clock that stands still, so that events it stamps tie and
// are ordered by Seq alone.
func fixedNow() time.Time { return time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC) }

// fakeClock is a settable clock for Options.Now, safe for concurrent use.
type fakeClock struct{ ns atomic.Int64 }

func newClock(t time.Time) *fakeClock {
	c := &fakeClock{}
	c.Set(t)
	return c
}

func (c *fakeClock) Now() time.Time      { return time.Unix(0, c.ns.Load()).UTC() }
func (c *fakeClock) Set(t time.Time)     { c.ns.Store(t.UnixNano()) }
func (c *fakeClock) Add(d time.Duration) { c.ns.Add(int64(d)) }

// writerGate stops a logger's writer goroutine on purpose, so that a test
// can fill the queue, or hold events in it, without sleeping. The writer
// calls Options.ErrorHandler when an event holds a value it cannot encode;
// the gate's handler blocks the first such call until release.
type writerGate struct {
	entered     chan struct{}
	release     chan struct{}
	once        sync.Once
	releaseOnce sync.Once
	errs        atomic.Int64
}

// newGatedLogger starts a Logger whose writer the returned gate can stop.
// The gate is released before the logger is closed at the end of the test.
func newGatedLogger(t testing.TB, opts logger.Options) (*logger.Logger, *writerGate) {
	t.Helper()
	g := &writerGate{entered: make(chan struct{}), release: make(chan struct{})}
	opts.ErrorHandler = func(error) {
		g.errs.Add(1)
		g.once.Do(func() {
			close(g.entered)
			<-g.release
		})
	}
	l := newLogger(t, opts)
	t.Cleanup(g.Release) // runs before the Close registered by newLogger
	return l, g
}

// Block logs one event the writer cannot encode (it counts as one event)
// and returns once the writer is stuck in the error handler: from then on
// nothing leaves the queue until Release.
func (g *writerGate) Block(t testing.TB, l *logger.Logger) {
	t.Helper()
	require.NoError(t, l.Log(context.Background(), logger.Event{
		Operation: "BLOCK",
		Metadata:  map[string]any{"nan": math.NaN()},
	}))
	<-g.entered
}

func (g *writerGate) Release() { g.releaseOnce.Do(func() { close(g.release) }) }

// mustFlush waits for the writer.
func mustFlush(t testing.TB, l *logger.Logger) {
	t.Helper()
	require.NoError(t, l.Flush(context.Background()))
}

// isUUIDv7 reports whether s is a canonical UUID of version 7.
func isUUIDv7(s string) bool {
	u, err := uuid.Parse(s)
	return err == nil && u.Version() == 7 && u.String() == s
}

// ---------------------------------------------------------------------------
// Options and validation.

func TestNewInvalidOptions(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts logger.Options
	}{
		{"negative MaxEvents", logger.Options{MaxEvents: -1}},
		{"very negative MaxEvents", logger.Options{MaxEvents: math.MinInt}},
		{"negative QueueSize", logger.Options{QueueSize: -1}},
		{"both negative", logger.Options{MaxEvents: -5, QueueSize: -5}},
		{"huge MaxEvents", logger.Options{MaxEvents: 1<<30 + 1}},
		{"huge QueueSize", logger.Options{QueueSize: 1<<24 + 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, err := logger.New(tc.opts)
			require.Error(t, err)
			require.ErrorIs(t, err, logger.ErrInvalidOptions)
			require.Nil(t, l)
		})
	}
}

func TestNewDefaults(t *testing.T) {
	l := newLogger(t, logger.Options{})
	s := l.Statistics()
	require.Equal(t, int64(logger.DefaultMaxEvents), s.MaxEvents)
	require.Equal(t, int64(10_000), s.MaxEvents)
	require.Zero(t, s.TotalEvents)

	l2 := newLogger(t, logger.Options{MaxEvents: 7, QueueSize: 1})
	require.Equal(t, int64(7), l2.Statistics().MaxEvents)
}

func TestLogInvalidEvent(t *testing.T) {
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	ok := logger.Event{Operation: logger.OpRead, Time: base}
	with := func(f func(*logger.Event)) logger.Event { ev := ok; f(&ev); return ev }
	for _, tc := range []struct {
		name string
		ev   logger.Event
	}{
		{"empty operation", with(func(e *logger.Event) { e.Operation = "" })},
		{"lower-case operation", with(func(e *logger.Event) { e.Operation = "store" })},
		{"mixed-case operation", with(func(e *logger.Event) { e.Operation = "Store" })},
		{"operation with space", with(func(e *logger.Event) { e.Operation = "MY OP" })},
		{"operation starting with digit", with(func(e *logger.Event) { e.Operation = "1OP" })},
		{"operation starting with underscore", with(func(e *logger.Event) { e.Operation = "_OP" })},
		{"operation too long", with(func(e *logger.Event) { e.Operation = logger.Operation(strings.Repeat("A", 65)) })},
		{"unknown status", with(func(e *logger.Event) { e.Status = "OK" })},
		{"lower-case status", with(func(e *logger.Event) { e.Status = "success" })},
		{"negative duration", with(func(e *logger.Event) { e.Duration = -time.Nanosecond })},
		{"time before 1678", with(func(e *logger.Event) { e.Time = time.Date(1500, 1, 1, 0, 0, 0, 0, time.UTC) })},
		{"time after 2262", with(func(e *logger.Event) { e.Time = time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC) })},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := newLogger(t, logger.Options{})
			err := l.Log(context.Background(), tc.ev)
			require.ErrorIs(t, err, logger.ErrInvalidEvent)

			err = l.LogBatch(context.Background(), []logger.Event{ok, ok, tc.ev, ok})
			require.ErrorIs(t, err, logger.ErrInvalidEvent)
			require.Contains(t, err.Error(), "event 2", "LogBatch names the bad index")

			s := l.Statistics()
			require.Zero(t, s.TotalEvents, "nothing of an invalid batch is applied")
			require.Zero(t, s.EventsInMemory)
			require.Equal(t, int64(1+4), s.Rejected, "the invalid event and the whole batch count as rejected")
			require.Zero(t, l.Count(logger.Filter{}))
			require.Empty(t, l.Query(logger.Filter{}))
		})
	}
}

func TestLogValidEdgeCases(t *testing.T) {
	l := newLogger(t, logger.Options{})
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	ops := []logger.Operation{
		logger.Operation(strings.Repeat("A", 64)),
		"A", "A.B-C_9", "X1", logger.OpApprove,
	}
	for i, op := range ops {
		require.NoError(t, l.Log(context.Background(), logger.Event{Operation: op, Time: base.Add(time.Duration(i))}), "op %q", op)
	}
	// The bounds of the representable clock are accepted.
	require.NoError(t, l.Log(context.Background(), logger.Event{Operation: "EDGE", Time: time.Date(1678, 1, 1, 0, 0, 0, 0, time.UTC)}))
	require.NoError(t, l.Log(context.Background(), logger.Event{Operation: "EDGE", Time: time.Date(2262, 1, 1, 0, 0, 0, 0, time.UTC)}))
	got := l.Query(logger.Filter{Ascending: true})
	require.Len(t, got, len(ops)+2)
	require.Equal(t, time.Date(1678, 1, 1, 0, 0, 0, 0, time.UTC), got[0].Time)
	require.Equal(t, time.Date(2262, 1, 1, 0, 0, 0, 0, time.UTC), got[len(got)-1].Time)
	for i, op := range ops {
		require.Equal(t, op, got[i+1].Operation)
	}
}

func TestEmptyStatusStoredAsSuccess(t *testing.T) {
	l := newLogger(t, logger.Options{Now: fixedNow})
	require.NoError(t, l.Log(context.Background(), logger.Event{Operation: logger.OpRead}))
	require.NoError(t, l.LogBatch(context.Background(), []logger.Event{{Operation: logger.OpRead}, {Operation: logger.OpRead, Status: logger.StatusFailure}}))

	got := l.Query(logger.Filter{Ascending: true})
	require.Len(t, got, 3)
	require.Equal(t, logger.StatusSuccess, got[0].Status)
	require.Equal(t, logger.StatusSuccess, got[1].Status)
	require.Equal(t, logger.StatusFailure, got[2].Status)
	require.Equal(t, 2, l.Count(logger.Filter{Status: logger.StatusSuccess}))
	s := l.Statistics()
	require.Equal(t, map[logger.Status]int64{logger.StatusSuccess: 2, logger.StatusFailure: 1}, s.ByStatus)
	require.InDelta(t, 2.0/3.0, s.SuccessRate, 1e-12)
}

func TestTimeStampedByClock(t *testing.T) {
	clock := newClock(time.Date(2024, 3, 4, 5, 6, 7, 8, time.UTC))
	l := newLogger(t, logger.Options{Now: clock.Now})
	require.NoError(t, l.Log(context.Background(), logger.Event{Operation: logger.OpRead}))
	clock.Add(time.Second)
	require.NoError(t, l.LogBatch(context.Background(), []logger.Event{{Operation: logger.OpRead}, {Operation: logger.OpRead}}))
	loc := time.FixedZone("X", 5*3600)
	explicit := time.Date(2024, 3, 4, 10, 0, 0, 123, loc)
	require.NoError(t, l.Log(context.Background(), logger.Event{Operation: logger.OpRead, Time: explicit}))

	got := l.Query(logger.Filter{Ascending: true})
	require.Len(t, got, 4)
	require.Equal(t, time.Date(2024, 3, 4, 5, 0, 0, 123, time.UTC), got[0].Time, "an explicit time is kept, in UTC")
	require.Equal(t, time.Date(2024, 3, 4, 5, 6, 7, 8, time.UTC), got[1].Time)
	require.Equal(t, time.Date(2024, 3, 4, 5, 6, 8, 8, time.UTC), got[2].Time)
	require.Equal(t, time.Date(2024, 3, 4, 5, 6, 8, 8, time.UTC), got[3].Time)
	for _, ev := range got {
		require.Equal(t, time.UTC, ev.Time.Location())
	}
}

// ---------------------------------------------------------------------------
// IDs and sequence numbers.

func TestIDs(t *testing.T) {
	l := newLogger(t, logger.Options{Now: fixedNow})
	canonical := "0190c3b4-1234-7abc-8def-0123456789ab"
	upper := "0190C3B4-1234-7ABC-8DEF-0123456789AB"
	custom := []string{"my-id-1", canonical, upper, "évènement 42", "x"}
	for _, id := range custom {
		require.NoError(t, l.Log(context.Background(), logger.Event{Operation: logger.OpCreate, ID: id}))
	}
	const n = 200
	for range n {
		require.NoError(t, l.Log(context.Background(), logger.Event{Operation: logger.OpRead}))
	}
	got := l.Query(logger.Filter{Ascending: true})
	require.Len(t, got, len(custom)+n)
	for i, id := range custom {
		require.Equal(t, id, got[i].ID, "a caller's ID is kept as given")
	}
	seen := map[string]bool{}
	for i, ev := range got[len(custom):] {
		require.True(t, isUUIDv7(ev.ID), "event %d: ID %q is not a canonical UUIDv7", i, ev.ID)
		require.False(t, seen[ev.ID], "ID %q assigned twice", ev.ID)
		seen[ev.ID] = true
	}
	for i, ev := range got {
		require.Equal(t, uint64(i+1), ev.Seq, "Seq counts from 1 in the order events were logged")
	}
	// IDs are stable between queries.
	again := l.Query(logger.Filter{Ascending: true})
	require.Equal(t, got, again)
}

func TestSeqIgnoredOnLog(t *testing.T) {
	l := newLogger(t, logger.Options{Now: fixedNow})
	require.NoError(t, l.Log(context.Background(), logger.Event{Operation: logger.OpRead, Seq: 999}))
	require.NoError(t, l.Log(context.Background(), logger.Event{Operation: logger.OpRead, Seq: 5}))
	got := l.Query(logger.Filter{Ascending: true})
	require.Len(t, got, 2)
	require.Equal(t, uint64(1), got[0].Seq)
	require.Equal(t, uint64(2), got[1].Seq)
}

// ---------------------------------------------------------------------------
// NoRotation.

func TestNoRotation(t *testing.T) {
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	ev := func(i int) logger.Event {
		return logger.Event{Operation: logger.OpStore, UserID: fmt.Sprint("u", i), Time: base.Add(time.Duration(i) * time.Second), Duration: time.Duration(i+1) * time.Millisecond}
	}
	ctx := context.Background()
	l := newLogger(t, logger.Options{MaxEvents: 5, NoRotation: true})
	for i := range 4 {
		require.NoError(t, l.Log(ctx, ev(i)))
	}

	snapshot := func() (logger.Stats, []logger.Event) { return l.Statistics(), l.Query(logger.Filter{}) }
	s0, q0 := snapshot()
	require.Equal(t, int64(4), s0.TotalEvents)

	// A batch that does not fit is refused whole.
	err := l.LogBatch(ctx, []logger.Event{ev(4), ev(5)})
	require.ErrorIs(t, err, logger.ErrFull)
	s1, q1 := snapshot()
	require.Equal(t, q0, q1, "a refused batch changes nothing")
	require.Equal(t, s0.Rejected+2, s1.Rejected, "both events of the refused batch count as rejected")
	s1.Rejected = s0.Rejected
	require.Equal(t, s0, s1)

	// A batch that fits exactly is accepted.
	require.NoError(t, l.LogBatch(ctx, []logger.Event{ev(4)}))
	s2, q2 := snapshot()
	require.Equal(t, int64(5), s2.TotalEvents)
	require.Equal(t, int64(5), s2.EventsInMemory)
	require.Len(t, q2, 5)

	for _, tc := range []struct {
		name string
		log  func() error
		n    int64
	}{
		{"Log", func() error { return l.Log(ctx, ev(6)) }, 1},
		{"LogBatch", func() error { return l.LogBatch(ctx, []logger.Event{ev(7)}) }, 1},
		{"LogBatch of three", func() error { return l.LogBatch(ctx, []logger.Event{ev(7), ev(8), ev(9)}) }, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before, qBefore := snapshot()
			require.ErrorIs(t, tc.log(), logger.ErrFull)
			after, qAfter := snapshot()
			require.Equal(t, qBefore, qAfter, "a refused event changes no query")
			require.Equal(t, before.Rejected+tc.n, after.Rejected)
			after.Rejected = before.Rejected
			require.Equal(t, before, after, "a refused event changes no statistic but Rejected")
			require.Zero(t, after.Evicted)
			require.Equal(t, int64(5), after.EventsInMemory)
		})
	}
	// The oldest event is still there: nothing was evicted.
	got := l.Query(logger.Filter{Ascending: true})
	require.Equal(t, "u0", got[0].UserID)
	require.Equal(t, "u4", got[4].UserID)
}

// In no-rotation mode the decision is made when Log is called, even while
// the accepted events still wait in the queue.
func TestNoRotationDecidedSynchronously(t *testing.T) {
	l, gate := newGatedLogger(t, logger.Options{MaxEvents: 4, NoRotation: true, QueueSize: 16})
	gate.Block(t, l) // event 1
	ctx := context.Background()
	require.NoError(t, l.Log(ctx, logger.Event{Operation: logger.OpRead}))
	require.NoError(t, l.LogBatch(ctx, []logger.Event{{Operation: logger.OpRead}, {Operation: logger.OpRead}}))
	// Four accepted; none of the last three applied yet.
	require.ErrorIs(t, l.Log(ctx, logger.Event{Operation: logger.OpRead}), logger.ErrFull)
	require.ErrorIs(t, l.LogBatch(ctx, []logger.Event{{Operation: logger.OpRead}}), logger.ErrFull)
	gate.Release()
	mustFlush(t, l)
	s := l.Statistics()
	require.Equal(t, int64(4), s.TotalEvents)
	require.Equal(t, int64(2), s.Rejected)
	require.Zero(t, s.Evicted)
}

// ---------------------------------------------------------------------------
// Drop mode.

func TestDropModeDeterministic(t *testing.T) {
	l, gate := newGatedLogger(t, logger.Options{QueueSize: 2, DropWhenFull: true})
	gate.Block(t, l)
	ctx := context.Background()
	require.NoError(t, l.Log(ctx, logger.Event{Operation: logger.OpRead}))
	require.NoError(t, l.Log(ctx, logger.Event{Operation: logger.OpRead}))
	require.ErrorIs(t, l.Log(ctx, logger.Event{Operation: logger.OpRead}), logger.ErrDropped)
	require.ErrorIs(t, l.LogBatch(ctx, []logger.Event{{Operation: logger.OpRead}, {Operation: logger.OpRead}, {Operation: logger.OpRead}}), logger.ErrDropped)
	gate.Release()
	mustFlush(t, l)
	s := l.Statistics()
	require.Equal(t, int64(3), s.TotalEvents)
	require.Equal(t, int64(4), s.Dropped, "a dropped batch counts every event")
	require.Zero(t, s.Rejected)
	require.Equal(t, 3, l.Count(logger.Filter{}))
}

// Many goroutines log into a tiny queue; the writer is stopped for a while
// so that drops are certain. Every attempt is either accepted or dropped,
// and the statistics agree exactly.
func TestDropModeAccounting(t *testing.T) {
	const (
		goroutines = 8
		perG       = 3000
	)
	l, gate := newGatedLogger(t, logger.Options{QueueSize: 4, DropWhenFull: true, MaxEvents: 500})
	gate.Block(t, l)
	var accepted, dropped, batchAccepted, batchDropped atomic.Int64
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx := context.Background()
			for i := range perG {
				if g == 0 && i == 100 {
					gate.Release() // the queue has certainly overflowed by now
				}
				var err error
				if i%10 == 9 {
					err = l.LogBatch(ctx, []logger.Event{{Operation: logger.OpUpdate, UserID: fmt.Sprint("g", g)}, {Operation: logger.OpUpdate, UserID: fmt.Sprint("g", g)}})
					switch {
					case err == nil:
						batchAccepted.Add(2)
					case errors.Is(err, logger.ErrDropped):
						batchDropped.Add(2)
					default:
						t.Errorf("LogBatch: unexpected error %v", err)
					}
					continue
				}
				err = l.Log(ctx, logger.Event{Operation: logger.OpRead, UserID: fmt.Sprint("g", g)})
				switch {
				case err == nil:
					accepted.Add(1)
				case errors.Is(err, logger.ErrDropped):
					dropped.Add(1)
				default:
					t.Errorf("Log: unexpected error %v", err)
				}
			}
		}()
	}
	wg.Wait()
	mustFlush(t, l)
	acc := accepted.Load() + batchAccepted.Load()
	drp := dropped.Load() + batchDropped.Load()
	attempted := int64(goroutines * (perG*9/10 + perG/10*2))
	s := l.Statistics()
	t.Logf("accepted %d, dropped %d, attempted %d", acc, drp, attempted+1)
	require.Equal(t, attempted, acc+drp, "accepted + dropped == attempted")
	require.Positive(t, drp, "the queue overflowed while the writer was stopped")
	require.Equal(t, acc+1, s.TotalEvents, "TotalEvents == accepted (+1 for the blocking event)")
	require.Equal(t, drp, s.Dropped)
	require.Zero(t, s.Rejected)
	require.Equal(t, s.TotalEvents-s.EventsInMemory, s.Evicted)
	var perUser int64
	for g := range goroutines {
		perUser += l.UserStatistics(fmt.Sprint("g", g)).TotalOperations
	}
	require.Equal(t, acc, perUser)
	require.Equal(t, acc, s.ByOperation[logger.OpRead]+s.ByOperation[logger.OpUpdate])
}

// ---------------------------------------------------------------------------
// Blocking mode loses nothing.

func TestBlockingModeLosesNothing(t *testing.T) {
	const (
		goroutines = 8
		perG       = 100_000
		maxEvents  = 1_000
	)
	start := time.Now()
	l := newLogger(t, logger.Options{QueueSize: 64, MaxEvents: maxEvents})
	users := make([]string, goroutines)
	for g := range users {
		users[g] = fmt.Sprint("worker-", g)
	}
	var wg sync.WaitGroup
	errs := make(chan error, goroutines)
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx := context.Background()
			ev := logger.Event{Operation: logger.OpStore, UserID: users[g]}
			for i := 1; i <= perG; i++ {
				// The duration carries the goroutine's own counter.
				ev.Duration = time.Duration(i)
				if err := l.Log(ctx, ev); err != nil {
					errs <- fmt.Errorf("goroutine %d, event %d: %w", g, i, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	s := l.Statistics()
	require.Equal(t, int64(goroutines*perG), s.TotalEvents)
	require.Equal(t, int64(goroutines*perG-maxEvents), s.Evicted)
	require.Equal(t, int64(maxEvents), s.EventsInMemory)
	require.Zero(t, s.Dropped)
	require.Zero(t, s.Rejected)
	require.Zero(t, s.Failed)
	require.Equal(t, map[logger.Operation]int64{logger.OpStore: goroutines * perG}, s.ByOperation)
	for _, u := range users {
		us := l.UserStatistics(u)
		require.Equal(t, int64(perG), us.TotalOperations, u)
	}

	// The ring holds the last 1,000 events, with contiguous sequence
	// numbers, and each goroutine's events in the order it logged them: the
	// ones still held are the end of its stream.
	got := l.Query(logger.Filter{Ascending: true})
	require.Len(t, got, maxEvents)
	bySeq := append([]logger.Event(nil), got...)
	slicesSortBySeq(bySeq)
	for i, ev := range bySeq {
		require.Equal(t, uint64(goroutines*perG-maxEvents+1+i), ev.Seq)
	}
	last := map[string]time.Duration{}
	for _, ev := range bySeq {
		if prev, ok := last[ev.UserID]; ok {
			require.Equal(t, prev+1, ev.Duration, "%s: events out of order at seq %d", ev.UserID, ev.Seq)
		}
		last[ev.UserID] = ev.Duration
	}
	for u, d := range last {
		require.Equal(t, time.Duration(perG), d, "%s: the newest event held is its last", u)
	}
	t.Logf("8 × 100,000 events through a queue of 64: %v", time.Since(start))
}

func slicesSortBySeq(evs []logger.Event) {
	slices.SortFunc(evs, func(a, b logger.Event) int { return cmp.Compare(a.Seq, b.Seq) })
}

// ---------------------------------------------------------------------------
// Read-your-writes.

func TestReadYourWrites(t *testing.T) {
	l := newLogger(t, logger.Options{MaxEvents: 100_000, QueueSize: 8, Now: fixedNow})
	ctx := context.Background()
	const n = 3000
	for i := 1; i <= n; i++ {
		ev := logger.Event{Operation: logger.OpStore, UserID: "ryw", ResourceID: fmt.Sprint("r", i)}
		if i%3 == 0 {
			require.NoError(t, l.LogBatch(ctx, []logger.Event{ev}))
		} else {
			require.NoError(t, l.Log(ctx, ev))
		}
		switch i % 4 {
		case 0:
			got := l.Query(logger.Filter{UserID: "ryw", Limit: 1})
			require.Len(t, got, 1)
			require.Equal(t, fmt.Sprint("r", i), got[0].ResourceID, "iteration %d", i)
			require.Equal(t, uint64(i), got[0].Seq)
		case 1:
			require.Equal(t, i, l.Count(logger.Filter{}), "iteration %d", i)
		case 2:
			require.Equal(t, int64(i), l.Statistics().TotalEvents, "iteration %d", i)
		case 3:
			require.Equal(t, int64(i), l.UserStatistics("ryw").TotalOperations, "iteration %d", i)
			require.Len(t, l.EntityHistory("", fmt.Sprint("r", i), 0), 1)
		}
	}
}

func TestReadYourWritesConcurrent(t *testing.T) {
	l := newLogger(t, logger.Options{MaxEvents: 50_000, QueueSize: 4})
	const goroutines, perG = 4, 500
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			user := fmt.Sprint("user-", g)
			for i := 1; i <= perG; i++ {
				if err := l.Log(context.Background(), logger.Event{Operation: logger.OpRead, UserID: user}); err != nil {
					t.Error(err)
					return
				}
				if c := l.Count(logger.Filter{UserID: user}); c != i {
					t.Errorf("%s: Count after %d Logs = %d", user, i, c)
					return
				}
				if i%50 == 0 {
					if n := l.Statistics().TotalEvents; n < int64(i) {
						t.Errorf("%s: TotalEvents %d after %d of my own Logs", user, n, i)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	require.Equal(t, int64(goroutines*perG), l.Statistics().TotalEvents)
}

// ---------------------------------------------------------------------------
// Close and Flush.

func TestCloseDrainsQueuedEvents(t *testing.T) {
	l, g := newGatedLogger(t, logger.Options{QueueSize: 1024, Now: fixedNow})
	g.Block(t, l)
	ctx := context.Background()
	const queued = 300
	for i := range queued {
		require.NoError(t, l.Log(ctx, logger.Event{Operation: logger.OpStore, UserID: "drain", Duration: time.Duration(i + 1)}))
	}
	require.NoError(t, l.LogBatch(ctx, []logger.Event{{Operation: logger.OpDelete}, {Operation: logger.OpDelete}}))

	closed, probes := startClosing(t, l)
	select {
	case err := <-closed:
		t.Fatalf("Close returned (%v) while the writer was stopped with events queued", err)
	default:
	}
	g.Release()
	require.NoError(t, <-closed)

	s := l.Statistics()
	want := int64(1 + queued + 2 + probes)
	require.Equal(t, want, s.TotalEvents, "Close applied every queued event")
	require.Equal(t, want, s.EventsInMemory)
	require.Equal(t, int64(1), s.Rejected, "the probe refused with ErrClosed")
	require.Equal(t, queued, l.Count(logger.Filter{UserID: "drain"}))
	require.Equal(t, 2, l.Count(logger.Filter{Operation: logger.OpDelete}))
	require.Zero(t, s.QueueDepth)

	// Close twice is fine; the logger still answers reads.
	require.NoError(t, l.Close())
	require.NoError(t, l.Close())
	drained := l.Query(logger.Filter{UserID: "drain", Ascending: true})
	require.Len(t, drained, queued)
	for i, ev := range drained {
		require.Equal(t, time.Duration(i+1), ev.Duration, "drained in the order logged")
		require.Equal(t, uint64(i+2), ev.Seq)
	}
}

func TestAfterClose(t *testing.T) {
	l, err := logger.New(logger.Options{})
	require.NoError(t, err)
	ctx := context.Background()
	require.NoError(t, l.Log(ctx, logger.Event{Operation: logger.OpRead, UserID: "a"}))
	require.NoError(t, l.Close())
	require.NoError(t, l.Close(), "Close twice is fine")

	require.ErrorIs(t, l.Log(ctx, logger.Event{Operation: logger.OpRead}), logger.ErrClosed)
	require.ErrorIs(t, l.LogBatch(ctx, []logger.Event{{Operation: logger.OpRead}, {Operation: logger.OpRead}}), logger.ErrClosed)
	require.NoError(t, l.Flush(ctx), "Flush after Close returns nil")
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	require.NoError(t, l.Flush(cancelled), "Flush after Close returns nil even with an ended context")

	s := l.Statistics()
	require.Equal(t, int64(1), s.TotalEvents)
	require.Equal(t, int64(3), s.Rejected, "events refused after Close count as rejected")
	require.Len(t, l.Query(logger.Filter{}), 1)
	require.Equal(t, 1, l.Count(logger.Filter{UserID: "a"}))
	require.Equal(t, int64(1), l.UserStatistics("a").TotalOperations)
	require.Equal(t, int64(1), l.StatisticsFor(logger.Filter{UserID: "a"}).TotalEvents)
}

// Close and Log racing: every Log returns nil or ErrClosed, and exactly the
// accepted events are applied.
func TestCloseRacingLog(t *testing.T) {
	for round := range 20 {
		l, err := logger.New(logger.Options{QueueSize: 8, MaxEvents: 100})
		require.NoError(t, err)
		var accepted, closed atomic.Int64
		var wg sync.WaitGroup
		startClose := make(chan struct{})
		for g := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; ; i++ {
					if i == 50 && g == 0 {
						close(startClose)
					}
					var err error
					if i%2 == 0 {
						err = l.Log(context.Background(), logger.Event{Operation: logger.OpRead})
					} else {
						err = l.Flush(context.Background())
						if err != nil {
							t.Errorf("Flush: %v", err)
						}
						continue
					}
					switch {
					case err == nil:
						accepted.Add(1)
					case errors.Is(err, logger.ErrClosed):
						closed.Add(1)
						return
					default:
						t.Errorf("Log: %v", err)
						return
					}
				}
			}()
		}
		<-startClose
		require.NoError(t, l.Close())
		wg.Wait()
		s := l.Statistics()
		require.Equal(t, accepted.Load(), s.TotalEvents, "round %d", round)
		require.Equal(t, closed.Load(), s.Rejected, "round %d", round)
	}
}

// startClosing starts Close in another goroutine while the writer is
// stopped by gate, and returns once Close has stopped accepting events
// (probing with Log; the probes accepted before that are counted in the
// returned number). The channel receives Close's result.
func startClosing(t *testing.T, l *logger.Logger) (<-chan error, int) {
	t.Helper()
	closed := make(chan error, 1)
	go func() { closed <- l.Close() }()
	probes := 0
	for {
		err := l.Log(context.Background(), logger.Event{Operation: "PROBE"})
		if errors.Is(err, logger.ErrClosed) {
			return closed, probes
		}
		require.NoError(t, err)
		probes++
		runtime.Gosched()
	}
}

// An event whose Log returned nil must be visible to a read that starts
// while another goroutine is closing the logger.
func TestReadYourWritesDuringClose(t *testing.T) {
	l, gate := newGatedLogger(t, logger.Options{QueueSize: 64})
	gate.Block(t, l)
	require.NoError(t, l.Log(context.Background(), logger.Event{Operation: logger.OpStore, UserID: "mine"}))
	closed, _ := startClosing(t, l)

	// The writer is stopped with "mine" queued. Count, called now, must
	// wait for it; the gate opens in a moment.
	timer := time.AfterFunc(200*time.Millisecond, gate.Release)
	defer timer.Stop()
	count := l.Count(logger.Filter{UserID: "mine"})
	gate.Release()
	require.NoError(t, <-closed)
	require.Equal(t, 1, count, "Count called after Log(\"mine\") returned nil, while Close was draining, did not see the event")
	require.Equal(t, 1, l.Count(logger.Filter{UserID: "mine"}), "after Close returned")
}

// Flush called while Close is draining must wait for the events accepted
// before it, as it does without the Close.
func TestFlushDuringClose(t *testing.T) {
	l, gate := newGatedLogger(t, logger.Options{QueueSize: 64})
	gate.Block(t, l)
	for range 5 {
		require.NoError(t, l.Log(context.Background(), logger.Event{Operation: logger.OpStore}))
	}
	closed, _ := startClosing(t, l)

	var released atomic.Bool
	timer := time.AfterFunc(200*time.Millisecond, func() { released.Store(true); gate.Release() })
	defer timer.Stop()
	require.NoError(t, l.Flush(context.Background()))
	returnedEarly := !released.Load()
	released.Store(true)
	gate.Release()
	require.NoError(t, <-closed)
	require.False(t, returnedEarly, "Flush returned while the writer was stopped with 6 accepted events not yet applied")
}

func TestFlush(t *testing.T) {
	l, gate := newGatedLogger(t, logger.Options{QueueSize: 64})
	gate.Block(t, l)
	for range 10 {
		require.NoError(t, l.Log(context.Background(), logger.Event{Operation: logger.OpRead}))
	}
	// Flush with a deadline gives up while the writer is stopped.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	require.ErrorIs(t, l.Flush(ctx), context.DeadlineExceeded)

	done := make(chan error, 1)
	go func() { done <- l.Flush(context.Background()) }()
	select {
	case err := <-done:
		t.Fatalf("Flush returned %v while the writer was stopped", err)
	default:
	}
	gate.Release()
	require.NoError(t, <-done)
	require.Equal(t, int64(11), l.Statistics().TotalEvents)
}

// ---------------------------------------------------------------------------
// Context cancellation.

func TestLogContextCancelledWhileBlocked(t *testing.T) {
	l, gate := newGatedLogger(t, logger.Options{QueueSize: 2})
	gate.Block(t, l)
	bg := context.Background()
	require.NoError(t, l.Log(bg, logger.Event{Operation: logger.OpRead}))
	require.NoError(t, l.Log(bg, logger.Event{Operation: logger.OpRead}))
	// The queue is full and the writer is stopped: Log waits.

	t.Run("deadline", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(bg, 10*time.Millisecond)
		defer cancel()
		require.ErrorIs(t, l.Log(ctx, logger.Event{Operation: logger.OpRead}), context.DeadlineExceeded)
	})
	t.Run("cancel from another goroutine", func(t *testing.T) {
		ctx, cancel := context.WithCancel(bg)
		done := make(chan error, 1)
		go func() { done <- l.Log(ctx, logger.Event{Operation: logger.OpRead}) }()
		cancel()
		require.ErrorIs(t, <-done, context.Canceled)
	})
	t.Run("batch", func(t *testing.T) {
		ctx, cancel := context.WithCancel(bg)
		cancel()
		err := l.LogBatch(ctx, []logger.Event{{Operation: logger.OpRead}, {Operation: logger.OpRead}, {Operation: logger.OpRead}})
		require.ErrorIs(t, err, context.Canceled)
	})
	gate.Release()
	mustFlush(t, l)
	s := l.Statistics()
	require.Equal(t, int64(3), s.TotalEvents, "only the accepted events are applied")
	require.Equal(t, int64(1+1+3), s.Rejected, "events whose context ended count as rejected")
	require.Zero(t, s.Dropped)
}

// A cancelled context does not stop an event that has room.
func TestLogCancelledContextWithRoom(t *testing.T) {
	l := newLogger(t, logger.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := l.Log(ctx, logger.Event{Operation: logger.OpRead})
	if err != nil {
		require.ErrorIs(t, err, context.Canceled)
	}
	s := l.Statistics()
	require.Equal(t, int64(1), s.TotalEvents+s.Rejected, "the event is either applied or rejected, exactly once")
}

// ---------------------------------------------------------------------------
// Failure isolation.

func TestErrorHandlerPanicContained(t *testing.T) {
	var calls atomic.Int64
	l := newLogger(t, logger.Options{ErrorHandler: func(err error) {
		calls.Add(1)
		panic("handler exploded: " + err.Error())
	}})
	ctx := context.Background()
	for i := range 3 {
		require.NoError(t, l.Log(ctx, logger.Event{Operation: logger.OpStore, UserID: "p", Metadata: map[string]any{"bad": math.Inf(1), "i": i}}))
	}
	require.NoError(t, l.Log(ctx, logger.Event{Operation: logger.OpRead, UserID: "p"}))
	got := l.Query(logger.Filter{UserID: "p", Ascending: true})
	require.Len(t, got, 4, "the writer survived the panicking handler")
	require.Equal(t, int64(3), calls.Load())
	for _, ev := range got[:3] {
		require.Contains(t, ev.Metadata, "auditlog_encode_errors")
	}
	require.Equal(t, int64(4), l.Statistics().TotalEvents)
}

type panickyError struct{}

func (panickyError) Error() string { panic("Error() exploded") }

type panickyMarshaler struct{}

func (panickyMarshaler) MarshalJSON() ([]byte, error) { panic("MarshalJSON exploded") }

type failingMarshaler struct{}

func (failingMarshaler) MarshalJSON() ([]byte, error) { return nil, errors.New("cannot") }

func TestUnencodableValues(t *testing.T) {
	cyclic := map[string]any{"name": "loop"}
	cyclic["self"] = cyclic
	cyclicSlice := []any{"a"}
	cyclicSlice = append(cyclicSlice, nil)
	cyclicSlice[1] = cyclicSlice
	twice := map[string]any{}
	twice["a"], twice["b"] = twice, twice

	for _, tc := range []struct {
		name string
		ev   logger.Event
		// where finds the replaced value in the stored event.
		where func(ev logger.Event) any
	}{
		{"NaN in Metadata", logger.Event{Metadata: map[string]any{"v": math.NaN()}},
			func(ev logger.Event) any { return ev.Metadata["v"] }},
		{"+Inf in NewState", logger.Event{NewState: map[string]any{"v": math.Inf(1)}},
			func(ev logger.Event) any { return ev.NewState["v"] }},
		{"float32 NaN", logger.Event{Metadata: map[string]any{"v": float32(math.NaN())}},
			func(ev logger.Event) any { return ev.Metadata["v"] }},
		{"channel in Metadata", logger.Event{Metadata: map[string]any{"v": make(chan int)}},
			func(ev logger.Event) any { return ev.Metadata["v"] }},
		{"func in PreviousState", logger.Event{PreviousState: map[string]any{"v": func() {}}},
			func(ev logger.Event) any { return ev.PreviousState["v"] }},
		{"self-referencing map", logger.Event{Metadata: map[string]any{"v": cyclic}},
			func(ev logger.Event) any { return deepest(ev.Metadata["v"]) }},
		{"self-referencing slice", logger.Event{Metadata: map[string]any{"v": cyclicSlice}},
			func(ev logger.Event) any { return deepest(ev.Metadata["v"]) }},
		{"map that contains itself twice", logger.Event{Metadata: map[string]any{"v": twice}},
			func(ev logger.Event) any { return follow(ev.Metadata["v"], "b") }},
		{"NaN in Changes", logger.Event{Changes: []logger.Change{{Field: "f", Old: 1, New: math.NaN()}}},
			func(ev logger.Event) any { return ev.Changes[0].New }},
		{"MarshalJSON that fails", logger.Event{Metadata: map[string]any{"v": failingMarshaler{}}},
			func(ev logger.Event) any { return ev.Metadata["v"] }},
		{"MarshalJSON that panics", logger.Event{Metadata: map[string]any{"v": panickyMarshaler{}}},
			func(ev logger.Event) any { return ev.Metadata["v"] }},
		{"Error method that panics", logger.Event{Metadata: map[string]any{"v": panickyError{}}},
			nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var reported atomic.Int64
			l := newLogger(t, logger.Options{ErrorHandler: func(error) { reported.Add(1) }})
			ev := tc.ev
			ev.Operation = logger.OpUpdate
			ev.UserID = "enc"
			ev.ID = "custom-id"
			ev.Description = "kept"
			ev.UserName = "Ada"
			if ev.Metadata == nil {
				ev.Metadata = map[string]any{}
			}
			ev.Metadata["ok"] = "yes"
			require.NoError(t, l.Log(context.Background(), ev), "Log accepts the event")

			got := l.Query(logger.Filter{UserID: "enc"})
			require.Len(t, got, 1, "the event is recorded")
			stored := got[0]
			require.Equal(t, "custom-id", stored.ID)
			require.Equal(t, logger.OpUpdate, stored.Operation)
			problems, ok := stored.Metadata["auditlog_encode_errors"].(string)
			require.True(t, ok, "Metadata[auditlog_encode_errors] is set: %#v", stored.Metadata)
			require.NotEmpty(t, problems)
			require.Positive(t, reported.Load(), "ErrorHandler heard of it")
			// The rest of the event is kept: only the offending value is replaced.
			require.Equal(t, "kept", stored.Description)
			require.Equal(t, "Ada", stored.UserName)
			require.Equal(t, "yes", stored.Metadata["ok"])
			if tc.where != nil {
				replaced, ok := tc.where(stored).(string)
				require.True(t, ok, "the bad value is replaced by a string, got %#v", tc.where(stored))
				require.True(t, strings.HasPrefix(replaced, "!BADVALUE"), "replacement %q", replaced)
			}
			// The caller's Metadata is not changed.
			_, touched := ev.Metadata["auditlog_encode_errors"]
			require.False(t, touched, "the caller's map was modified")
			s := l.Statistics()
			require.Equal(t, int64(1), s.TotalEvents)
			require.Zero(t, s.Rejected)
		})
	}
}

// A value that reaches the same map by 2^30 paths, without a cycle, would
// take the writer hours to encode: the encoder stops after maxValues
// values, and the event is recorded, its metadata cut to MaxEventBytes.
func TestValueWithExponentiallyManyPaths(t *testing.T) {
	shared := map[string]any{"leaf": 1}
	for range 30 {
		shared = map[string]any{"a": shared, "b": shared}
	}
	var reported atomic.Int64
	l := newLogger(t, logger.Options{ErrorHandler: func(error) { reported.Add(1) }})
	require.NoError(t, l.Log(context.Background(), logger.Event{
		Operation: logger.OpUpdate, UserID: "dag", Metadata: map[string]any{"v": shared},
	}))
	got := l.Query(logger.Filter{UserID: "dag"})
	require.Len(t, got, 1, "the event is recorded")
	require.Contains(t, got[0].Metadata, "auditlog_truncated")
	require.Positive(t, reported.Load(), "ErrorHandler heard of it")
}

// follow follows key down nested maps to the first value that is not one.
func follow(v any, key string) any {
	for range 100 {
		m, ok := v.(map[string]any)
		if !ok {
			return v
		}
		v = m[key]
	}
	return v
}

// deepest follows "self" and slice element 1 down a decoded cycle to the
// string that ended it.
func deepest(v any) any {
	for range 100 {
		switch x := v.(type) {
		case map[string]any:
			v = x["self"]
		case []any:
			if len(x) < 2 {
				return x
			}
			v = x[1]
		default:
			return v
		}
	}
	return v
}

// Query hands out copies: changing what it returned does not change the
// logger, nor does changing a later event's maps the caller did not give.
func TestQueryResultsAreCallersOwn(t *testing.T) {
	l := newLogger(t, logger.Options{})
	require.NoError(t, l.Log(context.Background(), logger.Event{
		Operation: logger.OpStore, UserID: "u", EntryIDs: []string{"m1", "m2"}, Tags: []string{"t"},
		Metadata: map[string]any{"k": "v"},
	}))
	got := l.Query(logger.Filter{})
	require.Len(t, got, 1)
	got[0].EntryIDs[0] = "changed"
	got[0].Tags[0] = "changed"
	got[0].Metadata["k"] = "changed"
	again := l.Query(logger.Filter{})
	require.Equal(t, []string{"m1", "m2"}, again[0].EntryIDs)
	require.Equal(t, []string{"t"}, again[0].Tags)
	require.Equal(t, "v", again[0].Metadata["k"])
	require.Equal(t, 1, l.Count(logger.Filter{EntryIDs: []string{"m1"}}))
}

// The events of one Query share blocks of memory for their IDs and entry
// ids, and their equal metadata strings; appending to one event's slice
// or changing one event's map must not show in another.
func TestQueryEventsAreIndependent(t *testing.T) {
	l := newLogger(t, logger.Options{})
	for _, ids := range [][]string{{"a1", "a2"}, {"b1", "b2"}, {"c1"}} {
		require.NoError(t, l.Log(context.Background(), logger.Event{
			Operation: logger.OpStore, UserID: "u", EntryIDs: ids,
			Metadata: map[string]any{"source": "agent", "n": 1},
		}))
	}
	got := l.Query(logger.Filter{Ascending: true})
	require.Len(t, got, 3)
	got[0].EntryIDs = append(got[0].EntryIDs, "a3")
	got[0].Metadata["source"] = "changed"
	require.Equal(t, []string{"a1", "a2", "a3"}, got[0].EntryIDs)
	require.Equal(t, []string{"b1", "b2"}, got[1].EntryIDs)
	require.Equal(t, []string{"c1"}, got[2].EntryIDs)
	require.Equal(t, "agent", got[1].Metadata["source"])
	require.Equal(t, "agent", got[2].Metadata["source"])
	ids := map[string]bool{}
	for _, ev := range got {
		_, err := uuid.Parse(ev.ID)
		require.NoError(t, err)
		ids[ev.ID] = true
	}
	require.Len(t, ids, 3, "three distinct IDs")
}

// ---------------------------------------------------------------------------
// Every method at once.

func TestConcurrentEverything(t *testing.T) {
	clock := newClock(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC))
	var handled atomic.Int64
	l := newLogger(t, logger.Options{MaxEvents: 300, QueueSize: 16, Now: clock.Now, ErrorHandler: func(error) { handled.Add(1) }})

	const writers, readers, iters = 4, 4, 1500
	var accepted, rejected atomic.Int64
	var wg sync.WaitGroup
	users := []string{"a", "b", "c"}
	ops := []logger.Operation{logger.OpRead, logger.OpUpdate, logger.OpDelete}
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 1))
			ctx := context.Background()
			for i := range iters {
				clock.Add(time.Microsecond)
				ev := logger.Event{
					Operation:    ops[rng.IntN(len(ops))],
					UserID:       users[rng.IntN(len(users))],
					ResourceType: "doc", ResourceID: fmt.Sprint(rng.IntN(5)),
					EntryIDs: []string{fmt.Sprint("m", rng.IntN(10))},
					Duration: time.Duration(rng.IntN(1000)) * time.Microsecond,
				}
				if i%100 == 0 {
					ev.Metadata = map[string]any{"nan": math.NaN()}
				}
				if i%5 == 0 {
					ev.Time = clock.Now().Add(-time.Duration(rng.IntN(1000)) * time.Microsecond) // late
				}
				var err error
				n := int64(1)
				if i%7 == 0 {
					err = l.LogBatch(ctx, []logger.Event{ev, ev})
					n = 2
				} else {
					err = l.Log(ctx, ev)
				}
				if err != nil {
					t.Errorf("Log: %v", err)
					return
				}
				accepted.Add(n)
				if i%13 == 0 {
					if err := l.Log(ctx, logger.Event{Operation: "bad"}); !errors.Is(err, logger.ErrInvalidEvent) {
						t.Errorf("invalid Log: %v", err)
					}
					rejected.Add(1)
				}
			}
		}()
	}
	for r := range readers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(r), 2))
			var lastTotal int64
			for i := range iters / 3 {
				f := logger.Filter{Ascending: rng.IntN(2) == 0, Limit: rng.IntN(20)}
				if rng.IntN(2) == 0 {
					f.UserID = users[rng.IntN(len(users))]
				}
				if rng.IntN(3) == 0 {
					f.Since = clock.Now().Add(-time.Duration(rng.IntN(2000)) * time.Microsecond)
				}
				if rng.IntN(3) == 0 {
					f.EntryIDs = []string{fmt.Sprint("m", rng.IntN(10)), fmt.Sprint("m", rng.IntN(10))}
				}
				switch i % 9 {
				case 0:
					got := l.Query(f)
					if f.Limit > 0 && len(got) > f.Limit {
						t.Errorf("Query returned %d > Limit %d", len(got), f.Limit)
					}
					if !sortedByTimeSeq(got, f.Ascending) {
						t.Errorf("Query result out of order")
					}
					for _, ev := range got {
						if f.UserID != "" && ev.UserID != f.UserID {
							t.Errorf("Query(%q) returned user %q", f.UserID, ev.UserID)
						}
					}
				case 1:
					if c := l.Count(f); c < 0 || c > 300 {
						t.Errorf("Count = %d", c)
					}
				case 2:
					s := l.Statistics()
					if s.TotalEvents < lastTotal {
						t.Errorf("TotalEvents went back from %d to %d", lastTotal, s.TotalEvents)
					}
					lastTotal = s.TotalEvents
					if s.EventsInMemory > 300 || s.Evicted != s.TotalEvents-s.EventsInMemory {
						t.Errorf("inconsistent stats %+v", s)
					}
				case 3:
					s := l.StatisticsFor(f)
					if s.TotalEvents > 300 {
						t.Errorf("StatisticsFor total %d", s.TotalEvents)
					}
				case 4:
					_ = l.UserStatistics(users[rng.IntN(len(users))])
				case 5:
					for _, ev := range l.EntityHistory("doc", fmt.Sprint(rng.IntN(5)), 10) {
						if ev.ResourceType != "doc" {
							t.Errorf("EntityHistory returned %q", ev.ResourceType)
						}
					}
				case 6:
					_ = l.UserActivity(users[rng.IntN(len(users))], time.Millisecond, 5)
				case 7:
					if err := l.Flush(context.Background()); err != nil {
						t.Errorf("Flush: %v", err)
					}
				case 8:
					ctx, cancel := context.WithTimeout(context.Background(), time.Second)
					_ = l.Flush(ctx)
					cancel()
				}
			}
		}()
	}
	wg.Wait()
	s := l.Statistics()
	require.Equal(t, accepted.Load(), s.TotalEvents)
	require.Equal(t, rejected.Load(), s.Rejected)
	require.Equal(t, int64(300), s.EventsInMemory)
	require.Equal(t, s.TotalEvents-300, s.Evicted)

	// Close while goroutines still log and read.
	var wg2 sync.WaitGroup
	var acc2, closed2 atomic.Int64
	for range 4 {
		wg2.Add(1)
		go func() {
			defer wg2.Done()
			for {
				err := l.Log(context.Background(), logger.Event{Operation: logger.OpRead})
				_ = l.Count(logger.Filter{UserID: "a"})
				if errors.Is(err, logger.ErrClosed) {
					closed2.Add(1)
					return
				}
				if err != nil {
					t.Errorf("Log: %v", err)
					return
				}
				acc2.Add(1)
			}
		}()
	}
	wg2.Add(1)
	go func() {
		defer wg2.Done()
		if err := l.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	}()
	require.NoError(t, l.Close())
	wg2.Wait()
	s = l.Statistics()
	require.Equal(t, accepted.Load()+acc2.Load(), s.TotalEvents)
	require.Equal(t, rejected.Load()+closed2.Load(), s.Rejected)
	require.Positive(t, handled.Load())
}

func sortedByTimeSeq(evs []logger.Event, ascending bool) bool {
	for i := 1; i < len(evs); i++ {
		a, b := evs[i-1], evs[i]
		if !ascending {
			a, b = b, a
		}
		if a.Time.After(b.Time) || a.Time.Equal(b.Time) && a.Seq >= b.Seq {
			return false
		}
	}
	return true
}
