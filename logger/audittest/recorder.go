package audittest

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/auditlog/auditlog/logger"
)

// Recorder is a logger for tests and the record of what it was given.
// Hand Recorder.Logger to the code under test.
type Recorder struct {
	*logger.Logger
}

// New returns a Recorder that keeps up to a million events in memory and
// is closed when the test ends.
func New(t testing.TB) *Recorder {
	t.Helper()
	return NewWith(t, logger.Options{MaxEvents: 1 << 20})
}

// NewWith returns a Recorder made with opts (a journal, a clock, an
// ErrorHandler), closed when the test ends. It fails the test when opts
// are refused.
func NewWith(t testing.TB, opts logger.Options) *Recorder {
	t.Helper()
	l, err := logger.New(opts)
	if err != nil {
		t.Fatalf("audittest: %v", err)
		return nil
	}
	t.Cleanup(func() { _ = l.Close() })
	return &Recorder{Logger: l}
}

// Events returns every event held, oldest first (by time, then seq).
func (r *Recorder) Events() []logger.Event {
	return r.Query(logger.Filter{Ascending: true})
}

// Match describes the events a test expects. A zero field matches
// anything; every field set must match. Metadata matches when every key
// it names is present with an equal value, compared as JSON (so 3 and 3.0
// are equal, as they are once recorded).
type Match struct {
	Operation    logger.Operation
	Status       logger.Status
	UserID       string
	SessionID    string
	ResourceType string
	ResourceID   string
	RunID        string
	EntryID      string // carried among the event's EntryIDs
	Metadata     map[string]any
	// ErrorContains matches when the event's ErrorMessage contains it.
	ErrorContains string
}

// Matches reports whether ev matches m.
func (m Match) Matches(ev logger.Event) bool {
	switch {
	case m.Operation != "" && ev.Operation != m.Operation,
		m.Status != "" && ev.Status != m.Status,
		m.UserID != "" && ev.UserID != m.UserID,
		m.SessionID != "" && ev.SessionID != m.SessionID,
		m.ResourceType != "" && ev.ResourceType != m.ResourceType,
		m.ResourceID != "" && ev.ResourceID != m.ResourceID,
		m.RunID != "" && ev.RunID != m.RunID,
		m.EntryID != "" && !slices.Contains(ev.EntryIDs, m.EntryID),
		m.ErrorContains != "" && !strings.Contains(ev.ErrorMessage, m.ErrorContains):
		return false
	}
	for k, want := range m.Metadata {
		got, ok := ev.Metadata[k]
		if !ok || !sameJSON(got, want) {
			return false
		}
	}
	return true
}

// String describes m by the fields it sets.
func (m Match) String() string {
	var parts []string
	v := reflect.ValueOf(m)
	for i := range v.NumField() {
		if f := v.Field(i); !f.IsZero() {
			parts = append(parts, fmt.Sprintf("%s=%v", v.Type().Field(i).Name, f.Interface()))
		}
	}
	if len(parts) == 0 {
		return "any event"
	}
	return strings.Join(parts, " ")
}

// sameJSON compares two values as their JSON encodings.
func sameJSON(a, b any) bool {
	ja, errA := json.Marshal(a)
	jb, errB := json.Marshal(b)
	if errA != nil || errB != nil {
		return reflect.DeepEqual(a, b)
	}
	var va, vb any
	if json.Unmarshal(ja, &va) != nil || json.Unmarshal(jb, &vb) != nil {
		return reflect.DeepEqual(a, b)
	}
	return reflect.DeepEqual(va, vb)
}

// Find returns the events that match m, oldest first.
func (r *Recorder) Find(m Match) []logger.Event {
	var out []logger.Event
	for _, ev := range r.Events() {
		if m.Matches(ev) {
			out = append(out, ev)
		}
	}
	return out
}

// RequireLogged fails t unless exactly one event matches m, and returns
// it. The failure lists what was recorded.
func (r *Recorder) RequireLogged(t testing.TB, m Match) logger.Event {
	t.Helper()
	found := r.Find(m)
	if len(found) != 1 {
		t.Fatalf("audittest: %d events match %v, want 1\n%s", len(found), m, r.listing())
		return logger.Event{}
	}
	return found[0]
}

// RequireNotLogged fails t if any event matches m.
func (r *Recorder) RequireNotLogged(t testing.TB, m Match) {
	t.Helper()
	if found := r.Find(m); len(found) > 0 {
		t.Fatalf("audittest: %d events match %v, want none\n%s", len(found), m, r.listing())
	}
}

// listing describes every event held, one line each, for a failure.
func (r *Recorder) listing() string {
	events := r.Events()
	if len(events) == 0 {
		return "recorded: nothing"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "recorded (%d):", len(events))
	for _, ev := range events {
		fmt.Fprintf(&b, "\n  #%d %s %s user=%q resource=%s/%s entries=%v", ev.Seq, ev.Operation, ev.Status, ev.UserID, ev.ResourceType, ev.ResourceID, ev.EntryIDs)
		if ev.ErrorMessage != "" {
			fmt.Fprintf(&b, " error=%q", ev.ErrorMessage)
		}
		if len(ev.Metadata) > 0 {
			fmt.Fprintf(&b, " metadata=%v", ev.Metadata)
		}
	}
	return b.String()
}
