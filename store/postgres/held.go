package postgres

import (
	"context"

	"github.com/auditlog/auditlog/store"
)

var _ store.IDHolder = (*Store)(nil)

// heldBatch is how many IDs HeldIDs looks up per statement.
const heldBatch = 10_000

// HeldIDs returns the IDs among ids of the events the store holds, each
// once, looked up in the table's unique index of event IDs, many
// thousands per statement. An ID is held when the column holds what
// Write would store for it (see the package documentation: NUL and
// invalid UTF-8 are replaced, a long ID is kept as its key), so that an
// ID is held exactly when Write would pass its event over.
func (s *Store) HeldIDs(ctx context.Context, ids []string) ([]string, error) {
	if err := s.acquire("HeldIDs"); err != nil {
		return nil, err
	}
	defer s.mu.RUnlock()
	var held []string
	for len(ids) > 0 {
		batch := ids[:min(heldBatch, len(ids))]
		ids = ids[len(batch):]
		byKey := make(map[string][]string, len(batch))
		keys := make([]string, 0, len(batch))
		for _, id := range batch {
			k := key(id)
			if byKey[k] == nil {
				keys = append(keys, k)
			}
			byKey[k] = append(byKey[k], id)
		}
		rows, err := s.pool.Query(ctx, "SELECT event_id FROM "+s.n.table+" WHERE event_id = ANY($1::text[])", keys)
		if err != nil {
			return nil, s.fail(ctx, "HeldIDs", err)
		}
		for rows.Next() {
			var k string
			if err := rows.Scan(&k); err != nil {
				rows.Close()
				return nil, s.fail(ctx, "HeldIDs", err)
			}
			held = append(held, byKey[k]...)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, s.fail(ctx, "HeldIDs", err)
		}
	}
	return held, nil
}
