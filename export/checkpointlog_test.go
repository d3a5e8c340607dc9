package export_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/mod/sumdb/note"

	"github.com/auditlog/auditlog/export"
)

// appendCheckpoints writes the checkpoints of the trees of the first
// 1..n lines to the checkpoints file of dir, and returns them signed.
func appendCheckpoints(t *testing.T, dir string, k testKey, n int) [][]byte {
	t.Helper()
	l, torn, err := export.OpenCheckpointLog(dir)
	require.NoError(t, err)
	require.Zero(t, torn)
	defer l.Close()
	tree := export.NewTree()
	var out [][]byte
	for i := range n {
		tree.Append([]byte{byte('a' + i)})
		_, signed := k.sign(t, tree)
		require.NoError(t, l.Append(signed))
		out = append(out, signed)
	}
	require.NoError(t, l.Close())
	require.NoError(t, l.Close(), "twice")
	return out
}

func TestCheckpointLog(t *testing.T) {
	dir := t.TempDir()
	k := newKey(t, "example.com/audit")
	signed := appendCheckpoints(t, dir, k, 3)
	requireMode(t, filepath.Join(dir, export.CheckpointsName), 0o600)

	got, err := export.ReadCheckpoints(dir, k.verify)
	require.NoError(t, err)
	require.Len(t, got, 3)
	for i, c := range got {
		require.Equal(t, signed[i], c.Note)
		require.Equal(t, uint64(i+1), c.Size)
		_, err := note.Open(c.Note, note.VerifierList(k.verify)) // each entry is a note as it is
		require.NoError(t, err)
	}
	file, err := os.ReadFile(filepath.Join(dir, export.CheckpointsName))
	require.NoError(t, err)
	require.Equal(t, string(bytes.Join(signed, []byte("\n")))+"\n", string(file), "notes, each followed by a blank line")

	// Appending again continues the file.
	more := appendCheckpoints(t, dir, k, 1)
	got, err = export.ReadCheckpoints(dir, k.verify)
	require.NoError(t, err)
	require.Len(t, got, 4)
	require.Equal(t, more[0], got[3].Note)

	none, err := export.ReadCheckpoints(t.TempDir(), k.verify)
	require.NoError(t, err, "no file: no checkpoints")
	require.Empty(t, none)
}

func TestCheckpointLogTorn(t *testing.T) {
	k := newKey(t, "example.com/audit")
	_, next := k.sign(t, treeOf("a", "b", "c", "d"))
	entry := append(bytes.Clone(next), '\n')
	for cut := 1; cut < len(entry); cut++ {
		dir := t.TempDir()
		signed := appendCheckpoints(t, dir, k, 2)
		path := filepath.Join(dir, export.CheckpointsName)
		f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
		require.NoError(t, err)
		_, err = f.Write(entry[:cut]) // a crash in the middle of an append
		require.NoError(t, err)
		require.NoError(t, f.Close())

		got, err := export.ReadCheckpoints(dir, k.verify)
		require.ErrorIs(t, err, export.ErrBadCheckpoint, "cut at %d", cut)
		require.Len(t, got, 2, "the entries before it are read")
		if cut < len(entry)-1 {
			require.ErrorContains(t, err, "entry 3 (line 13): torn")
		}

		l, torn, err := export.OpenCheckpointLog(dir)
		require.NoError(t, err)
		require.Equal(t, int64(cut), torn, "the torn entry is cut off")
		require.NoError(t, l.Append(next))
		require.NoError(t, l.Close())
		got, err = export.ReadCheckpoints(dir, k.verify)
		require.NoError(t, err)
		require.Len(t, got, 3)
		require.Equal(t, signed[1], got[1].Note)
		require.Equal(t, next, got[2].Note)
	}
}

