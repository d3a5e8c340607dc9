package file

import (
	"testing"
	"time"

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

// TestPrefilterTimeBounds: a line passes the time bounds it is within,
// to the nanosecond, whatever the digits of its fraction, and is
// rejected by those it is outside; a timestamp of another shape passes.
func TestPrefilterTimeBounds(t *testing.T) {
	base := time.Date(2026, 1, 15, 10, 30, 0, 0, time.UTC)
	times := []time.Time{
		base, base.Add(time.Nanosecond), base.Add(10 * time.Nanosecond), base.Add(100 * time.Millisecond),
		base.Add(120 * time.Millisecond), base.Add(999999999), base.Add(time.Second),
		time.Date(1969, 12, 31, 23, 59, 59, 999999999, time.UTC), time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Unix(0, -1<<63), time.Unix(0, 1<<63-1),
	}
	east := time.FixedZone("UTC+10", 10*3600)
	for _, at := range times {
		line, _ := (&logger.Event{ID: "x", Time: at, Operation: logger.OpStore}).MarshalJSON()
		for _, bound := range times {
			for _, b := range []time.Time{bound, bound.In(east), bound.Add(-time.Nanosecond), bound.Add(time.Nanosecond)} {
				for _, f := range []logger.Filter{{Since: b}, {Until: b}, {Since: b, Until: b}, {Since: b, Operation: logger.OpStore}} {
					pre := newPrefilter(&f)
					require.Equal(t, f.Matches(&logger.Event{Time: at, Operation: logger.OpStore}), pre.may(line), "time %v, filter %+v, line %s", at, f, line)
				}
			}
		}
	}
	// Years the encoding does not write with four digits: decoding judges.
	line, _ := (&logger.Event{ID: "x", Time: base, Operation: logger.OpStore}).MarshalJSON()
	for _, f := range []logger.Filter{{Since: time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC)}, {Until: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}} {
		pre := newPrefilter(&f)
		require.True(t, pre.may(line), "%+v", f)
	}
	// A timestamp written otherwise (an offset, an escape) passes.
	f := logger.Filter{Since: base.Add(time.Hour)}
	pre := newPrefilter(&f)
	for _, stamp := range []string{`"2026-01-15T10:30:00+00:00"`, `"2026\u002d01-15T10:30:00Z"`, `"2026-01-15T10:30:00.x1Z"`, `"2026-01-15t10:30:00Z"`} {
		require.True(t, pre.may([]byte(`{"event_id":"x","seq":1,"timestamp":`+stamp+`,"operation":"STORE"}`)), stamp)
	}
}
