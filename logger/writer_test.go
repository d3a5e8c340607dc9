package logger_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/logger"
)

// shifty is a value whose JSON is far above an event's budget on its
// first call and from its fifth on, and small in between: cut down while
// it measures small, the event is still too large when it is written.
type shifty struct{ calls *int }

func (s shifty) MarshalJSON() ([]byte, error) {
	*s.calls++
	if n := *s.calls; n == 1 || n >= 5 {
		return []byte(strconv.Quote(strings.Repeat("x", 2*logger.DefaultMaxEventBytes))), nil
	}
	return []byte("1"), nil
}

// An event that still does not fit once cut down keeps, in the ring and
// in the journal alike, its ID and the fields it is found by (user,
// session, resource, run, category), each cut to 64 bytes, with a note
// that everything else was dropped.
func TestEventThatNeverFitsKeepsItsIDAndWho(t *testing.T) {
	dir := t.TempDir()
	var rep reports
	l := newLogger(t, logger.Options{ErrorHandler: rep.handle, Journal: &logger.JournalOptions{Dir: dir, NoChain: true}})
	calls := 0
	long := func(c string) string { return strings.Repeat(c, 100<<10) }
	require.NoError(t, l.Log(context.Background(), logger.Event{
		ID: long("i"), Operation: logger.OpStore, UserID: "alice", SessionID: "s1",
		ResourceType: "doc", ResourceID: long("r"), RunID: "run", Category: "DATA",
		Metadata: map[string]any{"m": shifty{&calls}},
	}))
	require.NoError(t, l.Flush(context.Background()))
	require.Equal(t, 5, calls, "the event went the way the test means")

	evs := l.Query(logger.Filter{UserID: "alice"})
	require.Len(t, evs, 1, "found by its user: %s", rep.all())
	ev := evs[0]
	require.Equal(t, "everything", ev.Metadata["auditlog_truncated"])
	require.Contains(t, rep.all(), "event 1: cut down, still above MaxEventBytes")
	require.Equal(t, strings.Repeat("i", 64), ev.ID)
	require.Equal(t, strings.Repeat("r", 64), ev.ResourceID)
	require.Equal(t, []string{"s1", "doc", "run", "DATA"}, []string{ev.SessionID, ev.ResourceType, ev.RunID, ev.Category})

	require.NoError(t, l.Close())
	lines := readJournal(t, dir)
	require.Len(t, lines, 1)
	require.Equal(t, ev.ID, lines[0].ID, "the ring and the journal carry one ID")
	require.Equal(t, "alice", lines[0].User)
}
