package compare

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/google/uuid"
	_ "modernc.org/sqlite" // the "sqlite" driver

	"github.com/auditlog/auditlog/logger"
)

// SQLiteBatch is how many events SQLite.Insert takes per transaction in
// the ingestion contender.
const SQLiteBatch = 1000

// sqliteSchema is the table a user would make for the workload's events,
// with indexes on user, operation, status and time, and on (user, time)
// for the benchmark query. Times are Unix nanoseconds; entry ids and
// metadata are JSON text.
const sqliteSchema = `
CREATE TABLE events (
	seq         INTEGER PRIMARY KEY,
	event_id    TEXT    NOT NULL,
	time        INTEGER NOT NULL,
	operation   TEXT    NOT NULL,
	status      TEXT    NOT NULL,
	user_id     TEXT    NOT NULL,
	session_id  TEXT    NOT NULL,
	entry_ids   TEXT    NOT NULL,
	metadata    TEXT    NOT NULL,
	duration_ns INTEGER NOT NULL
);
CREATE INDEX events_user      ON events (user_id);
CREATE INDEX events_operation ON events (operation);
CREATE INDEX events_status    ON events (status);
CREATE INDEX events_time      ON events (time);
CREATE INDEX events_user_time ON events (user_id, time);
`

// SQLite is a store of audit events in one SQLite database
// (modernc.org/sqlite, pure Go), set up as a user would: WAL journal,
// synchronous=NORMAL (fsync at checkpoints, not at every commit), a page
// cache of 64 MiB instead of the default 2 MiB, one connection, prepared
// statements. Not safe for concurrent use.
type SQLite struct {
	path   string
	db     *sql.DB
	insert *sql.Stmt
	query  *sql.Stmt
}

// OpenSQLite creates a database at path with the events table and its
// indexes. The file must not exist.
func OpenSQLite(path string) (*SQLite, error) {
	if _, err := os.Stat(path); err == nil {
		return nil, fmt.Errorf("compare: sqlite: %s exists", path)
	}
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=cache_size(-65536)")
	if err != nil {
		return nil, fmt.Errorf("compare: sqlite: %w", err)
	}
	db.SetMaxOpenConns(1)
	s := &SQLite{path: path, db: db}
	if err := s.init(); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("compare: sqlite: %w", err)
	}
	return s, nil
}

