package export_test

import (
	"bytes"
	"crypto/ed25519"
	"fmt"
	"os"

	"golang.org/x/mod/sumdb/note"

	"github.com/auditlog/auditlog/export"
)

// The evidence workflow: the writer signs checkpoints of the journal's
// tree; later, a proof that one event is in the log is made from the
// journal and checked by a third party with the public key alone.
func Example_evidence() {
	dir, err := os.MkdirTemp("", "journal")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)

	// The log's key: kept by the application; the verifier key is public.
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, ed25519.SeedSize))
	signer, err := export.Ed25519Signer("example.com/audit", key)
	if err != nil {
		panic(err)
	}
	vkey, err := export.Ed25519VerifierKey("example.com/audit", key.Public().(ed25519.PublicKey))
	if err != nil {
		panic(err)
	}

	// The writer: each line goes to the journal and to the tree.
	j, _, err := export.OpenJournal(export.JournalOptions{Dir: dir})
	if err != nil {
		panic(err)
	}
	tree := export.NewTree()
	for _, line := range []string{
		`{"seq":1,"event_id":"evt-1","operation":"LOGIN"}`,
		`{"seq":2,"event_id":"evt-2","operation":"STORE"}`,
		`{"seq":3,"event_id":"evt-3","operation":"FORGET"}`,
	} {
		if _, err := j.Write([]byte(line + "\n")); err != nil {
			panic(err)
		}
		tree.Append([]byte(line))
	}
	if err := j.Close(); err != nil {
		panic(err)
	}
	signed, err := export.SignCheckpoint(export.Checkpoint{Origin: "example.com/audit", Size: tree.Size(), Root: tree.Root()}, signer)
	if err != nil {
		panic(err)
	}
	log, _, err := export.OpenCheckpointLog(dir)
	if err != nil {
		panic(err)
	}
	if err := log.Append(signed); err != nil {
		panic(err)
	}
	if err := log.Close(); err != nil {
		panic(err)
	}

	// The auditor's key, and the log's latest checkpoint.
	v, err := note.NewVerifier(vkey)
	if err != nil {
		panic(err)
	}
	cps, err := export.ReadCheckpoints(dir, v)
	if err != nil {
		panic(err)
	}
	latest := cps[len(cps)-1]

	// A proof that evt-2 is in the log, as a self-contained bundle.
	line, proof, err := export.ProveInclusion(dir, export.EventIDIs("evt-2"), latest.Checkpoint)
	if err != nil {
		panic(err)
	}
	data, err := export.Bundle{Line: line.Data, Proof: proof, Checkpoint: latest.Note}.Marshal()
	if err != nil {
		panic(err)
	}

	// Elsewhere, with the bundle and the public key alone.
	b, err := export.UnmarshalBundle(data)
	if err != nil {
		panic(err)
	}
	cp, err := b.Verify(v)
	fmt.Printf("%s\nline %d of %d in %s: %v\n", b.Line, b.Proof.LeafIndex, cp.Size, cp.Origin, err)

	b.Line = bytes.Replace(b.Line, []byte("STORE"), []byte("LOGIN"), 1)
	_, err = b.Verify(v)
	fmt.Println(err)
	// Output:
	// {"seq":2,"event_id":"evt-2","operation":"STORE"}
	// line 1 of 3 in example.com/audit: <nil>
	// auditlog: export: proof does not verify: line 1 of 3: the line and the proof lead to the root eUxyBgoBydP+G1kUHwg7LRdKNU0P0DlrWBblS2vm654=, not the checkpoint's opiQP4hFMrWFFprm2Tn8HptBa08Sukp+CwzIR1T9pqs=
}
