package auditexpvar_test

import (
	"context"
	"encoding/json"
	"expvar"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/logger"
	auditexpvar "github.com/auditlog/auditlog/metrics/expvar"
)

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

// The published variable decodes to the logger's Statistics and Health.
func TestPublishShowsStatsAndHealth(t *testing.T) {
	l, err := logger.New(logger.Options{QueueSize: 16, Journal: &logger.JournalOptions{Dir: t.TempDir()},
		Sinks: map[string]logger.Sink{"siem": &countSink{}}})
	require.NoError(t, err)
	defer l.Close()
	require.NoError(t, auditexpvar.Publish("auditlog_test_stats", l))

	ctx := context.Background()
	for range 3 {
		require.NoError(t, l.Log(ctx, logger.Event{Operation: logger.OpStore, Duration: time.Millisecond}))
	}
	require.NoError(t, l.Log(ctx, logger.Event{Operation: logger.OpDelete, Status: logger.StatusFailure}))
	require.Error(t, l.Log(ctx, logger.Event{Operation: "not valid"}))
	require.NoError(t, l.FlushSinks(ctx))

	var got auditexpvar.Value
	require.NoError(t, json.Unmarshal([]byte(expvar.Get("auditlog_test_stats").String()), &got))
	want := l.Statistics()
	require.Equal(t, want, got.Stats)
	require.Equal(t, map[logger.Operation]int64{logger.OpStore: 3, logger.OpDelete: 1}, got.Stats.ByOperation)
	require.Equal(t, int64(1), got.Stats.Rejected)
	require.Equal(t, int64(16), got.Stats.QueueCapacity)
	require.Equal(t, int64(4), got.Stats.Sinks[0].DeliveredEvents)
	require.Equal(t, "degraded", got.Health.State, "an event was rejected in the last minute")
	require.Equal(t, []string{"1 event rejected in the last 1m0s"}, got.Health.Reasons)
}

// A name taken, a nil logger or an empty name is an error, not expvar's
// panic.
func TestPublishRefusesBadArguments(t *testing.T) {
	l, err := logger.New(logger.Options{})
	require.NoError(t, err)
	defer l.Close()
	expvar.NewInt("auditlog_test_taken")
	require.ErrorIs(t, auditexpvar.Publish("auditlog_test_taken", l), auditexpvar.ErrNameTaken)
	require.NoError(t, auditexpvar.Publish("auditlog_test_twice", l))
	require.ErrorIs(t, auditexpvar.Publish("auditlog_test_twice", l), auditexpvar.ErrNameTaken)
	require.ErrorIs(t, auditexpvar.Publish("auditlog_test_nil", nil), auditexpvar.ErrNoLogger)
	require.ErrorIs(t, auditexpvar.Publish("", l), auditexpvar.ErrNoLogger)
}
