package sqlite

import (
	"context"
	"strings"

	"github.com/auditlog/auditlog/store"
)

var _ store.IDHolder = (*Store)(nil)

// heldBatch is how many IDs HeldIDs looks up per statement.
const heldBatch = 500

// heldSQL looks up heldBatch IDs, each a parameter of its own (as given:
// neither JSON nor anything else rewrites them); a shorter batch is
// padded with the empty ID, which matches nothing.
var heldSQL = "SELECT DISTINCT event_id FROM events WHERE event_id IN (?" + strings.Repeat(", ?", heldBatch-1) + ") AND event_id <> ''"

// HeldIDs returns the IDs among ids of the events the store holds, each
// once, looked up in the index of event IDs, a few hundred per statement. The
// empty ID, which Write never keeps once, is never held.
func (s *Store) HeldIDs(ctx context.Context, ids []string) ([]string, error) {
	if err := s.acquire("HeldIDs"); err != nil {
		return nil, err
	}
	defer s.mu.RUnlock()
	var held []string
	args := make([]any, heldBatch)
	for len(ids) > 0 {
		batch := ids[:min(heldBatch, len(ids))]
		ids = ids[len(batch):]
		if err := ctx.Err(); err != nil {
			return nil, fail(ctx, "HeldIDs", err)
		}
		for i := range args {
			args[i] = ""
			if i < len(batch) {
				args[i] = batch[i]
			}
		}
		rows, err := s.query(ctx, heldSQL, args)
		if err != nil {
			return nil, fail(ctx, "HeldIDs", err)
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				_ = rows.Close()
				return nil, fail(ctx, "HeldIDs", err)
			}
			held = append(held, id)
		}
		err = rows.Err()
		if cerr := rows.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return nil, fail(ctx, "HeldIDs", err)
		}
	}
	return held, nil
}
