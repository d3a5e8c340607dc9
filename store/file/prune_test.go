package file

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/logger"
	"github.com/auditlog/auditlog/store"
	"github.com/auditlog/auditlog/store/storetest"
)

// watchOpens records the partition folders of the segments reads open
// (relative to root) until the test ends.
func watchOpens(t *testing.T, root string) func() []string {
	var mu sync.Mutex
	seen := map[string]bool{}
	openHook = func(path string) {
		rel, err := filepath.Rel(root, filepath.Dir(path))
		if err != nil {
			panic(err)
		}
		mu.Lock()
		seen[filepath.ToSlash(rel)] = true
		mu.Unlock()
	}
	t.Cleanup(func() { openHook = nil })
	return func() []string {
		mu.Lock()
		defer mu.Unlock()
		var out []string
		for k := range seen {
			out = append(out, k)
		}
		clear(seen)
		slices.Sort(out)
		return out
	}
}

// queryModel runs f on s and on the model, and requires the same events.
func queryModel(t *testing.T, s *Store, evs []logger.Event, f logger.Filter) {
	t.Helper()
	got, err := s.Query(context.Background(), f)
	require.NoError(t, err)
	want := store.Select(append([]logger.Event(nil), evs...), f)
	require.Equal(t, ids(want), ids(got))
	n, err := s.Count(context.Background(), f)
	require.NoError(t, err)
	require.Equal(t, len(want), n)
}

func ids(evs []logger.Event) []string {
	out := make([]string, len(evs))
	for i := range evs {
		out[i] = evs[i].ID
	}
	return out
}

// TestPruneByDate: a query bounded in time opens only the date folders
// that overlap its bounds.
func TestPruneByDate(t *testing.T) {
	dir := t.TempDir()
	evs := storetest.Events(9, 2000) // from 2026-01-10 22:00 to 2026-01-13 03:37
	s := openT(t, dir, Options{})
	require.NoError(t, s.Write(context.Background(), evs))
	opened := watchOpens(t, dir)

	queryModel(t, s, evs, logger.Filter{})
	all := opened()
	require.Equal(t, []string{"date=2026-01-10", "date=2026-01-11", "date=2026-01-12", "date=2026-01-13"}, all)

	day := func(d int) time.Time { return time.Date(2026, 1, d, 0, 0, 0, 0, time.UTC) }
	for _, c := range []struct {
		f    logger.Filter
		want []string
	}{
		{logger.Filter{Since: day(12), Until: day(13).Add(-1)}, []string{"date=2026-01-12"}},
		{logger.Filter{Since: day(12).Add(-1), Until: day(13)}, []string{"date=2026-01-11", "date=2026-01-12", "date=2026-01-13"}},
		{logger.Filter{Since: day(12).Add(12 * time.Hour)}, []string{"date=2026-01-12", "date=2026-01-13"}},
		{logger.Filter{Until: day(11).Add(time.Hour), UserID: "bob"}, []string{"date=2026-01-10", "date=2026-01-11"}},
		{logger.Filter{Since: day(20)}, nil},
		{logger.Filter{Since: day(13), Until: day(12)}, nil},
	} {
		queryModel(t, s, evs, c.f)
		require.Equal(t, c.want, opened(), "%+v", c.f)
	}
}

