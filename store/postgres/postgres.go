package postgres

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/auditlog/auditlog/logger"
	"github.com/auditlog/auditlog/store"
	"github.com/auditlog/auditlog/store/internal/sqlfilter"
)

// Store is a logger.Store in one PostgreSQL table. It is safe for
// concurrent use, and several Stores, in one process or many, may write
// the same table at once: each Write is one statement, and an event whose
// ID is already stored is skipped, whoever stored it.
type Store struct {
	n      names
	pool   *pgxpool.Pool
	insert string

	mu        sync.RWMutex // held for reading by every call, for writing by Close
	closed    bool
	closeOnce sync.Once
}

// Open connects to the PostgreSQL database connString names (a URL,
// postgres://user:password@host:5432/db?sslmode=verify-full, or
// keyword=value pairs, as pgx and libpq take them; the PG* environment
// variables fill in what it leaves out) and opens the store in the table
// o names, creating the schema, the table and its indexes when missing.
// Several processes may open a new table at once: one creates it, under
// an advisory lock, and the others wait for it. Open refuses a table of
// that name that is not an auditlog store.
//
// A password in connString never appears in an error.
func Open(connString string, o Options) (*Store, error) {
	if err := o.normalize(); err != nil {
		return nil, err
	}
	cfg, err := pgxpool.ParseConfig(connString)
	if err != nil {
		// pgx's error names the connection string with the password
		// masked.
		return nil, fmt.Errorf("postgres: %w", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), o.ConnectTimeout)
	defer cancel()
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	s := &Store{n: newNames(&o), pool: pool}
	s.insert = insertSQL(s.n)
	if err := s.init(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: open %s on %s: %w", s.n.qualified, where(cfg.ConnConfig), err)
	}
	return s, nil
}

// where names the server and database of cfg for errors, without the
// password.
func where(c *pgx.ConnConfig) string {
	host := c.Host
	if !strings.HasPrefix(host, "/") {
		host = host + ":" + strconv.Itoa(int(c.Port))
	}
	return fmt.Sprintf("%s (database %s, user %s)", host, c.Database, c.User)
}

// init checks that the table is an auditlog store, creating it first
// when it is missing.
func (s *Store) init(ctx context.Context) error {
	found, err := s.check(ctx, s.pool)
	if err != nil || found {
		return err
	}
	// Create it under a lock, checking again once it is held, so that
	// processes opening a new table at once create it once.
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1, hashtext($2))", lockKey, s.n.qualified); err != nil {
			return err
		}
		found, err := s.check(ctx, tx)
		if err != nil || found {
			return err
		}
		for _, q := range schema(s.n) {
			if _, err := tx.Exec(ctx, q); err != nil {
				return fmt.Errorf("creating the table: %w", err)
			}
		}
		return nil
	})
}

// check reports whether the table exists, and fails unless it is missing
// or an auditlog store this version reads.
func (s *Store) check(ctx context.Context, db interface {
	QueryRow(context.Context, string, ...any) pgx.Row
}) (found bool, err error) {
	var exists bool
	var comment *string
	err = db.QueryRow(ctx, `SELECT c.oid IS NOT NULL, obj_description(c.oid, 'pg_class')
		FROM (SELECT to_regclass($1) AS oid) c`, s.n.table).Scan(&exists, &comment)
	if err != nil {
		return false, err
	}
	if !exists {
		return false, nil
	}
	if comment == nil || !strings.HasPrefix(*comment, tableCommentPrefix) {
		return false, fmt.Errorf("%w: the table %s exists without the comment %q", ErrNotAStore, s.n.qualified, tableComment())
	}
	v, err := strconv.Atoi(strings.TrimPrefix(*comment, tableCommentPrefix))
	switch {
	case err != nil || v < 1:
		return false, fmt.Errorf("%w: the table %s has the comment %q", ErrNotAStore, s.n.qualified, *comment)
	case v > schemaVersion:
		return false, fmt.Errorf("%w: the table %s is of a newer version (schema %d; this one reads %d)", ErrNotAStore, s.n.qualified, v, schemaVersion)
	}
	return true, nil
}

// acquire takes the read side of s.mu for one call, and fails after
// Close.
func (s *Store) acquire(op string) error {
	s.mu.RLock()
	if s.closed {
		s.mu.RUnlock()
		return fmt.Errorf("%w: %s %s", ErrClosed, op, s.n.qualified)
	}
	return nil
}

