package sqlite

// applicationID marks a database file as an auditlog store (PRAGMA
// application_id, "AUDT"): Open refuses a SQLite file made by something
// else rather than adding tables to it.
const applicationID = 0x41554454

// schemaVersion is PRAGMA user_version of the layout below. Open refuses a
// newer one, and migrates an older one (see migrate.go).
const schemaVersion = 2

// schema is the layout, version 2. One row per event: the fields Filter
// selects on and the order columns, each indexed, beside body, the rest
// of the journal line of the event, compressed (see codec.go). time is
// Event.Time in Unix nanoseconds (UTC), seq Event.Seq as a signed 64-bit
// integer. Status is kept as saved: "" and SUCCESS are both success, and
// a filter on SUCCESS asks for either, so the status index is on
// statusExpr, the status that "" means.
//
// Each secondary index on a field ends with time, so that a filter on
// that field and a time window is one range of the index, already in the
// order Query returns. events_time carries the whole order (time, source,
// seq, event_id) for unfiltered queries, time windows and DeleteBefore.
//
// events_event_id keeps each event ID once: Write inserts with ON
// CONFLICT DO NOTHING, so that an event handed over again is passed
// over. Events without an ID (none that a logger writes) are all kept.
// The index grows at its end as the time does, since the logger's IDs are
// UUIDv7, which begin with the time.
//
// Each index costs Write time, the more so when its key spreads the
// inserts over the whole index (a user id) rather than appending at one
// end (the time): measured on the benchmark workload, an index on
// (user_id, operation, time) would make the benchmark query 30% faster and
// its Count 9 times faster, but Write 28% slower; a user's events are found
// by events_user and the rest of the filter checked on the row instead.
//
// entries holds the memory entry ids of each event, once each, keyed by
// (event, entry_id) so that deleting an event's entries is a range of the
// key; entries_entry finds the events that carry an id.
var schema = []string{
	`CREATE TABLE events (
		id            INTEGER PRIMARY KEY,
		time          INTEGER NOT NULL,
		seq           INTEGER NOT NULL,
		event_id      TEXT NOT NULL,
		operation     TEXT NOT NULL,
		status        TEXT NOT NULL,
		category      TEXT NOT NULL,
		user_id       TEXT NOT NULL,
		session_id    TEXT NOT NULL,
		resource_type TEXT NOT NULL,
		resource_id   TEXT NOT NULL,
		run_id        TEXT NOT NULL,
		body          BLOB NOT NULL,
		source        TEXT NOT NULL DEFAULT ''
	)`,
	`CREATE TABLE entries (
		event    INTEGER NOT NULL,
		entry_id TEXT NOT NULL,
		PRIMARY KEY (event, entry_id)
	) WITHOUT ROWID`,
	`CREATE INDEX entries_entry ON entries (entry_id)`,
	createTimeIndex,
	createUniqueIDIndex,
	createSourceIndex,
	`CREATE INDEX events_user ON events (user_id, time)`,
	`CREATE INDEX events_operation ON events (operation, time)`,
	`CREATE INDEX events_resource ON events (resource_type, resource_id, time)`,
	`CREATE INDEX events_resource_id ON events (resource_id, time)`,
	`CREATE INDEX events_run ON events (run_id, time)`,
	`CREATE INDEX events_session ON events (session_id, time)`,
	`CREATE INDEX events_status ON events (` + statusExpr + `, time)`,
	`CREATE INDEX events_category ON events (category, time)`,
}

// statusExpr is the status of a row, with "" read as SUCCESS; queries
// spell it exactly so, for SQLite to use the index on it.
const statusExpr = "coalesce(nullif(status, ''), 'SUCCESS')"

// The indexes that version 2 added or changed, which migrate builds too.
const (
	createTimeIndex     = `CREATE INDEX events_time ON events (time, source, seq, event_id)`
	createSourceIndex   = `CREATE INDEX events_source ON events (source, time)`
	createUniqueIDIndex = `CREATE UNIQUE INDEX events_event_id ON events (event_id) WHERE event_id <> ''`
	// createPlainIDIndex replaces createUniqueIDIndex in a database that
	// held one event ID twice before it was migrated (see migrate.go).
	createPlainIDIndex = `CREATE INDEX events_event_id ON events (event_id)`
)

const (
	// insertEvent inserts an event unless its ID is stored: the unique
	// index tells.
	insertEvent = `INSERT INTO events (time, seq, event_id, operation, status, category, user_id, session_id,
		resource_type, resource_id, run_id, source, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (event_id) WHERE event_id <> '' DO NOTHING`
	// insertEventLookup is insertEvent for a database whose event IDs
	// have no unique index: it looks the ID, its last parameter, up first,
	// within Write's transaction, which holds the file's write lock.
	insertEventLookup = `INSERT INTO events (time, seq, event_id, operation, status, category, user_id, session_id,
		resource_type, resource_id, run_id, source, body) SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?
		WHERE NOT EXISTS (SELECT 1 FROM events WHERE event_id = ? AND event_id <> '')`
	insertEntry = `INSERT OR IGNORE INTO entries (event, entry_id) VALUES (?, ?)`
)
