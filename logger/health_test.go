package logger_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/export"
	"github.com/auditlog/auditlog/logger"
)

// t0 is the start of the fake clocks of the health tests.
var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// requireOK checks that l reports no reason at all.
func requireOK(t *testing.T, l *logger.Logger) {
	t.Helper()
	h := l.Health()
	require.Equal(t, logger.HealthOK, h.State, "reasons: %v", h.Reasons)
	require.Empty(t, h.Reasons)
}

// requireOnly checks that l reports exactly one reason, of kind, and
// returns it.
func requireOnly(t *testing.T, l *logger.Logger, state logger.HealthState, kind logger.HealthKind) logger.HealthReason {
	t.Helper()
	h := l.Health()
	require.Len(t, h.Reasons, 1, "reasons: %v", h.Reasons)
	r := h.Reasons[0]
	require.Equal(t, kind, r.Kind, "reason: %v", r)
	require.Equal(t, state, r.State)
	require.Equal(t, state, h.State)
	return r
}

func TestHealthOKWhenIdle(t *testing.T) {
	clock := newClock(t0)
	l := newLogger(t, logger.Options{Now: clock.Now, Journal: &logger.JournalOptions{Dir: t.TempDir()},
		Sinks: map[string]logger.Sink{"s": &sinkRecorder{}}})
	for range 100 {
		require.NoError(t, l.Log(context.Background(), logger.Event{Operation: logger.OpStore}))
	}
	require.NoError(t, l.FlushSinks(context.Background()))
	requireOK(t, l)
	require.Equal(t, t0, l.Health().Time, "read by Options.Now")
	require.Zero(t, testing.AllocsPerRun(100, func() { _ = l.Health() }), "Health allocates while ok")
}

func TestHealthJournalFailingThenHealed(t *testing.T) {
	clock := newClock(t0)
	reports := make(chan error, 1000)
	l := newLogger(t, logger.Options{Now: clock.Now, Journal: &logger.JournalOptions{Dir: t.TempDir()}, ErrorHandler: reportTo(reports)})
	requireOK(t, l)
	_, heal := failWith(t, export.FailWrite, syscall.EIO)
	require.NoError(t, l.Log(context.Background(), logger.Event{Operation: logger.OpStore}))
	require.ErrorIs(t, <-reports, syscall.EIO)

	r := requireOnly(t, l, logger.HealthFailing, logger.HealthJournalFailing)
	require.Equal(t, t0, r.Since)
	require.ErrorIs(t, r.Err, logger.ErrJournal)
	require.ErrorIs(t, r.Err, syscall.EIO)
	require.Equal(t, int64(1), r.Unwritten)
	require.Contains(t, r.String(), "journal failing since 2026-03-01T12:00:00Z, 1 event unwritten")

	// The outage goes on: it is still dated from its first failure.
	clock.Add(time.Minute)
	require.ErrorIs(t, <-reports, syscall.EIO)
	require.Equal(t, t0, requireOnly(t, l, logger.HealthFailing, logger.HealthJournalFailing).Since)

	heal()
	mustFlush(t, l) // waits for the journal to be written again
	requireOK(t, l)

	// A new outage is dated anew.
	_, heal = failWith(t, export.FailWrite, syscall.ENOSPC)
	require.NoError(t, l.Log(context.Background(), logger.Event{Operation: logger.OpStore}))
	require.ErrorIs(t, <-reports, syscall.ENOSPC)
	require.Equal(t, t0.Add(time.Minute), requireOnly(t, l, logger.HealthFailing, logger.HealthJournalFailing).Since)
	heal()
	mustFlush(t, l) // waits for the journal to be written again
	requireOK(t, l)
}

func TestHealthSinkLaggingThenCaughtUp(t *testing.T) {
	for _, journal := range []bool{false, true} {
		for _, by := range []string{"age", "events"} {
			t.Run(fmt.Sprintf("journal=%v/by=%s", journal, by), func(t *testing.T) {
				clock := newClock(t0)
				stuck := &sinkRecorder{block: make(chan struct{}), entered: make(chan struct{})}
				opts := logger.Options{Now: clock.Now, Sinks: map[string]logger.Sink{"stuck": stuck},
					Health: logger.HealthOptions{SinkLagEvents: 3}}
				if journal {
					opts.Journal = &logger.JournalOptions{Dir: t.TempDir()}
				}
				l := newLogger(t, opts)
				defer func() {
					select {
					case <-stuck.block:
					default:
						close(stuck.block)
					}
				}()
				ctx := context.Background()
				require.NoError(t, l.Log(ctx, logger.Event{Operation: logger.OpStore}))
				<-stuck.entered
				requireOK(t, l) // one event behind, taken just now
				want := logger.HealthReason{Kind: logger.HealthSinkLagging, State: logger.HealthDegraded, Sink: "stuck", LagEvents: 1}
				switch by {
				case "age":
					clock.Add(logger.DefaultHealthSinkLagAge - time.Second)
					requireOK(t, l)
					clock.Add(time.Second)
					want.LagSeconds = logger.DefaultHealthSinkLagAge.Seconds()
				case "events":
					require.NoError(t, l.Log(ctx, logger.Event{Operation: logger.OpStore}))
					mustFlush(t, l)
					requireOK(t, l)
					require.NoError(t, l.Log(ctx, logger.Event{Operation: logger.OpStore}))
					mustFlush(t, l)
					want.LagEvents = 3
				}
				r := requireOnly(t, l, logger.HealthDegraded, logger.HealthSinkLagging)
				require.Equal(t, want, r)

				close(stuck.block)
				require.NoError(t, l.FlushSinks(ctx))
				requireOK(t, l)
			})
		}
	}
}

