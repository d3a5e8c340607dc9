// Package postgres is a logger.Store in one PostgreSQL table, on
// github.com/jackc/pgx/v5: the central trail of many instances, in a
// database their owners already run. It answers Query, Count and
// DeleteBefore with the Filter semantics of the in-memory logger, and
// several loggers, in as many processes and machines as need be, may
// write the same table at once.
//
// Importing the package registers the "postgres" and "postgresql" URL
// schemes with store.Open, so that
//
//	import _ "github.com/auditlog/auditlog/store/postgres"
//	s, err := store.Open("postgres://auditor:secret@db.example.com/audit?sslmode=verify-full")
//
// opens the store in the table auditlog.events of the database audit; see
// [OpenURL] for the parameters and [Open] for the connection string. Open
// creates the schema, the table and its indexes when they are missing
// (the role needs CREATE on the database for that, the first time; after
// that, SELECT, INSERT and, for DeleteBefore, DELETE on the table), and
// refuses a table of that name that is not an auditlog store: the store
// marks its table with a comment. A password never appears in an error.
//
// # Layout
//
// One row per event. The fields a Filter selects on have columns of their
// own: event_id (UNIQUE), time_ns (Unix nanoseconds), source, seq,
// operation, status, category, user_id, session_id, resource_type,
// resource_id and run_id, each with a B-tree that ends with time_ns, so
// that a filter on it and a time window is one range of an index, in
// time order; time_ns leads the index of the whole order (time, source,
// seq, event_id). time holds the same instant as a timestamptz, to the
// microsecond, for SQL: a BRIN index, a few pages for millions of rows,
// serves time windows on a table that grows at the end of time. The rest
// is jsonb, for SQL users to query in place:
//
//	SELECT event_id, time, user_id, metadata->>'reason'
//	FROM auditlog.events
//	WHERE metadata->>'reason' = 'gdpr request' AND time > now() - interval '7 days';
//
// entry_ids is the JSON array of the memory entry ids, as given (with a
// GIN index for Filter.EntryIDs); metadata, previous_state and new_state
// the event's maps; rest every other field (names, address, agent,
// changes, request, parent run, description, tags, duration_ms, error),
// with the keys of the journal. Text columns are in the "C" collation:
// ids and sources sort in Go's byte order, as logger.CompareEvents has
// them. Query decodes the JSON with Event.UnmarshalJSON, so events come
// back as the journal gives them back: times in UTC to the nanosecond,
// Status as written ("" stays ""), JSON numbers in maps as float64.
//
// Every value reaches SQL as a parameter, never as text of a statement;
// the schema and table names are checked to be plain lower-case
// identifiers, and quoted.
//
// # Writes, duplicates and concurrency
//
// Write sends a batch in one statement, one round trip: INSERT ...
// SELECT FROM unnest of one array per column, ON CONFLICT (event_id) DO
// NOTHING. The batch is stored whole or not at all, and an event whose ID
// is already in the table, whoever wrote it, is skipped: a sink that
// delivers a batch again after a failure, at least once, stores each
// event once. Writers of overlapping batches insert in the order of the
// IDs, so they wait for each other rather than deadlock. A Store is safe
// for concurrent use; its connections come from a pool (pgxpool; its
// size is the URL's pool_max_conns). Durability is the server's: a Write
// that returned is committed. Statements are prepared once per
// connection; behind a pooler that does not keep them (PgBouncer in
// transaction mode), add default_query_exec_mode=exec to the URL.
//
// # Errors and limits
//
// After Close, every method returns an error wrapping [ErrClosed]; Close
// waits for the calls in progress and may be called again. A negative
// Limit or Offset is store.ErrInvalidFilter. An event that
// Event.Validate refuses (a Time outside the years 1678 to 2262, the zero
// Time among them; a negative Duration) makes Write fail with
// logger.ErrInvalidEvent, storing nothing. PostgreSQL text holds neither
// the NUL character nor invalid UTF-8: both are stored as U+FFFD (the
// journal, too, gives invalid UTF-8 back as U+FFFD), and a filter value
// is read the same way. A B-tree index entry holds at most about 2.7 kB:
// an ID, source, user, session, category, resource or run longer than
// 1 kB is kept whole in rest, and its column holds a key (its first bytes
// and its SHA-256), which filters match exactly; among events of one
// time, source and seq, two IDs that share their first kilobyte are
// ordered by their keys. Seq is kept as a signed 64-bit integer; a Seq
// above 2^63-1 comes back intact but sorts before the others.
//
// # Tests
//
// The tests that need a server are behind the build tag postgres and
// read its URL from AUDITLOG_POSTGRES_URL; .ci/postgres starts a
// throwaway one:
//
//	eval "$(.ci/postgres start)"
//	go test -race -tags postgres ./store/postgres/
//	.ci/postgres stop
package postgres
