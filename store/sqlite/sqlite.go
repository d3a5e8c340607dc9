package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	_ "modernc.org/sqlite" // registers the database/sql driver "sqlite"

	"github.com/auditlog/auditlog/internal/fsafe"
	"github.com/auditlog/auditlog/logger"
	"github.com/auditlog/auditlog/store"
	"github.com/auditlog/auditlog/store/internal/sqlfilter"
)

// ErrClosed is returned, wrapped, by every method of a Store after Close.
var ErrClosed = errors.New("sqlite: store closed")

// Synchronous is SQLite's synchronous setting for the store's writes:
// how much Write waits for the disk.
type Synchronous string

const (
	// SyncNormal, the default, syncs the write-ahead log at checkpoints
	// only. A committed Write survives a crash of the process; an OS
	// crash or a power loss may roll back the last few commits, never
	// leave the file corrupt.
	SyncNormal Synchronous = "NORMAL"
	// SyncFull syncs the write-ahead log at every commit: a Write that
	// returned survives a power loss too. Each Write then costs an
	// fsync.
	SyncFull Synchronous = "FULL"
)

// Options tune a Store. The zero value is the default.
type Options struct {
	// Synchronous is SyncNormal (the default, "") or SyncFull.
	Synchronous Synchronous

	// BusyTimeout is how long a statement waits for a lock held by
	// another connection, this process's or another's, before it fails
	// with SQLITE_BUSY; default 5s. The store's own writes are
	// serialised on one connection, so it matters only when another
	// process writes the same file.
	BusyTimeout time.Duration

	// Readers caps the connections that Query and Count use at once;
	// default max(4, GOMAXPROCS).
	Readers int
}

func (o *Options) normalize() error {
	switch Synchronous(strings.ToUpper(string(o.Synchronous))) {
	case "", SyncNormal:
		o.Synchronous = SyncNormal
	case SyncFull:
		o.Synchronous = SyncFull
	default:
		return fmt.Errorf("sqlite: Synchronous %q is not NORMAL or FULL", o.Synchronous)
	}
	switch {
	case o.BusyTimeout < 0:
		return fmt.Errorf("sqlite: negative BusyTimeout %v", o.BusyTimeout)
	case o.BusyTimeout == 0:
		o.BusyTimeout = 5 * time.Second
	}
	switch {
	case o.Readers < 0:
		return fmt.Errorf("sqlite: negative Readers %d", o.Readers)
	case o.Readers == 0:
		o.Readers = max(4, runtime.GOMAXPROCS(0))
	}
	return nil
}

// Store is a logger.Store in one SQLite file. It is safe for concurrent
// use: Writes and DeleteBefores run one at a time on the one write
// connection, while Queries and Counts run beside them on a pool of read
// connections, each reading the last committed state (WAL mode).
type Store struct {
	path string

	mu     sync.RWMutex // held for reading by every call, for writing by Close
	closed bool

	w, r      *sql.DB   // the write connection, the read pool
	insEvent  *sql.Stmt // on w: insertEvent, or insertEventLookup when lookup
	lookup    bool
	insEntry  *sql.Stmt // on w
	closeOnce sync.Once
	closeErr  error

	stmtsMu sync.Mutex
	stmts   map[string]*sql.Stmt // on r, by text: Query's and Count's

	// analyzed is the largest row id when the planner's statistics were
	// last gathered; see Write.
	analyzed atomic.Int64
}

