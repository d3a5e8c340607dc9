//go:build unix

package fsafe_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/internal/fsafe"
)

func TestSingleLink(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f")
	require.NoError(t, os.WriteFile(path, nil, 0o600))
	f, err := fsafe.Open(path)
	require.NoError(t, err)
	defer f.Close()
	assert.NoError(t, fsafe.SingleLink(f))

	require.NoError(t, os.Link(path, filepath.Join(dir, "other")))
	err = fsafe.SingleLink(f)
	assert.ErrorIs(t, err, fsafe.ErrHardLinked)
	assert.Contains(t, err.Error(), path)
}
