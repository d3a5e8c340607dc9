package duckdbtest

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"
	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/logger"
	"github.com/auditlog/auditlog/store/file"
	"github.com/auditlog/auditlog/store/storetest"
)

// countQuery is the query of the README: events by operation and date,
// the date from the partition folders. %s is the store's folder.
const countQuery = `SELECT operation, date, count(*) AS n
FROM read_json('%s/**/*.jsonl', format = 'newline_delimited', hive_partitioning = true)
GROUP BY ALL ORDER BY ALL`

// tolerantQuery is countQuery for a folder being written, or not yet
// reopened after a crash: a torn last line reads as a row of NULLs.
const tolerantQuery = `SELECT operation, date, count(*) AS n
FROM read_json('%s/**/*.jsonl', format = 'newline_delimited', hive_partitioning = true,
               ignore_errors = true)
WHERE event_id IS NOT NULL
GROUP BY ALL ORDER BY ALL`

// key is one group of the count.
type key struct {
	op   string
	date string
}

func openDuckDB(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	var v string
	require.NoError(t, db.QueryRow("SELECT version()").Scan(&v))
	t.Logf("DuckDB %s", v)
	return db
}

// duckCounts runs query (countQuery or tolerantQuery) over dir.
func duckCounts(db *sql.DB, query, dir string) (map[key]int, error) {
	rows, err := db.Query(fmt.Sprintf(query, sqlString(filepath.ToSlash(dir))))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[key]int{}
	for rows.Next() {
		var op string
		var date time.Time
		var n int
		if err := rows.Scan(&op, &date, &n); err != nil {
			return nil, err
		}
		out[key{op, date.Format("2006-01-02")}] = n
	}
	return out, rows.Err()
}

// sqlString escapes s for a single-quoted SQL literal.
func sqlString(s string) string { return strings.ReplaceAll(s, "'", "''") }

// storeCounts asks the store its own count for every operation and every
// date the events may have, and checks that the groups add up to all.
func storeCounts(t *testing.T, s *file.Store) map[key]int {
	t.Helper()
	ctx := context.Background()
	ops := []logger.Operation{logger.OpStore, logger.OpRecall, logger.OpForget, logger.OpCompact, logger.OpExport,
		logger.OpImport, logger.OpCreate, logger.OpRead, logger.OpUpdate, logger.OpDelete}
	out := map[key]int{}
	sum := 0
	day0 := time.Date(storetest.Start.Year(), storetest.Start.Month(), storetest.Start.Day(), 0, 0, 0, 0, time.UTC)
	for d := -1; d < 10; d++ {
		day := day0.AddDate(0, 0, d)
		for _, op := range ops {
			n, err := s.Count(ctx, logger.Filter{Operation: op, Since: day, Until: day.AddDate(0, 0, 1).Add(-time.Nanosecond)})
			require.NoError(t, err)
			if n > 0 {
				out[key{string(op), day.Format("2006-01-02")}] = n
				sum += n
			}
		}
	}
	all, err := s.Count(ctx, logger.Filter{})
	require.NoError(t, err)
	require.Equal(t, all, sum, "every event is in one of the groups")
	return out
}

