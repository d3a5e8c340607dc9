//go:build unix

package file

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/internal/fsafe"
	"github.com/auditlog/auditlog/logger"
	"github.com/auditlog/auditlog/store/storetest"
)

// victim is a file outside the store's folder that a planted link
// points to; unchanged checks that nothing touched it.
type victim struct {
	path string
	data []byte
	mode os.FileMode
}

func newVictim(t *testing.T, data string) victim {
	t.Helper()
	v := victim{path: filepath.Join(t.TempDir(), "victim"), data: []byte(data), mode: 0o644}
	require.NoError(t, os.WriteFile(v.path, v.data, 0o600))
	require.NoError(t, os.Chmod(v.path, v.mode))
	return v
}

func (v victim) unchanged(t *testing.T) {
	t.Helper()
	b, err := os.ReadFile(v.path)
	require.NoError(t, err)
	require.Equal(t, string(v.data), string(b), "the file outside the store was changed")
	fi, err := os.Lstat(v.path)
	require.NoError(t, err)
	require.Equal(t, v.mode, fi.Mode(), "the file outside the store was changed")
}

// requireEmptyDir checks that the folder dir, outside the store, is
// still empty.
func requireEmptyDir(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Empty(t, entries, "the store wrote into %s, outside its folder", dir)
}

// segmentLines is a segment's content holding evs, and one torn line.
func segmentLines(t *testing.T, evs []logger.Event) string {
	t.Helper()
	var out []byte
	for i := range evs {
		line, err := evs[i].MarshalJSON()
		require.NoError(t, err)
		out = append(append(out, line...), '\n')
	}
	return string(out) + `{"event_id":"torn`
}

// oneDay returns n events, one a second from storetest.Start: all on its
// date.
func oneDay(seed uint64, n int) []logger.Event {
	evs := storetest.Events(seed, n)
	for i := range evs {
		evs[i].Time = storetest.Start.Add(time.Duration(i) * time.Second)
	}
	return evs
}

// TestPlantedLockFile: a .auditlog-lock that is not a regular file is
// refused by Open, naming it, and what it points to is left as it was
// (a link to a file used to be emptied, a dangling one created outside).
func TestPlantedLockFile(t *testing.T) {
	for _, tc := range []struct {
		name  string
		plant func(t *testing.T, lock string) (check func(t *testing.T))
	}{
		{"link to a file", func(t *testing.T, lock string) func(*testing.T) {
			v := newVictim(t, "precious\nno newline")
			require.NoError(t, os.Symlink(v.path, lock))
			return v.unchanged
		}},
		{"link to an empty file", func(t *testing.T, lock string) func(*testing.T) {
			v := newVictim(t, "")
			require.NoError(t, os.Symlink(v.path, lock))
			return v.unchanged
		}},
		{"dangling link", func(t *testing.T, lock string) func(*testing.T) {
			outside := t.TempDir()
			require.NoError(t, os.Symlink(filepath.Join(outside, "created"), lock))
			return func(t *testing.T) { requireEmptyDir(t, outside) }
		}},
		{"FIFO", func(t *testing.T, lock string) func(*testing.T) {
			require.NoError(t, syscall.Mkfifo(lock, 0o600))
			return func(*testing.T) {}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			lock := filepath.Join(root, lockName)
			check := tc.plant(t, lock)
			s, err := Open(root, Options{})
			if err == nil {
				err = s.Write(context.Background(), storetest.Events(1, 5))
				_ = s.Close()
			}
			require.ErrorIs(t, err, fsafe.ErrNotRegular)
			require.ErrorContains(t, err, lock)
			check(t)
		})
	}
}

