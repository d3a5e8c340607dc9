package logger

import (
	"context"
	"time"
)

// Store keeps events beyond the ring, for as long as its owner wants:
// the history behind compliance questions ("every FORGET by this user in
// the last 90 days"). Packages store/sqlite and store/file implement it;
// package store/storetest holds the conformance tests any implementation
// must pass.
//
// A Store is a sink of the logger ([Options.Stores]): the logger saves
// every event it applies, masked, with its ID, Seq and Time set. It is
// also read on its own, with the Filter semantics of [Logger.Query]. A
// Store is safe for concurrent use.
type Store interface {
	// Save stores events: all of them when it returns nil; after an error
	// or a crash, some of them may be stored (a store documents which). Saving
	// the same event twice may keep it twice. The caller may reuse the
	// slice once Save returns; the events' maps and slices are the
	// store's to keep. An event that Log would refuse, which no logger
	// hands over (Event.Validate tells: no Time, a Time outside the years
	// 1678 to 2262, a negative Duration, an invalid Operation or Status),
	// makes Save fail with an error wrapping ErrInvalidEvent before it
	// stores any of the batch.
	Save(ctx context.Context, events []Event) error

	// Query returns the stored events that match f, ordered and windowed
	// as Logger.Query orders and windows them (see Filter.Matches and
	// CompareEvents). A negative Limit or Offset is an error.
	Query(ctx context.Context, f Filter) ([]Event, error)

	// Count returns how many stored events match f, ignoring Limit and
	// Offset.
	Count(ctx context.Context, f Filter) (int, error)

	// DeleteBefore removes every event whose Time is before t, and
	// returns how many it removed.
	DeleteBefore(ctx context.Context, t time.Time) (int, error)

	// Close releases the store. Every method returns an error after it;
	// closing twice is fine.
	Close() error
}
