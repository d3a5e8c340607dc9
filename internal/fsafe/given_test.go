//go:build unix

package fsafe_test

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/internal/fsafe"
)

// TestOpenGiven: a link the user gave is followed to a regular file; a
// FIFO (even through a link), a device or a folder is refused, named,
// without blocking on the FIFO.
func TestOpenGiven(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "events.jsonl")
	require.NoError(t, os.WriteFile(file, []byte("{}\n"), 0o600))
	link := filepath.Join(dir, "link")
	require.NoError(t, os.Symlink(file, link))
	f, err := fsafe.OpenGiven(link)
	require.NoError(t, err)
	b := make([]byte, 8)
	n, err := f.Read(b)
	require.NoError(t, err)
	require.Equal(t, "{}\n", string(b[:n]))
	require.NoError(t, f.Close())

	fifo := filepath.Join(dir, "fifo")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	fifoLink := filepath.Join(dir, "fifo-link")
	require.NoError(t, os.Symlink(fifo, fifoLink))
	for _, p := range []string{fifo, fifoLink, dir, "/dev/null"} {
		_, err := fsafe.OpenGiven(p)
		require.ErrorIs(t, err, fsafe.ErrNotRegular, p)
		require.ErrorContains(t, err, p)
	}
}
