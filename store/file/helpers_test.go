package file

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/logger"
	"github.com/auditlog/auditlog/store"
)

// openT opens a store in dir and closes it when the test ends.
func openT(t *testing.T, dir string, opts Options) *Store {
	t.Helper()
	s, err := Open(dir, opts)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// segmentFiles returns the segments under dir, sorted.
func segmentFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasPrefix(d.Name(), segmentPrefix) && strings.HasSuffix(d.Name(), segmentExt) {
			out = append(out, path)
		}
		return nil
	})
	require.NoError(t, err)
	return out
}

// appendFile appends data to path.
func appendFile(t *testing.T, path, data string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	require.NoError(t, err)
	_, err = f.WriteString(data)
	require.NoError(t, err)
	require.NoError(t, f.Close())
}

// requireHolds checks that s holds exactly evs, by Query and Count.
func requireHolds(t *testing.T, s logger.Store, evs []logger.Event) {
	t.Helper()
	got, err := s.Query(context.Background(), logger.Filter{Ascending: true})
	require.NoError(t, err)
	want := store.Select(append([]logger.Event(nil), evs...), logger.Filter{Ascending: true})
	require.Equal(t, len(want), len(got))
	for i := range want {
		require.True(t, want[i].Time.Equal(got[i].Time))
		got[i].Time = want[i].Time
	}
	require.Equal(t, want, got)
	n, err := s.Count(context.Background(), logger.Filter{})
	require.NoError(t, err)
	require.Equal(t, len(evs), n)
}

// abandon drops s as a crash would: its files closed (which releases the
// lock), nothing synced, the lock file left marked.
func abandon(s *Store) {
	s.life.Lock()
	defer s.life.Unlock()
	s.closed = true
	for _, seg := range s.segs {
		if seg.f != nil {
			_ = seg.f.Close()
		}
	}
	if s.lock != nil {
		_ = s.lock.Close()
	}
}