// TestPlantedPartitionLink: a partition folder that is a link is never
// written through (Write refuses it, naming it), read through, or removed
// through.
func TestPlantedPartitionLink(t *testing.T) {
	evs := storetest.Events(3, 40) // over a few days
	for i := range evs {
		evs[i].ResourceName = "x"
	}
	day := "date=" + evs[0].Time.UTC().Format(dateLayout)
	for _, tc := range []struct {
		name string
		key  string
		link string // the planted link, relative to the root
	}{
		{"date folder", "", day},
		{"key folder", "resource_name", "resource_name=x"},
		{"date folder under a key", "resource_name", filepath.Join("resource_name=x", day)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root, outside := t.TempDir(), t.TempDir()
			link := filepath.Join(root, tc.link)
			require.NoError(t, os.MkdirAll(filepath.Dir(link), 0o700))
			require.NoError(t, os.Symlink(outside, link))
			s := openT(t, root, Options{PartitionBy: tc.key})
			err := s.Write(context.Background(), evs)
			require.ErrorIs(t, err, fsafe.ErrUnsafeDir)
			require.ErrorContains(t, err, link)
			requireEmptyDir(t, outside)
		})
	}

	t.Run("reads and DeleteBefore", func(t *testing.T) {
		root := t.TempDir()
		s := openT(t, root, Options{PartitionBy: "resource_name"})
		own := oneDay(4, 10)
		for i := range own {
			own[i].ResourceName = "own"
		}
		require.NoError(t, s.Write(context.Background(), own))
		require.NoError(t, s.Close())

		// Outside: folders laid out as partitions, with a segment each.
		outside := t.TempDir()
		seg := filepath.Join(outside, "date=2026-01-10", "part-20260110T000000.000000000Z-00000000.jsonl")
		require.NoError(t, os.MkdirAll(filepath.Dir(seg), 0o700))
		v := victim{path: seg, data: []byte(segmentLines(t, evs)), mode: 0o600}
		require.NoError(t, os.WriteFile(seg, v.data, 0o600))
		outsideDay := t.TempDir()
		seg2 := filepath.Join(outsideDay, "part-20260110T000000.000000000Z-00000000.jsonl")
		v2 := victim{path: seg2, data: v.data, mode: 0o600}
		require.NoError(t, os.WriteFile(seg2, v2.data, 0o600))
		v3 := newVictim(t, segmentLines(t, evs))

		require.NoError(t, os.Symlink(outside, filepath.Join(root, "resource_name=x")))
		require.NoError(t, os.Symlink(outsideDay, filepath.Join(root, "resource_name=own", "date=2026-01-09")))
		ownDay := filepath.Join(root, "resource_name=own", "date=2026-01-10")
		require.NoError(t, os.Symlink(v3.path, filepath.Join(ownDay, "part-20260101T000000.000000000Z-00000000.jsonl")))
		// A link to a folder inside a partition DeleteBefore removes whole.
		outsideDir := t.TempDir()
		v4 := victim{path: filepath.Join(outsideDir, "keep"), data: []byte("keep"), mode: 0o600}
		require.NoError(t, os.WriteFile(v4.path, v4.data, 0o600))
		require.NoError(t, os.Symlink(outsideDir, filepath.Join(ownDay, "sub")))
		// A crash left the folder to repair: the links are not repaired.
		require.NoError(t, os.WriteFile(filepath.Join(root, lockName), []byte(dirtyNote), 0o600))

		s2 := openT(t, root, Options{PartitionBy: "resource_name"})
		requireHolds(t, s2, own)
		n, err := s2.DeleteBefore(context.Background(), time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC))
		require.NoError(t, err)
		require.Equal(t, len(own), n)
		requireHolds(t, s2, nil)
		v.unchanged(t)
		v2.unchanged(t)
		v3.unchanged(t)
		v4.unchanged(t)
	})
}

