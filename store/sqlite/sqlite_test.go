package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/logger"
	"github.com/auditlog/auditlog/store"
	"github.com/auditlog/auditlog/store/sqlite"
	"github.com/auditlog/auditlog/store/storetest"
)

func TestConformance(t *testing.T) {
	open := func(t *testing.T, dir string) (logger.Store, error) {
		return sqlite.Open(filepath.Join(dir, "audit.db"), sqlite.Options{})
	}
	storetest.Run(t, open)
	storetest.RunDedup(t, open)
	storetest.RunHeld(t, open)
	storetest.RunCounted(t, open)
}

func TestConformanceFullSync(t *testing.T) {
	storetest.Run(t, func(t *testing.T, dir string) (logger.Store, error) {
		return sqlite.Open(filepath.Join(dir, "audit.db"), sqlite.Options{Synchronous: sqlite.SyncFull, Readers: 1})
	})
}

func open(t *testing.T) (*sqlite.Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "audit.db")
	s, err := sqlite.Open(path, sqlite.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s, path
}

func mode(t *testing.T, path string) fs.FileMode {
	t.Helper()
	fi, err := os.Stat(path)
	require.NoError(t, err)
	return fi.Mode().Perm()
}

func TestFileModes(t *testing.T) {
	root := t.TempDir()
	path := filepath.Join(root, "a", "b", "audit.db")
	s, err := sqlite.Open(path, sqlite.Options{})
	require.NoError(t, err)
	defer s.Close()
	require.NoError(t, s.Write(context.Background(), storetest.Events(1, 10)))
	require.Equal(t, fs.FileMode(0o700), mode(t, filepath.Join(root, "a")))
	require.Equal(t, fs.FileMode(0o700), mode(t, filepath.Join(root, "a", "b")))
	require.Equal(t, fs.FileMode(0o600), mode(t, path))
	require.Equal(t, fs.FileMode(0o600), mode(t, path+"-wal"), "SQLite gives the WAL the database's mode")
	require.Equal(t, fs.FileMode(0o600), mode(t, path+"-shm"))
}

func TestOpenBadPaths(t *testing.T) {
	dir := t.TempDir()
	_, err := sqlite.Open(dir, sqlite.Options{})
	require.ErrorContains(t, err, "is a directory")

	_, err = sqlite.Open("", sqlite.Options{})
	require.ErrorContains(t, err, "needs a path")

	_, err = store.Open("sqlite://:memory:")
	require.ErrorContains(t, err, "in-memory database")
	_, err = os.Stat(":memory:")
	require.ErrorIs(t, err, os.ErrNotExist, "no file named :memory: is left behind")

	// Under a regular file: nothing can be created there, root or not.
	file := filepath.Join(dir, "file")
	require.NoError(t, os.WriteFile(file, []byte("x"), 0o600))
	_, err = sqlite.Open(filepath.Join(file, "audit.db"), sqlite.Options{})
	require.ErrorContains(t, err, "not a directory")
	_, err = sqlite.Open(filepath.Join(file, "sub", "audit.db"), sqlite.Options{})
	require.ErrorContains(t, err, "not a directory")

	// A folder the process may not write to.
	if runtime.GOOS == "linux" {
		_, err = sqlite.Open("/sys/auditlog-test/audit.db", sqlite.Options{}) // sysfs refuses even root
		require.Error(t, err)
		require.Contains(t, err.Error(), "/sys/auditlog-test")
	}
	if os.Geteuid() != 0 {
		ro := filepath.Join(dir, "ro")
		require.NoError(t, os.Mkdir(ro, 0o500))
		_, err = sqlite.Open(filepath.Join(ro, "audit.db"), sqlite.Options{})
		require.ErrorIs(t, err, fs.ErrPermission)
	}
}

func TestOpenNotADatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.db")
	junk := []byte(strings.Repeat("this is not a database\n", 500))
	require.NoError(t, os.WriteFile(path, junk, 0o600))
	_, err := sqlite.Open(path, sqlite.Options{})
	require.ErrorContains(t, err, "not a SQLite database")
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, junk, got, "the file is left as it was")

	// An empty file is an empty database: fine.
	empty := filepath.Join(t.TempDir(), "empty.db")
	require.NoError(t, os.WriteFile(empty, nil, 0o600))
	s, err := sqlite.Open(empty, sqlite.Options{})
	require.NoError(t, err)
	require.NoError(t, s.Close())
}

func TestOpenForeignDatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "other.db")
	db, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	_, err = db.Exec("CREATE TABLE events (x TEXT)")
	require.NoError(t, err)
	require.NoError(t, db.Close())

	_, err = sqlite.Open(path, sqlite.Options{})
	require.ErrorContains(t, err, "not an auditlog store")

	db, err = sql.Open("sqlite", path)
	require.NoError(t, err)
	defer db.Close()
	var mode string
	require.NoError(t, db.QueryRow("PRAGMA journal_mode").Scan(&mode))
	require.Equal(t, "delete", mode, "the other program's database is left as it was")
}

func TestOpenNewerSchema(t *testing.T) {
	_, path := open(t)
	db, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	_, err = db.Exec("PRAGMA user_version = 99")
	require.NoError(t, err)
	require.NoError(t, db.Close())
	_, err = sqlite.Open(path, sqlite.Options{})
	require.ErrorContains(t, err, "newer version")
}

func TestOpenBadOptions(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.db")
	for _, o := range []sqlite.Options{{Synchronous: "OFF"}, {BusyTimeout: -time.Second}, {Readers: -1}} {
		_, err := sqlite.Open(path, o)
		require.Error(t, err, "%+v", o)
	}
	_, err := os.Stat(path)
	require.ErrorIs(t, err, fs.ErrNotExist, "bad options create nothing")
}

func TestOpenURL(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	s, err := store.Open("sqlite://./audits/audit.db")
	require.NoError(t, err)
	require.NoError(t, s.Write(context.Background(), storetest.Events(1, 3)))
	require.NoError(t, s.Close())
	require.Equal(t, fs.FileMode(0o700), mode(t, filepath.Join(dir, "audits")))
	require.Equal(t, fs.FileMode(0o600), mode(t, filepath.Join(dir, "audits", "audit.db")))

	// Absolute, with every parameter: the same events.
	s, err = store.Open("sqlite://" + filepath.ToSlash(filepath.Join(dir, "audits", "audit.db")) + "?synchronous=full&busy_timeout=2s&readers=2")
	require.NoError(t, err)
	n, err := s.Count(context.Background(), logger.Filter{})
	require.NoError(t, err)
	require.Equal(t, 3, n)
	require.NoError(t, s.Close())

	for url, want := range map[string]string{
		"sqlite://./audits/audit.db?cache=shared":        `unknown parameter "cache"`,
		"sqlite://./audits/audit.db?_pragma=foo":         `unknown parameter "_pragma"`,
		"sqlite://./audits/audit.db?synchronous=off":     `synchronous="off"`,
		"sqlite://./audits/audit.db?busy_timeout=5":      `busy_timeout="5"`,
		"sqlite://./audits/audit.db?readers=0":           `readers="0"`,
		"sqlite://./audits/audit.db?readers=1&readers=2": `"readers" given 2 times`,
		"sqlite://": "names no path",
	} {
		_, err := store.Open(url)
		require.ErrorContains(t, err, want, url)
	}
}

// TestStatusAsSaved: an empty Status reads back empty, and counts as a
// success for a filter.
func TestStatusAsSaved(t *testing.T) {
	s, _ := open(t)
	ctx := context.Background()
	evs := storetest.Events(2, 30)
	for i := range evs {
		if i%3 == 0 {
			evs[i].Status = ""
		}
	}
	require.NoError(t, s.Write(ctx, evs))
	for _, st := range []logger.Status{"", logger.StatusSuccess, logger.StatusFailure, logger.StatusPartial} {
		f := logger.Filter{Status: st, Ascending: true}
		got, err := s.Query(ctx, f)
		require.NoError(t, err)
		require.Equal(t, store.Select(slices.Clone(evs), f), eventsUTC(got), "status %q", st)
	}
}

// eventsUTC returns evs with their times in UTC, as Query returns them,
// for comparison with the model.
func eventsUTC(evs []logger.Event) []logger.Event {
	for i := range evs {
		evs[i].Time = evs[i].Time.UTC()
	}
	return evs
}

