package main

import (
	"strings"
)

// example is one command line shown in the help of its command and in the
// README, and run, exactly as written, by the tests (examples_test.go),
// in a folder holding:
//
//	audit_logs/    a journal of the library, its rotated files gzipped
//	keyed_logs/    a journal chained with the HMAC key in audit.key
//	audit.key      that key
//	january.json   an export (a JSON document) of January 2026
//	audits/        a file store (store/file) holding the journal's events
//
// Lines hold no quotes: the tests split them at spaces.
type example struct {
	cmd  string // the command it belongs to
	line string
	what string
}

var examples = []example{
	{"query", "auditlog query ./audit_logs --user alice --since 24h",
		"alice's events of the last 24 hours, newest first (a table on a terminal, JSON Lines in a pipe)"},
	{"query", "auditlog query ./audit_logs --op forget --status failure --limit 20 --format table",
		"the 20 latest failed FORGETs, as a table"},
	{"query", "auditlog query ./audit_logs --resource memory/m-7 --asc --format jsonl",
		"the history of one record, oldest first: --resource TYPE/ID (TYPE alone, or /ID alone, selects on one of them)"},
	{"query", "auditlog query ./audit_logs --since 2026-01-01 --until 2026-01-31 --entry m-1 --entry m-2 --format csv",
		"the January events that touched memory entry m-1 or m-2, as CSV (a date is its whole day, UTC)"},
	{"query", "auditlog query january.json --session s-7 --format json",
		"an exported file, gzipped or not, in any format the library writes; here to a JSON document"},
	{"query", "auditlog query file://./audits --user bob --op recall --limit 5 --format table",
		"a store, by URL: file://DIR (store/file), sqlite://FILE (store/sqlite) or postgres://… (store/postgres)"},
	{"query", "auditlog query ./audit_logs --source web-1 --limit 5",
		"one instance's events (Options.Source), from a journal or from a central store that holds many"},
	{"stats", "auditlog stats ./audit_logs",
		"statistics, performance by operation, and the events of each day, days without any flagged"},
	{"stats", "auditlog stats ./audit_logs --since 2026-01-01 --until 2026-01-31 --by user --format table",
		"January, with each user's activity"},
	{"stats", "auditlog stats ./audit_logs --by source",
		"each instance's events, failures and last event: an instance that stopped auditing stands out"},
	{"verify", "auditlog verify ./audit_logs",
		"check the hash chain; the exit status is 1 when it breaks"},
	{"verify", "auditlog verify --key-file audit.key ./keyed_logs",
		"a chain keyed with HMAC-SHA256 (JournalOptions.HashKey)"},
	{"verify", "auditlog verify ./audit_logs --pubkey audit.pub",
		"also against the signed checkpoints: lines cut from the end, a history rewritten, files removed by hand"},
	{"checkpoint", "auditlog checkpoint ./audit_logs --pubkey audit.pub --format table",
		"the latest signed checkpoint of the journal, every signature checked"},
	{"prove", "auditlog prove ./audit_logs --seq 42 --pubkey audit.pub -o proof.json",
		"a proof that the event of seq 42 is in the signed log, checked offline with verify-proof"},
	{"tail", "auditlog tail ./audit_logs --status failure",
		"the last 10 failures, then each new one as it is written, across rotations, until Ctrl-C"},
	{"export", "auditlog export ./audit_logs --user alice --out alice.csv",
		"alice's events to a new CSV file, oldest first (.json, .jsonl, .csv, and .gz after them)"},
	{"export", "auditlog export ./audit_logs --since 2026-01-01 --until 2026-01-31 --out january.jsonl.gz",
		"January to gzipped JSON Lines"},
	{"import", "auditlog import january.json sqlite://./audit.db",
		"the events of an export (any format, or a journal folder) into a store, masked as the logger masks them"},
	{"report", "auditlog report ./audit_logs --month 2026-01 --html report.html",
		"the compliance report of January 2026, one self-contained HTML page"},
}

// examplesOf formats the examples of command cmd for its help ("" for
// every example).
func examplesOf(cmd string) string {
	var b strings.Builder
	for _, e := range examples {
		if cmd != "" && e.cmd != cmd {
			continue
		}
		if b.Len() > 0 {
			b.WriteString("\n\n")
		}
		b.WriteString("  # " + e.what + "\n  " + e.line)
	}
	return b.String()
}
