package file

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/logger"
	"github.com/auditlog/auditlog/store/storetest"
)

// TestPrefilterNeverRejectsAMatch: for events with awkward values
// (quotes, backslashes, a field's key and value inside another value,
// bytes that are not UTF-8), every filter the event matches passes its
// line; and the pre-check does reject most lines of other events.
func TestPrefilterNeverRejectsAMatch(t *testing.T) {
	evs := storetest.Events(77, 400)
	tricky := []string{`a\`, `\`, `\\`, `"`, `\"`, `x","user_id":"bob`, `"user_id":"alice"`, "ü\u2028", "bad\xff", "\uFFFD", "}", "{", ",", ":"}
	for i, v := range tricky {
		ev := evs[i]
		ev.UserID, ev.SessionID, ev.Category, ev.ResourceType, ev.ResourceID, ev.RunID = v, v+"s", v+"c", v+"t", v, v+"r"
		ev.Source = v + "o"
		ev.UserName = v
		ev.EntryIDs = []string{v, "e1"}
		ev.Metadata = map[string]any{"user_id": v, "k": `"operation":"STORE"`}
		evs = append(evs, ev)
	}
	rejected, others := 0, 0
	sourceRejected, sourced := 0, 0
	for i := range evs {
		line, _ := evs[i].MarshalJSON()
		var back logger.Event
		require.NoError(t, back.UnmarshalJSON(line))
		// Filters on the event's values as they read back.
		e := back
		status := e.Status
		if status == "" {
			status = logger.StatusSuccess
		}
		for _, f := range []logger.Filter{
			{UserID: e.UserID}, {SessionID: e.SessionID}, {Operation: e.Operation}, {Status: status},
			{Category: e.Category}, {ResourceType: e.ResourceType}, {ResourceID: e.ResourceID}, {RunID: e.RunID},
			{Source: e.Source}, {Source: e.Source, UserID: e.UserID, RunID: e.RunID},
			{EntryIDs: e.EntryIDs}, {EntryIDs: append([]string{"nope"}, e.EntryIDs...)},
			{UserID: e.UserID, Operation: e.Operation, Status: status, ResourceID: e.ResourceID, RunID: e.RunID, Category: e.Category},
			{SessionID: e.SessionID, ResourceType: e.ResourceType, EntryIDs: e.EntryIDs},
		} {
			if !f.Matches(&e) {
				continue // a field the event leaves empty
			}
			pre := newPrefilter(&f)
			require.True(t, pre.may(line), "event %d, filter %+v, line %s", i, f, line)
		}
		// Another event's user and operation: mostly rejected unread.
		o := evs[(i+1)%len(evs)]
		f := logger.Filter{UserID: o.UserID, Operation: o.Operation, ResourceID: o.ResourceID}
		if fs := (logger.Filter{Source: o.Source}); o.Source != "" && !fs.Matches(&e) {
			sourced++
			if pre := newPrefilter(&fs); !pre.may(line) {
				sourceRejected++
			}
		}
		if !f.Matches(&e) {
			others++
			if pre := newPrefilter(&f); !pre.may(line) {
				rejected++
			}
		}
	}
	require.Greater(t, rejected, others*9/10, "the pre-check rejects most non-matching lines")
	// All but those of the two sources that are not UTF-8 or hold U+FFFD.
	require.Equal(t, sourced-2, sourceRejected, "the pre-check rejects the lines of another source")
}
