// Evidence shows signed checkpoints and proofs end to end: a logger that
// signs a checkpoint of its journal every 1,000 lines and hands each to a
// witness (another machine, here a slice in memory); a proof that one
// event is in the log, checked by an auditor who holds nothing but the
// public key; a proof that fails once its line is changed; lines cut
// from the end of a copy of the journal, which the hash chain cannot see
// and the witness's checkpoints can; and a proof that the latest
// checkpoint extends the first.
//
//	go run ./examples/evidence
//
// The command line does the same with auditlog checkpoint, prove,
// verify-proof and verify --pubkey.
package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/auditlog/auditlog/export"
	"github.com/auditlog/auditlog/logger"
)

const (
	origin = "example.com/audit" // the log's name, the first line of each checkpoint
	events = 4_500               // logged, in batches of 1,000
	every  = 1_000               // lines between checkpoints
	cut    = 10                  // lines cut from the end of the copy
)

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "evidence:", err)
		os.Exit(1)
	}
}

// witness keeps the checkpoints the logger publishes. In production it
// is another machine, a store, or a transparency log's witness: a place
// that whoever can write to the journal's folder cannot rewrite.
type witness struct {
	mu  sync.Mutex
	cps []export.SignedCheckpoint
}

// publish is the logger's CheckpointOptions.Publish.
func (w *witness) publish(_ context.Context, c export.SignedCheckpoint) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	c.Note = bytes.Clone(c.Note)
	w.cps = append(w.cps, c)
	return nil
}

// all returns the checkpoints received, oldest first.
func (w *witness) all() []export.SignedCheckpoint {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]export.SignedCheckpoint(nil), w.cps...)
}

// errorList collects what the logger reports to its ErrorHandler.
type errorList struct {
	mu   sync.Mutex
	errs []error
}

func (e *errorList) handle(err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.errs = append(e.errs, err)
}

func (e *errorList) err() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return errors.Join(e.errs...)
}

