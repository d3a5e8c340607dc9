package auditprom_test

import (
	"context"
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/logger"
	auditprom "github.com/auditlog/auditlog/metrics/prometheus"
)

// countSink acknowledges every event.
type countSink struct {
	mu sync.Mutex
	n  int
}

func (s *countSink) Write(_ context.Context, evs []logger.Event) error {
	s.mu.Lock()
	s.n += len(evs)
	s.mu.Unlock()
	return nil
}

func (s *countSink) Close() error { return nil }

// newLogger returns a logger closed at the end of the test.
func newLogger(t *testing.T, opts logger.Options) *logger.Logger {
	t.Helper()
	l, err := logger.New(opts)
	require.NoError(t, err)
	t.Cleanup(func() { _ = l.Close() })
	return l
}

// workload logs 6 events of known operations, statuses, users and
// durations, and one invalid event, then waits for the sink.
func workload(t *testing.T, l *logger.Logger) {
	t.Helper()
	ctx := context.Background()
	evs := []logger.Event{
		{Operation: logger.OpStore, UserID: "alice", Duration: 10 * time.Millisecond},
		{Operation: logger.OpStore, UserID: "alice", Duration: 20 * time.Millisecond},
		{Operation: logger.OpStore, UserID: "bob", Duration: 30 * time.Millisecond},
		{Operation: logger.OpDelete, UserID: "bob", Status: logger.StatusFailure, Duration: 40 * time.Millisecond},
		{Operation: logger.OpDelete, UserID: "bob", Status: logger.StatusFailure},
		{Operation: logger.OpRead, UserID: "alice", Status: logger.StatusPartial},
	}
	for _, ev := range evs {
		require.NoError(t, l.Log(ctx, ev))
	}
	require.Error(t, l.Log(ctx, logger.Event{Operation: "not valid"}), "an invalid operation is rejected")
	require.NoError(t, l.FlushSinks(ctx))
}

func workloadLogger(t *testing.T) *logger.Logger {
	sink := &countSink{}
	l := newLogger(t, logger.Options{MaxEvents: 100, QueueSize: 16,
		Journal: &logger.JournalOptions{Dir: t.TempDir()},
		Sinks:   map[string]logger.Sink{"siem": sink}})
	workload(t, l)
	sink.mu.Lock()
	defer sink.mu.Unlock()
	require.Equal(t, 6, sink.n)
	return l
}

func TestCollectorLint(t *testing.T) {
	l := workloadLogger(t)
	problems, err := testutil.CollectAndLint(auditprom.New(l, nil))
	require.NoError(t, err)
	require.Empty(t, problems)
}

