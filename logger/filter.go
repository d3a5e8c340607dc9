package logger

import (
	"cmp"
	"slices"
	"strings"
	"time"
)

// Filter selects events for Query, Count and StatisticsFor.
//
// An event matches when it matches every field that is set (a logical
// AND); a zero field matches everything. String fields match exactly.
type Filter struct {
	UserID       string
	SessionID    string
	Operation    Operation
	Status       Status
	Category     string
	ResourceType string
	ResourceID   string
	RunID        string
	// Source selects the events of one instance (Event.Source),
	// exactly: "web-1" does not select "web-1/agentd[4121]".
	Source string

	// EntryIDs matches an event that carries any of them. An empty id
	// matches nothing: it names no entry (and the index has no such key).
	EntryIDs []string

	// Since and Until bound the event's Time, both inclusive; zero means
	// unbounded.
	Since, Until time.Time

	// Limit caps the number of events returned; 0 means all. Offset skips
	// that many matching events first. Count ignores both.
	Limit, Offset int

	// Ascending orders the result oldest first. By default the newest
	// event comes first. Events are ordered by Time, ties by Source, then
	// Seq (see CompareEvents).
	Ascending bool
}

// Matches reports whether ev matches f, ignoring Limit, Offset and
// Ascending: the definition of a match that every Store follows.
func (f *Filter) Matches(ev *Event) bool {
	if f.UserID != "" && ev.UserID != f.UserID ||
		f.SessionID != "" && ev.SessionID != f.SessionID ||
		f.Operation != "" && ev.Operation != f.Operation ||
		f.Category != "" && ev.Category != f.Category ||
		f.ResourceType != "" && ev.ResourceType != f.ResourceType ||
		f.ResourceID != "" && ev.ResourceID != f.ResourceID ||
		f.RunID != "" && ev.RunID != f.RunID ||
		f.Source != "" && ev.Source != f.Source {
		return false
	}
	if f.Status != "" {
		st := ev.Status
		if st == "" {
			st = StatusSuccess
		}
		if st != f.Status {
			return false
		}
	}
	if !f.Since.IsZero() && ev.Time.Before(f.Since) || !f.Until.IsZero() && ev.Time.After(f.Until) {
		return false
	}
	if len(f.EntryIDs) > 0 && !slices.ContainsFunc(ev.EntryIDs, func(id string) bool { return id != "" && slices.Contains(f.EntryIDs, id) }) {
		return false
	}
	return true
}

// CompareEvents orders events as Query returns them with Ascending: by
// Time, then Source, then Seq, then ID, so that the events of several
// instances interleave by time and each instance's keep their order. It
// returns a negative number when a comes
// first, a positive one when b does, and 0 when they tie.
func CompareEvents(a, b *Event) int {
	if c := a.Time.Compare(b.Time); c != 0 {
		return c
	}
	if c := strings.Compare(a.Source, b.Source); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Seq, b.Seq); c != 0 {
		return c
	}
	return strings.Compare(a.ID, b.ID)
}
