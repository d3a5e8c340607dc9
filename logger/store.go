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
// A Store is a [Sink] of the logger ([Options.Sinks], [Options.Stores]):
// the logger writes it every event, masked, with its ID, Seq, Source and
// Time set. It is also read on its own, with the Filter semantics of
// [Logger.Query]. A Store is safe for concurrent use.
type Store interface {
	// Write stores events: all of them when it returns nil; after an
	// error or a crash, some of them may be stored (a store documents
	// which). A store that can keeps an event whose ID it already holds
	// once (see Sink); one that cannot documents it. The caller may reuse the
	// slice once Write returns; the events' maps and slices are the
	// store's to keep. An event that Log would refuse, which no logger
	// hands over (Event.Validate tells: no Time, a Time outside the years
	// 1678 to 2262, a negative Duration, an invalid Operation or Status),
	// makes Write fail with an error wrapping ErrInvalidEvent before it
	// stores any of the batch.
	Write(ctx context.Context, events []Event) error

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

// Sink receives the logger's events, a batch at a time, in sequence
// order: a store, an exporter to another system, a console. Each sink of
// [Options.Sinks] has a goroutine of its own that hands it batches, so a
// slow or failing sink never holds up Log or the readers.
//
// Delivery is at least once: after an error, a cancelled Close or a crash
// the logger hands over again, from the first event the sink had not
// acknowledged, events the sink may already have taken. A sink that can
// keeps each event ID once (the SQLite and PostgreSQL stores do).
type Sink interface {
	// Write delivers events, all of them when it returns nil. An error
	// makes the logger hand the same events over again later (see
	// Options.Sinks). ctx is cancelled when Logger.Close stops waiting
	// for the sink: Write should return soon after. The caller may reuse
	// the slice once Write returns; the events' maps and slices are the
	// sink's to keep.
	Write(ctx context.Context, events []Event) error

	// Close releases the sink. The logger never calls it: close a sink
	// after the logger that writes to it.
	Close() error
}
