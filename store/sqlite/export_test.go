package sqlite

import (
	"context"
	"fmt"

	"github.com/auditlog/auditlog/logger"
)

// SetWriteHook sets the function Write calls inside its transaction after
// each event it inserts; nil removes it. Tests only, before any Write.
func SetWriteHook(f func(n int)) { testHookWritten = f }

// SetWriterCacheKiB sets the page cache of the write connection of the
// stores opened after it, so that a test can make a transaction spill to
// the WAL early.
func SetWriterCacheKiB(kib int) { writerCacheKiB = kib }

// Body returns the body Write stores for ev.
func Body(ev *logger.Event) []byte { return appendBody(nil, ev) }

// Plan returns SQLite's query plan of Query(f) and of Count(f), one line
// per step.
func (s *Store) Plan(ctx context.Context, f logger.Filter) (query, count []string, err error) {
	q, args, _ := selectSQL(&f)
	if query, err = s.plan(ctx, q, args); err != nil {
		return nil, nil, err
	}
	w, args, _ := where(&f)
	count, err = s.plan(ctx, "SELECT count(*) FROM events"+w, args)
	return query, count, err
}

func (s *Store) plan(ctx context.Context, q string, args []any) ([]string, error) {
	rows, err := s.r.QueryContext(ctx, "EXPLAIN QUERY PLAN "+q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			return nil, err
		}
		out = append(out, detail)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", q, err)
	}
	return out, nil
}