func TestHealthDropsThenWindowPasses(t *testing.T) {
	clock := newClock(t0)
	l, gate := newGatedLogger(t, logger.Options{Now: clock.Now, QueueSize: 2, DropWhenFull: true})
	gate.Block(t, l)
	ctx := context.Background()
	require.NoError(t, l.Log(ctx, logger.Event{Operation: logger.OpRead}))
	require.NoError(t, l.Log(ctx, logger.Event{Operation: logger.OpRead}))
	require.ErrorIs(t, l.Log(ctx, logger.Event{Operation: logger.OpRead}), logger.ErrDropped)
	require.ErrorIs(t, l.LogBatch(ctx, []logger.Event{{Operation: logger.OpRead}, {Operation: logger.OpRead}}), logger.ErrDropped)

	h := l.Health()
	require.Equal(t, logger.HealthDegraded, h.State)
	require.Equal(t, []logger.HealthReason{
		{Kind: logger.HealthQueueFull, State: logger.HealthDegraded, QueueDepth: 2, QueueCapacity: 2},
		{Kind: logger.HealthDropped, State: logger.HealthDegraded, Count: 3, Window: time.Minute},
	}, h.Reasons)
	require.Equal(t, "3 events dropped in the last 1m0s", h.Reasons[1].String())

	gate.Release()
	mustFlush(t, l)
	requireOnly(t, l, logger.HealthDegraded, logger.HealthDropped) // the queue has room again
	clock.Add(59 * time.Second)
	require.Equal(t, int64(3), requireOnly(t, l, logger.HealthDegraded, logger.HealthDropped).Count)
	clock.Add(time.Second)
	requireOK(t, l)
	require.Equal(t, int64(3), l.Statistics().Dropped, "Stats keeps counting")
}

func TestHealthQueueNearlyFullThenDrained(t *testing.T) {
	for _, tc := range []struct {
		ratio  float64
		queue  int
		before int // events queued while ok
	}{
		{ratio: 0, queue: 10, before: 8},   // the default, 0.9: 9 of 10
		{ratio: 0.5, queue: 10, before: 4}, // 5 of 10
		{ratio: 1, queue: 4, before: 3},    // only when full
	} {
		t.Run(strconv.FormatFloat(tc.ratio, 'g', -1, 64), func(t *testing.T) {
			l, gate := newGatedLogger(t, logger.Options{QueueSize: tc.queue, Health: logger.HealthOptions{QueueFullRatio: tc.ratio}})
			gate.Block(t, l)
			ctx := context.Background()
			for range tc.before {
				require.NoError(t, l.Log(ctx, logger.Event{Operation: logger.OpRead}))
			}
			requireOK(t, l)
			require.NoError(t, l.Log(ctx, logger.Event{Operation: logger.OpRead}))
			r := requireOnly(t, l, logger.HealthDegraded, logger.HealthQueueFull)
			require.Equal(t, int64(tc.before+1), r.QueueDepth)
			require.Equal(t, int64(tc.queue), r.QueueCapacity)
			gate.Release()
			mustFlush(t, l)
			requireOK(t, l)
		})
	}
}

func TestHealthRejectedThenWindowPasses(t *testing.T) {
	clock := newClock(t0)
	l := newLogger(t, logger.Options{Now: clock.Now, Health: logger.HealthOptions{Window: 10 * time.Second}})
	require.Error(t, l.Log(context.Background(), logger.Event{Operation: "not valid"}))
	r := requireOnly(t, l, logger.HealthDegraded, logger.HealthRejected)
	require.Equal(t, int64(1), r.Count)
	require.Equal(t, 10*time.Second, r.Window)
	clock.Add(10 * time.Second)
	requireOK(t, l)
}

func TestHealthClosedIsFailing(t *testing.T) {
	l, err := logger.New(logger.Options{})
	require.NoError(t, err)
	requireOK(t, l)
	require.NoError(t, l.Close())
	r := requireOnly(t, l, logger.HealthFailing, logger.HealthClosed)
	require.Equal(t, "the logger is closed", r.String())
}