// Open opens the store in the SQLite file at path, creating it and its
// folder when missing: the folders it creates are 0700, the file 0600
// (SQLite gives its -wal and -shm files the mode of the database file).
// It refuses a path that is a folder, a file that is not a SQLite
// database, and a SQLite database that is not an auditlog store.
//
// It refuses too, with an error naming it, a folder that its group or
// others may write into (chmod go-w it, or choose another folder), and a
// database file, or a -wal, -shm or -journal file beside it, that is a
// symbolic link, a FIFO or anything but a regular file: a link planted
// there would have SQLite write to its target. The driver opens these
// files itself, by their names, and follows links: Open checks them just
// before, and only who may write into the folder (its owner, once the
// folder passes the check) could plant one after.
func Open(path string, o Options) (*Store, error) {
	if err := o.normalize(); err != nil {
		return nil, err
	}
	if path == "" {
		return nil, errors.New("sqlite: Open needs a path")
	}
	if path == ":memory:" {
		return nil, errors.New("sqlite: an in-memory database is not a store (it is gone at Close): give a file's path")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	if err := create(abs); err != nil {
		return nil, err
	}
	s := &Store{path: abs, stmts: map[string]*sql.Stmt{}}
	s.w, err = sql.Open("sqlite", dsn(abs,
		"_txlock=immediate",
		"_pragma=busy_timeout("+strconv.FormatInt(o.BusyTimeout.Milliseconds(), 10)+")",
		"_pragma=synchronous("+string(o.Synchronous)+")",
		"_pragma=cache_size(-"+strconv.Itoa(writerCacheKiB)+")",
		// Checkpoint every 8192 pages (32 MiB of WAL) rather than SQLite's
		// 1000: an index page that several Writes change is copied into the
		// file once. Measured: Write 15 to 20% faster on a store of 600,000
		// events. The WAL is truncated back to 64 MiB after a checkpoint.
		"_pragma=wal_autocheckpoint(8192)",
		"_pragma=journal_size_limit(67108864)",
	))
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", abs, err)
	}
	s.w.SetMaxOpenConns(1)
	s.w.SetMaxIdleConns(1)
	s.w.SetConnMaxLifetime(0)
	s.w.SetConnMaxIdleTime(0)
	if err := s.init(); err != nil {
		_ = s.w.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", abs, err)
	}
	s.r, err = sql.Open("sqlite", dsn(abs,
		"_pragma=busy_timeout("+strconv.FormatInt(o.BusyTimeout.Milliseconds(), 10)+")",
		"_pragma=cache_size(-8192)",
		"_pragma=query_only(1)",
	))
	if err != nil {
		_ = s.w.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", abs, err)
	}
	s.r.SetMaxOpenConns(o.Readers)
	s.r.SetMaxIdleConns(o.Readers)
	s.r.SetConnMaxLifetime(0)
	s.r.SetConnMaxIdleTime(0)
	return s, nil
}

// writerCacheKiB is the page cache of the write connection: with the
// 8 MiB of each reader, it keeps the busy pages of a large store's indexes
// in memory while they are written. A transaction whose changes outgrow it
// spills them to the WAL before it commits.
var writerCacheKiB = 32 << 10

// create makes sure of the files the driver will open at path: the
// folder is created 0700 when missing and refused when its group or
// others may write into it; the file is created 0600 when missing; the
// file, and the -wal, -shm and -journal files SQLite keeps beside it,
// must be regular files, not links, FIFOs or folders, where they exist.
func create(path string) error {
	if fi, err := os.Lstat(path); err == nil && fi.IsDir() {
		return fmt.Errorf("sqlite: open %s: is a directory, not a database file", path)
	}
	dir := filepath.Dir(path)
	if fi, err := os.Stat(dir); err == nil && !fi.IsDir() {
		return fmt.Errorf("sqlite: open %s: %w", path, &fs.PathError{Op: "mkdir", Path: dir, Err: errors.New("not a directory")})
	}
	if _, err := fsafe.Dir(dir); err != nil {
		return fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	f, err := fsafe.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	switch {
	case err == nil:
		err = f.Chmod(0o600) // whatever the umask
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("sqlite: open %s: %w", path, err)
		}
	case !errors.Is(err, fs.ErrExist):
		return fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	for _, name := range []string{path, path + "-wal", path + "-shm", path + "-journal"} {
		if err := fsafe.Regular(name); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("sqlite: open %s: %w", path, err)
		}
	}
	return nil
}

// dsn is the driver's name for the file at the absolute path abs, with
// params: a file: URI, so that any character of the path is escaped.
func dsn(abs string, params ...string) string {
	p := filepath.ToSlash(abs)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // a Windows drive letter
	}
	u := url.URL{Scheme: "file", Path: p, RawQuery: strings.Join(params, "&")}
	return u.String()
}

