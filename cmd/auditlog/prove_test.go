package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/export"
)

// journalLine returns line i (from 0) of the journal in dir.
func journalLine(t *testing.T, dir string, i int) []byte {
	t.Helper()
	var lines [][]byte
	require.NoError(t, export.ReadJournal(dir, func(l export.Line) error {
		lines = append(lines, bytes.Clone(l.Data))
		return nil
	}))
	require.Less(t, i, len(lines))
	return lines[i]
}

// bundleOf reads a bundle prove wrote.
func bundleOf(t *testing.T, data string) export.Bundle {
	t.Helper()
	b, err := export.UnmarshalBundle([]byte(data))
	require.NoError(t, err, data)
	return b
}

func TestProve(t *testing.T) {
	l := newSignedLog(t, 6)
	older := l.checkpoint(t, l.signer)
	l.log(t, 6, 10)
	newer := l.checkpoint(t, l.signer)
	evs := l.events(t)
	require.Len(t, evs, 10)
	v := mustVerifier(t, l.vkey)

	t.Run("by event ID, to standard output", func(t *testing.T) {
		r := runHere(t, "prove", l.dir, evs[3].ID, "--pubkey", l.vkey).ok(t)
		require.Empty(t, r.stderr)
		b := bundleOf(t, r.stdout)
		require.Equal(t, journalLine(t, l.dir, 3), b.Line)
		require.Equal(t, newer, b.Checkpoint, "the latest checkpoint")
		require.Equal(t, uint64(3), b.Proof.LeafIndex)
		cp, err := b.Verify(v)
		require.NoError(t, err)
		require.Equal(t, uint64(10), cp.Size)
	})
	t.Run("by seq", func(t *testing.T) {
		r := runHere(t, "prove", l.dir, "--seq", strconv.FormatUint(evs[8].Seq, 10), "--pubkey", l.vkey).ok(t)
		b := bundleOf(t, r.stdout)
		require.Equal(t, journalLine(t, l.dir, 8), b.Line)
		_, err := b.Verify(v)
		require.NoError(t, err)
	})
	t.Run("against a checkpoint in a file", func(t *testing.T) {
		cpFile := filepath.Join(t.TempDir(), "older.note")
		require.NoError(t, os.WriteFile(cpFile, older, 0o600))
		r := runHere(t, "prove", l.dir, evs[5].ID, "--checkpoint", cpFile, "--pubkey", l.vkey).ok(t)
		b := bundleOf(t, r.stdout)
		require.Equal(t, older, b.Checkpoint)
		cp, err := b.Verify(v)
		require.NoError(t, err)
		require.Equal(t, uint64(6), cp.Size)

		// Events logged after it are not in its tree.
		runHere(t, "prove", l.dir, evs[6].ID, "--checkpoint", cpFile, "--pubkey", l.vkey).
			fails(t, 1, `no event "`+evs[6].ID+`" among the 6 lines of the checkpoint`, "a later checkpoint")
		runHere(t, "prove", l.dir, "--seq", strconv.FormatUint(evs[9].Seq, 10), "--checkpoint", cpFile, "--pubkey", l.vkey).
			fails(t, 1, "no seq "+strconv.FormatUint(evs[9].Seq, 10)+" among the 6 lines")
	})
	t.Run("a checkpoint that does not verify", func(t *testing.T) {
		forger, _ := newLogKey(t, testOrigin)
		forged := l.sign(t, forger) // the journal's tree, signed by another key of its name
		cpFile := filepath.Join(t.TempDir(), "forged.note")
		require.NoError(t, os.WriteFile(cpFile, forged, 0o600))
		runHere(t, "prove", l.dir, evs[0].ID, "--checkpoint", cpFile, "--pubkey", l.vkey).
			fails(t, 1, "--checkpoint "+cpFile+": not verified", "no signature by the key")
		// In the journal's checkpoints, after the good ones.
		l2 := newSignedLog(t, 2)
		l2.checkpoint(t, l2.signer)
		l2.checkpoint(t, forger)
		runHere(t, "prove", l2.dir, l2.events(t)[0].ID, "--pubkey", l2.vkey).
			fails(t, 1, filepath.Join(l2.dir, "checkpoints")+": the latest entry: not verified", "no signature by the key")

		// Without --pubkey nothing is verified, and a warning says so.
		r := runHere(t, "prove", l.dir, evs[0].ID, "--checkpoint", cpFile).ok(t)
		require.Equal(t, "auditlog: warning: the checkpoint was not verified: give --pubkey KEY to verify it before proving against it\n", r.stderr)
		require.Equal(t, forged, bundleOf(t, r.stdout).Checkpoint)

		require.NoError(t, os.WriteFile(cpFile, []byte("not a note\n"), 0o600))
		runHere(t, "prove", l.dir, evs[0].ID, "--checkpoint", cpFile).fails(t, 1, "--checkpoint "+cpFile, "malformed checkpoint")
	})
	t.Run("no such event", func(t *testing.T) {
		runHere(t, "prove", l.dir, "no-such-id", "--pubkey", l.vkey).fails(t, 1, `no event "no-such-id" among the 10 lines`)
	})
	t.Run("a journal that does not hold the checkpoint", func(t *testing.T) {
		cut := newSignedLog(t, 4)
		cut.checkpoint(t, cut.signer)
		// The last line cut from the end.
		cur := filepath.Join(cut.dir, export.JournalName)
		b, err := os.ReadFile(cur)
		require.NoError(t, err)
		lines := bytes.SplitAfter(b, []byte("\n"))
		require.NoError(t, os.WriteFile(cur, bytes.Join(lines[:3], nil), 0o600))
		first := cut.events(t)[0].ID
		runHere(t, "prove", cut.dir, first, "--pubkey", cut.vkey).
			fails(t, 1, "the journal in "+cut.dir+" does not hold the checkpoint's tree of 4 lines", "has 3 lines")
		// A line changed.
		lines[1] = bytes.Replace(lines[1], []byte(`"DATA"`), []byte(`"ADMIN"`), 1)
		require.NoError(t, os.WriteFile(cur, bytes.Join(lines, nil), 0o600))
		runHere(t, "prove", cut.dir, first, "--pubkey", cut.vkey).
			fails(t, 1, "does not hold the checkpoint's tree", "lines were changed")
	})
	t.Run("no checkpoints", func(t *testing.T) {
		none := newSignedLog(t, 2)
		runHere(t, "prove", none.dir, "x").fails(t, 1, "no checkpoint to prove against", "--checkpoint FILE")
	})
	t.Run("usage", func(t *testing.T) {
		runHere(t, "prove", l.dir).fails(t, 2, "a journal folder and an event ID")
		runHere(t, "prove", l.dir, evs[0].ID, "--seq", "1").fails(t, 2, "one journal folder with --seq")
		runHere(t, "prove", l.dir, "").fails(t, 2, "the event ID is empty")
		runHere(t, "prove", l.dir, "--seq", "-1").fails(t, 2, "--seq")
		runHere(t, "prove", l.dir, evs[0].ID, "--pubkey", "nonsense").fails(t, 2, "invalid --pubkey")
	})
}

