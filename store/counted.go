package store

import (
	"context"

	"github.com/auditlog/auditlog/logger"
)

// CountingWriter is implemented by a store that keeps each event ID once
// and can say how many events of a Write it stored, the others being
// passed over: the SQLite and PostgreSQL stores. A caller that must count
// exactly what is new, while other writers may store the same events at
// once, writes through it; looking the IDs up first (HeldIDs) tells only
// what the store held at the time of the lookup.
type CountingWriter interface {
	// WriteCounted stores events as Write does, and returns how many of
	// them it stored: the others carried an ID the store held already, or
	// that an earlier event of events carried.
	WriteCounted(ctx context.Context, events []logger.Event) (int, error)
}