// init checks that the file is an auditlog store, or empty, and creates
// the schema in an empty one.
func (s *Store) init() error {
	ctx := context.Background()
	// The first reads of the file: a file that is not a database fails
	// here. A database of another program is refused before anything,
	// even the journal mode, is changed in it.
	if _, _, err := s.check(ctx, s.w); err != nil {
		return err
	}
	var mode string
	if err := s.w.QueryRowContext(ctx, "PRAGMA journal_mode=WAL").Scan(&mode); err != nil {
		return err
	}
	if !strings.EqualFold(mode, "wal") {
		return fmt.Errorf("cannot use WAL mode (journal_mode is %s)", mode)
	}
	// Check again under the write lock, and create the schema in an empty
	// file, so that two processes that open a new file at once create it
	// once.
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	empty, version, err := s.check(ctx, tx)
	if err != nil {
		return err
	}
	if version < schemaVersion && !empty {
		if err := migrate(ctx, tx); err != nil {
			return fmt.Errorf("migrating the schema from version %d to %d: %w", version, schemaVersion, err)
		}
	}
	if empty {
		stmts := append(schema[:len(schema):len(schema)],
			fmt.Sprintf("PRAGMA application_id = %d", applicationID),
			fmt.Sprintf("PRAGMA user_version = %d", schemaVersion))
		for _, q := range stmts {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return fmt.Errorf("creating the schema: %w", err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("creating the schema: %w", err)
	}

	// Gather the planner's statistics when they are missing or stale:
	// cheap, as analysis_limit bounds the rows ANALYZE reads in each index.
	// Write keeps them up to date as the table grows, and Close refreshes
	// them too.
	if _, err := s.w.ExecContext(ctx, "PRAGMA analysis_limit=1000"); err != nil {
		return err
	}
	if _, err := s.w.ExecContext(ctx, "PRAGMA optimize=0x10002"); err != nil {
		return err
	}
	var last int64
	if err := s.w.QueryRowContext(ctx, "SELECT coalesce(max(id), 0) FROM events").Scan(&last); err != nil {
		return err
	}
	s.analyzed.Store(last)
	// A database that held an event ID twice when it was migrated has a
	// plain index on event_id instead of the unique one (see migrate).
	var unique bool
	if err := s.w.QueryRowContext(ctx, `SELECT "unique" FROM pragma_index_list('events') WHERE name = 'events_event_id'`).Scan(&unique); err != nil {
		return fmt.Errorf("reading the index of event IDs: %w", err)
	}
	ins := insertEvent
	if s.lookup = !unique; s.lookup {
		ins = insertEventLookup
	}
	if s.insEvent, err = s.w.PrepareContext(ctx, ins); err != nil {
		return err
	}
	if s.insEntry, err = s.w.PrepareContext(ctx, insertEntry); err != nil {
		return err
	}
	return nil
}

// check reports whether the database is empty, and its schema version,
// and fails unless it is empty or an auditlog store this version reads
// (version 1 is migrated).
func (s *Store) check(ctx context.Context, db interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}) (empty bool, version int64, err error) {
	var app int64
	var tables int
	if err := db.QueryRowContext(ctx, "PRAGMA application_id").Scan(&app); err != nil {
		return false, 0, notADatabase(err)
	}
	if err := db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return false, 0, notADatabase(err)
	}
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_schema").Scan(&tables); err != nil {
		return false, 0, notADatabase(err)
	}
	switch {
	case app == 0 && tables == 0:
		return true, version, nil
	case app != applicationID:
		return false, 0, fmt.Errorf("a SQLite database of another program (application_id %#x, %d tables and indexes), not an auditlog store", app, tables)
	case version > schemaVersion:
		return false, 0, fmt.Errorf("an auditlog store of a newer version (schema %d; this one reads %d)", version, schemaVersion)
	case version < 1:
		return false, 0, fmt.Errorf("an auditlog store with no schema version")
	}
	return false, version, nil
}

func notADatabase(err error) error {
	return fmt.Errorf("not a SQLite database, or a damaged one: %w", err)
}

// acquire takes the read side of s.mu for one call, and fails after
// Close.
func (s *Store) acquire(op string) error {
	s.mu.RLock()
	if s.closed {
		s.mu.RUnlock()
		return fmt.Errorf("%w: %s %s", ErrClosed, op, s.path)
	}
	return nil
}

// fail wraps err from op, naming the context's error too when the context
// ended, so that errors.Is(err, context.Canceled) holds.
func fail(ctx context.Context, op string, err error) error {
	if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
		return fmt.Errorf("sqlite: %s: %w (%w)", op, cerr, err)
	}
	return fmt.Errorf("sqlite: %s: %w", op, err)
}