// TestPruneByKey: a query that names the PartitionBy field's value opens
// only that value's folder (and, for status SUCCESS, the folder of
// events stored without a status, which SUCCESS matches).
func TestPruneByKey(t *testing.T) {
	evs := storetest.Events(4, 1500)
	t.Run("user_id", func(t *testing.T) {
		dir := t.TempDir()
		s := openT(t, dir, Options{PartitionBy: "user_id"})
		require.NoError(t, s.Write(context.Background(), evs))
		opened := watchOpens(t, dir)
		since := time.Date(2026, 1, 12, 0, 0, 0, 0, time.UTC)
		queryModel(t, s, evs, logger.Filter{UserID: "../../etc", Since: since})
		require.Equal(t, []string{"user_id=..%2F..%2Fetc/date=2026-01-12", "user_id=..%2F..%2Fetc/date=2026-01-13"}, opened())
		queryModel(t, s, evs, logger.Filter{UserID: "100%", Operation: logger.OpStore})
		for _, p := range opened() {
			require.True(t, strings.HasPrefix(p, "user_id=100%25/"), p)
		}
		queryModel(t, s, evs, logger.Filter{UserID: "nobody"})
		require.Empty(t, opened())
		queryModel(t, s, evs, logger.Filter{Operation: logger.OpStore})
		folders := map[string]bool{}
		for _, ev := range evs {
			folders[ev.UserID+ev.Time.Format(dateLayout)] = true
		}
		require.Len(t, opened(), len(folders), "no user: every folder")
	})
	t.Run("status", func(t *testing.T) {
		evs := slices.Clone(evs)
		for i := range evs {
			if i%5 == 0 && evs[i].Status == logger.StatusSuccess {
				evs[i].Status = "" // SUCCESS, stored without a status
			}
		}
		dir := t.TempDir()
		s := openT(t, dir, Options{PartitionBy: "status"})
		require.NoError(t, s.Write(context.Background(), evs))
		opened := watchOpens(t, dir)
		queryModel(t, s, evs, logger.Filter{Status: logger.StatusSuccess, Since: time.Date(2026, 1, 13, 0, 0, 0, 0, time.UTC)})
		require.Equal(t, []string{"status=SUCCESS/date=2026-01-13", "status=__HIVE_DEFAULT_PARTITION__/date=2026-01-13"}, opened())
		queryModel(t, s, evs, logger.Filter{Status: logger.StatusFailure})
		for _, p := range opened() {
			require.True(t, strings.HasPrefix(p, "status=FAILURE/"), p)
		}
	})
	t.Run("resource_name", func(t *testing.T) {
		// The Filter has no resource name: only dates prune.
		dir := t.TempDir()
		s := openT(t, dir, Options{PartitionBy: "resource_name"})
		require.NoError(t, s.Write(context.Background(), evs))
		opened := watchOpens(t, dir)
		queryModel(t, s, evs, logger.Filter{ResourceID: "a/b", Until: time.Date(2026, 1, 10, 23, 0, 0, 0, time.UTC)})
		got := opened()
		require.Len(t, got, 6)
		for _, p := range got {
			require.True(t, strings.HasSuffix(p, "/date=2026-01-10"), p)
		}
	})
}

// On a file system that ignores case, "Alice"'s events land in the folder
// "alice" made first. Seen here by moving them there: the store still
// finds each user's events, and only theirs.
func TestPartitionValuesThatDifferInCaseShareAFolder(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, Options{PartitionBy: "user_id"})
	require.NoError(t, err)
	at := time.Date(2026, 1, 15, 10, 0, 0, 0, time.UTC)
	evs := []logger.Event{
		{ID: "a1", Seq: 1, Time: at, Operation: logger.OpStore, UserID: "alice"},
		{ID: "A1", Seq: 2, Time: at.Add(time.Second), Operation: logger.OpStore, UserID: "Alice"},
	}
	require.NoError(t, s.Write(context.Background(), evs))
	require.NoError(t, s.Close())
	from := filepath.Join(dir, "user_id=Alice", "date=2026-01-15")
	segs, err := filepath.Glob(filepath.Join(from, "part-*"))
	require.NoError(t, err)
	require.Len(t, segs, 1)
	require.NoError(t, os.Rename(segs[0], filepath.Join(dir, "user_id=alice", "date=2026-01-15", "part-from-Alice.jsonl")))
	require.NoError(t, os.RemoveAll(filepath.Join(dir, "user_id=Alice")))

	s, err = Open(dir, Options{PartitionBy: "user_id"})
	require.NoError(t, err)
	defer s.Close()
	queryModel(t, s, evs, logger.Filter{UserID: "Alice"})
	queryModel(t, s, evs, logger.Filter{UserID: "alice"})
	queryModel(t, s, evs, logger.Filter{})
}

// DeleteBefore leaves no empty folder behind: not the cut day's when
// every event of it went, nor a key's folder without dates.
func TestDeleteBeforeRemovesEmptyFolders(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, Options{PartitionBy: "resource_name"})
	require.NoError(t, err)
	defer s.Close()
	day := time.Date(2026, 1, 13, 0, 0, 0, 0, time.UTC)
	evs := []logger.Event{
		{ID: "old", Seq: 1, Time: day.Add(-time.Hour), Operation: logger.OpStore, ResourceName: "gone"},
		{ID: "cut", Seq: 2, Time: day.Add(time.Hour), Operation: logger.OpStore, ResourceName: "pipeline"},
		{ID: "kept", Seq: 3, Time: day.Add(25 * time.Hour), Operation: logger.OpStore, ResourceName: "pipeline"},
	}
	require.NoError(t, s.Write(context.Background(), evs))
	n, err := s.DeleteBefore(context.Background(), day.Add(2*time.Hour)) // within the 13th: all of its events
	require.NoError(t, err)
	require.Equal(t, 2, n)
	var folders []string
	require.NoError(t, filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if d.IsDir() && path != dir {
			rel, _ := filepath.Rel(dir, path)
			folders = append(folders, filepath.ToSlash(rel))
		}
		return err
	}))
	require.Equal(t, []string{"resource_name=pipeline", "resource_name=pipeline/date=2026-01-14"}, folders)
	queryModel(t, s, evs[2:], logger.Filter{})
}