// fail wraps err from op, naming the context's error too when the context
// ended, so that errors.Is(err, context.Canceled) holds.
func (s *Store) fail(ctx context.Context, op string, err error) error {
	if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
		return fmt.Errorf("postgres: %s %s: %w (%w)", op, s.n.qualified, cerr, err)
	}
	return fmt.Errorf("postgres: %s %s: %w", op, s.n.qualified, err)
}

// Write stores events in one statement, in one round trip to the server:
// either all of them are stored or none. An event whose ID is already in
// the table, or earlier in the batch, is skipped, so that writing a batch
// again, as a sink does after a failure, stores each event once. Each
// event is stored as given, except that PostgreSQL cannot hold the NUL
// character: it is stored as U+FFFD. An event whose Time is outside the
// years 1678 to 2262 (the zero Time among them), or that Event.Validate
// refuses, makes Write fail with logger.ErrInvalidEvent before anything
// is written.
func (s *Store) Write(ctx context.Context, events []logger.Event) error {
	_, err := s.WriteCounted(ctx, events)
	return err
}

var _ store.CountingWriter = (*Store)(nil)

// WriteCounted stores events as Write does, and returns how many of them
// it stored: the others carried an ID the table held already, or that an
// earlier event of events carried. The count is exact however many
// writers write the same events at once: it is the number of rows the
// statement inserted.
func (s *Store) WriteCounted(ctx context.Context, events []logger.Event) (int, error) {
	if err := s.acquire("Write"); err != nil {
		return 0, err
	}
	defer s.mu.RUnlock()
	if err := ctx.Err(); err != nil {
		return 0, s.fail(ctx, "Write", err)
	}
	if len(events) == 0 {
		return 0, nil
	}
	for i := range events {
		if err := events[i].Validate(); err != nil {
			return 0, fmt.Errorf("postgres: Write: event %d: %w", i, err)
		}
	}
	// In the order of the IDs, so that two writers of overlapping
	// batches take the rows' locks in the same order and never deadlock;
	// a stable sort keeps the first of two events with one ID.
	order := make([]int, len(events))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(events[a].ID, events[b].ID) })
	r := newRows(len(events))
	for _, i := range order {
		r.add(&events[i])
	}
	tag, err := s.pool.Exec(ctx, s.insert, r.args()...)
	if err != nil {
		return 0, s.fail(ctx, "Write", err)
	}
	return int(tag.RowsAffected()), nil
}

// The times an int64 of Unix nanoseconds holds.
var (
	minTime = time.Unix(0, math.MinInt64)
	maxTime = time.Unix(0, math.MaxInt64)
)

// pgFilter writes the scalar conditions of a Filter.
var pgFilter = sqlfilter.Dialect{
	Param:  func(n int) string { return "$" + strconv.Itoa(n) },
	Value:  func(v string) any { return key(v) },
	Time:   "time_ns",
	Status: statusExpr,
}

// whereSQL returns the WHERE clause of f (with a leading " WHERE ", or
// empty) and its arguments; none is true when no event can match. Values
// only ever go in as parameters.
func whereSQL(f *logger.Filter) (clause string, args []any, none bool) {
	conds, args, none := pgFilter.Conds(f, nil)
	if none {
		return "", nil, true
	}
	if len(f.EntryIDs) > 0 {
		// An empty id matches nothing (Filter.EntryIDs).
		var ids []string
		for _, id := range f.EntryIDs {
			if id != "" {
				ids = append(ids, clean(id))
			}
		}
		if len(ids) == 0 {
			return "", nil, true
		}
		args = append(args, ids)
		conds = append(conds, "entry_ids ?| $"+strconv.Itoa(len(args))+"::text[]")
	}
	if len(conds) == 0 {
		return "", args, false
	}
	return " WHERE " + strings.Join(conds, " AND "), args, false
}

