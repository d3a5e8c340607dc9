//go:build unix

package sqlite_test

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/internal/fsafe"
	"github.com/auditlog/auditlog/store/sqlite"
	"github.com/auditlog/auditlog/store/storetest"
)

// outsideFile writes data to a file in a folder of its own, outside the
// store's, and returns a check that it is byte-for-byte as it was.
func outsideFile(t *testing.T, data []byte) (string, func(*testing.T)) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "victim")
	require.NoError(t, os.WriteFile(path, data, 0o644))
	require.NoError(t, os.Chmod(path, 0o644))
	return path, func(t *testing.T) {
		t.Helper()
		got, err := os.ReadFile(path)
		require.NoError(t, err)
		require.Equal(t, string(data), string(got), "the file outside the store was changed")
		fi, err := os.Lstat(path)
		require.NoError(t, err)
		require.Equal(t, os.FileMode(0o644), fi.Mode(), "the file outside the store was changed")
	}
}

// closedStore returns the bytes of a closed auditlog store holding a few
// events: a database someone could point a link to.
func closedStore(t *testing.T) []byte {
	t.Helper()
	path := filepath.Join(t.TempDir(), "other.db")
	s, err := sqlite.Open(path, sqlite.Options{})
	require.NoError(t, err)
	require.NoError(t, s.Write(context.Background(), storetest.Events(9, 20)))
	require.NoError(t, s.Close())
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return b
}

// TestOpenRefusesPlantedFiles: a link or a FIFO planted as the database
// file or as one SQLite keeps beside it is refused, naming it, and what
// a link points to is left as it was.
func TestOpenRefusesPlantedFiles(t *testing.T) {
	db := closedStore(t)
	for _, tc := range []struct {
		name  string
		plant func(t *testing.T, path string) (planted string, check func(*testing.T))
	}{
		{"database: link to an empty file", func(t *testing.T, path string) (string, func(*testing.T)) {
			victim, check := outsideFile(t, nil)
			require.NoError(t, os.Symlink(victim, path))
			return path, check
		}},
		{"database: link to another store", func(t *testing.T, path string) (string, func(*testing.T)) {
			victim, check := outsideFile(t, db)
			require.NoError(t, os.Symlink(victim, path))
			return path, check
		}},
		{"database: dangling link", func(t *testing.T, path string) (string, func(*testing.T)) {
			outside := t.TempDir()
			require.NoError(t, os.Symlink(filepath.Join(outside, "created.db"), path))
			return path, func(t *testing.T) {
				entries, err := os.ReadDir(outside)
				require.NoError(t, err)
				require.Empty(t, entries, "a file was created outside the store's folder")
			}
		}},
		{"database: FIFO", func(t *testing.T, path string) (string, func(*testing.T)) {
			require.NoError(t, syscall.Mkfifo(path, 0o600))
			return path, func(*testing.T) {}
		}},
		{"-wal: link", func(t *testing.T, path string) (string, func(*testing.T)) {
			require.NoError(t, os.WriteFile(path, db, 0o600))
			victim, check := outsideFile(t, []byte("precious, not a WAL\n"))
			require.NoError(t, os.Symlink(victim, path+"-wal"))
			return path + "-wal", check
		}},
		{"-shm: link", func(t *testing.T, path string) (string, func(*testing.T)) {
			require.NoError(t, os.WriteFile(path, db, 0o600))
			victim, check := outsideFile(t, make([]byte, 32<<10))
			require.NoError(t, os.Symlink(victim, path+"-shm"))
			return path + "-shm", check
		}},
		{"-journal: link", func(t *testing.T, path string) (string, func(*testing.T)) {
			require.NoError(t, os.WriteFile(path, db, 0o600))
			victim, check := outsideFile(t, []byte("precious, not a journal\n"))
			require.NoError(t, os.Symlink(victim, path+"-journal"))
			return path + "-journal", check
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "audit.db")
			planted, check := tc.plant(t, path)
			s, err := sqlite.Open(path, sqlite.Options{})
			if err == nil {
				err = s.Write(context.Background(), storetest.Events(1, 20))
				require.NoError(t, s.Close())
				t.Fatalf("Open accepted the planted %s (Write: %v)", planted, err)
			}
			require.ErrorIs(t, err, fsafe.ErrNotRegular)
			require.ErrorContains(t, err, planted)
			check(t)
		})
	}
}

// TestOpenRefusesOpenFolder: a folder others may write into is refused,
// naming it, and left as it is.
func TestOpenRefusesOpenFolder(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "audits")
	require.NoError(t, os.Mkdir(dir, 0o700))
	require.NoError(t, os.Chmod(dir, 0o777))
	_, err := sqlite.Open(filepath.Join(dir, "audit.db"), sqlite.Options{})
	require.ErrorIs(t, err, fsafe.ErrUnsafeDir)
	require.ErrorContains(t, err, dir)
	require.Equal(t, os.FileMode(0o777), mode(t, dir))
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Empty(t, entries)
}