func run(out io.Writer) error {
	tmp, err := os.MkdirTemp("", "auditlog-evidence-example")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	dir := filepath.Join(tmp, "audit_logs")

	// 1. The log's key. The private key stays with the application (in
	// production: a KMS or an HSM behind a note.Signer), never in the
	// journal's folder or its backups. The verifier key is public: it is
	// what an auditor is given.
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		return err
	}
	signer, err := export.Ed25519Signer(origin, priv)
	if err != nil {
		return err
	}
	keyText, err := export.Ed25519VerifierKey(origin, pub)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "1. verifier key, for the auditor: %s\n", keyText)

	// 2. A logger whose journal signs a checkpoint every 1,000 lines and
	// at Close (Interval, a minute by default, is set longer so that a
	// slow machine signs no more), and publishes each to the witness.
	var w witness
	var reported errorList
	l, err := logger.New(logger.Options{
		MaxEvents:    events,
		ErrorHandler: reported.handle,
		Journal: &logger.JournalOptions{
			Dir: dir,
			Checkpoints: logger.CheckpointOptions{
				Signer:   signer,
				Every:    every,
				Interval: time.Hour,
				Publish:  w.publish,
			},
		},
	})
	if err != nil {
		return err
	}
	defer l.Close() // on an early return; Close may be called again
	// An agent's memory store: each entry stored, recalled, then forgotten
	// by one of three users, in sessions of 50 entries.
	ctx := context.Background()
	users := []string{"alice", "bob", "carol"}
	ops := []logger.Operation{logger.OpStore, logger.OpRecall, logger.OpForget}
	batch := make([]logger.Event, 0, every)
	for i := range events {
		entry, user := i/3, users[(i/3)%len(users)]
		batch = append(batch, logger.Event{
			Operation:    ops[i%3],
			UserID:       user,
			SessionID:    fmt.Sprintf("%s-session-%d", user, entry/50),
			ResourceType: "memory",
			EntryIDs:     []string{fmt.Sprintf("mem-%04d", entry)},
		})
		if len(batch) == cap(batch) || i == events-1 {
			if err := l.LogBatch(ctx, batch); err != nil {
				return err
			}
			// On disk before the next batch: a checkpoint that falls due
			// is signed at the next fsync, so that they fall on every
			// 1,000 lines exactly and the output is the same on every run.
			if err := l.Sync(); err != nil {
				return err
			}
			batch = batch[:0]
		}
	}
	// The event to prove: alice's FORGET of mem-0042.
	found := l.Query(logger.Filter{UserID: "alice", Operation: logger.OpForget, EntryIDs: []string{"mem-0042"}})
	if len(found) != 1 {
		return fmt.Errorf("alice's FORGET of mem-0042: %d events found", len(found))
	}
	forget := found[0]
	if err := l.Close(); err != nil { // signs the last lines, waits for Publish
		return err
	}
	if err := reported.err(); err != nil {
		return err
	}
	fmt.Fprintf(out, "2. logged %d events of an agent's memory store to %s\n", events, export.JournalName)

	// 3. The latest checkpoint in the folder, read with the verifier key
	// alone (auditlog checkpoint DIR --pubkey KEY), and the witness's.
	v, err := note.NewVerifier(keyText)
	if err != nil {
		return err
	}
	signed, err := export.ReadCheckpoints(dir, v)
	if err != nil {
		return err
	}
	published := w.all()
	if len(signed) == 0 || len(published) == 0 {
		return fmt.Errorf("%d checkpoints in the folder, %d published: want some", len(signed), len(published))
	}
	latest := signed[len(signed)-1]
	fmt.Fprintf(out, "3. %d checkpoints signed, the latest of %d lines:\n", len(signed), latest.Size)
	for _, line := range bytes.Split(bytes.TrimRight(latest.Note, "\n"), []byte("\n")) {
		if len(line) == 0 {
			fmt.Fprintln(out)
			continue
		}
		fmt.Fprintf(out, "     %s\n", line)
	}
	same := len(published) == len(signed)
	for i := 0; same && i < len(signed); i++ {
		same = bytes.Equal(published[i].Note, signed[i].Note)
	}
	fmt.Fprintf(out, "   the witness holds the same %d checkpoints: %v\n", len(published), same)

	// 4. A proof that alice's FORGET is in the log, as a self-contained
	// bundle (auditlog prove DIR EVENT_ID -o bundle.json), checked by the
	// auditor with the bundle and the verifier key text alone (auditlog
	// verify-proof bundle.json --pubkey KEY).
	line, proof, err := export.ProveInclusion(dir, export.EventIDIs(forget.ID), latest.Checkpoint)
	if err != nil {
		return err
	}
	bundle, err := export.Bundle{Line: line.Data, Proof: proof, Checkpoint: latest.Note}.Marshal()
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "4. proof of alice's FORGET of mem-0042 (seq %d): line %d of %s, %d hashes, a bundle of %d bytes\n",
		forget.Seq, line.Num, filepath.Base(line.File), len(proof.Hashes), len(bundle))
	b, cp, err := audit(bundle, keyText)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "   the auditor, with the key alone: OK, line %d of the %d lines of %s\n", b.Proof.LeafIndex+1, cp.Size, cp.Origin)

	// 5. The same bundle with its line changed (FORGET made a RECALL, as
	// if alice's memory had never been forgotten) does not verify.
	forged := bytes.Replace(bundle, []byte(`\"operation\":\"FORGET\"`), []byte(`\"operation\":\"RECALL\"`), 1)
	if bytes.Equal(forged, bundle) {
		return errors.New("the bundle's line has no FORGET to change")
	}
	_, _, err = audit(forged, keyText)
	if !errors.Is(err, export.ErrProofFailed) {
		return fmt.Errorf("a changed line: want a proof that fails, got %v", err)
	}
	fmt.Fprintln(out, "5. the bundle with FORGET changed to RECALL: does not verify (export.ErrProofFailed)")

	// 6. Someone who can write to the folder cuts the last 10 lines, and
	// cuts the folder's checkpoints file back to before them too.
	copyDir := filepath.Join(tmp, "tampered")
	if err := tamper(dir, copyDir, signed[:len(signed)-1]); err != nil {
		return err
	}
	r, err := export.Verify(copyDir, nil) // auditlog verify DIR
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "6. a copy with its last %d lines cut: the hash chain alone says OK: %v (%d lines)\n", cut, r.OK(), r.Lines)
	own, err := export.ReadCheckpoints(copyDir, v)
	if err != nil {
		return err
	}
	e, err := export.CheckEvidence(copyDir, checkpoints(own))
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "   against the folder's own checkpoints, cut too: OK: %v (the last %d lines are in none)\n", e.OK(), e.Lines-e.Latest.Size)
	// auditlog verify DIR --pubkey KEY --checkpoint FILE, with the
	// witness's latest checkpoint.
	e, err = export.CheckEvidence(copyDir, checkpoints(published))
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "   against the witness's checkpoints: OK: %v\n", e.OK())
	for _, p := range e.Problems {
		fmt.Fprintf(out, "     %s: %s line %d\n", p.Kind, filepath.Base(p.File), p.Line)
	}

	// 7. The latest checkpoint extends the first: the lines of the first
	// are the first lines of the latest, unchanged.
	first, last := published[0], published[len(published)-1]
	cons, err := export.ProveConsistency(dir, first.Checkpoint, last.Checkpoint)
	if err != nil {
		return err
	}
	if err := export.VerifyConsistency(cons, first.Note, last.Note, v); err != nil {
		return err
	}
	fmt.Fprintf(out, "7. consistency from %d to %d lines: OK, %d hashes\n", first.Size, last.Size, len(cons.Hashes))
	// The tampered copy cannot prove it: its lines no longer hash to the
	// latest checkpoint.
	if _, err = export.ProveConsistency(copyDir, first.Checkpoint, last.Checkpoint); !errors.Is(err, export.ErrJournalMismatch) {
		return fmt.Errorf("a consistency proof from the tampered copy: want export.ErrJournalMismatch, got %v", err)
	}
	fmt.Fprintln(out, "   the tampered copy cannot prove it: export.ErrJournalMismatch")
	return nil
}