func TestProveOut(t *testing.T) {
	l := newSignedLog(t, 3)
	l.checkpoint(t, l.signer)
	ev := l.events(t)[1]
	out := filepath.Join(t.TempDir(), "proof.json")

	r := runHere(t, "prove", l.dir, ev.ID, "--pubkey", l.vkey, "-o", out).ok(t)
	require.Equal(t, "wrote the proof of event "+ev.ID+" (seq "+strconv.FormatUint(ev.Seq, 10)+
		"), audit.jsonl line 2, line 2 of example.com/log's log of 3 lines, to "+out+"\n", r.stdout)
	fi, err := os.Lstat(out)
	require.NoError(t, err)
	require.True(t, fi.Mode().IsRegular())
	require.Zero(t, fi.Mode().Perm()&^0o644, "at most 0644: %v", fi.Mode())
	proof, err := os.ReadFile(out)
	require.NoError(t, err)

	// The round trip: verify-proof reads the file back.
	r = runHere(t, "verify-proof", out, "--pubkey", l.vkey).ok(t)
	require.Equal(t, "OK: event "+ev.ID+" (seq "+strconv.FormatUint(ev.Seq, 10)+
		") is line 2 of example.com/log's log of 3 lines, signed by "+l.vkey[:len(testOrigin)+9]+"\n", r.stdout)

	// An existing file is not overwritten.
	runHere(t, "prove", l.dir, l.events(t)[0].ID, "-o", out).fails(t, 1, "-o "+out+" exists: it is not overwritten")
	got, err := os.ReadFile(out)
	require.NoError(t, err)
	require.Equal(t, proof, got)

	// Nor a link followed, dangling or not.
	target := filepath.Join(t.TempDir(), "target")
	link := filepath.Join(filepath.Dir(out), "link.json")
	require.NoError(t, os.Symlink(target, link))
	runHere(t, "prove", l.dir, ev.ID, "-o", link).fails(t, 1, "exists: it is not overwritten")
	require.NoFileExists(t, target)
}

