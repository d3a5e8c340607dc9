package export_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/export"
)

func TestLatestCheckpointNote(t *testing.T) {
	dir := t.TempDir()
	got, err := export.LatestCheckpointNote(dir)
	require.NoError(t, err, "no file: no checkpoint")
	require.Nil(t, got)

	k := newKey(t, "example.com/audit")
	signed := appendCheckpoints(t, dir, k, 3)
	got, err = export.LatestCheckpointNote(dir)
	require.NoError(t, err)
	require.Equal(t, signed[2], got, "the last entry, as stored")
	cp, err := export.OpenCheckpoint(got, k.verify)
	require.NoError(t, err)
	require.Equal(t, uint64(3), cp.Size)

	// Read without a key: an entry signed by another key is returned as
	// it is, for OpenCheckpoint to refuse.
	other := newKey(t, "example.com/audit")
	more := appendCheckpoints(t, dir, other, 1)
	got, err = export.LatestCheckpointNote(dir)
	require.NoError(t, err)
	require.Equal(t, more[0], got)
	_, err = export.OpenCheckpoint(got, k.verify)
	require.ErrorIs(t, err, export.ErrNotSigned)

	// A file that ends inside an entry is named, not taken for its
	// last whole entry.
	path := filepath.Join(dir, export.CheckpointsName)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	require.NoError(t, err)
	_, err = f.Write(signed[0][:20])
	require.NoError(t, err)
	require.NoError(t, f.Close())
	_, err = export.LatestCheckpointNote(dir)
	require.ErrorIs(t, err, export.ErrBadCheckpoint)
	require.ErrorContains(t, err, path)
	require.ErrorContains(t, err, "entry 5")

	// A link in its place is not followed.
	require.NoError(t, os.Remove(path))
	require.NoError(t, os.Symlink(filepath.Join(t.TempDir(), "x"), path))
	_, err = export.LatestCheckpointNote(dir)
	require.ErrorIs(t, err, export.ErrNotRegular)
}