// audit is the auditor's side: it checks a proof bundle with nothing but
// the log's verifier key text.
func audit(bundle []byte, keyText string) (export.Bundle, export.Checkpoint, error) {
	v, err := note.NewVerifier(keyText)
	if err != nil {
		return export.Bundle{}, export.Checkpoint{}, err
	}
	b, err := export.UnmarshalBundle(bundle)
	if err != nil {
		return export.Bundle{}, export.Checkpoint{}, err
	}
	cp, err := b.Verify(v)
	return b, cp, err
}

// tamper copies the journal in dir to to without its last cut lines, and
// writes keep as the copy's checkpoints file.
func tamper(dir, to string, keep []export.SignedCheckpoint) error {
	data, err := os.ReadFile(filepath.Join(dir, export.JournalName))
	if err != nil {
		return err
	}
	lines := bytes.SplitAfter(data, []byte("\n")) // the last is empty
	data = bytes.Join(lines[:len(lines)-1-cut], nil)
	if err := os.Mkdir(to, 0o700); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(to, export.JournalName), data, 0o600); err != nil {
		return err
	}
	cl, _, err := export.OpenCheckpointLog(to)
	if err != nil {
		return err
	}
	for _, c := range keep {
		if err := cl.Append(c.Note); err != nil {
			cl.Close()
			return err
		}
	}
	return cl.Close()
}

// checkpoints returns the checkpoints of signed.
func checkpoints(signed []export.SignedCheckpoint) []export.Checkpoint {
	cps := make([]export.Checkpoint, len(signed))
	for i, s := range signed {
		cps[i] = s.Checkpoint
	}
	return cps
}
