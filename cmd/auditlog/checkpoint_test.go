package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/mod/sumdb/note"

	"github.com/auditlog/auditlog/export"
)

func TestCheckpoint(t *testing.T) {
	l := newSignedLog(t, 5)
	l.checkpoint(t, l.signer)
	l.log(t, 5, 8)
	signed := l.checkpoint(t, l.signer, "retained-from 0")
	tree, err := export.RestoreTree(l.dir)
	require.NoError(t, err)
	root := base64.StdEncoding.EncodeToString(tree.Root())
	path := filepath.Join(l.dir, export.CheckpointsName)
	keyName := l.vkey[:len(testOrigin)+9]

	t.Run("table", func(t *testing.T) {
		r := runHere(t, "checkpoint", l.dir, "--pubkey", l.vkey, "--format", "table").ok(t)
		require.Equal(t, fmt.Sprintf(`Origin     example.com/log
Size       8 lines
Root hash  %s
Signed by  %s (verified)
Entry      2 of 2 in %s
Extension  retained-from 0
`, root, keyName, path), r.stdout)
	})
	t.Run("json", func(t *testing.T) {
		r := runHere(t, "checkpoint", l.dir, "--pubkey", l.vkey).ok(t)
		var got checkpointReport
		require.NoError(t, json.Unmarshal([]byte(r.stdout), &got))
		require.Equal(t, checkpointReport{
			Origin: testOrigin, Size: 8, RootHash: root, Extensions: []string{"retained-from 0"},
			Key: keyName, File: path, Entry: 2, Note: string(signed),
		}, got)
	})
	t.Run("note", func(t *testing.T) {
		r := runHere(t, "checkpoint", l.dir, "--pubkey", l.vkey, "--note").ok(t)
		require.Equal(t, string(signed), r.stdout, "the note as stored")
		cp, err := export.OpenCheckpoint([]byte(r.stdout), mustVerifier(t, l.vkey))
		require.NoError(t, err)
		require.Equal(t, uint64(8), cp.Size)
	})
	t.Run("the key in a file", func(t *testing.T) {
		key := filepath.Join(t.TempDir(), "log.pub")
		require.NoError(t, os.WriteFile(key, []byte(l.vkey+"\n"), 0o600))
		r := runHere(t, "checkpoint", l.dir, "--pubkey", key, "--format", "table").ok(t)
		require.Contains(t, r.stdout, "Size       8 lines\n")
	})
	t.Run("another key", func(t *testing.T) {
		_, other := newLogKey(t, testOrigin)
		runHere(t, "checkpoint", l.dir, "--pubkey", other).fails(t, 1, "not verified", "no signature by the key "+other[:len(testOrigin)+9], path+": entry 1, line 1")
		_, otherLog := newLogKey(t, "other.example/log")
		runHere(t, "checkpoint", l.dir, "--pubkey", otherLog).fails(t, 1, "not verified", "entry 1")
	})
	t.Run("an entry that does not verify", func(t *testing.T) {
		// A third checkpoint, signed by another key of the log's name:
		// what someone who rewrote the journal and re-signed it would
		// append.
		forger, _ := newLogKey(t, testOrigin)
		l2 := newSignedLog(t, 3)
		l2.signer, l2.vkey = l.signer, l.vkey
		l2.checkpoint(t, l2.signer)
		l2.checkpoint(t, forger)
		runHere(t, "checkpoint", l2.dir, "--pubkey", l2.vkey).fails(t, 1, "not verified", "entry 2, line 7")
	})
	t.Run("no checkpoints", func(t *testing.T) {
		empty := newSignedLog(t, 1)
		runHere(t, "checkpoint", empty.dir, "--pubkey", empty.vkey).fails(t, 1, "no checkpoint", filepath.Join(empty.dir, "checkpoints")+" does not exist")
		require.NoError(t, os.WriteFile(filepath.Join(empty.dir, export.CheckpointsName), nil, 0o600))
		runHere(t, "checkpoint", empty.dir, "--pubkey", empty.vkey).fails(t, 1, "no checkpoint", "checkpoints is empty")
	})
	t.Run("usage", func(t *testing.T) {
		runHere(t, "checkpoint", l.dir).fails(t, 2, "needs --pubkey")
		runHere(t, "checkpoint", l.dir, "--pubkey", l.vkey, "--note", "--format", "json").fails(t, 2, "--note")
		runHere(t, "checkpoint", l.dir, "--pubkey", l.vkey, "--format", "csv").fails(t, 2, "--format")
		runHere(t, "checkpoint", filepath.Join(l.dir, "nope"), "--pubkey", l.vkey).fails(t, 1, "no such folder")
	})
}

// mustVerifier returns the verifier of the key's text form.
func mustVerifier(t *testing.T, vkey string) note.Verifier {
	t.Helper()
	v, err := note.NewVerifier(vkey)
	require.NoError(t, err)
	return v
}