// TestManyEntryIDs: a filter on more entry ids than a query lists as
// placeholders goes as one JSON parameter, with the same answers.
func TestManyEntryIDs(t *testing.T) {
	s, _ := open(t)
	ctx := context.Background()
	evs := storetest.Events(3, 200)
	require.NoError(t, s.Write(ctx, evs))
	for _, n := range []int{1, 199, 200, 201, 5000, 33000} { // SQLite allows 32766 placeholders
		ids := make([]string, n)
		for i := range ids {
			ids[i] = fmt.Sprintf("nope-%d'%%", i)
		}
		ids[n/2] = "e3"
		ids[0] = "e5"
		f := logger.Filter{EntryIDs: ids}
		got, err := s.Query(ctx, f)
		require.NoError(t, err, n)
		want := store.Select(slices.Clone(evs), f)
		require.NotEmpty(t, want)
		require.Equal(t, want, eventsUTC(got), "%d entry ids", n)
		c, err := s.Count(ctx, f)
		require.NoError(t, err)
		require.Equal(t, len(want), c)
	}
}

// TestEventRoundTrip: what Write stores comes back the same, the rare
// fields too, whether the body is compressed or not.
func TestEventRoundTrip(t *testing.T) {
	s, _ := open(t)
	ctx := context.Background()
	small := logger.Event{ID: "small", Seq: 1, Time: time.Date(2026, 2, 1, 0, 0, 0, 1, time.UTC), Operation: logger.OpRecall}
	big := logger.Event{
		ID: "big", Seq: math.MaxUint64, Time: time.Date(2026, 2, 1, 0, 0, 0, 2, time.UTC),
		Operation: "APPROVE", Status: logger.StatusPartial, Category: "ADMIN",
		UserID: "u", UserName: "Ünïcode Name", UserEmail: "u@example.com", SessionID: "s",
		IPAddress: "2001:db8::1", UserAgent: "agent/1", ResourceType: "doc", ResourceID: "d1", ResourceName: "Doc",
		EntryIDs:      []string{"e1", "e1", "e2"}, // repeats kept as given
		Changes:       []logger.Change{{Field: "title", Old: "a", New: map[string]any{"k": []any{1.5, nil, true}}}},
		PreviousState: map[string]any{"title": "a"}, NewState: map[string]any{"title": strings.Repeat("long ", 200)},
		Request: &logger.Request{Method: "PUT", Path: "/docs/d1?x=1", StatusCode: 207},
		RunID:   "run", ParentRunID: "parent", Description: "line\nbreak \"quoted\"", Tags: []string{"a", "b"},
		Metadata: map[string]any{"n": 1e300, "s": "\x00\u2028"}, Duration: 1234567891 * time.Nanosecond,
		ErrorMessage: "boom", ErrorStack: strings.Repeat("frame\n", 100),
	}
	require.Equal(t, `{}`, string(sqlite.Body(&small)), "the fields with columns are not in the body")
	body, line := sqlite.Body(&big), must(big.MarshalJSON())
	require.Equal(t, byte(0x78), body[0], "a long body is compressed (zlib)")
	require.Less(t, len(body), len(line)/3)
	require.NoError(t, s.Write(ctx, []logger.Event{small, big}))
	got, err := s.Query(ctx, logger.Filter{Ascending: true})
	require.NoError(t, err)
	require.Equal(t, []logger.Event{small, big}, got)
	got, err = s.Query(ctx, logger.Filter{EntryIDs: []string{"e2"}})
	require.NoError(t, err)
	require.Equal(t, []logger.Event{big}, got)
}