func TestReadCheckpointsRefuses(t *testing.T) {
	k := newKey(t, "example.com/audit")
	other := newKey(t, "example.com/audit")
	_, good := k.sign(t, treeOf("a"))
	_, bad := other.sign(t, treeOf("a", "b"))
	root := b64(treeOf("a").Root())
	for _, tc := range []struct {
		name    string
		entries []byte
		want    error
		msg     string
	}{
		{"another key", append(append(bytes.Clone(good), '\n'), append(bad, '\n')...), export.ErrNotSigned, "entry 2, line 7)"},
		{"changed", append(append(bytes.Clone(good), '\n'), append(bytes.Replace(good, []byte("\n1\n"), []byte("\n7\n"), 1), '\n')...), export.ErrNotSigned, "entry 2"},
		{"unsigned", []byte("example.com/audit\n1\n" + root + "\n\nexample.com/audit\n1\n" + root + "\n\n"), export.ErrBadCheckpoint, "torn"},
		{"blank lines", append([]byte("\n\n"), good...), export.ErrBadCheckpoint, "line 1: a blank line"},
		{"garbage", bytes.Repeat([]byte("x"), export.MaxCheckpointBytes+10), export.ErrBadCheckpoint, "longer than"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			require.NoError(t, os.WriteFile(filepath.Join(dir, export.CheckpointsName), tc.entries, 0o600))
			_, err := export.ReadCheckpoints(dir, k.verify)
			require.ErrorIs(t, err, tc.want)
			require.ErrorContains(t, err, tc.msg)
			require.ErrorContains(t, err, filepath.Join(dir, export.CheckpointsName))
		})
	}
}

func TestCheckpointLogFiles(t *testing.T) {
	k := newKey(t, "example.com/audit")
	t.Run("symbolic link", func(t *testing.T) {
		dir := t.TempDir()
		target := filepath.Join(t.TempDir(), "elsewhere")
		require.NoError(t, os.WriteFile(target, nil, 0o600))
		require.NoError(t, os.Symlink(target, filepath.Join(dir, export.CheckpointsName)))
		_, _, err := export.OpenCheckpointLog(dir)
		require.ErrorIs(t, err, export.ErrNotRegular)
		_, err = export.ReadCheckpoints(dir, k.verify)
		require.ErrorIs(t, err, export.ErrNotRegular)
	})
	t.Run("hard link", func(t *testing.T) {
		dir := t.TempDir()
		target := filepath.Join(t.TempDir(), "elsewhere")
		require.NoError(t, os.WriteFile(target, nil, 0o600))
		require.NoError(t, os.Link(target, filepath.Join(dir, export.CheckpointsName)))
		_, _, err := export.OpenCheckpointLog(dir)
		require.ErrorIs(t, err, export.ErrHardLinked)
	})
	t.Run("folder writable by others", func(t *testing.T) {
		dir := t.TempDir()
		require.NoError(t, os.Chmod(dir, 0o777))
		_, _, err := export.OpenCheckpointLog(dir)
		require.ErrorIs(t, err, export.ErrUnsafeDir)
	})
	t.Run("not a checkpoint", func(t *testing.T) {
		l, _, err := export.OpenCheckpointLog(t.TempDir())
		require.NoError(t, err)
		defer l.Close()
		for _, msg := range []string{"", "hello\n", "a\n1\nAAAA\n\nnot a signature\n", "example.com/audit\n1\n" + b64(treeOf("a").Root()) + "\n"} {
			require.ErrorIs(t, l.Append([]byte(msg)), export.ErrBadCheckpoint, "%q", msg)
		}
	})
}

func FuzzReadCheckpoints(f *testing.F) {
	k := newKey(f, "example.com/audit")
	_, a := k.sign(f, treeOf("a"))
	_, b := k.sign(f, treeOf("a", "b"))
	f.Add(append(append(a, '\n'), append(b, '\n')...))
	f.Add(append(a, '\n'))
	f.Add(a)
	f.Add([]byte("\n\n\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		require.NoError(t, os.WriteFile(filepath.Join(dir, export.CheckpointsName), data, 0o600))
		got, err := export.ReadCheckpoints(dir, k.verify)
		for _, c := range got {
			_, oerr := export.OpenCheckpoint(c.Note, k.verify)
			require.NoError(t, oerr)
		}
		l, _, oerr := export.OpenCheckpointLog(dir)
		if oerr != nil {
			return
		}
		require.NoError(t, l.Append(a))
		require.NoError(t, l.Close())
		if err == nil {
			// A file that reads cleanly still does once appended to.
			again, err := export.ReadCheckpoints(dir, k.verify)
			require.NoError(t, err)
			require.Len(t, again, len(got)+1)
		}
	})
}