func (s *SQLite) init() error {
	if _, err := s.db.Exec(sqliteSchema); err != nil {
		return err
	}
	var err error
	s.insert, err = s.db.Prepare(`INSERT INTO events
		(event_id, time, operation, status, user_id, session_id, entry_ids, metadata, duration_ns)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	s.query, err = s.db.Prepare(`SELECT time, operation, status, user_id, session_id, entry_ids, metadata, duration_ns
		FROM events WHERE user_id = ? AND operation = ? AND time >= ?
		ORDER BY time DESC, seq DESC`)
	return err
}

// Insert adds events in one transaction, each with a fresh UUIDv7 and its
// entry ids and metadata encoded to JSON.
func (s *SQLite) Insert(events []logger.Event) error {
	tx, err := s.db.Begin()
	if err != nil {
		return fmt.Errorf("compare: sqlite: %w", err)
	}
	st := tx.Stmt(s.insert)
	for i := range events {
		ev := &events[i]
		ids, err := json.Marshal(ev.EntryIDs)
		if err != nil {
			_ = tx.Rollback()
			return fmt.Errorf("compare: sqlite: %w", err)
		}
		md, err := json.Marshal(ev.Metadata)
		if err != nil {
			_ = tx.Rollback()
			return fmt.Errorf("compare: sqlite: %w", err)
		}
		status := ev.Status
		if status == "" {
			status = logger.StatusSuccess
		}
		_, err = st.Exec(uuid.Must(uuid.NewV7()).String(), ev.Time.UnixNano(), string(ev.Operation), string(status),
			ev.UserID, ev.SessionID, ids, md, int64(ev.Duration))
		if err != nil {
			_ = tx.Rollback()
			return fmt.Errorf("compare: sqlite: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("compare: sqlite: %w", err)
	}
	return nil
}

// Query answers f's UserID, Operation and Since (the shape of the
// benchmark query; other fields of f are refused) through the (user_id,
// time) index, newest first, decoding every row into an Event.
func (s *SQLite) Query(f logger.Filter) ([]logger.Event, error) {
	if f.UserID == "" || f.Operation == "" || f.Since.IsZero() || f.Status != "" || !f.Until.IsZero() || f.Limit != 0 || f.Offset != 0 || f.Ascending {
		return nil, fmt.Errorf("compare: sqlite: only the user + operation + since query is prepared")
	}
	rows, err := s.query.Query(f.UserID, string(f.Operation), f.Since.UnixNano())
	if err != nil {
		return nil, fmt.Errorf("compare: sqlite: %w", err)
	}
	defer rows.Close()
	var out []logger.Event
	for rows.Next() {
		var (
			ev      logger.Event
			ns, dur int64
			op, st  string
			ids, md []byte
		)
		if err := rows.Scan(&ns, &op, &st, &ev.UserID, &ev.SessionID, &ids, &md, &dur); err != nil {
			return nil, fmt.Errorf("compare: sqlite: %w", err)
		}
		ev.Time = time.Unix(0, ns).UTC()
		ev.Operation, ev.Status, ev.Duration = logger.Operation(op), logger.Status(st), time.Duration(dur)
		if err := json.Unmarshal(ids, &ev.EntryIDs); err != nil {
			return nil, fmt.Errorf("compare: sqlite: entry_ids: %w", err)
		}
		if err := json.Unmarshal(md, &ev.Metadata); err != nil {
			return nil, fmt.Errorf("compare: sqlite: metadata: %w", err)
		}
		out = append(out, ev)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("compare: sqlite: %w", err)
	}
	return out, nil
}

// QueryPlan returns SQLite's plan for the benchmark query, one line per
// step, to check that it uses the (user_id, time) index.
func (s *SQLite) QueryPlan() (string, error) {
	rows, err := s.db.Query(`EXPLAIN QUERY PLAN SELECT time FROM events
		WHERE user_id = 'u' AND operation = 'STORE' AND time >= 0 ORDER BY time DESC, seq DESC`)
	if err != nil {
		return "", fmt.Errorf("compare: sqlite: %w", err)
	}
	defer rows.Close()
	var plan string
	for rows.Next() {
		var id, parent, notused int
		var detail string
		if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
			return "", fmt.Errorf("compare: sqlite: %w", err)
		}
		plan += detail + "\n"
	}
	return plan, rows.Err()
}

// Figures computes the statistics with one SQL aggregate over the table,
// grouped by operation and status, finished in Go.
func (s *SQLite) Figures() (Figures, error) {
	rows, err := s.db.Query(`SELECT operation, status, COUNT(*), SUM(duration_ns), SUM(duration_ns > 0)
		FROM events GROUP BY operation, status`)
	if err != nil {
		return Figures{}, fmt.Errorf("compare: sqlite: %w", err)
	}
	defer rows.Close()
	f := Figures{ByOperation: map[string]int64{}, ByStatus: map[string]int64{}}
	var success, durSum, durCount int64
	for rows.Next() {
		var op, st string
		var n, sum, cnt int64
		if err := rows.Scan(&op, &st, &n, &sum, &cnt); err != nil {
			return Figures{}, fmt.Errorf("compare: sqlite: %w", err)
		}
		f.Total += n
		f.ByOperation[op] += n
		f.ByStatus[st] += n
		if st == string(logger.StatusSuccess) {
			success += n
		}
		durSum += sum
		durCount += cnt
	}
	if err := rows.Err(); err != nil {
		return Figures{}, fmt.Errorf("compare: sqlite: %w", err)
	}
	if f.Total > 0 {
		f.SuccessRate = float64(success) / float64(f.Total)
	}
	if durCount > 0 {
		f.AvgDurationMs = float64(durSum) / float64(durCount) / 1e6
	}
	return f, nil
}

// Count returns the number of rows.
func (s *SQLite) Count() (int64, error) {
	var n int64
	if err := s.db.QueryRow(`SELECT COUNT(*) FROM events`).Scan(&n); err != nil {
		return 0, fmt.Errorf("compare: sqlite: %w", err)
	}
	return n, nil
}

// Checkpoint moves the WAL into the database file and empties it.
func (s *SQLite) Checkpoint() error {
	if _, err := s.db.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		return fmt.Errorf("compare: sqlite: %w", err)
	}
	return nil
}

// Size returns the bytes of the database file and its WAL.
func (s *SQLite) Size() (int64, error) {
	var n int64
	for _, p := range []string{s.path, s.path + "-wal"} {
		fi, err := os.Stat(p)
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			return 0, fmt.Errorf("compare: sqlite: %w", err)
		}
		n += fi.Size()
	}
	return n, nil
}

// Close closes the database.
func (s *SQLite) Close() error {
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("compare: sqlite: %w", err)
	}
	return nil
}
