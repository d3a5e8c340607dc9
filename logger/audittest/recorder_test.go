package audittest_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/logger"
	"github.com/auditlog/auditlog/logger/audittest"
)

// fakeTB records a failure instead of ending the test.
type fakeTB struct {
	testing.TB
	failed bool
	msg    string
}

func (f *fakeTB) Helper() {}
func (f *fakeTB) Fatalf(format string, args ...any) {
	f.failed = true
	f.msg = fmt.Sprintf(format, args...)
}

func logAll(t *testing.T, rec *audittest.Recorder, events ...logger.Event) {
	t.Helper()
	for _, ev := range events {
		require.NoError(t, rec.Log(context.Background(), ev))
	}
}

func TestRecorderSeesWhatWasLogged(t *testing.T) {
	rec := audittest.New(t)
	require.Empty(t, rec.Events())
	logAll(t, rec,
		logger.Event{Operation: logger.OpStore, UserID: "u1", EntryIDs: []string{"m1"}, Metadata: map[string]any{"tokens": 3, "source": "agent"}},
		logger.Event{Operation: logger.OpForget, UserID: "u1", EntryIDs: []string{"m1"}, Status: logger.StatusFailure, ErrorMessage: "entry locked"},
		logger.Event{Operation: logger.OpRecall, UserID: "u2", ResourceType: "memory", ResourceID: "r9", RunID: "run-1", SessionID: "s1"},
	)
	events := rec.Events()
	require.Len(t, events, 3, "visible as soon as Log returns")
	require.Equal(t, logger.OpStore, events[0].Operation, "oldest first")

	stored := rec.RequireLogged(t, audittest.Match{Operation: logger.OpStore, EntryID: "m1", Metadata: map[string]any{"tokens": 3}})
	require.Equal(t, "u1", stored.UserID)
	rec.RequireLogged(t, audittest.Match{Status: logger.StatusFailure, ErrorContains: "locked"})
	rec.RequireLogged(t, audittest.Match{ResourceType: "memory", ResourceID: "r9", RunID: "run-1", SessionID: "s1"})
	rec.RequireNotLogged(t, audittest.Match{Operation: logger.OpExport})
	require.Len(t, rec.Find(audittest.Match{UserID: "u1"}), 2)
	require.Len(t, rec.Find(audittest.Match{}), 3, "the zero Match matches every event")
	require.Empty(t, rec.Find(audittest.Match{Metadata: map[string]any{"tokens": 4}}))
	require.Empty(t, rec.Find(audittest.Match{Metadata: map[string]any{"absent": nil}}), "a key named must be present")
}

func TestRequireLoggedFailsWithAListing(t *testing.T) {
	rec := audittest.New(t)
	logAll(t, rec,
		logger.Event{Operation: logger.OpStore, UserID: "u1"},
		logger.Event{Operation: logger.OpStore, UserID: "u2"},
	)

	none := &fakeTB{TB: t}
	got := rec.RequireLogged(none, audittest.Match{Operation: logger.OpDelete})
	require.True(t, none.failed)
	require.Zero(t, got)
	require.Contains(t, none.msg, "0 events match Operation=DELETE, want 1")
	require.Contains(t, none.msg, "recorded (2):")
	require.Contains(t, none.msg, `STORE SUCCESS user="u2"`)

	two := &fakeTB{TB: t}
	rec.RequireLogged(two, audittest.Match{Operation: logger.OpStore})
	require.True(t, two.failed, "two matches are not one")
	require.Contains(t, two.msg, "2 events match")

	some := &fakeTB{TB: t}
	rec.RequireNotLogged(some, audittest.Match{UserID: "u2"})
	require.True(t, some.failed)
	require.Contains(t, some.msg, "want none")

	ok := &fakeTB{TB: t}
	rec.RequireNotLogged(ok, audittest.Match{UserID: "u3"})
	require.False(t, ok.failed)
}

func TestNewWithRefusedOptionsFails(t *testing.T) {
	f := &fakeTB{TB: t}
	rec := audittest.NewWith(f, logger.Options{MaxEvents: -1})
	require.True(t, f.failed)
	require.Nil(t, rec)
	require.True(t, strings.HasPrefix(f.msg, "audittest: "), f.msg)
}

func TestMatchString(t *testing.T) {
	require.Equal(t, "any event", audittest.Match{}.String())
	require.Equal(t, "Operation=STORE UserID=u1", audittest.Match{Operation: logger.OpStore, UserID: "u1"}.String())
}

// forget is code under test: it audits what it does.
func forget(ctx context.Context, l *logger.Logger, user, entry string) {
	_ = l.Log(ctx, logger.Event{Operation: logger.OpForget, UserID: user, EntryIDs: []string{entry}})
}

// The test of the package documentation, as a user would write it.
func TestForgetIsAudited(t *testing.T) {
	rec := audittest.New(t)
	forget(context.Background(), rec.Logger, "u1", "mem-1")
	ev := rec.RequireLogged(t, audittest.Match{Operation: logger.OpForget, EntryID: "mem-1"})
	require.Equal(t, "u1", ev.UserID)
}