// selectSQL returns the query of f and its arguments.
func (s *Store) selectSQL(f *logger.Filter) (string, []any, bool) {
	w, args, none := whereSQL(f)
	order := " ORDER BY time_ns DESC, source DESC, seq DESC, event_id DESC"
	if f.Ascending {
		order = " ORDER BY time_ns, source, seq, event_id"
	}
	var limit any // NULL: no limit
	if f.Limit > 0 {
		limit = int64(f.Limit)
	}
	args = append(args, limit, int64(f.Offset))
	return "SELECT " + columns + " FROM " + s.n.table + w + order +
		" LIMIT $" + strconv.Itoa(len(args)-1) + "::bigint OFFSET $" + strconv.Itoa(len(args)), args, none
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
		return nil, s.fail(ctx, "Query", err)
	}
	q, args, none := s.selectSQL(&f)
	if none {
		return nil, nil
	}
	rows, err := s.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, s.fail(ctx, "Query", err)
	}
	defer rows.Close()
	var out []logger.Event
	if f.Limit > 0 {
		out = make([]logger.Event, 0, min(f.Limit, 1024))
	}
	var (
		d                         decoder
		ns, seq                   int64
		op, st, src               string
		col                       logger.Event // the fields that have columns
		ent, meta, prev, nw, rest []byte
		ev                        logger.Event
		scanInto                  = []any{&col.ID, &ns, &src, &seq, &op, &st, &col.Category, &col.UserID, &col.SessionID,
			&col.ResourceType, &col.ResourceID, &col.RunID, &ent, &meta, &prev, &nw, &rest}
	)
	for rows.Next() {
		if err := rows.Scan(scanInto...); err != nil {
			return nil, s.fail(ctx, "Query", err)
		}
		if err := d.decode(rest, ent, meta, prev, nw, &ev); err != nil {
			return nil, fmt.Errorf("%w (event %s in %s)", err, col.ID, s.n.qualified)
		}
		ev.Seq, ev.Time = uint64(seq), time.Unix(0, ns).UTC()
		ev.Operation, ev.Status = logger.Operation(op), logger.Status(st)
		for _, f := range [...]struct{ ev, col *string }{{&ev.ID, &col.ID}, {&ev.Source, &src},
			{&ev.Category, &col.Category}, {&ev.UserID, &col.UserID}, {&ev.SessionID, &col.SessionID},
			{&ev.ResourceType, &col.ResourceType}, {&ev.ResourceID, &col.ResourceID}, {&ev.RunID, &col.RunID}} {
			if *f.ev == "" { // else a long value, whole in rest
				*f.ev = *f.col
			}
		}
		out = append(out, ev)
	}
	if err := rows.Err(); err != nil {
		return nil, s.fail(ctx, "Query", err)
	}
	return out, nil
}

// Count returns how many stored events match f, ignoring f.Limit and
// f.Offset.
func (s *Store) Count(ctx context.Context, f logger.Filter) (int, error) {
	if err := s.acquire("Count"); err != nil {
		return 0, err
	}
	defer s.mu.RUnlock()
	if err := ctx.Err(); err != nil {
		return 0, s.fail(ctx, "Count", err)
	}
	w, args, none := whereSQL(&f)
	if none {
		return 0, nil
	}
	var n int64
	if err := s.pool.QueryRow(ctx, "SELECT count(*) FROM "+s.n.table+w, args...).Scan(&n); err != nil {
		return 0, s.fail(ctx, "Count", err)
	}
	return int(n), nil
}

// DeleteBefore removes, in one statement, every event whose Time is
// before t, and returns how many it removed.
func (s *Store) DeleteBefore(ctx context.Context, t time.Time) (int, error) {
	if err := s.acquire("DeleteBefore"); err != nil {
		return 0, err
	}
	defer s.mu.RUnlock()
	if err := ctx.Err(); err != nil {
		return 0, s.fail(ctx, "DeleteBefore", err)
	}
	if !t.After(minTime) {
		return 0, nil
	}
	del, cut := "time_ns < $1", t.UnixNano()
	if t.After(maxTime) {
		del, cut = "time_ns <= $1", math.MaxInt64 // every time
	}
	tag, err := s.pool.Exec(ctx, "DELETE FROM "+s.n.table+" WHERE "+del, cut)
	if err != nil {
		return 0, s.fail(ctx, "DeleteBefore", err)
	}
	return int(tag.RowsAffected()), nil
}

// Close waits for the calls in progress, then closes the connections.
// Every method returns ErrClosed after it; closing again is a no-op.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.closed = true
		s.pool.Close()
	})
	return nil
}

var (
	_ logger.Store = (*Store)(nil)
	_ logger.Sink  = (*Store)(nil)
)
