package fsafe_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/internal/fsafe"
)

func TestRemoveSame(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f")
	require.NoError(t, os.WriteFile(path, []byte("mine"), 0o600))
	mine, err := os.Stat(path)
	require.NoError(t, err)

	// Replaced by another file, then by a link: both left alone. (The
	// file is moved aside, not removed, so that its inode number is not
	// given to the new one.)
	require.NoError(t, os.Rename(path, path+".old"))
	require.NoError(t, os.WriteFile(path, []byte("theirs"), 0o600))
	err = fsafe.RemoveSame(path, mine)
	assert.ErrorIs(t, err, fsafe.ErrReplaced)
	assert.Contains(t, err.Error(), path)
	assert.FileExists(t, path)
	require.NoError(t, os.Remove(path))
	require.NoError(t, os.Symlink(filepath.Join(dir, "elsewhere"), path))
	assert.ErrorIs(t, fsafe.RemoveSame(path, mine), fsafe.ErrReplaced)
	_, err = os.Lstat(path)
	assert.NoError(t, err)

	require.NoError(t, os.Remove(path))
	assert.NoError(t, fsafe.RemoveSame(path, mine), "gone already")
	require.NoError(t, os.Remove(path+".old"))
	require.NoError(t, os.WriteFile(path, []byte("mine"), 0o600))
	mine, err = os.Stat(path)
	require.NoError(t, err)
	assert.NoError(t, fsafe.RemoveSame(path, mine))
	assert.NoFileExists(t, path)
}
