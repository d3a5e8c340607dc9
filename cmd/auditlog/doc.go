// Command auditlog reads, checks and moves the audit trails that
// github.com/auditlog/auditlog writes: a journal folder (audit.jsonl and
// its rotated files, gzipped or not), a file exported in any of the
// library's formats, or a store named by URL (file://DIR, sqlite://FILE).
//
//	go install github.com/auditlog/auditlog/cmd/auditlog@latest
//
// Usage:
//
//	auditlog query SOURCE... [filters] [--limit N] [--offset N] [--asc] [--format table|jsonl|json|csv|array]
//	auditlog stats SOURCE... [filters] [--by user,source] [--format table|json]
//	auditlog verify DIR [--key-file FILE] [--pubkey KEY [--checkpoint FILE]]
//	auditlog tail DIR [filters] [-n N] [--interval D] [--format table|jsonl]
//	auditlog export SOURCE... [filters] [--limit N] [--asc] --out FILE [--format F]
//	auditlog import SOURCE URL [filters]
//	auditlog report SOURCE... [filters] --month YYYY-MM --html FILE [--key-file FILE] [--pubkey KEY]
//	auditlog checkpoint DIR --pubkey KEY [--format table|json] [--note]
//	auditlog prove DIR EVENT_ID [--seq N] [--checkpoint FILE] [--pubkey KEY] [-o FILE]
//	auditlog verify-proof BUNDLE --pubkey KEY
//
// The filters are a flag for every field of logger.Filter: --user,
// --session, --op, --status, --category, --resource TYPE/ID, --run,
// --source (the instance that logged the event), --entry (repeatable),
// --since and --until. auditlog COMMAND --help
// describes each command, with examples; the tests run those examples
// as written.
//
// # Reading many events
//
// A journal's files are read in parallel, up to GOMAXPROCS at once. Each
// line is checked and its indexed fields read by a small scanner
// (scan.go) without decoding the rest; the line is decoded in full
// (Event.UnmarshalJSON) only when the event is selected, or when the
// scanner meets anything it does not read exactly as the decoder would.
// Events are selected with logger.Filter.Matches and ordered and windowed
// as store.Select does; with --limit a bounded heap holds at most
// offset+limit events while reading, without one every match is held
// (its journal line) until the end. An exported file is read an event at
// a time, as logger.ReadEventsFunc reads it, so that only the selection
// is held, however much the file inflates; a store answers with
// Store.Query.
//
// # Proofs
//
// A journal whose writer signs checkpoints (the file checkpoints in its
// folder) is proved to a third party one event at a time: checkpoint
// prints the latest checkpoint, verified with the log's public key
// (KEY: the verifier key name+hash+key, or a file holding it), and
// --note the signed note to publish; prove writes a bundle (the event's
// line, its inclusion proof, the signed checkpoint) that verify-proof
// checks with nothing but the bundle and the public key.
//
// # Exit status
//
// 0 on success, 1 on an error or a broken hash chain, 2 for a mistake on
// the command line. Errors are one line on standard error.
package main