// The exposition after a known workload: the counters as logged, and
// every figure equal to Statistics. The rejected event makes the logger
// degraded for a minute.
func TestCollectorMatchesStatistics(t *testing.T) {
	l := workloadLogger(t)
	s := l.Statistics()
	require.Equal(t, map[logger.Operation]int64{logger.OpStore: 3, logger.OpDelete: 2, logger.OpRead: 1}, s.ByOperation)
	require.Equal(t, map[logger.Status]int64{logger.StatusSuccess: 3, logger.StatusFailure: 2, logger.StatusPartial: 1}, s.ByStatus)
	require.Equal(t, int64(1), s.Rejected)
	require.Equal(t, int64(4), s.DurationCount)
	require.Equal(t, 100*time.Millisecond, s.DurationSum)
	require.Len(t, s.Sinks, 1)
	require.Equal(t, int64(6), s.Sinks[0].DeliveredEvents)

	want := `
# HELP auditlog_events_total Events applied since the logger started, by operation.
# TYPE auditlog_events_total counter
auditlog_events_total{operation="DELETE"} 2
auditlog_events_total{operation="READ"} 1
auditlog_events_total{operation="STORE"} 3
# HELP auditlog_events_by_status_total Events applied since the logger started, by status.
# TYPE auditlog_events_by_status_total counter
auditlog_events_by_status_total{status="FAILURE"} 2
auditlog_events_by_status_total{status="PARTIAL"} 1
auditlog_events_by_status_total{status="SUCCESS"} 3
# HELP auditlog_events_dropped_total Events Log refused with ErrDropped because the queue was full.
# TYPE auditlog_events_dropped_total counter
auditlog_events_dropped_total 0
# HELP auditlog_events_rejected_total Events Log refused otherwise: invalid, queue full, logger closed, context ended.
# TYPE auditlog_events_rejected_total counter
auditlog_events_rejected_total 1
# HELP auditlog_events_evicted_total Events the in-memory ring let go to make room.
# TYPE auditlog_events_evicted_total counter
auditlog_events_evicted_total 0
# HELP auditlog_events_failed_total Events accepted but not applied everywhere (journal or sink).
# TYPE auditlog_events_failed_total counter
auditlog_events_failed_total 0
# HELP auditlog_journal_errors_total Failed journal operations (write, rotate, fsync), each retried.
# TYPE auditlog_journal_errors_total counter
auditlog_journal_errors_total 0
# HELP auditlog_sink_delivered_events_total Events the sink acknowledged.
# TYPE auditlog_sink_delivered_events_total counter
auditlog_sink_delivered_events_total{sink="siem"} 6
# HELP auditlog_sink_errors_total Failed writes to the sink, each retried.
# TYPE auditlog_sink_errors_total counter
auditlog_sink_errors_total{sink="siem"} 0
# HELP auditlog_sink_dropped_events_total Events the sink will never get.
# TYPE auditlog_sink_dropped_events_total counter
auditlog_sink_dropped_events_total{sink="siem"} 0
# HELP auditlog_sink_lag_events Events the sink has yet to acknowledge.
# TYPE auditlog_sink_lag_events gauge
auditlog_sink_lag_events{sink="siem"} 0
# HELP auditlog_queue_depth_events Items waiting in the queue between Log and the writer.
# TYPE auditlog_queue_depth_events gauge
auditlog_queue_depth_events 0
# HELP auditlog_queue_capacity_events Capacity of the queue between Log and the writer.
# TYPE auditlog_queue_capacity_events gauge
auditlog_queue_capacity_events 16
# HELP auditlog_events_unwritten Applied events waiting to be written to a failing journal.
# TYPE auditlog_events_unwritten gauge
auditlog_events_unwritten 0
# HELP auditlog_events_in_memory Events held in the in-memory ring.
# TYPE auditlog_events_in_memory gauge
auditlog_events_in_memory 6
# HELP auditlog_events_in_memory_max Events the in-memory ring may hold.
# TYPE auditlog_events_in_memory_max gauge
auditlog_events_in_memory_max 100
# HELP auditlog_users_tracked Users with counters of their own.
# TYPE auditlog_users_tracked gauge
auditlog_users_tracked 2
# HELP auditlog_health_state 1 for the logger's current health state, 0 for the others.
# TYPE auditlog_health_state gauge
auditlog_health_state{state="degraded"} 1
auditlog_health_state{state="failing"} 0
auditlog_health_state{state="ok"} 0
# HELP auditlog_health_reasons Reasons of each kind the logger's health reports now.
# TYPE auditlog_health_reasons gauge
auditlog_health_reasons{kind="closed"} 0
auditlog_health_reasons{kind="dropped"} 0
auditlog_health_reasons{kind="journal_failing"} 0
auditlog_health_reasons{kind="queue_full"} 0
auditlog_health_reasons{kind="rejected"} 1
auditlog_health_reasons{kind="sink_lagging"} 0
` + fmt.Sprintf(`# HELP auditlog_event_duration_seconds Durations carried by events, quantiles since the logger started.
# TYPE auditlog_event_duration_seconds summary
auditlog_event_duration_seconds{quantile="0.5"} %v
auditlog_event_duration_seconds{quantile="0.95"} %v
auditlog_event_duration_seconds{quantile="0.99"} %v
auditlog_event_duration_seconds_sum 0.1
auditlog_event_duration_seconds_count 4
`, s.P50DurationMs/1e3, s.P95DurationMs/1e3, s.P99DurationMs/1e3)
	names := []string{
		"auditlog_events_total", "auditlog_events_by_status_total", "auditlog_events_dropped_total",
		"auditlog_events_rejected_total", "auditlog_events_evicted_total", "auditlog_events_failed_total",
		"auditlog_journal_errors_total", "auditlog_sink_delivered_events_total", "auditlog_sink_errors_total",
		"auditlog_sink_dropped_events_total", "auditlog_sink_lag_events", "auditlog_queue_depth_events",
		"auditlog_queue_capacity_events", "auditlog_events_unwritten", "auditlog_events_in_memory",
		"auditlog_events_in_memory_max", "auditlog_users_tracked", "auditlog_health_state", "auditlog_health_reasons",
		"auditlog_event_duration_seconds",
	}
	require.NoError(t, testutil.CollectAndCompare(auditprom.New(l, nil), strings.NewReader(want), names...))
	require.InDelta(t, 0.02, s.P50DurationMs/1e3, 0.02/32, "the median duration, within 1/32")
}

// Two loggers register in one registry under labels of their own.
func TestCollectorConstLabels(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	a := newLogger(t, logger.Options{})
	b := newLogger(t, logger.Options{})
	require.NoError(t, reg.Register(auditprom.New(a, prometheus.Labels{"log": "a"})))
	require.NoError(t, reg.Register(auditprom.New(b, prometheus.Labels{"log": "b"})))
	require.Error(t, reg.Register(auditprom.New(a, prometheus.Labels{"log": "a"})), "the same labels twice")
	n, err := testutil.GatherAndCount(reg, "auditlog_queue_capacity_events")
	require.NoError(t, err)
	require.Equal(t, 2, n)
}

// A scrape answers while the writer is stuck, and counts the event it
// cannot see yet in the queue depth.
func TestCollectDoesNotWaitForTheWriter(t *testing.T) {
	entered, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	l := newLogger(t, logger.Options{QueueSize: 4, ErrorHandler: func(error) {
		once.Do(func() {
			close(entered)
			<-release
		})
	}})
	defer close(release) // before Close, registered earlier, runs
	ctx := context.Background()
	// The writer cannot encode NaN: it calls the error handler, which
	// holds it until release.
	require.NoError(t, l.Log(ctx, logger.Event{Operation: logger.OpStore, Metadata: map[string]any{"nan": math.NaN()}}))
	<-entered
	require.NoError(t, l.Log(ctx, logger.Event{Operation: logger.OpRead}))

	got := make(chan string, 1)
	go func() {
		reg := prometheus.NewPedanticRegistry()
		reg.MustRegister(auditprom.New(l, nil))
		err := testutil.GatherAndCompare(reg, strings.NewReader(`
# HELP auditlog_queue_depth_events Items waiting in the queue between Log and the writer.
# TYPE auditlog_queue_depth_events gauge
auditlog_queue_depth_events 1
`), "auditlog_queue_depth_events")
		if err != nil {
			got <- err.Error()
			return
		}
		got <- ""
	}()
	select {
	case msg := <-got:
		require.Empty(t, msg)
	case <-time.After(10 * time.Second):
		t.Fatal("Collect waited for the stuck writer")
	}
}