func TestTimeRange(t *testing.T) {
	s, _ := open(t)
	ctx := context.Background()
	lo, hi := time.Unix(0, math.MinInt64).UTC(), time.Unix(0, math.MaxInt64).UTC()
	evs := []logger.Event{
		{ID: "lo", Time: lo, Operation: logger.OpStore},
		{ID: "mid", Time: storetest.Start, Operation: logger.OpStore},
		{ID: "hi", Time: hi, Operation: logger.OpStore},
	}
	require.NoError(t, s.Write(ctx, evs))
	for _, f := range []logger.Filter{
		{Since: lo}, {Until: hi}, {Since: hi}, {Until: lo},
		{Since: hi.Add(time.Second)}, {Until: lo.Add(-time.Second)},
		{Since: time.Date(1, 1, 1, 0, 0, 0, 1, time.UTC)}, {Until: time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)},
	} {
		got, err := s.Query(ctx, f)
		require.NoError(t, err)
		require.Equal(t, ids(store.Select(slices.Clone(evs), f)), ids(got), "%+v", f)
		n, err := s.Count(ctx, f)
		require.NoError(t, err)
		require.Equal(t, len(got), n)
	}
	for _, bad := range []time.Time{{}, lo.Add(-1), hi.Add(1)} {
		err := s.Write(ctx, []logger.Event{evs[1], {ID: "bad", Time: bad, Operation: logger.OpStore}})
		require.ErrorIs(t, err, logger.ErrInvalidEvent, "%v", bad)
	}
	// A negative duration could not be read back: refused too.
	err := s.Write(ctx, []logger.Event{evs[1], {ID: "bad", Time: storetest.Start, Operation: logger.OpStore, Duration: -time.Millisecond}})
	require.ErrorIs(t, err, logger.ErrInvalidEvent)
	n, err := s.Count(ctx, logger.Filter{})
	require.NoError(t, err)
	require.Equal(t, 3, n, "a rejected batch stores nothing")

	n, err = s.DeleteBefore(ctx, lo)
	require.NoError(t, err)
	require.Zero(t, n)
	n, err = s.DeleteBefore(ctx, time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC))
	require.NoError(t, err)
	require.Equal(t, 3, n, "a cut after every time removes everything")
}

func ids(evs []logger.Event) []string {
	out := []string{}
	for _, ev := range evs {
		out = append(out, ev.ID)
	}
	return out
}

// TestCancelMidWrite: a Write whose context ends in the middle of its
// transaction stores nothing and says why.
func TestCancelMidWrite(t *testing.T) {
	s, _ := open(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sqlite.SetWriteHook(func(n int) {
		if n == 10 {
			cancel()
		}
	})
	defer sqlite.SetWriteHook(nil)
	err := s.Write(ctx, storetest.Events(4, 100))
	require.ErrorIs(t, err, context.Canceled)
	sqlite.SetWriteHook(nil)
	n, err := s.Count(context.Background(), logger.Filter{})
	require.NoError(t, err)
	require.Zero(t, n)
}

// TestCloseWhileBusy: Close waits for the calls in progress; every call
// after it fails with ErrClosed.
func TestCloseWhileBusy(t *testing.T) {
	s, _ := open(t)
	ctx := context.Background()
	evs := storetest.Events(5, 2000)
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	started := make(chan struct{}, 3)
	for g := range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				var err error
				switch g {
				case 0:
					err = s.Write(ctx, evs[i%40*50:i%40*50+50])
				case 1:
					_, err = s.Query(ctx, logger.Filter{UserID: "bob", Limit: 20})
				default:
					_, err = s.Count(ctx, logger.Filter{Operation: logger.OpForget})
				}
				if i == 0 {
					started <- struct{}{}
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	for range 3 {
		<-started
	}
	require.NoError(t, s.Close())
	wg.Wait()
	close(errs)
	for err := range errs {
		require.ErrorIs(t, err, sqlite.ErrClosed)
	}
	require.NoError(t, s.Close())
	_, err := s.Query(ctx, logger.Filter{})
	require.True(t, errors.Is(err, sqlite.ErrClosed), "%v", err)
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// Events without an ID, which no logger hands over, cannot be told apart
// from one another: each is stored, however often it comes.
func TestEventsWithoutIDAreAllKept(t *testing.T) {
	s, _ := open(t)
	ctx := context.Background()
	evs := storetest.Events(3, 4)
	for i := range evs {
		evs[i].ID = ""
	}
	require.NoError(t, s.Write(ctx, evs))
	require.NoError(t, s.Write(ctx, evs))
	n, err := s.Count(ctx, logger.Filter{})
	require.NoError(t, err)
	require.Equal(t, 8, n)
}
