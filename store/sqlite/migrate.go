package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/auditlog/auditlog/logger"
)

// migrate brings a database of schema version 1 to version 2, in tx,
// which holds the file's write lock:
//
//   - the column source is added, filled from each body that holds a
//     source ("" otherwise: the events of version 1 had none), and
//     indexed (events_source); events_time is rebuilt with source in the
//     order;
//   - event IDs get the unique index that Write's deduplication relies
//     on. A database that already holds one ID twice (the same events
//     saved twice, by an import run again or by a logger whose store was
//     listed twice) cannot have it: its duplicates are kept, as they were
//     stored, and the ID gets a plain index instead, which Write looks an
//     event up in before inserting it (insertEventLookup), so that no new
//     duplicate is stored.
//
// It reads and rewrites every row once: on a large store, the first Open
// of this version takes a while (about as long as building three
// indexes).
func migrate(ctx context.Context, tx *sql.Tx) error {
	stmts := []string{
		`ALTER TABLE events ADD COLUMN source TEXT NOT NULL DEFAULT ''`,
		// The bodies stored as JSON: SQLite reads their source. A BLOB
		// is JSONB to SQLite's JSON functions, hence the cast.
		`UPDATE events SET source = json_extract(CAST(body AS TEXT), '$.source')
			WHERE substr(body, 1, 1) = x'7b' AND json_valid(CAST(body AS TEXT))
			AND json_type(CAST(body AS TEXT), '$.source') = 'text'`,
	}
	for _, q := range stmts {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	if err := backfillCompressed(ctx, tx); err != nil {
		return err
	}
	stmts = []string{
		`DROP INDEX events_time`,
		createTimeIndex,
		createSourceIndex,
		`SAVEPOINT unique_ids`,
	}
	for _, q := range stmts {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, createUniqueIDIndex); err != nil {
		// An ID stored twice (or any other failure, which the plain
		// index then reports).
		if _, err := tx.ExecContext(ctx, `ROLLBACK TO unique_ids`); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, createPlainIDIndex); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `RELEASE unique_ids`); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", schemaVersion))
	return err
}

// backfillCompressed fills the source of the rows whose body is
// compressed, which only this package can read, a chunk of rows at a
// time.
func backfillCompressed(ctx context.Context, tx *sql.Tx) error {
	var d decoder
	type fill struct {
		id     int64
		source string
	}
	for last := int64(-1 << 63); ; {
		rows, err := tx.QueryContext(ctx, `SELECT id, body FROM events WHERE id > ? AND substr(body, 1, 1) <> x'7b' ORDER BY id LIMIT 1024`, last)
		if err != nil {
			return err
		}
		var fills []fill
		n := 0
		for rows.Next() {
			var body []byte
			if err := rows.Scan(&last, &body); err != nil {
				rows.Close()
				return err
			}
			n++
			// A body that does not decode keeps "": Query reports it, as
			// it did before.
			var ev logger.Event
			if d.decode(body, &ev) == nil && ev.Source != "" {
				fills = append(fills, fill{last, ev.Source})
			}
		}
		if err := rows.Err(); err != nil {
			rows.Close()
			return err
		}
		rows.Close()
		for _, f := range fills {
			if _, err := tx.ExecContext(ctx, `UPDATE events SET source = ? WHERE id = ?`, f.source, f.id); err != nil {
				return err
			}
		}
		if n == 0 {
			return nil
		}
	}
}
