package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/mod/sumdb/note"

	"github.com/auditlog/auditlog/export"
	"github.com/auditlog/auditlog/logger"
)

// signedLog is a journal and the key that signs its checkpoints.
type signedLog struct {
	dir    string
	signer note.Signer
	vkey   string // the verifier key, name+hash+key
}

// testOrigin names the test logs.
const testOrigin = "example.com/log"

// newSignedLog returns a journal of the first n events of the fixture,
// written by a logger, and a fresh key of the log testOrigin; it has no
// checkpoint yet (see checkpoint).
func newSignedLog(t *testing.T, n int) *signedLog {
	t.Helper()
	l := &signedLog{dir: t.TempDir()}
	l.signer, l.vkey = newLogKey(t, testOrigin)
	l.log(t, 0, n)
	return l
}

// newLogKey returns a fresh Ed25519 signer of the log origin and its
// verifier key.
func newLogKey(t *testing.T, origin string) (note.Signer, string) {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	s, err := export.Ed25519Signer(origin, priv)
	require.NoError(t, err)
	vkey, err := export.Ed25519VerifierKey(origin, pub)
	require.NoError(t, err)
	return s, vkey
}

// log logs the fixture's events from to to into the journal, with a
// logger that continues it.
func (l *signedLog) log(t *testing.T, from, to int) {
	t.Helper()
	lg, err := logger.New(logger.Options{MaxEvents: 1000, Journal: &logger.JournalOptions{Dir: l.dir}})
	require.NoError(t, err)
	for _, ev := range fix.events[from:to] {
		ev.ID, ev.Seq = "", 0 // the logger's own
		require.NoError(t, lg.Log(context.Background(), ev))
	}
	require.NoError(t, lg.Close())
}

// sign returns the checkpoint of the journal as it is, signed by s.
func (l *signedLog) sign(t *testing.T, s note.Signer, ext ...string) []byte {
	t.Helper()
	tree, err := export.RestoreTree(l.dir)
	require.NoError(t, err)
	cp := export.Checkpoint{Origin: s.Name(), Size: tree.Size(), Root: tree.Root(), Extensions: ext}
	signed, err := export.SignCheckpoint(cp, s)
	require.NoError(t, err)
	return signed
}

// checkpoint signs the checkpoint of the journal as it is, with s, and
// appends it to the journal's checkpoints file; it returns the note.
func (l *signedLog) checkpoint(t *testing.T, s note.Signer, ext ...string) []byte {
	t.Helper()
	signed := l.sign(t, s, ext...)
	cl, _, err := export.OpenCheckpointLog(l.dir)
	require.NoError(t, err)
	require.NoError(t, cl.Append(signed))
	require.NoError(t, cl.Close())
	return signed
}

// events reads the journal's events back.
func (l *signedLog) events(t *testing.T) []logger.Event {
	t.Helper()
	evs, err := readJournal(l.dir)
	require.NoError(t, err)
	return evs
}

// runHere runs a command line in the test's process, stdout and stderr
// not terminals.
func runHere(t *testing.T, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, &out, &errb, false, false)
	return result{out.String(), errb.String(), code, args}
}

// TestEvidenceHelp checks that the root's help lists the commands of the
// proof workflow, and that each has its help.
func TestEvidenceHelp(t *testing.T) {
	root := runHere(t, "--help").ok(t)
	for _, c := range []string{"checkpoint", "prove", "verify-proof"} {
		require.Regexp(t, `(?m)^  `+c+` `, root.stdout)
		r := runHere(t, c, "--help").ok(t)
		require.Contains(t, r.stdout, "Usage:\n  auditlog "+c+" ")
		require.Contains(t, r.stdout, "--pubkey")
	}
}