// TestCreateNew checks createNew alone, where prove's check before the
// journal is read does not come first: a name taken by then is refused
// by O_EXCL, and a link is not followed.
func TestCreateNew(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f")
	require.NoError(t, createNew(p, []byte("one")))
	require.ErrorContains(t, createNew(p, []byte("two")), "exists")
	got, err := os.ReadFile(p)
	require.NoError(t, err)
	require.Equal(t, "one", string(got))

	target := filepath.Join(dir, "target")
	link := filepath.Join(dir, "link")
	require.NoError(t, os.Symlink(target, link))
	require.ErrorContains(t, createNew(link, []byte("x")), "exists")
	require.NoFileExists(t, target)
}

// TestProveRotated proves events of the fixture's journal, rotated and
// gzipped, and checks the bundles with verify-proof: the first line of
// the oldest file, the first of a gzipped file in the middle, and the
// last line.
func TestProveRotated(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "logs")
	copyDir(t, filepath.Join(fix.dir, "audit_logs"), dir)
	signer, vkey := newLogKey(t, testOrigin)
	l := &signedLog{dir: dir, signer: signer, vkey: vkey}
	l.checkpoint(t, signer)
	files, err := export.JournalFiles(dir)
	require.NoError(t, err)
	require.Greater(t, len(files), 2)
	mid := files[len(files)/2]
	require.True(t, strings.HasSuffix(mid.Path, ".gz"), mid.Path)

	// The index of the first line of mid.
	first, i := -1, 0
	require.NoError(t, export.ReadJournal(dir, func(l export.Line) error {
		if l.File == mid.Path && first < 0 {
			first = i
		}
		i++
		return nil
	}))
	require.Positive(t, first)
	n := len(fix.events)
	for _, i := range []int{0, first, n - 1} {
		ev := fix.events[i]
		out := filepath.Join(t.TempDir(), "proof.json")
		r := runHere(t, "prove", dir, ev.ID, "--pubkey", vkey, "-o", out).ok(t)
		require.Contains(t, r.stdout, fmt.Sprintf("line %d of example.com/log's log of %d lines", i+1, n))
		r = runHere(t, "verify-proof", out, "--pubkey", vkey).ok(t)
		require.Equal(t, fmt.Sprintf("OK: event %s (seq %d) is line %d of example.com/log's log of %d lines, signed by %s\n",
			ev.ID, ev.Seq, i+1, n, vkey[:len(testOrigin)+9]), r.stdout)
	}
	require.Contains(t, runHere(t, "prove", dir, fix.events[first].ID, "--pubkey", vkey).ok(t).stdout, `"leaf_index": `+strconv.Itoa(first))
}
