package logger_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/logger"
)

func TestActorFromContext(t *testing.T) {
	l := newLogger(t, logger.Options{})
	a := logger.Actor{UserID: "u1", UserName: "Ann", UserEmail: "ann@x", SessionID: "s1", IPAddress: "192.0.2.1", UserAgent: "agent/1"}
	ctx := logger.WithActor(context.Background(), a)
	got, ok := logger.ActorFrom(ctx)
	require.True(t, ok)
	require.Equal(t, a, got)
	_, ok = logger.ActorFrom(context.Background())
	require.False(t, ok)

	require.NoError(t, l.Log(ctx, logger.Event{Operation: logger.OpStore}))
	require.NoError(t, l.Log(ctx, logger.Event{Operation: logger.OpRecall, UserID: "system", SessionID: "s9"}))
	require.NoError(t, l.LogBatch(ctx, []logger.Event{{Operation: logger.OpExport}}))
	var noCtx context.Context // Log accepts a nil context
	require.NoError(t, l.Log(noCtx, logger.Event{Operation: logger.OpImport}))

	events := l.Query(logger.Filter{Ascending: true})
	require.Len(t, events, 4)
	filled := events[0]
	require.Equal(t, []string{"u1", "Ann", "ann@x", "s1", "192.0.2.1", "agent/1"},
		[]string{filled.UserID, filled.UserName, filled.UserEmail, filled.SessionID, filled.IPAddress, filled.UserAgent})
	kept := events[1]
	require.Equal(t, "system", kept.UserID, "a field the event sets is kept")
	require.Equal(t, "s9", kept.SessionID)
	require.Equal(t, "Ann", kept.UserName, "the empty ones are filled")
	require.Equal(t, "u1", events[2].UserID, "LogBatch too")
	require.Empty(t, events[3].UserID)
	require.Len(t, l.Query(logger.Filter{UserID: "u1"}), 2, "filled fields are indexed")
}

func TestNestedRunsLinkUp(t *testing.T) {
	l := newLogger(t, logger.Options{})
	ctx := logger.WithActor(context.Background(), logger.Actor{UserID: "u1"})
	outer := logger.WithRun(ctx, "run-1")
	inner := logger.WithRun(outer, "run-2")
	r, ok := logger.RunFrom(inner)
	require.True(t, ok)
	require.Equal(t, logger.Run{RunID: "run-2", ParentRunID: "run-1"}, r)
	a, ok := logger.ActorFrom(inner)
	require.True(t, ok, "the actor survives WithRun")
	require.Equal(t, "u1", a.UserID)
	r, _ = logger.RunFrom(logger.WithActor(inner, logger.Actor{UserID: "u2"}))
	require.Equal(t, "run-2", r.RunID, "the run survives WithActor")

	require.NoError(t, l.Log(outer, logger.Event{Operation: logger.OpStore}))
	require.NoError(t, l.Log(inner, logger.Event{Operation: logger.OpRecall}))
	require.NoError(t, l.Log(inner, logger.Event{Operation: logger.OpForget, RunID: "run-x"}))
	events := l.Query(logger.Filter{Ascending: true})
	require.Equal(t, "run-1", events[0].RunID)
	require.Empty(t, events[0].ParentRunID)
	require.Equal(t, "run-2", events[1].RunID)
	require.Equal(t, "run-1", events[1].ParentRunID)
	require.Equal(t, "run-x", events[2].RunID, "an event's own run is kept")
	require.Empty(t, events[2].ParentRunID, "with no parent taken from another run")
	require.Len(t, l.Query(logger.Filter{RunID: "run-2"}), 1)
}

func ExampleWithRun() {
	l, _ := logger.New(logger.Options{})
	defer l.Close()
	ctx := logger.WithActor(context.Background(), logger.Actor{UserID: "agent-7"})
	ctx = logger.WithRun(ctx, "plan-1")
	step := logger.WithRun(ctx, "plan-1/step-3") // a nested run
	_ = l.Log(step, logger.Event{Operation: logger.OpRecall})
	ev := l.Query(logger.Filter{})[0]
	fmt.Println(ev.UserID, ev.RunID, ev.ParentRunID)
	// Output: agent-7 plan-1/step-3 plan-1
}
