package logger_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/logger"
)

func mirrorLines(t *testing.T, out string) []map[string]any {
	t.Helper()
	var lines []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &m), line)
		lines = append(lines, m)
	}
	return lines
}

func TestMirrorWritesEveryEventInOrder(t *testing.T) {
	var out syncBuffer
	at := time.Date(2026, 1, 15, 10, 30, 0, 0, time.UTC)
	l := newLogger(t, logger.Options{Mirror: slog.New(slog.NewJSONHandler(&out, nil))})
	ctx := logger.WithActor(context.Background(), logger.Actor{UserID: "ann", SessionID: "s1"})
	require.NoError(t, l.Log(ctx, logger.Event{Operation: logger.OpStore, Time: at, EntryIDs: []string{"e1"},
		Metadata: map[string]any{"api_key": "k", "n": 2}, Duration: 1500 * time.Microsecond}))
	require.NoError(t, l.Log(ctx, logger.Event{Operation: logger.OpForget, Time: at.Add(time.Second),
		Status: logger.StatusFailure, ErrorMessage: "not found"}))
	require.NoError(t, l.LogBatch(ctx, []logger.Event{
		{Operation: logger.OpRecall, Time: at.Add(2 * time.Second), Status: logger.StatusPartial,
			Request: &logger.Request{Method: "GET", Path: "/r", StatusCode: 206}},
	}))
	require.NoError(t, l.FlushSinks(t.Context()))

	lines := mirrorLines(t, out.String())
	require.Len(t, lines, 3)
	stored := l.Query(logger.Filter{Ascending: true})
	for i, m := range lines {
		require.Equal(t, logger.MirrorMessage, m["msg"])
		require.Equal(t, float64(i+1), m["seq"])
		require.Equal(t, stored[i].ID, m["event_id"])
		require.Equal(t, string(stored[i].Operation), m["operation"])
		require.Equal(t, "ann", m["user_id"])
		require.Equal(t, "s1", m["session_id"])
		ts, err := time.Parse(time.RFC3339Nano, m["time"].(string))
		require.NoError(t, err)
		require.True(t, ts.Equal(stored[i].Time), "the record's time is the event's")
	}
	require.Equal(t, "INFO", lines[0]["level"])
	require.Equal(t, map[string]any{"api_key": logger.Redacted, "n": float64(2)}, lines[0]["metadata"])
	require.Equal(t, []any{"e1"}, lines[0]["entry_ids"])
	require.Equal(t, 1.5, lines[0]["duration_ms"])
	require.Equal(t, "WARN", lines[1]["level"])
	require.Equal(t, "FAILURE", lines[1]["status"])
	require.Equal(t, "not found", lines[1]["error_message"])
	require.Equal(t, "WARN", lines[2]["level"])
	require.Equal(t, map[string]any{"method": "GET", "path": "/r", "status_code": float64(206)}, lines[2]["request"])
}

func TestMirrorRespectsTheHandlersLevel(t *testing.T) {
	var out syncBuffer
	l := newLogger(t, logger.Options{
		Mirror: slog.New(slog.NewJSONHandler(&out, &slog.HandlerOptions{Level: slog.LevelWarn})),
	})
	require.NoError(t, l.Log(context.Background(), logger.Event{Operation: logger.OpStore}))
	require.NoError(t, l.Log(context.Background(), logger.Event{Operation: logger.OpStore, Status: logger.StatusFailure}))
	require.NoError(t, l.FlushSinks(t.Context()))
	lines := mirrorLines(t, out.String())
	require.Len(t, lines, 1)
	require.Equal(t, "FAILURE", lines[0]["status"])
}

// blockingHandler blocks on its first record until release is closed.
type blockingHandler struct {
	slog.Handler
	entered chan struct{}
	release chan struct{}
	calls   atomic.Int64
}

func (h *blockingHandler) Handle(ctx context.Context, r slog.Record) error {
	if h.calls.Add(1) == 1 {
		close(h.entered)
		<-h.release
	}
	return nil
}

func TestMirrorNeverRunsInTheCaller(t *testing.T) {
	h := &blockingHandler{Handler: slog.NewJSONHandler(io.Discard, nil), entered: make(chan struct{}), release: make(chan struct{})}
	l := newLogger(t, logger.Options{Mirror: slog.New(h), QueueSize: 64})
	require.NoError(t, l.Log(context.Background(), logger.Event{Operation: logger.OpStore}))
	<-h.entered // the applier is inside the handler
	for range 10 {
		require.NoError(t, l.Log(context.Background(), logger.Event{Operation: logger.OpRecall}))
	}
	require.Equal(t, int64(1), h.calls.Load(), "Log returned while the handler was still blocked")
	close(h.release)
	require.NoError(t, l.FlushSinks(t.Context()))
	require.Equal(t, int64(11), h.calls.Load())
}

type failingHandler struct {
	slog.Handler
	panics bool
}

func (h failingHandler) Handle(context.Context, slog.Record) error {
	if h.panics {
		panic("handler bug")
	}
	return errors.New("console closed")
}

func TestMirrorFailuresAreContained(t *testing.T) {
	for _, panics := range []bool{false, true} {
		var reported atomic.Value
		l := newLogger(t, logger.Options{
			Mirror:       slog.New(failingHandler{Handler: slog.NewJSONHandler(io.Discard, nil), panics: panics}),
			ErrorHandler: func(err error) { reported.Store(err.Error()) },
		})
		require.NoError(t, l.Log(context.Background(), logger.Event{Operation: logger.OpStore}))
		require.NoError(t, l.Log(context.Background(), logger.Event{Operation: logger.OpRecall}))
		require.NoError(t, l.FlushSinks(t.Context()))
		require.Equal(t, 2, l.Count(logger.Filter{}), "events are stored whatever the mirror does")
		want := "console closed"
		if panics {
			want = "handler bug"
		}
		require.Contains(t, reported.Load(), want)
		require.Contains(t, reported.Load(), "Mirror")
	}
}
