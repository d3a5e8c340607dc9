package logger

import "time"

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

	// EntryIDs matches an event that carries any of them.
	EntryIDs []string

	// Since and Until bound the event's Time, both inclusive; zero means
	// unbounded.
	Since, Until time.Time

	// Limit caps the number of events returned; 0 means all. Offset skips
	// that many matching events first. Count ignores both.
	Limit, Offset int

	// Ascending orders the result oldest first. By default the newest
	// event comes first. Events are ordered by Time, ties by Seq.
	Ascending bool
}