// testHookWritten, when set by a test, is called inside Write's transaction
// after each event is inserted, with the number inserted so far.
var testHookWritten func(n int)

// Write stores events in one transaction: after a crash, either all of
// them are stored or none. Each event is stored as given, unless its ID
// is stored already: an event handed over again (a logger delivers at
// least once) is passed over, the first one written stays. An event whose
// Time is outside the years 1678 to 2262 (the zero Time among them), or
// whose Duration is negative, makes Write fail with logger.ErrInvalidEvent
// before anything is written.
func (s *Store) Write(ctx context.Context, events []logger.Event) error {
	_, err := s.write(ctx, events, false)
	return err
}

// WriteCounted stores events as Write does, and returns how many of them
// it stored: the others carried an ID the store held already, or that an
// earlier event of events carried. The count is exact however many
// writers write the same events at once: it is what the transaction
// inserted.
func (s *Store) WriteCounted(ctx context.Context, events []logger.Event) (int, error) {
	return s.write(ctx, events, true)
}

var _ store.CountingWriter = (*Store)(nil)

// write is Write, counting the events stored when count is set.
func (s *Store) write(ctx context.Context, events []logger.Event, count bool) (int, error) {
	if err := s.acquire("Write"); err != nil {
		return 0, err
	}
	defer s.mu.RUnlock()
	if err := ctx.Err(); err != nil {
		return 0, fail(ctx, "Write", err)
	}
	if len(events) == 0 {
		return 0, nil
	}
	// Encode everything first, so that the transaction, which holds the
	// file's write lock, does nothing but insert.
	times := make([]int64, len(events))
	ends := make([]int, len(events))
	var bodies []byte
	for i := range events {
		ev := &events[i]
		if err := ev.Validate(); err != nil {
			return 0, fmt.Errorf("sqlite: Write: event %d: %w", i, err)
		}
		times[i] = ev.Time.UnixNano()
		bodies = appendBody(bodies, ev)
		ends[i] = len(bodies)
	}

	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return 0, fail(ctx, "Write", err)
	}
	defer func() { _ = tx.Rollback() }() // after Commit, a no-op
	insEvent, insEntry := tx.StmtContext(ctx, s.insEvent), tx.StmtContext(ctx, s.insEntry)
	start, id, total := 0, int64(0), 0
	args := make([]any, 0, 14)
	for i := range events {
		ev := &events[i]
		args := append(args[:0], times[i], int64(ev.Seq), ev.ID, string(ev.Operation), string(ev.Status),
			ev.Category, ev.UserID, ev.SessionID, ev.ResourceType, ev.ResourceID, ev.RunID, ev.Source, bodies[start:ends[i]])
		if s.lookup {
			args = append(args, ev.ID)
		}
		res, err := insEvent.ExecContext(ctx, args...)
		if err != nil {
			return 0, fail(ctx, "Write", err)
		}
		start = ends[i]
		stored := int64(1)
		if count || len(ev.EntryIDs) > 0 {
			// An event passed over, its ID being stored, has its entries
			// stored too.
			if stored, err = res.RowsAffected(); err != nil {
				return 0, fail(ctx, "Write", err)
			}
		}
		total += int(stored)
		if stored > 0 && (len(ev.EntryIDs) > 0 || i == len(events)-1) {
			if id, err = res.LastInsertId(); err != nil {
				return 0, fail(ctx, "Write", err)
			}
			for _, e := range ev.EntryIDs {
				if _, err := insEntry.ExecContext(ctx, id, e); err != nil {
					return 0, fail(ctx, "Write", err)
				}
			}
		}
		if testHookWritten != nil {
			testHookWritten(i + 1)
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, fail(ctx, "Write", err)
	}
	// Each time the table has doubled, gather the planner's statistics
	// (sampled: a few milliseconds), so that a query on several fields
	// starts from the most selective index, say the user's rather than the
	// operation's. An error here loses nothing; the Write is done.
	if a := s.analyzed.Load(); id >= analyzeMin && id >= 2*a && s.analyzed.CompareAndSwap(a, id) {
		_, _ = s.w.ExecContext(context.WithoutCancel(ctx), "ANALYZE")
	}
	return total, nil
}

// analyzeMin is the number of rows from which Write keeps the planner's
// statistics up to date.
const analyzeMin = 1000