// TestPlantedTempFile: the temporary file DeleteBefore writes a
// segment's new content to is created new: a link planted under its
// name is an error naming it, and its target is left as it was.
func TestPlantedTempFile(t *testing.T) {
	root := t.TempDir()
	s := openT(t, root, Options{})
	evs := oneDay(8, 10)
	require.NoError(t, s.Write(context.Background(), evs))
	seg := segmentFiles(t, root)[0]
	tmp := filepath.Join(filepath.Dir(seg), tempPrefix+filepath.Base(seg))
	v := newVictim(t, "precious\n")
	require.NoError(t, os.Symlink(v.path, tmp))
	_, err := s.DeleteBefore(context.Background(), evs[5].Time)
	require.ErrorContains(t, err, seg)
	require.ErrorIs(t, err, fs.ErrExist)
	v.unchanged(t)
	requireHolds(t, s, evs)
}

// TestPlantedSegmentSwap: a segment replaced by a link or a FIFO after
// the query listed it is refused when opened, naming it: its target is
// not read, and a FIFO does not block the query.
func TestPlantedSegmentSwap(t *testing.T) {
	evs := oneDay(5, 10)
	for _, tc := range []struct {
		name  string
		plant func(t *testing.T, path string)
	}{
		{"link", func(t *testing.T, path string) {
			v := newVictim(t, segmentLines(t, storetest.Events(6, 10)))
			require.NoError(t, os.Symlink(v.path, path))
		}},
		{"FIFO", func(t *testing.T, path string) {
			require.NoError(t, syscall.Mkfifo(path, 0o600))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			s := openT(t, root, Options{})
			require.NoError(t, s.Write(context.Background(), evs))
			segs := segmentFiles(t, root)
			require.Len(t, segs, 1)
			openHook = func(path string) {
				openHook = nil
				require.NoError(t, os.Remove(path))
				tc.plant(t, path)
			}
			t.Cleanup(func() { openHook = nil })
			_, err := s.Query(context.Background(), logger.Filter{})
			require.ErrorIs(t, err, fsafe.ErrNotRegular)
			require.ErrorContains(t, err, segs[0])
		})
	}
}

// TestPlantedFIFOSegment: a FIFO named as a segment blocks no read, no
// repair and no DeleteBefore; they pass over it.
func TestPlantedFIFOSegment(t *testing.T) {
	root := t.TempDir()
	s := openT(t, root, Options{})
	evs := oneDay(7, 10)
	require.NoError(t, s.Write(context.Background(), evs))
	require.NoError(t, s.Close())
	day := filepath.Dir(segmentFiles(t, root)[0])
	require.NoError(t, syscall.Mkfifo(filepath.Join(day, "part-20260101T000000.000000000Z-00000000.jsonl"), 0o600))
	require.NoError(t, syscall.Mkfifo(filepath.Join(day, tempPrefix+"part-20260101T000000.000000000Z-00000001.jsonl"), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(root, lockName), []byte(dirtyNote), 0o600))
	s = openT(t, root, Options{})
	requireHolds(t, s, evs)
	n, err := s.DeleteBefore(context.Background(), evs[len(evs)-1].Time)
	require.NoError(t, err)
	require.Equal(t, len(evs)-1, n)
}

// TestOpenRefusesOpenFolder: a root, or a partition, that others may
// write into is refused, naming it, and left as it is.
func TestOpenRefusesOpenFolder(t *testing.T) {
	root := filepath.Join(t.TempDir(), "audits")
	require.NoError(t, os.Mkdir(root, 0o700))
	require.NoError(t, os.Chmod(root, 0o777))
	_, err := Open(root, Options{})
	require.ErrorIs(t, err, fsafe.ErrUnsafeDir)
	require.ErrorContains(t, err, root)
	fi, err := os.Stat(root)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o777), fi.Mode().Perm())

	root = t.TempDir()
	part := filepath.Join(root, "date=2026-01-10")
	require.NoError(t, os.Mkdir(part, 0o700))
	require.NoError(t, os.Chmod(part, 0o777))
	s := openT(t, root, Options{})
	err = s.Write(context.Background(), oneDay(1, 1))
	require.ErrorIs(t, err, fsafe.ErrUnsafeDir)
	require.ErrorContains(t, err, part)
}
