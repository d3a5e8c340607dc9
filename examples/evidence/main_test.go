package main

import (
	"bytes"
	"regexp"
	"strconv"
	"testing"

	"golang.org/x/mod/sumdb/note"
)

// TestEvidence runs the example: the checkpoints are signed every 1,000
// lines and at Close and all reach the witness; the proof of one event
// verifies with the verifier key alone and fails once its line is
// changed; lines cut from the end of a copy pass the hash chain and the
// folder's own cut checkpoints, and are named, by file and line, against
// the witness's; the latest checkpoint is proved consistent with the
// first, and the tampered copy cannot prove it.
func TestEvidence(t *testing.T) {
	var out bytes.Buffer
	if err := run(&out); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	got := out.String()

	// What differs from run to run: the key, the root, the time and the
	// signature of the checkpoint, and so the bundle's size.
	size := regexp.MustCompile(`a bundle of (\d+) bytes`).FindStringSubmatch(got)
	if size == nil {
		t.Fatalf("no bundle size in:\n%s", got)
	}
	if n, _ := strconv.Atoi(size[1]); n < 1_000 || n > 2_000 {
		t.Errorf("the bundle is %d bytes, want 1,000 to 2,000: a line, 13 hashes and a checkpoint", n)
	}
	key := regexp.MustCompile(`for the auditor: (\S+)`).FindStringSubmatch(got)
	if key == nil {
		t.Fatalf("no verifier key in:\n%s", got)
	}
	if _, err := note.NewVerifier(key[1]); err != nil {
		t.Errorf("the verifier key printed: %v", err)
	}
	for _, r := range []struct{ re, with string }{
		{`example\.com/audit\+[0-9a-f]{8}\+[A-Za-z0-9+/]{44}\n`, "KEY\n"},
		{`(?m)^     [A-Za-z0-9+/]{43}=$`, "     ROOT"},
		{`auditlog-time \S+`, "auditlog-time TIME"},
		{`— example\.com/audit \S+`, "— example.com/audit SIGNATURE"},
		{`a bundle of \d+ bytes`, "a bundle of N bytes"},
	} {
		got = regexp.MustCompile(r.re).ReplaceAllString(got, r.with)
	}
	want := `1. verifier key, for the auditor: KEY
2. logged 4500 events of an agent's memory store to audit.jsonl
3. 5 checkpoints signed, the latest of 4500 lines:
     example.com/audit
     4500
     ROOT
     auditlog-time TIME

     — example.com/audit SIGNATURE
   the witness holds the same 5 checkpoints: true
4. proof of alice's FORGET of mem-0042 (seq 129): line 129 of audit.jsonl, 13 hashes, a bundle of N bytes
   the auditor, with the key alone: OK, line 129 of the 4500 lines of example.com/audit
5. the bundle with FORGET changed to RECALL: does not verify (export.ErrProofFailed)
6. a copy with its last 10 lines cut: the hash chain alone says OK: true (4490 lines)
   against the folder's own checkpoints, cut too: OK: true (the last 490 lines are in none)
   against the witness's checkpoints: OK: false
     lines cut from the end: audit.jsonl line 4490
7. consistency from 1000 to 4500 lines: OK, 11 hashes
   the tampered copy cannot prove it: export.ErrJournalMismatch
`
	if got != want {
		t.Errorf("output:\n%s\nwant:\n%s", got, want)
	}
}
