package logger_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/logger"
)

// StatsNow answers while the writer is stuck, counting in QueueDepth the
// events it does not see yet; once the writer is free, it agrees with
// Statistics.
func TestStatsNowDoesNotWaitForTheWriter(t *testing.T) {
	l, gate := newGatedLogger(t, logger.Options{QueueSize: 8})
	gate.Block(t, l)
	ctx := context.Background()
	require.NoError(t, l.Log(ctx, logger.Event{Operation: logger.OpStore, Duration: 3 * time.Millisecond}))
	require.NoError(t, l.Log(ctx, logger.Event{Operation: logger.OpStore, Duration: 5 * time.Millisecond}))

	got := make(chan logger.Stats, 1)
	go func() { got <- l.StatsNow() }()
	select {
	case s := <-got:
		require.Equal(t, int64(2), s.QueueDepth)
		require.Equal(t, int64(8), s.QueueCapacity)
		require.Zero(t, s.ByOperation[logger.OpStore], "the queued events are not applied yet")
	case <-time.After(10 * time.Second):
		t.Fatal("StatsNow waited for the stuck writer")
	}

	gate.Release()
	mustFlush(t, l)
	s := l.StatsNow()
	require.Equal(t, l.Statistics(), s)
	require.Equal(t, int64(2), s.ByOperation[logger.OpStore])
	require.Equal(t, int64(2), s.DurationCount)
	require.Equal(t, 8*time.Millisecond, s.DurationSum)
	require.Equal(t, int64(8), s.QueueCapacity)
}
