package main

// unit says how a measure's values read and which way is better.
type unit int

const (
	nanos     unit = iota // time per op, lower is better
	rate                  // events per second, higher is better
	byteCount             // bytes per event, lower is better
)

// value is what a target is checked against: the medians of a row.
type value struct {
	median, allocs, ratio float64
}

// row is one line of the table: a contender's results under key (measure
// "/" name), printed as label, with ratios against the rows named in
// refs (the first one carries the target, if it is about a ratio).
type row struct {
	section string
	key     string
	label   string
	unit    unit
	allocs  bool
	refs    []string
	target  string
	met     func(v value) bool
}

// Keys of the results: measure "/" contender name.
const (
	callerMemory  = "caller/auditlog-memory"
	callerJournal = "caller/auditlog-journal"
	ingestMemory  = "ingest/auditlog-memory"
	ingestJournal = "ingest/auditlog-journal"
	queryAuditlog = "query/auditlog-Query"
	statsAuditlog = "stats/auditlog-Statistics"
	heapAuditlog  = "memory/auditlog-heap"
	diskJournal   = "disk/auditlog-journal"
)

// rows are the table, in order. Every contender of package compare must
// have a row (main checks).
var rows = []row{
	{section: "Caller cost, per event", key: callerMemory, label: "auditlog `Log`, in memory", unit: nanos, allocs: true,
		target: "≤ 150 ns, 0 allocs", met: func(v value) bool { return v.median <= 150 && v.allocs == 0 }},
	{key: callerJournal, label: "auditlog `Log`, with the journal", unit: nanos, allocs: true,
		target: "≤ 150 ns, 0 allocs", met: func(v value) bool { return v.median <= 150 && v.allocs == 0 }},
	{key: "caller/slog-file", label: "slog JSON → lumberjack file", unit: nanos, allocs: true, refs: []string{callerJournal}},
	{key: "caller/zap-file", label: "zap JSON → lumberjack file", unit: nanos, allocs: true, refs: []string{callerJournal},
		target: "auditlog ≥ 10× faster", met: func(v value) bool { return v.ratio >= 10 }},
	{key: "caller/zerolog-file", label: "zerolog → lumberjack file", unit: nanos, allocs: true, refs: []string{callerJournal}},
	{key: "caller/slog-discard", label: "slog JSON → io.Discard", unit: nanos, allocs: true, refs: []string{callerMemory}},
	{key: "caller/zap-discard", label: "zap JSON → io.Discard", unit: nanos, allocs: true, refs: []string{callerMemory}},
	{key: "caller/zerolog-discard", label: "zerolog → io.Discard", unit: nanos, allocs: true, refs: []string{callerMemory}},

	{section: "Ingestion, events/s until applied and written", key: ingestMemory, label: "auditlog in memory (ring of 100,000)", unit: rate,
		target: "≥ 1,000,000/s", met: func(v value) bool { return v.median >= 1_000_000 }},
	{key: ingestJournal, label: "auditlog with the journal", unit: rate,
		target: "≥ 400,000/s", met: func(v value) bool { return v.median >= 400_000 }},
	{key: "ingest/slog+lumberjack", label: "slog + lumberjack, synchronous", unit: rate, refs: []string{ingestJournal},
		target: "journal ≥ 3×", met: func(v value) bool { return v.ratio >= 3 }},
	{key: "ingest/sqlite", label: "SQLite, transactions of 1,000, 5 indexes", unit: rate, refs: []string{ingestMemory, ingestJournal},
		target: "memory ≥ 15×", met: func(v value) bool { return v.ratio >= 15 }},
	// Issue 6: auditlog with its SQLite store gets a row here.

	{section: "Query: user + operation + last 10% of time", key: queryAuditlog, label: "auditlog `Query` (ring holding every event)", unit: nanos,
		target: "≤ 20 µs", met: func(v value) bool { return v.median <= 20_000 }},
	{key: "query/linear-scan", label: "linear scan of a `[]Event` + sort", unit: nanos, refs: []string{queryAuditlog},
		target: "≥ 1,000×", met: func(v value) bool { return v.ratio >= 1000 }},
	{key: "query/sqlite", label: "SQLite, index on (user, time)", unit: nanos, refs: []string{queryAuditlog},
		target: "≥ 15×", met: func(v value) bool { return v.ratio >= 15 }},
	{key: "query/slog-file", label: "slog files read back (pre-filter, then decode)", unit: nanos, refs: []string{queryAuditlog}},

	{section: "Statistics over every event", key: statsAuditlog, label: "auditlog `Statistics()`", unit: nanos,
		target: "≤ 1 µs", met: func(v value) bool { return v.median <= 1000 }},
	{key: "stats/sqlite", label: "SQLite, one GROUP BY aggregate", unit: nanos, refs: []string{statsAuditlog}},

	{section: "Space per event", key: heapAuditlog, label: "auditlog, live heap (ring holding every event)", unit: byteCount,
		target: "≤ 500 B", met: func(v value) bool { return v.median <= 500 }},
	{key: "disk/sqlite", label: "SQLite database file with its indexes", unit: byteCount, refs: []string{heapAuditlog}},
	{key: diskJournal, label: "auditlog journal files (with hash chain)", unit: byteCount},
	{key: "disk/slog+lumberjack", label: "slog + lumberjack files", unit: byteCount, refs: []string{diskJournal}},
}
