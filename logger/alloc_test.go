package logger_test

import (
	"context"
	"testing"
	"time"

	"github.com/auditlog/auditlog/logger"
	"github.com/stretchr/testify/require"
)

// TestLogDoesNotAllocate holds the promise that Log allocates nothing
// beyond what the caller's event already holds. The writer is held still
// while Log runs, so that its own allocations are not counted.
func TestLogDoesNotAllocate(t *testing.T) {
	l, gate := newGatedLogger(t, logger.Options{QueueSize: 4096})
	gate.Block(t, l)
	ctx := context.Background()
	ev := logger.Event{
		Time:      time.Date(2026, 1, 15, 10, 30, 0, 0, time.UTC),
		Operation: logger.OpStore,
		UserID:    "user-1",
		EntryIDs:  []string{"mem-1", "mem-2"},
		Metadata:  map[string]any{"source": "agent", "tokens": 12},
		Duration:  3 * time.Millisecond,
	}
	var err error
	allocs := testing.AllocsPerRun(1000, func() { err = l.Log(ctx, ev) })
	require.NoError(t, err)
	require.Zero(t, allocs, "Log allocated")
	// A zero Time is stamped with the clock, still without allocating.
	ev.Time = time.Time{}
	allocs = testing.AllocsPerRun(1000, func() { err = l.Log(ctx, ev) })
	require.NoError(t, err)
	require.Zero(t, allocs, "Log allocated while stamping the time")
}