func TestDuckDBReadsTheFolder(t *testing.T) {
	db := openDuckDB(t)
	for _, partitionBy := range []string{"", "resource_name"} {
		name := partitionBy
		if name == "" {
			name = "date"
		}
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			s, err := file.Open(dir, file.Options{PartitionBy: partitionBy, SegmentBytes: 256 << 10})
			require.NoError(t, err)
			evs := storetest.Events(42, 4000)
			for i := 0; i < len(evs); i += 500 {
				require.NoError(t, s.Write(context.Background(), evs[i:min(i+500, len(evs))]))
			}
			want := storeCounts(t, s)
			require.Greater(t, len(want), 10)
			got, err := duckCounts(db, countQuery, dir)
			require.NoError(t, err)
			require.Equal(t, want, got)

			if partitionBy != "" {
				// The folder's value, which DuckDB takes over the line's
				// (it unescapes %XX and reads __HIVE_DEFAULT_PARTITION__ as
				// NULL), is the event's own.
				names := map[string]string{}
				for _, ev := range evs {
					names[ev.ID] = ev.ResourceName
				}
				rows, err := db.Query(fmt.Sprintf(`SELECT event_id, resource_name
					FROM read_json('%s/**/*.jsonl', format = 'newline_delimited', hive_partitioning = true)`, sqlString(dir)))
				require.NoError(t, err)
				n := 0
				for rows.Next() {
					var id string
					var name sql.NullString
					require.NoError(t, rows.Scan(&id, &name))
					require.Equal(t, names[id], name.String, "event %s", id)
					require.Equal(t, names[id] != "", name.Valid, "event %s", id)
					n++
				}
				require.NoError(t, rows.Err())
				require.NoError(t, rows.Close())
				require.Equal(t, len(evs), n)
			}

			// A torn last line, as a crash leaves it: the store skips it;
			// DuckDB needs ignore_errors (and drops the row of NULLs it
			// makes of it), until the store reopens the folder and cuts it.
			segs, err := filepath.Glob(filepath.Join(dir, "*", "*.jsonl"))
			require.NoError(t, err)
			if partitionBy != "" {
				segs, err = filepath.Glob(filepath.Join(dir, "*", "*", "*.jsonl"))
				require.NoError(t, err)
			}
			require.NotEmpty(t, segs)
			f, err := os.OpenFile(segs[0], os.O_WRONLY|os.O_APPEND, 0)
			require.NoError(t, err)
			_, err = f.WriteString(`{"event_id":"torn","seq":99,"timestamp":"2026-01-1`)
			require.NoError(t, err)
			require.NoError(t, f.Close())
			require.Equal(t, want, storeCounts(t, s))
			_, err = duckCounts(db, countQuery, dir)
			t.Logf("DuckDB on a torn last line, without ignore_errors: %v", err)
			got, err = duckCounts(db, tolerantQuery, dir)
			require.NoError(t, err)
			require.Equal(t, want, got, "with ignore_errors")

			// A Store that stops without Close leaves the folder marked;
			// the next Open cuts the torn line.
			require.NoError(t, s.Close())
			require.NoError(t, os.WriteFile(filepath.Join(dir, ".auditlog-lock"), []byte("stopped without Close\n"), 0o600))
			s, err = file.Open(dir, file.Options{PartitionBy: partitionBy})
			require.NoError(t, err)
			defer s.Close()
			got, err = duckCounts(db, countQuery, dir)
			require.NoError(t, err, "after the store repaired the folder")
			require.Equal(t, want, got)
		})
	}
}

// The query of the file store's documentation reads each event once
// from a folder where redelivery appended some twice, and DuckDB finds
// each event's source in its line.
func TestDuckDBReadsEachEventOnceBySource(t *testing.T) {
	db := openDuckDB(t)
	dir := t.TempDir()
	s, err := file.Open(dir, file.Options{SegmentBytes: 256 << 10})
	require.NoError(t, err)
	defer s.Close()
	ctx := context.Background()
	evs := storetest.Events(43, 2000)
	for i := 0; i < len(evs); i += 500 {
		require.NoError(t, s.Write(ctx, evs[i:min(i+500, len(evs))]))
	}
	// Handed over again, as a logger does after a failure.
	require.NoError(t, s.Write(ctx, evs[1500:]))
	require.NoError(t, s.Write(ctx, evs[1000:1200]))
	n, err := s.Count(ctx, logger.Filter{})
	require.NoError(t, err)
	require.Equal(t, len(evs)+700, n, "the file store keeps each copy")

	want := map[string]int{}
	for _, ev := range evs {
		want[ev.Source]++
	}
	rows, err := db.Query(fmt.Sprintf(`SELECT source, count(*) FROM (
		SELECT DISTINCT ON (event_id) *
		FROM read_json('%s/**/*.jsonl', format = 'newline_delimited', hive_partitioning = true)
	) GROUP BY ALL`, sqlString(filepath.ToSlash(dir))))
	require.NoError(t, err)
	defer rows.Close()
	got := map[string]int{}
	for rows.Next() {
		var src sql.NullString // absent from the line when empty
		var n int
		require.NoError(t, rows.Scan(&src, &n))
		got[src.String] += n
	}
	require.NoError(t, rows.Err())
	require.Equal(t, want, got)
}
