// Package file is a logger.Store that keeps events as JSON Lines in a
// folder of Hive partitions, readable in place by DuckDB, Spark, Trino or
// Hive, and by nothing more than the standard library here. Importing it
// registers the "file" scheme with store.Open:
//
//	s, err := store.Open("file://./audits")                          // relative
//	s, err := store.Open("file:///var/audits?partition=resource_name") // absolute
//
// The URL's query parameters are the [Options]: partition (PartitionBy),
// segment_bytes (SegmentBytes) and sync (Sync); any other is an error.
//
// # Layout
//
// Under the store's folder (created 0700; every folder 0700, every file
// 0600):
//
//	date=2026-01-10/part-20260110T220000.123456789Z-1f2e3d4c.jsonl
//	date=2026-01-11/part-...
//
// or, with Options.PartitionBy = "resource_name", keyed first by that
// field:
//
//	resource_name=nightly/date=2026-01-10/part-....jsonl
//	resource_name=a%2Fb/date=2026-01-10/part-....jsonl
//	resource_name=__HIVE_DEFAULT_PARTITION__/date=2026-01-10/part-....jsonl
//
// The date is the UTC date of the event's Time (an event without one is
// refused, as Log refuses it). PartitionBy takes the JSON key of a string field: resource_name,
// resource_type, resource_id, user_id, operation, category, run_id,
// session_id or status. Its values are escaped as Hive's
// FileUtils.escapePathName escapes them: %XX (upper-case hex) for the
// control characters, DEL and "#%'*/:=?\{[]^, and the empty value as
// __HIVE_DEFAULT_PARTITION__; every other byte stays as it is. A value
// therefore never names another folder: "../../etc" is the folder
// resource_name=..%2F..%2Fetc. Two additions for values Hive cannot be
// given: bytes that are not UTF-8 become U+FFFD (as in the event's JSON),
// and the literal value __HIVE_DEFAULT_PARTITION__ is written
// %5F_HIVE_DEFAULT_PARTITION__ so that it does not read back as empty. An
// escaped value longer than a folder name may be (255 bytes with its
// key=) puts its event in the folder key=__AUDITLOG_LONG_VALUE__, which
// engines see as the key's value; the line keeps the real value, and the
// store's own queries read it from there. That folder holds long values
// only: the literal value __AUDITLOG_LONG_VALUE__ is written
// %5F_AUDITLOG_LONG_VALUE__, a folder of its own.
//
// The partition key is also in each line (the line is the whole event);
// DuckDB, given hive_partitioning, takes the folder's value, which is the
// same. A folder keeps its layout: Open refuses one partitioned by
// another field.
//
// # Segments
//
// Each partition holds segments, part-<UTC creation time to the
// nanosecond>-<8 random hex digits>.jsonl, which sort by creation. Each
// line is one event, as logger.Event.MarshalJSON writes it, ending with
// '\n'. Write appends each partition's lines with one write to the
// partition's current segment, which it keeps open (at most
// [MaxOpenSegments] at once); once a segment passes Options.SegmentBytes (64 MiB by default) the next
// Write to the partition starts a new one. A Store never appends to a
// segment it did not create, so that a line torn by a crash stays the
// last line of its segment.
//
// Durability: by default Write returns once its lines are handed to the
// operating system, which keeps them through a crash of the process but
// not of the machine; Close fsyncs every segment. Options.Sync (URL:
// sync=true) fsyncs each segment written, and the folders of each one
// created, before Write returns.
//
// # Planted files
//
// Open refuses a folder that its group or others may write into, and
// Write a partition folder that they may: anyone who can write there can
// plant files for the store to touch. Inside, the store acts only on
// what it made: a link, a FIFO, a device or a folder in the place of the
// lock file, a partition folder, a segment or a temporary file is never
// followed and never waited on. Open refuses such a lock file and Write
// such a partition folder, with an error naming the path; reads, the
// repair after a crash and DeleteBefore pass over links and other files
// that are not the store's, removing a link (never what it points to)
// only when they remove the partition that holds it. Segments and the
// lock file are opened for writing without following a link
// (O_NOFOLLOW) and checked (Lstat) before they are read; partitions are
// removed, and segments replaced, through an os.Root of the store's
// folder; temporary files are created new (O_EXCL).
//
// # Crashes
//
// A crash in the middle of a write can leave a torn last line in a
// segment: unterminated, or not an event. Readers skip such a last line;
// any other line that is not an event is an error ([ErrCorrupt]) naming
// the file and the line. A Store marks the folder as being written (the
// file .auditlog-lock, locked with flock where the platform has it) from
// its first write to Close; the next Store to open or write a folder
// whose last writer stopped without Close first cuts every torn last
// line, so that the segments are whole JSON Lines again for other
// engines. One Store writes a folder at a time: another one, in this
// process or another, reads it but gets [ErrLocked] from Write and
// DeleteBefore.
//
// # Queries
//
// Query and Count read only the partitions that may hold matches: the
// dates within [Since, Until], and, when the Filter sets the PartitionBy
// field (resource_name is not a Filter field), that value's folder (for
// status SUCCESS, also the folder of events stored without a status).
// Then each line is checked on its bytes before it is decoded: the string
// fields the Filter sets are compared as MarshalJSON writes them, and the
// timestamp with Since and Until, so only the lines of likely matches are
// decoded. Lines skipped this way are only checked to be shaped as an
// object: a corrupt line is reported by a query that decodes it. The
// decoded events are filtered with Filter.Matches, ordered with
// CompareEvents and windowed, as store.Select does. Segments are read a
// few at a time, one per CPU, through read buffers kept from one segment
// to the next: a query over many small segments allocates for listing
// and opening them, not a buffer each.
// Readers take no lock against Write: they read whole lines only, so they
// see every Write that returned before they started.
//
// # Sources and order
//
// Each line carries the event's source (the key "source", the instance
// that logged it), as every other field. Filter.Source selects it
// exactly, and Query orders events by time, then source, then seq, then
// event_id, as logger.CompareEvents does, so that the events of several
// instances writing through one logger's store, or imported together,
// interleave by time.
//
// # Redelivery: each copy is kept
//
// A logger delivers to its sinks at least once: after a failed Write
// (one that wrote some partitions before it failed), a cancelled Close
// or a crash, it hands over again events the store may already hold.
// The file store does not deduplicate them: it appends every line it is
// given, and knows no index of the IDs it holds, which it would have to
// read whole segments to build. An event delivered twice is in the
// folder twice, and Query and Count return and count each copy. The
// copies are the same line, with the same event_id, in the same
// partition. To read each event once, deduplicate by event_id, in
// DuckDB for example:
//
//	SELECT DISTINCT ON (event_id) *
//	FROM read_json('audits/**/*.jsonl', format = 'newline_delimited', hive_partitioning = true)
//
// or choose the SQLite or PostgreSQL store for a sink that must store
// each event once. Store.HeldIDs tells which of a set of IDs the folder
// holds, reading the IDs of every line once: a program that copies
// events in (the command auditlog import does) leaves out those already
// there, and stores each event once.
//
// # Cleanup
//
// DeleteBefore(t) removes the date partitions entirely before t's UTC
// date, and rewrites the segments of t's date without the older events:
// written beside as .tmp-<name>, fsynced, renamed over the segment.
//
// # Reading the files elsewhere
//
// DuckDB (the query the test in store/file/duckdbtest runs, on the
// folder audits):
//
//	SELECT operation, date, count(*) AS n
//	FROM read_json('audits/**/*.jsonl', format = 'newline_delimited', hive_partitioning = true)
//	GROUP BY ALL ORDER BY ALL
//
// DuckDB takes a partition column from the folder names, over the same
// key in the lines: it unescapes %XX and reads __HIVE_DEFAULT_PARTITION__
// as NULL, so the value is the line's own. It reads every key=value
// element of the path as a partition, above the store's folder too: keep
// '=' out of the folder's own path. It refuses a torn last line; while a
// Store writes the folder, or after a crash before a Store reopened it,
// add ignore_errors = true and WHERE event_id IS NOT NULL (a torn line
// reads as a row of NULLs with its partition's keys).
package file
