//go:build unix

package fsafe_test

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/internal/fsafe"
)

func TestOpenFileRefusesSymlink(t *testing.T) {
	dir := t.TempDir()
	victim := filepath.Join(t.TempDir(), "victim")
	require.NoError(t, os.WriteFile(victim, []byte("keep me"), 0o644))
	link := filepath.Join(dir, "audit.jsonl")
	require.NoError(t, os.Symlink(victim, link))

	for _, flag := range []int{os.O_RDONLY, os.O_RDWR, os.O_WRONLY | os.O_APPEND, os.O_CREATE | os.O_RDWR, os.O_CREATE | os.O_TRUNC | os.O_WRONLY} {
		_, err := fsafe.OpenFile(link, flag, 0o600)
		require.Error(t, err, "flag %#x", flag)
		assert.ErrorIs(t, err, fsafe.ErrNotRegular)
		assert.Contains(t, err.Error(), link)
	}
	b, err := os.ReadFile(victim)
	require.NoError(t, err)
	assert.Equal(t, "keep me", string(b))
	fi, err := os.Stat(victim)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o644), fi.Mode().Perm())
}

func TestOpenFileRefusesFIFOWithoutBlocking(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "audit.jsonl")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	// Without O_NONBLOCK, each of these opens would wait for a peer.
	for _, flag := range []int{os.O_RDONLY, os.O_RDWR, os.O_WRONLY | os.O_APPEND, os.O_CREATE | os.O_RDWR} {
		_, err := fsafe.OpenFile(fifo, flag, 0o600)
		require.Error(t, err, "flag %#x", flag)
		assert.Contains(t, err.Error(), fifo)
	}
	_, err := fsafe.OpenFile(fifo, os.O_RDWR, 0)
	assert.ErrorIs(t, err, fsafe.ErrNotRegular)
	assert.Contains(t, err.Error(), "FIFO")
}

func TestOpenFileRegular(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f")
	f, err := fsafe.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	require.NoError(t, err)
	_, err = f.WriteString("line\n")
	require.NoError(t, err)
	require.NoError(t, f.Close())
	f, err = fsafe.Open(path)
	require.NoError(t, err)
	defer f.Close()
	b := make([]byte, 16)
	n, err := f.Read(b) // blocking mode again: a plain read works
	require.NoError(t, err)
	assert.Equal(t, "line\n", string(b[:n]))
	assert.NoError(t, fsafe.Regular(path))
}

func TestRegular(t *testing.T) {
	dir := t.TempDir()
	link := filepath.Join(dir, "l")
	require.NoError(t, os.Symlink(filepath.Join(dir, "nowhere"), link))
	assert.ErrorIs(t, fsafe.Regular(link), fsafe.ErrNotRegular)
	assert.ErrorIs(t, fsafe.Regular(dir), fsafe.ErrNotRegular)
	assert.ErrorIs(t, fsafe.Regular(filepath.Join(dir, "missing")), os.ErrNotExist)
}

func TestDir(t *testing.T) {
	base := t.TempDir()

	created := filepath.Join(base, "a", "b")
	made, err := fsafe.Dir(created)
	require.NoError(t, err)
	assert.True(t, made)
	fi, err := os.Stat(created)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o700), fi.Mode().Perm())

	made, err = fsafe.Dir(created)
	require.NoError(t, err)
	assert.False(t, made)

	for _, mode := range []os.FileMode{0o777, 0o770, 0o702, 0o720} {
		open := filepath.Join(base, "open"+mode.String())
		require.NoError(t, os.Mkdir(open, 0o700))
		require.NoError(t, os.Chmod(open, mode))
		_, err = fsafe.Dir(open)
		require.Error(t, err, "mode %v", mode)
		assert.ErrorIs(t, err, fsafe.ErrUnsafeDir)
		assert.Contains(t, err.Error(), open)
		fi, err := os.Stat(open)
		require.NoError(t, err)
		assert.Equal(t, mode, fi.Mode().Perm(), "refused, not changed")
	}

	shared := filepath.Join(base, "shared")
	require.NoError(t, os.Mkdir(shared, 0o755))
	require.NoError(t, os.Chmod(shared, 0o755))
	_, err = fsafe.Dir(shared)
	assert.NoError(t, err, "readable by others is not a risk of planting")

	file := filepath.Join(base, "file")
	require.NoError(t, os.WriteFile(file, nil, 0o600))
	_, err = fsafe.Dir(file)
	assert.ErrorIs(t, err, fsafe.ErrUnsafeDir)
}

func TestSubDirRefusesSymlink(t *testing.T) {
	root := t.TempDir()
	outside := t.TempDir()
	link := filepath.Join(root, "resource_name=x")
	require.NoError(t, os.Symlink(outside, link))
	_, err := fsafe.SubDir(link)
	require.Error(t, err)
	assert.True(t, errors.Is(err, fsafe.ErrUnsafeDir))
	entries, err := os.ReadDir(outside)
	require.NoError(t, err)
	assert.Empty(t, entries)

	// The application's own choice of folder may be a link.
	appLink := filepath.Join(root, "journal")
	require.NoError(t, os.Symlink(outside, appLink))
	_, err = fsafe.Dir(appLink)
	assert.NoError(t, err)
}

func TestOpenDirRefusesFIFOWithoutBlocking(t *testing.T) {
	dir := t.TempDir()
	d, err := fsafe.OpenDir(dir)
	require.NoError(t, err)
	require.NoError(t, d.Sync())
	require.NoError(t, d.Close())

	fifo := filepath.Join(dir, "journal")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	_, err = fsafe.OpenDir(fifo) // os.Open would wait for a writer
	require.ErrorIs(t, err, syscall.ENOTDIR)
	assert.Contains(t, err.Error(), fifo)
}
