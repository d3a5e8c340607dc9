package file

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/logger"
	"github.com/auditlog/auditlog/store"
	"github.com/auditlog/auditlog/store/storetest"
)

func TestOpenBadInput(t *testing.T) {
	dir := t.TempDir()
	notDir := filepath.Join(dir, "file.txt")
	require.NoError(t, os.WriteFile(notDir, []byte("x"), 0o600))
	_, err := Open(notDir, Options{})
	require.ErrorContains(t, err, "is not a folder")
	_, err = Open(filepath.Join(notDir, "below"), Options{})
	require.Error(t, err, "a folder below a file")

	for _, key := range []string{"date", "description", "timestamp", "seq", "entry_ids", "Resource_Name", "bogus", "../x"} {
		_, err := Open(filepath.Join(dir, "k"), Options{PartitionBy: key})
		require.ErrorContains(t, err, "is not one of", key)
	}
	_, err = Open(filepath.Join(dir, "neg"), Options{SegmentBytes: -1})
	require.Error(t, err)
}

func TestOpenCreatesPrivateFolders(t *testing.T) {
	root := filepath.Join(t.TempDir(), "a", "b")
	s := openT(t, root, Options{PartitionBy: "user_id"})
	require.NoError(t, s.Write(context.Background(), storetest.Events(1, 20)))
	err := filepath.Walk(root, func(path string, fi os.FileInfo, err error) error {
		require.NoError(t, err)
		if fi.IsDir() {
			require.Equal(t, os.FileMode(0o700), fi.Mode().Perm()&0o077|0o700, path)
		} else {
			require.Zero(t, fi.Mode().Perm()&0o077, "%s is %v", path, fi.Mode())
		}
		return nil
	})
	require.NoError(t, err)
	fi, err := os.Stat(root)
	require.NoError(t, err)
	require.Zero(t, fi.Mode().Perm()&0o077)
}

// TestLayoutMismatch: a folder keeps the layout it was written with.
func TestLayoutMismatch(t *testing.T) {
	evs := storetest.Events(1, 20)
	byDate := t.TempDir()
	s := openT(t, byDate, Options{})
	require.NoError(t, s.Write(context.Background(), evs))
	_, err := Open(byDate, Options{PartitionBy: "resource_name"})
	require.ErrorContains(t, err, "laid out as date=YYYY-MM-DD/")

	byName := t.TempDir()
	s = openT(t, byName, Options{PartitionBy: "resource_name"})
	require.NoError(t, s.Write(context.Background(), evs))
	_, err = Open(byName, Options{})
	require.ErrorContains(t, err, "laid out as resource_name=<value>/date=YYYY-MM-DD/")
	_, err = Open(byName, Options{PartitionBy: "user_id"})
	require.ErrorContains(t, err, "PartitionBy resource_name")
	s2, err := Open(byName, Options{PartitionBy: "resource_name"})
	require.NoError(t, err)
	require.NoError(t, s2.Close())
}

// TestWriteRefuses: events that could not be read back are refused,
// whole batch and all, before anything is written.
func TestWriteRefuses(t *testing.T) {
	dir := t.TempDir()
	s := openT(t, dir, Options{PartitionBy: "resource_name"})
	ok := storetest.Events(1, 5)
	for name, bad := range map[string]logger.Event{
		"negative duration": {ID: "x", Time: storetest.Start, Operation: logger.OpStore, Duration: -time.Second},
		"year 1600":         {ID: "x", Time: time.Date(1600, 1, 1, 0, 0, 0, 0, time.UTC), Operation: logger.OpStore},
		"year 2300":         {ID: "x", Time: time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC), Operation: logger.OpStore},
		"no time":           {ID: "x", Operation: logger.OpStore},
	} {
		err := s.Write(context.Background(), append(append([]logger.Event(nil), ok...), bad))
		require.ErrorIs(t, err, logger.ErrInvalidEvent, name)
		require.Empty(t, segmentFiles(t, dir), name)
	}
	// A name just short enough is fine.
	fine := []logger.Event{
		{ID: "long", Time: storetest.Start, Operation: logger.OpStore, ResourceName: strings.Repeat("n", 255-len("resource_name="))},
	}
	require.NoError(t, s.Write(context.Background(), fine))
	requireHolds(t, s, fine)

	// A value too long for a folder name costs nothing to the rest of the
	// batch: its event goes to the folder of long values, and its line
	// keeps the value, which the store reads back.
	long := strings.Repeat("a/", 90)
	batch := append(storetest.Events(2, 20), logger.Event{ID: "too-long", Time: storetest.Start, Operation: logger.OpStore, ResourceName: long})
	require.NoError(t, s.Write(context.Background(), batch))
	require.DirExists(t, filepath.Join(dir, "resource_name="+longValues))
	requireHolds(t, s, append(fine, batch...))
}

func TestOpenURL(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	evs := storetest.Events(1, 30)

	s, err := store.Open("file://./audits")
	require.NoError(t, err)
	require.NoError(t, s.Write(context.Background(), evs))
	require.NoError(t, s.Close())
	require.DirExists(t, filepath.Join(dir, "audits", "date=2026-01-10"))

	s, err = store.Open("file://./byname?partition=resource_name&sync=true&segment_bytes=1000")
	require.NoError(t, err)
	require.NoError(t, s.Write(context.Background(), evs))
	require.Equal(t, Options{PartitionBy: "resource_name", Sync: true, SegmentBytes: 1000}, s.(*Store).opts)
	requireHolds(t, s, evs)
	require.NoError(t, s.Close())
	parts, err := filepath.Glob(filepath.Join(dir, "byname", "resource_name=*", "date=*"))
	require.NoError(t, err)
	require.NotEmpty(t, parts)

	s, err = store.Open("file://" + filepath.Join(dir, "abs") + "?partition=user_id")
	require.NoError(t, err)
	require.Equal(t, filepath.Join(dir, "abs"), s.(*Store).Dir())
	require.NoError(t, s.Close())

	for _, bad := range []string{
		"file://./x?bogus=1",
		"file://./x?partition=nope",
		"file://./x?sync=maybe",
		"file://./x?segment_bytes=lots",
		"file://./x?segment_bytes=-5",
		"file://./x?partition=user_id&partition=run_id",
		"file://./byname", // the layout is the folder's
	} {
		_, err := store.Open(bad)
		require.Error(t, err, bad)
	}
}
