package logger_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/logger"
)

func TestTrack(t *testing.T) {
	clock := newClock(time.Date(2026, 1, 15, 10, 30, 0, 0, time.UTC))
	l := newLogger(t, logger.Options{Now: clock.Now})
	ctx := context.Background()
	start := clock.Now()

	err := l.Track(ctx, logger.OpStore, func(context.Context) error {
		clock.Add(25 * time.Millisecond)
		return nil
	}, logger.WithEvent(logger.Event{UserID: "u1", SessionID: "s1"}), logger.WithResource("memory", "m1", "notes"),
		logger.WithEntryIDs("e1", "e2"), logger.WithMetadata(map[string]any{"source": "agent"}))
	require.NoError(t, err)

	boom := errors.New("disk full")
	err = l.Track(ctx, logger.OpCompact, func(context.Context) error { return boom })
	require.Same(t, boom, err, "fn's error comes back unchanged")

	got := l.Query(logger.Filter{Ascending: true})
	require.Len(t, got, 2)
	ok := got[0]
	require.Equal(t, logger.OpStore, ok.Operation)
	require.Equal(t, logger.StatusSuccess, ok.Status)
	require.Equal(t, 25*time.Millisecond, ok.Duration)
	require.True(t, ok.Time.Equal(start), "dated when it began")
	require.Equal(t, "u1", ok.UserID)
	require.Equal(t, "s1", ok.SessionID)
	require.Equal(t, []string{"memory", "m1", "notes"}, []string{ok.ResourceType, ok.ResourceID, ok.ResourceName})
	require.Equal(t, []string{"e1", "e2"}, ok.EntryIDs)
	require.Equal(t, "agent", ok.Metadata["source"])

	failed := got[1]
	require.Equal(t, logger.StatusFailure, failed.Status)
	require.Equal(t, "disk full", failed.ErrorMessage)
}

func TestTrackPanicIsLoggedThenRepanicked(t *testing.T) {
	l := newLogger(t, logger.Options{})
	require.PanicsWithValue(t, "nil map", func() {
		_ = l.Track(context.Background(), logger.OpForget, func(context.Context) error { panic("nil map") })
	})
	got := l.Query(logger.Filter{})
	require.Len(t, got, 1)
	require.Equal(t, logger.StatusFailure, got[0].Status)
	require.Equal(t, "panic: nil map", got[0].ErrorMessage)
	require.Contains(t, got[0].ErrorStack, "TestTrackPanicIsLoggedThenRepanicked", "the stack of the panic")
}

func TestTrackNeverFailsBecauseAuditingFailed(t *testing.T) {
	l := newLogger(t, logger.Options{})
	ran := false
	err := l.Track(context.Background(), "not an operation", func(context.Context) error { ran = true; return nil })
	require.NoError(t, err, "the operation succeeded; the refused audit event does not change that")
	require.True(t, ran)
	require.Equal(t, int64(1), l.Statistics().Rejected, "the refused event is counted")

	require.NoError(t, l.Close())
	err = l.Track(context.Background(), logger.OpStore, func(context.Context) error { return nil })
	require.NoError(t, err, "nor does a closed logger")
}

func TestSpan(t *testing.T) {
	clock := newClock(time.Date(2026, 1, 15, 10, 30, 0, 0, time.UTC))
	l := newLogger(t, logger.Options{Now: clock.Now})
	ctx := context.Background()

	sp := l.Begin(ctx, logger.OpUpdate, logger.WithEvent(logger.Event{UserID: "u1"}))
	var wg sync.WaitGroup
	for i := range 4 { // safe for concurrent use
		wg.Add(1)
		go func() {
			defer wg.Done()
			sp.AddEntryIDs(fmt.Sprintf("e%d", i))
			sp.AddMetadata(fmt.Sprintf("k%d", i), i)
		}()
	}
	wg.Wait()
	sp.SetResource("profile", "p1", "Ann")
	sp.RecordChange("email", "a@x", "ann@x")
	sp.SetStatus(logger.StatusPartial)
	clock.Add(time.Second)
	require.NoError(t, sp.End(errors.New("one field skipped")))
	require.NoError(t, sp.End(nil), "End twice logs once")

	got := l.Query(logger.Filter{})
	require.Len(t, got, 1)
	ev := got[0]
	require.Equal(t, logger.StatusPartial, ev.Status, "SetStatus wins over the error")
	require.Equal(t, "one field skipped", ev.ErrorMessage)
	require.Equal(t, time.Second, ev.Duration)
	require.ElementsMatch(t, []string{"e0", "e1", "e2", "e3"}, ev.EntryIDs)
	require.Len(t, ev.Metadata, 4)
	require.Equal(t, []logger.Change{{Field: "email", Old: "a@x", New: "ann@x"}}, ev.Changes)
	require.Equal(t, "p1", ev.ResourceID)
}

func TestSpanOptionsCopyTheirInput(t *testing.T) {
	l := newLogger(t, logger.Options{})
	md := map[string]any{"a": 1}
	base := logger.Event{UserID: "u1", Metadata: map[string]any{"b": 2}, EntryIDs: []string{"x"}}
	sp := l.Begin(context.Background(), logger.OpStore, logger.WithEvent(base), logger.WithMetadata(md))
	sp.AddMetadata("c", 3)
	sp.AddEntryIDs("y")
	require.NoError(t, sp.End(nil))
	require.Equal(t, map[string]any{"a": 1}, md, "the caller's map is not changed")
	require.Equal(t, map[string]any{"b": 2}, base.Metadata)
	require.Equal(t, []string{"x"}, base.EntryIDs)
	ev := l.Query(logger.Filter{})[0]
	require.Len(t, ev.Metadata, 3)
	require.Equal(t, []string{"x", "y"}, ev.EntryIDs)
}

func ExampleLogger_Track() {
	l, _ := logger.New(logger.Options{})
	defer l.Close()
	ctx := context.Background()
	err := l.Track(ctx, logger.OpForget, func(ctx context.Context) error {
		return errors.New("entry is locked") // the operation itself
	}, logger.WithEvent(logger.Event{UserID: "u1"}), logger.WithEntryIDs("mem-7"))
	fmt.Println("operation:", err)
	ev := l.Query(logger.Filter{})[0]
	fmt.Println(ev.Operation, ev.Status, ev.UserID, ev.EntryIDs, ev.ErrorMessage)
	// Output:
	// operation: entry is locked
	// FORGET FAILURE u1 [mem-7] entry is locked
}

// nilPtrError's Error method dereferences its receiver: a typed nil
// returned as an error panics when its message is read.
type nilPtrError struct{ msg string }

func (e *nilPtrError) Error() string { return e.msg }

func TestErrorWhoseErrorMethodPanics(t *testing.T) {
	l := newLogger(t, logger.Options{})
	ctx := context.Background()
	var typedNil *nilPtrError
	err := l.Track(ctx, logger.OpStore, func(context.Context) error { return typedNil })
	require.Equal(t, error(typedNil), err, "Track returns fn's error unchanged")
	require.NoError(t, l.Begin(ctx, logger.OpForget).End(typedNil), "End does not panic")

	got := l.Query(logger.Filter{Ascending: true})
	require.Len(t, got, 2, "both operations are audited")
	for _, ev := range got {
		require.Equal(t, logger.StatusFailure, ev.Status)
		require.Contains(t, ev.ErrorMessage, "panic in Error method", "%s", ev.Operation)
	}
}
