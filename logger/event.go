package logger

import (
	"fmt"
	"time"
)

// Event is one audit record: who did what, to which record, when, and
// whether it worked. Its JSON encoding is one line of the journal; see
// [Event.MarshalJSON] for the keys.
//
// Log takes the event by value but keeps its slices and maps (EntryIDs,
// Changes, Tags, Metadata, the states, Request): do not change them after
// passing the event to Log. Events returned by Query are the caller's own:
// fresh slices and maps, decoded as the journal would decode them (JSON
// numbers in maps come back as float64).
type Event struct {
	// ID is a UUIDv7 string, assigned by the logger when empty. An ID set
	// by the caller is kept as it is.
	ID string
	// Seq is the event's position in this logger's stream, assigned by
	// the logger: strictly increasing, from 1. Log ignores it.
	Seq uint64
	// Time is when the event happened, stamped by Log when zero and
	// stored in UTC with nanoseconds.
	Time time.Time

	Operation Operation
	Status    Status // empty means StatusSuccess
	Category  string // DATA, AUTH, ADMIN, REPORT, SYSTEM, ...

	// Who.
	UserID, UserName, UserEmail, SessionID string
	// From where.
	IPAddress, UserAgent string
	// On what.
	ResourceType, ResourceID, ResourceName string
	// EntryIDs are the memory entries touched.
	EntryIDs []string

	Changes       []Change
	PreviousState map[string]any
	NewState      map[string]any
	Request       *Request

	// RunID and ParentRunID link the event to a run (a workflow, an agent
	// task) and to the run that started it.
	RunID, ParentRunID string

	Description string
	Tags        []string
	Metadata    map[string]any

	// Duration is how long the operation took; 0 means not measured.
	Duration time.Duration

	ErrorMessage, ErrorStack string

	// Source names the instance that logged the event (Options.Source),
	// so that one store can hold the trail of many. The logger sets it
	// when empty; a Source set by the caller (events imported from
	// another instance) is kept.
	Source string
}

// Change is one field that an operation changed. Old is nil for an added
// field, New is nil for a removed one.
type Change struct {
	Field string `json:"field"`
	Old   any    `json:"old"`
	New   any    `json:"new"`
}

// Request describes the HTTP request behind an event.
type Request struct {
	Method     string `json:"method,omitempty"`
	Path       string `json:"path,omitempty"`
	StatusCode int    `json:"status_code,omitempty"`
}

// Times that fit the logger's int64 nanosecond clock.
var (
	minTime = time.Unix(0, -1<<63).UTC()
	maxTime = time.Unix(0, 1<<63-1).UTC()
)

// Validate reports why Log would refuse ev, as an error wrapping
// ErrInvalidEvent, or nil when Log would accept it. Importers use it to
// check a whole file before they log any of it.
func (ev *Event) Validate() error { return ev.check() }

// check reports why Log cannot accept ev, or nil.
func (ev *Event) check() error {
	if err := ev.Operation.check(); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidEvent, err)
	}
	if ev.Status != "" && !ev.Status.Valid() {
		return fmt.Errorf("%w: status %q is not SUCCESS, FAILURE or PARTIAL", ErrInvalidEvent, ev.Status)
	}
	if ev.Duration < 0 {
		return fmt.Errorf("%w: negative duration %v", ErrInvalidEvent, ev.Duration)
	}
	if ev.Time.Before(minTime) || ev.Time.After(maxTime) {
		return fmt.Errorf("%w: time %v outside the years 1678 to 2262", ErrInvalidEvent, ev.Time)
	}
	return nil
}