// maxInline is the most entry ids a query lists as placeholders; more go
// as one JSON array parameter, read with json_each.
const maxInline = 200

// where returns the WHERE clause of f (with a leading " WHERE ", or
// empty) and its arguments; none is false when no event can match. Values
// only ever go in as parameters.
func where(f *logger.Filter) (clause string, args []any, none bool) {
	conds, args, none := sqliteFilter.Conds(f, nil)
	if none {
		return "", nil, true
	}
	if len(f.EntryIDs) > 0 {
		// An empty id matches nothing (Filter.EntryIDs).
		ids := slices.DeleteFunc(slices.Clone(f.EntryIDs), func(id string) bool { return id == "" })
		if len(ids) == 0 {
			return "", nil, true
		}
		if len(ids) <= maxInline {
			conds = append(conds, "id IN (SELECT event FROM entries WHERE entry_id IN (?"+strings.Repeat(", ?", len(ids)-1)+"))")
			for _, e := range ids {
				args = append(args, e)
			}
		} else {
			list, _ := json.Marshal(ids) // strings: cannot fail
			conds = append(conds, "id IN (SELECT event FROM entries WHERE entry_id IN (SELECT value FROM json_each(?)))")
			args = append(args, string(list))
		}
	}
	if len(conds) == 0 {
		return "", args, false
	}
	return " WHERE " + strings.Join(conds, " AND "), args, false
}

// The times an int64 of Unix nanoseconds holds.
var (
	minTime = time.Unix(0, math.MinInt64)
	maxTime = time.Unix(0, math.MaxInt64)
)

// sqliteFilter writes the scalar conditions of a Filter.
var sqliteFilter = sqlfilter.Dialect{
	Param:  func(int) string { return "?" },
	Time:   "time",
	Status: statusExpr,
}

// columns are what Query reads of a row, in the order it scans them.
const columns = "time, seq, event_id, operation, status, category, user_id, session_id, resource_type, resource_id, run_id, source, body"

// selectSQL returns the query of f and its arguments.
func selectSQL(f *logger.Filter) (string, []any, bool) {
	w, args, none := where(f)
	order := " ORDER BY time DESC, source DESC, seq DESC, event_id DESC"
	if f.Ascending {
		order = " ORDER BY time, source, seq, event_id"
	}
	limit := int64(-1) // SQLite's "no limit"
	if f.Limit > 0 {
		limit = int64(f.Limit)
	}
	return "SELECT " + columns + " FROM events" + w + order + " LIMIT ? OFFSET ?", append(args, limit, int64(f.Offset)), none
}

// Query returns the stored events that match f, in the order of
// logger.CompareEvents (newest first unless f.Ascending), windowed by
// f.Offset and f.Limit.
func (s *Store) Query(ctx context.Context, f logger.Filter) ([]logger.Event, error) {
	if err := s.acquire("Query"); err != nil {
		return nil, err
	}
	defer s.mu.RUnlock()
	if err := store.CheckFilter(&f); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, fail(ctx, "Query", err)
	}
	q, args, none := selectSQL(&f)
	if none {
		return nil, nil
	}
	rows, err := s.query(ctx, q, args)
	if err != nil {
		return nil, fail(ctx, "Query", err)
	}
	defer rows.Close()
	var out []logger.Event
	if f.Limit > 0 {
		out = make([]logger.Event, 0, min(f.Limit, 1024))
	}
	var (
		d        decoder
		ns, seq  int64
		op, st   string
		body     sql.RawBytes
		evCol    logger.Event // the fields that have columns
		fromBody logger.Event
		scanInto = []any{&ns, &seq, &evCol.ID, &op, &st, &evCol.Category, &evCol.UserID, &evCol.SessionID,
			&evCol.ResourceType, &evCol.ResourceID, &evCol.RunID, &evCol.Source, &body}
	)
	for rows.Next() {
		if err := rows.Scan(scanInto...); err != nil {
			return nil, fail(ctx, "Query", err)
		}
		if err := d.decode(body, &fromBody); err != nil {
			return nil, err
		}
		ev := fromBody
		ev.ID, ev.Seq, ev.Time = evCol.ID, uint64(seq), time.Unix(0, ns).UTC()
		ev.Operation, ev.Status, ev.Category = logger.Operation(op), logger.Status(st), evCol.Category
		ev.UserID, ev.SessionID, ev.RunID, ev.Source = evCol.UserID, evCol.SessionID, evCol.RunID, evCol.Source
		ev.ResourceType, ev.ResourceID = evCol.ResourceType, evCol.ResourceID
		out = append(out, ev)
	}
	if err := rows.Err(); err != nil {
		return nil, fail(ctx, "Query", err)
	}
	return out, nil
}

