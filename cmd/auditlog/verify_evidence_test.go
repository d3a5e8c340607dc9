package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/export"
	"github.com/auditlog/auditlog/logger"
)

const evidenceOrigin = "example.com/audit"

// signedFolder writes n events to a journal in dir/name with signed
// checkpoints and 1 MB files, and the log's verifier key to dir/pub.key;
// it returns the journal's folder.
func signedFolder(t *testing.T, dir, name string, n int, seed byte) string {
	t.Helper()
	priv := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, ed25519.SeedSize))
	s, err := export.Ed25519Signer(evidenceOrigin, priv)
	require.NoError(t, err)
	vkey, err := export.Ed25519VerifierKey(evidenceOrigin, priv.Public().(ed25519.PublicKey))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, fmt.Sprintf("pub%d.key", seed)), []byte(vkey+"\n"), 0o600))
	jdir := filepath.Join(dir, name)
	l, err := logger.New(logger.Options{MaxEvents: 100, Journal: &logger.JournalOptions{Dir: jdir, MaxSizeMB: 1,
		Checkpoints: logger.CheckpointOptions{Signer: s, Every: 500}}})
	require.NoError(t, err)
	pad := strings.Repeat("p", 300)
	for i := range n {
		require.NoError(t, l.Log(context.Background(), logger.Event{Operation: logger.OpStore, UserID: "u", Metadata: map[string]any{"i": i, "pad": pad}}))
		if i%500 == 499 {
			require.NoError(t, l.Sync()) // a checkpoint falls due at an fsync
		}
	}
	require.NoError(t, l.Close())
	return jdir
}

// cutLines removes the last n lines of the journal's current file.
func cutLines(t *testing.T, jdir string, n int) {
	t.Helper()
	cur := filepath.Join(jdir, export.JournalName)
	data, err := os.ReadFile(cur)
	require.NoError(t, err)
	lines := bytes.SplitAfter(data, []byte("\n"))
	require.NoError(t, os.WriteFile(cur, bytes.Join(lines[:len(lines)-1-n], nil), 0o600))
}

func TestVerifyWithCheckpoints(t *testing.T) {
	dir := t.TempDir()
	jdir := signedFolder(t, dir, "signed", 6_000, 1)
	signedFolder(t, dir, "other", 10, 2) // pub2.key: another log's key

	r := runIn(t, dir, "verify", "signed", "--pubkey", "pub1.key").ok(t)
	require.Contains(t, r.stdout, "OK: 6,000 lines")
	require.Regexp(t, `Checkpoints: verified: the journal matches \d+ checkpoints signed by example.com/audit\+[0-9a-f]{8}, the latest of 6,000 lines \(signed `, r.stdout)

	vkey, err := os.ReadFile(filepath.Join(dir, "pub1.key"))
	require.NoError(t, err)
	runIn(t, dir, "verify", "signed", "--pubkey", strings.TrimSpace(string(vkey))).ok(t)

	r = runIn(t, dir, "verify", "signed", "--pubkey", "pub2.key")
	require.Equal(t, 1, r.code, r.stdout)
	require.Contains(t, r.stdout, "Checkpoints: NOT VERIFIED: the checkpoints in signed are not signed by the key example.com/audit+")

	runIn(t, dir, "verify", "signed", "--checkpoint", "x").fails(t, 2, "--checkpoint needs --pubkey")
	runIn(t, dir, "verify", "signed", "--pubkey", "no+such+key").fails(t, 2, "--pubkey")

	// Keep the latest checkpoint elsewhere, then cut the journal's tail
	// and the checkpoints file's last entries, as someone who can write
	// to the folder would.
	signed, err := export.ReadCheckpoints(jdir, mustVerifier(t, strings.TrimSpace(string(vkey))))
	require.NoError(t, err)
	latest := signed[len(signed)-1]
	require.NoError(t, os.WriteFile(filepath.Join(dir, "latest.cp"), latest.Note, 0o600))

	cutLines(t, jdir, 7)
	r = runIn(t, dir, "verify", "signed", "--pubkey", "pub1.key")
	require.Equal(t, 1, r.code, r.stdout)
	require.Contains(t, r.stdout, "OK: 5,993 lines", "the chain alone sees nothing")
	require.Contains(t, r.stdout, "Checkpoints: BROKEN: 1 problem against")
	require.Regexp(t, `audit.jsonl line \d+: lines cut from the end: the signed checkpoint of 6000 lines \(signed [^)]+\) holds 7 more lines than the journal's 5993`, r.stdout)

	keepEntries(t, jdir, 1) // only the first checkpoint is left in the folder
	r = runIn(t, dir, "verify", "signed", "--pubkey", "pub1.key")
	require.Equal(t, 0, r.code, "the folder's own checkpoints no longer show it: %s", r.stdout)
	r = runIn(t, dir, "verify", "signed", "--pubkey", "pub1.key", "--checkpoint", "latest.cp")
	require.Equal(t, 1, r.code, r.stdout)
	require.Contains(t, r.stdout, "lines cut from the end", "the checkpoint kept elsewhere does")
}

// keepEntries cuts the checkpoints file of jdir after its first n
// entries.
func keepEntries(t *testing.T, jdir string, n int) {
	t.Helper()
	path := filepath.Join(jdir, export.CheckpointsName)
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	end := 0
	for range n {
		i := bytes.Index(data[end:], []byte("\n\n"))
		require.GreaterOrEqual(t, i, 0)
		j := bytes.Index(data[end+i+2:], []byte("\n\n"))
		require.GreaterOrEqual(t, j, 0)
		end += i + 2 + j + 2
	}
	require.NoError(t, os.WriteFile(path, data[:end], 0o600))
}

func TestVerifyNamesAFileRemovedByHand(t *testing.T) {
	dir := t.TempDir()
	jdir := signedFolder(t, dir, "signed", 6_000, 1)
	files, err := export.JournalFiles(jdir)
	require.NoError(t, err)
	require.Greater(t, len(files), 2)
	require.NoError(t, os.Remove(files[0].Path))
	r := runIn(t, dir, "verify", "signed", "--pubkey", "pub1.key")
	require.Equal(t, 1, r.code, r.stdout)
	require.Contains(t, r.stdout, filepath.Base(files[0].Path)+": file removed: it held lines 1 to ")
	require.Contains(t, r.stdout, "no signed checkpoint records its removal by retention")
}

func TestReportNamesTheCheckpoint(t *testing.T) {
	dir := t.TempDir()
	signedFolder(t, dir, "signed", 1_000, 1)
	month := time.Now().UTC().Format("2006-01") // the events' month
	r := runIn(t, dir, "report", "signed", "--pubkey", "pub1.key", "--month", month, "--html", "-").ok(t)
	prov := r.stdout[strings.Index(r.stdout, `<section id="provenance">`):]
	require.Regexp(t, `signed: verified: the journal matches \d+ checkpoints? signed by example.com/audit&#43;[0-9a-f]{8}, the latest of 1,000 lines`, prov)
	require.Contains(t, prov, `<td id="checkpoint">`, "not marked bad")

	cutLines(t, filepath.Join(dir, "signed"), 1)
	r = runIn(t, dir, "report", "signed", "--pubkey", "pub1.key", "--month", month, "--html", "-").ok(t)
	require.Regexp(t, `<td id="checkpoint" class="bad">signed: BROKEN: 1 problem against`, r.stdout)
	require.NotContains(t, prov, "no signed checkpoint")
}
