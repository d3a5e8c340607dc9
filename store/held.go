package store

import (
	"context"

	"github.com/auditlog/auditlog/logger"
)

// IDHolder is implemented by a store that can tell which event IDs it
// holds without returning the events: the SQLite and PostgreSQL stores
// look the IDs up in their index of event IDs, the file store reads the
// IDs of its lines. HeldIDs uses it when a store has it.
type IDHolder interface {
	// HeldIDs returns the IDs among ids of the events the store holds,
	// in no particular order. The IDs of ids are distinct and none is
	// empty, as the function HeldIDs passes them. An ID is held when Write, given
	// an event with that ID, would keep it once rather than store it
	// again (for a store that keeps each event ID once).
	HeldIDs(ctx context.Context, ids []string) ([]string, error)
}

// HeldIDs returns the set of the IDs among ids that s holds: through
// s's own HeldIDs when s is an IDHolder, otherwise by reading every event
// of s with Query, which costs the memory of every event s holds. The
// empty ID is never held.
func HeldIDs(ctx context.Context, s logger.Store, ids []string) (map[string]bool, error) {
	held := map[string]bool{}
	want := make(map[string]bool, len(ids))
	var list []string // ids, each once, without the empty one
	for _, id := range ids {
		if id != "" && !want[id] {
			want[id] = true
			list = append(list, id)
		}
	}
	if len(list) == 0 {
		return held, nil
	}
	if h, ok := s.(IDHolder); ok {
		found, err := h.HeldIDs(ctx, list)
		if err != nil {
			return nil, err
		}
		for _, id := range found {
			if want[id] {
				held[id] = true
			}
		}
		return held, nil
	}
	evs, err := s.Query(ctx, logger.Filter{})
	if err != nil {
		return nil, err
	}
	for i := range evs {
		if want[evs[i].ID] {
			held[evs[i].ID] = true
		}
	}
	return held, nil
}