// maxStmts caps the statements kept prepared: one per shape of Filter
// in use (which fields are set, the order), a handful in practice.
const maxStmts = 64

// query runs the read statement q, prepared once and kept while fewer
// than maxStmts are; past that, q is run without keeping it.
func (s *Store) query(ctx context.Context, q string, args []any) (*sql.Rows, error) {
	s.stmtsMu.Lock()
	st := s.stmts[q]
	if st == nil && len(s.stmts) < maxStmts {
		var err error
		if st, err = s.r.PrepareContext(ctx, q); err != nil {
			s.stmtsMu.Unlock()
			return nil, err
		}
		s.stmts[q] = st
	}
	s.stmtsMu.Unlock()
	if st == nil {
		return s.r.QueryContext(ctx, q, args...)
	}
	return st.QueryContext(ctx, args...)
}

// Count returns how many stored events match f, ignoring f.Limit and
// f.Offset.
func (s *Store) Count(ctx context.Context, f logger.Filter) (int, error) {
	if err := s.acquire("Count"); err != nil {
		return 0, err
	}
	defer s.mu.RUnlock()
	if err := ctx.Err(); err != nil {
		return 0, fail(ctx, "Count", err)
	}
	w, args, none := where(&f)
	if none {
		return 0, nil
	}
	rows, err := s.query(ctx, "SELECT count(*) FROM events"+w, args)
	if err != nil {
		return 0, fail(ctx, "Count", err)
	}
	defer rows.Close()
	var n int
	if !rows.Next() {
		err = rows.Err()
		if err == nil {
			err = errors.New("count(*) returned no row")
		}
		return 0, fail(ctx, "Count", err)
	}
	if err := rows.Scan(&n); err != nil {
		return 0, fail(ctx, "Count", err)
	}
	return n, nil
}

// DeleteBefore removes, in one transaction, every event whose Time is
// before t, and returns how many it removed.
func (s *Store) DeleteBefore(ctx context.Context, t time.Time) (int, error) {
	if err := s.acquire("DeleteBefore"); err != nil {
		return 0, err
	}
	defer s.mu.RUnlock()
	if err := ctx.Err(); err != nil {
		return 0, fail(ctx, "DeleteBefore", err)
	}
	if !t.After(minTime) {
		return 0, nil
	}
	del, cut := "time < ?", t.UnixNano()
	if t.After(maxTime) {
		del, cut = "time <= ?", math.MaxInt64 // every time
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return 0, fail(ctx, "DeleteBefore", err)
	}
	defer func() { _ = tx.Rollback() }()
	if _, err := tx.ExecContext(ctx, "DELETE FROM entries WHERE event IN (SELECT id FROM events WHERE "+del+")", cut); err != nil {
		return 0, fail(ctx, "DeleteBefore", err)
	}
	res, err := tx.ExecContext(ctx, "DELETE FROM events WHERE "+del, cut)
	if err != nil {
		return 0, fail(ctx, "DeleteBefore", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fail(ctx, "DeleteBefore", err)
	}
	if err := tx.Commit(); err != nil {
		return 0, fail(ctx, "DeleteBefore", err)
	}
	return int(n), nil
}

// Close waits for the calls in progress, then closes the database; the
// write-ahead log is checkpointed into the file and removed. Every method
// returns ErrClosed after it; closing again returns what the first Close
// returned.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.closed = true
		// Refresh the planner's statistics for the next Open; an error
		// here loses nothing.
		_, _ = s.w.ExecContext(context.Background(), "PRAGMA optimize")
		errs := []error{s.insEvent.Close(), s.insEntry.Close()}
		for _, st := range s.stmts {
			errs = append(errs, st.Close())
		}
		s.closeErr = errors.Join(append(errs, s.r.Close(), s.w.Close())...)
		if s.closeErr != nil {
			s.closeErr = fmt.Errorf("sqlite: close %s: %w", s.path, s.closeErr)
		}
	})
	return s.closeErr
}
