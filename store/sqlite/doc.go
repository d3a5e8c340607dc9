// Package sqlite is a logger.Store in one SQLite file, on the pure-Go
// driver modernc.org/sqlite (no cgo). It keeps every event the logger
// saves, for as long as its owner wants, and answers Query, Count and
// DeleteBefore with the Filter semantics of the in-memory logger.
//
// Importing the package registers the "sqlite" URL scheme with
// store.Open, so that
//
//	import _ "github.com/auditlog/auditlog/store/sqlite"
//	s, err := store.Open("sqlite://./audits/audit.db?synchronous=full")
//
// opens the same store as Open("audits/audit.db", Options{Synchronous:
// SyncFull}); see [OpenURL] for the parameters. Open creates the file
// 0600 and its missing folders 0700, and refuses a folder, a file that is
// not a SQLite database, and a SQLite database of another program (the
// store marks its files with PRAGMA application_id). It refuses too,
// naming it, a folder its group or others may write into, and a link, a
// FIFO or any other file that is not a regular file in the place of the
// database or of its -wal, -shm and -journal files (see [Open] for what
// the driver, which opens them itself, leaves to the folder's owner).
//
// # Layout
//
// One row per event in the table events: the fields a Filter selects on
// have columns of their own (time in Unix nanoseconds, seq, event_id,
// operation, status, category, user_id, session_id, resource_type,
// resource_id, run_id, source), each with an index that ends with time,
// so that a filter on it and a time window is one range of the index,
// already in time order. Query orders by time, source, seq and event_id,
// as logger.CompareEvents does. The memory entry ids go to a side table, entries (event,
// entry_id), indexed by entry_id. The rest of the event (names, address,
// agent, changes, states, request, parent run, description, tags,
// metadata, duration, error) is its journal line without the columns'
// fields, compressed with zlib against a preset dictionary when it is 200
// bytes or more; a shorter one, the common case, is stored as it is,
// since compressing a hundred bytes saves little and costs more than the
// insert. Query decodes it with Event.UnmarshalJSON, so events come back
// as the journal gives them back: times in UTC to the nanosecond, Status
// as saved ("" stays ""), JSON numbers in maps as float64.
//
// Whoever reads the file with other tools finds the columns as they are;
// the body is JSON when its first byte is '{', and otherwise a zlib stream
// that needs the dictionary in this package.
//
// Every value reaches SQL as a parameter, never as text of the statement.
// A filter on more than 200 entry ids passes them as one JSON array.
//
// # Each event once
//
// A logger delivers to its sinks at least once: after an error or a
// crash it hands over again events the store may already hold. A unique
// index on event_id keeps each event once: Write passes over an event
// whose ID is stored (INSERT ... ON CONFLICT DO NOTHING), and the copy
// written first stays. Events without an ID, which no logger writes,
// are all kept. Several processes writing one file (each through its own
// Store) are deduplicated alike.
//
// A store made by an earlier version of this package (schema version 1)
// is migrated by the first Open of this one, in one transaction: the
// source column is added and filled from the events' bodies, the indexes
// built (on a large store this takes a while, about as long as building
// three indexes). A store that then already held one event ID twice
// keeps those rows, as they were stored; its event_id index cannot be
// unique, so it is a plain one, and Write looks each event up in it
// before inserting (INSERT ... WHERE NOT EXISTS): no new duplicate is
// stored, at a small cost per event. Older versions of the package
// refuse a migrated store.
//
// # Durability and concurrency
//
// The file is in WAL mode. Each Write is one transaction: after a crash,
// of the process or of the machine, a batch is stored whole or not at all.
// By default (SyncNormal, SQLite's synchronous=NORMAL) a Write that
// returned survives a crash of the process; an OS crash or a power loss
// may lose the last few Writes, never corrupt the file. SyncFull syncs
// every commit, for a Write that survives a power loss too.
//
// A Store is safe for concurrent use. Writes (Write, DeleteBefore) go
// through one connection, one at a time, so they never fail on the lock
// among themselves; Query and Count use a pool of read-only connections
// ([Options.Readers]) that read beside the writer, each call seeing the
// last committed state. BusyTimeout bounds the wait for another process
// that writes the same file.
//
// SQLite picks an index from its statistics of the table: Write refreshes
// them (ANALYZE, sampled) whenever the table has doubled since they were
// taken, Open when they are missing or stale, Close before it closes.
//
// # Errors and limits
//
// After Close, every method returns an error wrapping [ErrClosed]; Close
// waits for the calls in progress and may be called again. A negative
// Limit or Offset is store.ErrInvalidFilter. An event whose Time is
// outside the years 1678 to 2262 (an int64 of nanoseconds; the zero Time
// among them) makes Write fail with logger.ErrInvalidEvent, storing
// nothing: the logger never hands such an event over. Seq is kept as a
// signed 64-bit integer; a Seq above 2^63-1 comes back intact but sorts
// before the others.
package sqlite