// TestHealthWindowMatchesModel checks the sliding count of rejections
// against a brute-force count over randomised times: an event counts
// while its slot (Window/60 wide) is one of the 60 last.
func TestHealthWindowMatchesModel(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("AUDITLOG_SEED"); s != "" {
		var err error
		seed, err = strconv.ParseUint(s, 10, 64)
		require.NoError(t, err)
	}
	t.Logf("seed %d (set AUDITLOG_SEED to replay)", seed)
	rng := rand.New(rand.NewPCG(seed, seed))
	for _, window := range []time.Duration{time.Second, time.Minute, 90 * time.Second, time.Hour} {
		clock := newClock(t0)
		l := newLogger(t, logger.Options{Now: clock.Now, Health: logger.HealthOptions{Window: window}})
		width := int64(window) / 60
		var periods []int64 // of each rejected event
		for range 1000 {
			// Steps up to a third of the window, often none; now and
			// then a jump past the whole window.
			switch k := rng.IntN(100); {
			case k < 3:
				clock.Add(time.Duration(rng.Int64N(int64(3 * window))))
			case k < 30:
			default:
				clock.Add(time.Duration(rng.Int64N(int64(window / 3))))
			}
			if rng.IntN(2) == 0 {
				n := 1 + rng.IntN(3)
				require.Error(t, l.LogBatch(context.Background(), make([]logger.Event, n))) // no operation: rejected
				for range n {
					periods = append(periods, clock.Now().UnixNano()/width)
				}
			}
			now := clock.Now().UnixNano() / width
			var want int64
			for _, p := range periods {
				if now-p < 60 {
					want++
				}
			}
			require.Equal(t, want, rejectedInWindow(l), "window %v, after %d rejections (seed %d)", window, len(periods), seed)
		}
	}
}

// rejectedInWindow returns the Count of l's rejected reason, 0 without.
func rejectedInWindow(l *logger.Logger) int64 {
	for _, r := range l.Health().Reasons {
		if r.Kind == logger.HealthRejected {
			return r.Count
		}
	}
	return 0
}

func TestHealthWindowClockGoesBack(t *testing.T) {
	clock := newClock(t0.Add(30 * time.Second))
	l := newLogger(t, logger.Options{Now: clock.Now})
	require.Error(t, l.Log(context.Background(), logger.Event{}))
	require.Equal(t, int64(1), rejectedInWindow(l))
	clock.Set(t0)
	require.Zero(t, rejectedInWindow(l), "an event dated after now is not counted")
	require.Error(t, l.Log(context.Background(), logger.Event{}))
	require.Equal(t, int64(1), rejectedInWindow(l))
	clock.Set(t0.Add(30 * time.Second))
	require.Equal(t, int64(2), rejectedInWindow(l), "both are in the last minute")
}

func TestHealthOptionsInvalid(t *testing.T) {
	for _, h := range []logger.HealthOptions{
		{SinkLagEvents: -1},
		{SinkLagAge: -time.Second},
		{QueueFullRatio: -0.1},
		{QueueFullRatio: 1.5},
		{QueueFullRatio: math.NaN()},
		{Window: -time.Minute},
		{Window: time.Millisecond},
		{Window: 25 * time.Hour},
	} {
		_, err := logger.New(logger.Options{Health: h})
		require.ErrorIs(t, err, logger.ErrInvalidOptions, "%+v", h)
		require.ErrorContains(t, err, "Health.")
	}
}

// TestHealthCountsConcurrentDrops checks that the window loses no drop
// when many goroutines are refused at once.
func TestHealthCountsConcurrentDrops(t *testing.T) {
	clock := newClock(t0)
	l, gate := newGatedLogger(t, logger.Options{Now: clock.Now, QueueSize: 1, DropWhenFull: true})
	gate.Block(t, l)
	ctx := context.Background()
	require.NoError(t, l.Log(ctx, logger.Event{Operation: logger.OpRead})) // the queue is full
	const workers, each = 4, 500
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				if !errors.Is(l.Log(ctx, logger.Event{Operation: logger.OpRead}), logger.ErrDropped) {
					t.Error("not dropped")
					return
				}
			}
		}()
	}
	wg.Wait()
	h := l.Health()
	require.Len(t, h.Reasons, 2, "%v", h.Reasons)
	require.Equal(t, logger.HealthQueueFull, h.Reasons[0].Kind)
	require.Equal(t, logger.HealthDropped, h.Reasons[1].Kind)
	require.Equal(t, int64(workers*each), h.Reasons[1].Count)
	gate.Release()
	mustFlush(t, l)
	require.Equal(t, int64(workers*each), l.Statistics().Dropped)
}
