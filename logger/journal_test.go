package logger_test

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/export"
	"github.com/auditlog/auditlog/internal/failpoint"
	"github.com/auditlog/auditlog/logger"
)

// journalLine is what the tests read of a journal line.
type journalLine struct {
	ID       string         `json:"event_id"`
	Seq      uint64         `json:"seq"`
	Op       string         `json:"operation"`
	User     string         `json:"user_id"`
	Metadata map[string]any `json:"metadata"`
	Hash     string         `json:"hash"`
}

// readJournal returns every line of the journal in dir, in file order.
func readJournal(t *testing.T, dir string) []journalLine {
	t.Helper()
	var out []journalLine
	err := export.ReadJournal(dir, func(l export.Line) error {
		require.False(t, l.Torn, "torn line %s:%d", l.File, l.Num)
		var jl journalLine
		require.NoError(t, json.Unmarshal(l.Data, &jl), "%s:%d", l.File, l.Num)
		out = append(out, jl)
		return nil
	})
	require.NoError(t, err)
	return out
}

// requireEverySeqOnce checks that lines carry seq from..to, each once, in
// order.
func requireEverySeqOnce(t *testing.T, lines []journalLine, from, to uint64) {
	t.Helper()
	require.Len(t, lines, int(to-from+1))
	for i, l := range lines {
		require.Equal(t, from+uint64(i), l.Seq, "line %d", i)
	}
}

func requireVerifies(t *testing.T, dir string, key []byte) *export.Report {
	t.Helper()
	r, err := export.Verify(dir, key)
	require.NoError(t, err)
	require.True(t, r.OK(), "problems: %v", r.Problems)
	return r
}

// logConcurrently logs n events from each of g goroutines, numbering them
// in Metadata["i"] as goroutine*n+k, and returns how many Log accepted.
func logConcurrently(t *testing.T, l *logger.Logger, g, n int) int64 {
	t.Helper()
	var wg sync.WaitGroup
	var accepted atomic.Int64
	errs := make(chan error, g)
	for gi := range g {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range n {
				err := l.Log(context.Background(), logger.Event{
					Operation: logger.OpStore, UserID: fmt.Sprintf("user_%d", gi),
					EntryIDs: []string{fmt.Sprintf("e%d", k)},
					Metadata: map[string]any{"i": gi*n + k, "pad": strings.Repeat("x", 64)},
				})
				switch {
				case err == nil:
					accepted.Add(1)
				case errors.Is(err, logger.ErrDropped):
				default:
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	return accepted.Load()
}

func TestJournalHoldsEveryEventInOrder(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "audit")
	l, err := logger.New(logger.Options{MaxEvents: 500, QueueSize: 64, Journal: &logger.JournalOptions{Dir: dir}})
	require.NoError(t, err)
	n := logConcurrently(t, l, 4, 2000)
	require.NoError(t, l.Flush(context.Background()))
	inMemory := l.Query(logger.Filter{Ascending: true})
	require.NoError(t, l.Close())
	// Ascending orders by time, which concurrent callers stamp before
	// the writer gives out seq: compare in seq order.
	slices.SortFunc(inMemory, func(a, b logger.Event) int { return cmp.Compare(a.Seq, b.Seq) })

	lines := readJournal(t, dir)
	requireEverySeqOnce(t, lines, 1, uint64(n))
	// The ring is a cache of the journal: its events are the journal's last.
	require.Len(t, inMemory, 500)
	for i, ev := range inMemory {
		jl := lines[len(lines)-500+i]
		require.Equal(t, jl.Seq, ev.Seq)
		require.Equal(t, jl.ID, ev.ID)
		require.Equal(t, jl.User, ev.UserID)
	}
	r := requireVerifies(t, dir, nil)
	require.True(t, r.FromGenesis)
	require.Equal(t, uint64(n), r.LastSeq)
	require.Equal(t, lines[len(lines)-1].Hash, r.LastHash)

	// Files 0600 in a folder 0700.
	for _, p := range []string{dir, filepath.Join(dir, export.JournalName)} {
		fi, err := os.Stat(p)
		require.NoError(t, err)
		want := os.FileMode(0o600)
		if fi.IsDir() {
			want = 0o700
		}
		require.Equal(t, want, fi.Mode().Perm(), p)
	}
}

func TestJournalLineIsEventJSON(t *testing.T) {
	dir := t.TempDir()
	l, err := logger.New(logger.Options{Now: fixedNow, Journal: &logger.JournalOptions{Dir: dir}})
	require.NoError(t, err)
	ev := logger.Event{
		ID: "custom-id-1", Operation: logger.OpUpdate, Status: logger.StatusPartial, Category: "DATA",
		UserID: "u1", UserName: "Ann", SessionID: "s1", ResourceType: "doc", ResourceID: "d1",
		EntryIDs: []string{"e1"}, Changes: []logger.Change{{Field: "title", Old: "a", New: "b"}},
		Request: &logger.Request{Method: "PUT", Path: "/d/1", StatusCode: 200}, RunID: "r1",
		Metadata: map[string]any{"n": 1.5}, Duration: 1500, ErrorMessage: "half",
	}
	require.NoError(t, l.Log(context.Background(), ev))
	require.NoError(t, l.Log(context.Background(), logger.Event{Operation: logger.OpRead}))
	require.NoError(t, l.Close())
	var got []logger.Event
	require.NoError(t, export.ReadJournal(dir, func(line export.Line) error {
		var e logger.Event
		require.NoError(t, json.Unmarshal(line.Data, &e))
		got = append(got, e)
		return nil
	}))
	require.Len(t, got, 2)
	ev.Seq, ev.Time, ev.Source = 1, fixedNow(), logger.DefaultSource()
	require.Equal(t, ev, got[0])
	require.Equal(t, logger.StatusSuccess, got[1].Status)
	require.Len(t, got[1].ID, 36)
}

func TestJournalRotationUnderLoad(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts logger.JournalOptions
	}{
		{"size", logger.JournalOptions{MaxSizeMB: 1, Compress: true}},
		{"time", logger.JournalOptions{RotateEvery: 2e6, Compress: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			jo := tc.opts
			jo.Dir = dir
			l, err := logger.New(logger.Options{MaxEvents: 1000, Journal: &jo})
			require.NoError(t, err)
			var total int64
			for round := 0; ; round++ {
				total += logConcurrently(t, l, 4, 2500)
				require.NoError(t, l.Flush(context.Background()))
				files, err := export.JournalFiles(dir)
				require.NoError(t, err)
				if len(files) >= 4 {
					break
				}
				require.Less(t, round, 200, "the journal did not rotate")
			}
			require.NoError(t, l.Close())
			// Close does not wait for every rotated file to be compressed:
			// the next journal opened on the folder compresses the rest.
			files, err := export.JournalFiles(dir)
			require.NoError(t, err)
			plain := int32(0)
			for _, f := range files[:len(files)-1] {
				if !f.Gzip {
					plain++
				}
			}
			var tidied atomic.Int32
			lastStarted := make(chan struct{})
			disable := failpoint.Enable(export.FailTidy, func() error {
				if tidied.Add(1) == plain {
					close(lastStarted)
				}
				return nil
			})
			defer disable()
			j, _, err := export.OpenJournal(export.JournalOptions{Dir: dir, Compress: true})
			require.NoError(t, err)
			j.StartHousekeeping()
			if plain > 0 {
				<-lastStarted
			}
			require.NoError(t, j.Close()) // waits for the last file in progress
			disable()
			files, err = export.JournalFiles(dir)
			require.NoError(t, err)
			for _, f := range files[:len(files)-1] {
				require.True(t, f.Gzip, "%s not compressed", f.Path)
				fi, err := os.Stat(f.Path)
				require.NoError(t, err)
				require.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
				if tc.opts.MaxSizeMB > 0 {
					require.LessOrEqual(t, fi.Size(), int64(1<<20))
				}
			}
			requireEverySeqOnce(t, readJournal(t, dir), 1, uint64(total))
			requireVerifies(t, dir, nil)
		})
	}
}

// reportTo returns an ErrorHandler that sends each error to reports,
// dropping it when reports is full.
func reportTo(reports chan<- error) func(error) {
	return func(err error) {
		select {
		case reports <- err:
		default:
		}
	}
}

// failWith makes the journal's writes fail with err until the returned
// function is called, and counts the failures.
func failWith(t *testing.T, name string, err error) (calls *atomic.Int64, heal func()) {
	calls = new(atomic.Int64)
	heal = failpoint.Enable(name, func() error {
		calls.Add(1)
		return err
	})
	t.Cleanup(heal)
	return calls, heal
}

func TestJournalDiskFault(t *testing.T) {
	for _, drop := range []bool{false, true} {
		t.Run(fmt.Sprintf("drop=%v", drop), func(t *testing.T) {
			dir := t.TempDir()
			const maxEvents, queue = 200, 32
			reports := make(chan error, 1000)
			l, err := logger.New(logger.Options{
				MaxEvents: maxEvents, QueueSize: queue, DropWhenFull: drop,
				Journal:      &logger.JournalOptions{Dir: dir},
				ErrorHandler: reportTo(reports),
			})
			require.NoError(t, err)
			_, heal := failWith(t, export.FailWrite, syscall.ENOSPC)

			var accepted atomic.Int64
			var wg sync.WaitGroup
			for range 4 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					accepted.Add(logConcurrently(t, l, 1, 1500))
				}()
			}
			// Wait until the writer has failed several times: by then the
			// unwritten events fill the ring and Log feels it.
			for i := 0; i < 4; i++ {
				err := <-reports
				require.ErrorIs(t, err, logger.ErrJournal)
				require.ErrorIs(t, err, syscall.ENOSPC)
			}
			require.ErrorIs(t, l.Sync(), logger.ErrJournal, "Sync must not claim the events are on disk")
			heal()
			wg.Wait()
			require.NoError(t, l.Sync())
			s := l.Statistics()
			require.GreaterOrEqual(t, s.JournalErrors, int64(4))
			require.Zero(t, s.Unwritten)
			if drop {
				require.Equal(t, int64(6000), accepted.Load()+s.Dropped)
			} else {
				require.Equal(t, int64(6000), accepted.Load())
			}
			require.NoError(t, l.Close())
			requireEverySeqOnce(t, readJournal(t, dir), 1, uint64(accepted.Load()))
			requireVerifies(t, dir, nil)
		})
	}
}

// TestJournalFaultBackPressure checks that while the journal fails, Log
// accepts no more than the ring and the queue can hold: no event that is
// not yet written is ever evicted.
func TestJournalFaultBackPressure(t *testing.T) {
	dir := t.TempDir()
	const maxEvents, queue = 100, 16
	reports := make(chan error, 1000)
	l, err := logger.New(logger.Options{
		MaxEvents: maxEvents, QueueSize: queue, DropWhenFull: true,
		Journal:      &logger.JournalOptions{Dir: dir},
		ErrorHandler: reportTo(reports),
	})
	require.NoError(t, err)
	calls, heal := failWith(t, export.FailWrite, syscall.EIO)
	accepted := 0
	for i := 0; i < 5000; i++ {
		err := l.Log(context.Background(), logger.Event{Operation: logger.OpStore, Metadata: map[string]any{"i": i}})
		if err == nil {
			accepted++
		} else {
			require.ErrorIs(t, err, logger.ErrDropped)
		}
		// The ring (maxEvents), the queue and one held item bound what
		// Log accepts while nothing can be written.
		require.LessOrEqual(t, accepted, maxEvents+queue+1)
	}
	<-reports
	require.Positive(t, calls.Load())
	heal()
	require.NoError(t, l.Close())
	lines := readJournal(t, dir)
	requireEverySeqOnce(t, lines, 1, uint64(accepted))
	s := l.Statistics()
	require.Equal(t, int64(5000-accepted), s.Dropped)
	require.Zero(t, s.Failed)
}

func TestJournalShortWritesLeaveWholeLines(t *testing.T) {
	dir := t.TempDir()
	l, err := logger.New(logger.Options{MaxEvents: 100, Journal: &logger.JournalOptions{Dir: dir}})
	require.NoError(t, err)
	var n atomic.Int64
	heal := failpoint.Enable(export.FailWrite, func() error {
		if k := n.Add(1); k <= 20 && k%2 == 1 {
			return &failpoint.ShortWrite{N: int(k) * 37, Err: syscall.ENOSPC}
		}
		return nil
	})
	defer heal()
	total := logConcurrently(t, l, 2, 1000)
	require.NoError(t, l.Close())
	requireEverySeqOnce(t, readJournal(t, dir), 1, uint64(total))
	requireVerifies(t, dir, nil)
}

func TestSyncFailsWhileFsyncFails(t *testing.T) {
	dir := t.TempDir()
	l, err := logger.New(logger.Options{Journal: &logger.JournalOptions{Dir: dir}})
	require.NoError(t, err)
	require.NoError(t, l.Log(context.Background(), logger.Event{Operation: logger.OpStore}))
	_, heal := failWith(t, export.FailSync, syscall.EIO)
	require.ErrorIs(t, l.Sync(), syscall.EIO)
	heal()
	require.NoError(t, l.Log(context.Background(), logger.Event{Operation: logger.OpStore}))
	require.NoError(t, l.Sync())
	require.NoError(t, l.Close())
	require.Len(t, readJournal(t, dir), 2)
}

func TestCloseGivesUpOnABrokenJournal(t *testing.T) {
	dir := t.TempDir()
	l, err := logger.New(logger.Options{Journal: &logger.JournalOptions{Dir: dir}})
	require.NoError(t, err)
	_, _ = failWith(t, export.FailWrite, syscall.EROFS)
	for range 10 {
		require.NoError(t, l.Log(context.Background(), logger.Event{Operation: logger.OpStore}))
	}
	err = l.Close()
	require.ErrorIs(t, err, logger.ErrJournal)
	require.ErrorIs(t, err, syscall.EROFS)
	require.ErrorIs(t, l.Close(), logger.ErrJournal, "a second Close returns the same error")
	s := l.Statistics()
	require.Equal(t, int64(10), s.Failed)
	require.Equal(t, int64(10), s.EventsInMemory, "the events stay readable in memory")
}

func TestRecover(t *testing.T) {
	dir := t.TempDir()
	key := []byte("k3y")
	open := func(recover bool) *logger.Logger {
		l, err := logger.New(logger.Options{MaxEvents: 300, Journal: &logger.JournalOptions{Dir: dir, HashKey: key, Recover: recover, MaxSizeMB: 1}})
		require.NoError(t, err)
		return l
	}
	l := open(false)
	first := logConcurrently(t, l, 3, 400)
	require.NoError(t, l.Log(context.Background(), logger.Event{Operation: logger.OpForget, UserID: "user_0", Status: logger.StatusFailure, Duration: 3e6}))
	first++
	want := l.Query(logger.Filter{Ascending: true})
	before := l.Statistics()
	require.NoError(t, l.Close())

	l = open(true)
	got := l.Query(logger.Filter{Ascending: true})
	require.Equal(t, want, got, "the ring holds the newest MaxEvents events again")
	after := l.Statistics()
	require.Equal(t, before.TotalEvents, after.TotalEvents)
	require.Equal(t, before.ByOperation, after.ByOperation)
	require.Equal(t, before.ByStatus, after.ByStatus)
	require.Equal(t, before.AvgDurationMs, after.AvgDurationMs)
	require.Equal(t, l.UserStatistics("user_0").TotalOperations, int64(401))

	// Seq and the chain go on where they stopped.
	require.NoError(t, l.Log(context.Background(), logger.Event{Operation: logger.OpRecall}))
	last := l.Query(logger.Filter{Limit: 1})
	require.Equal(t, uint64(first+1), last[0].Seq)
	require.NoError(t, l.Close())

	// Without Recover the ring starts empty, but seq and chain still go on.
	l = open(false)
	require.Zero(t, l.Statistics().EventsInMemory)
	require.NoError(t, l.Log(context.Background(), logger.Event{Operation: logger.OpRecall}))
	require.Equal(t, uint64(first+2), l.Query(logger.Filter{Limit: 1})[0].Seq)
	require.NoError(t, l.Close())

	requireEverySeqOnce(t, readJournal(t, dir), 1, uint64(first+2))
	requireVerifies(t, dir, key)
}

func TestRecoverCutsATornLine(t *testing.T) {
	dir := t.TempDir()
	l, err := logger.New(logger.Options{Journal: &logger.JournalOptions{Dir: dir}})
	require.NoError(t, err)
	for range 5 {
		require.NoError(t, l.Log(context.Background(), logger.Event{Operation: logger.OpStore}))
	}
	require.NoError(t, l.Close())
	f, err := os.OpenFile(filepath.Join(dir, export.JournalName), os.O_APPEND|os.O_WRONLY, 0)
	require.NoError(t, err)
	_, err = f.WriteString(`{"event_id":"x","seq":6,"timest`)
	require.NoError(t, err)
	require.NoError(t, f.Close())
	r, err := export.Verify(dir, nil)
	require.NoError(t, err)
	require.True(t, r.OK())
	require.NotNil(t, r.Torn)
	require.Equal(t, 6, r.Torn.Line)

	var reports []error
	l, err = logger.New(logger.Options{Journal: &logger.JournalOptions{Dir: dir, Recover: true},
		ErrorHandler: func(err error) { reports = append(reports, err) }})
	require.NoError(t, err)
	require.Len(t, reports, 1)
	require.Contains(t, reports[0].Error(), "torn")
	require.Equal(t, int64(5), l.Statistics().EventsInMemory)
	require.NoError(t, l.Log(context.Background(), logger.Event{Operation: logger.OpStore}))
	require.NoError(t, l.Close())
	requireEverySeqOnce(t, readJournal(t, dir), 1, 6)
	r = requireVerifies(t, dir, nil)
	require.Nil(t, r.Torn)
}

// A line whose seq is beyond 2⁵⁴ (far past any real count, and where the
// indexes stop taking seqs) is read as a line whose seq cannot be read:
// reported, counted in Failed, and the seq goes on after the other lines;
// 2⁵⁴ itself is continued.
func TestRecoverSkipsAnImpossibleSeq(t *testing.T) {
	for _, tt := range []struct {
		seq uint64
		ok  bool
	}{{1 << 54, true}, {1<<54 + 1, false}, {1 << 62, false}} {
		t.Run(strconv.FormatUint(tt.seq, 10), func(t *testing.T) {
			dir := t.TempDir()
			line := `{"event_id":"x","seq":` + strconv.FormatUint(tt.seq, 10) +
				`,"timestamp":"2026-01-15T10:30:00Z","operation":"STORE","status":"SUCCESS","user_id":"u","entry_ids":["e1"]}` + "\n"
			require.NoError(t, os.WriteFile(filepath.Join(dir, export.JournalName), []byte(line), 0o600))
			var reported []error
			l, err := logger.New(logger.Options{ErrorHandler: func(err error) { reported = append(reported, err) },
				Journal: &logger.JournalOptions{Dir: dir, NoChain: true, Recover: true}})
			require.NoError(t, err)
			require.NoError(t, l.Log(context.Background(), logger.Event{Operation: logger.OpStore, EntryIDs: []string{"e2"}}))
			got := l.Query(logger.Filter{EntryIDs: []string{"e1", "e2"}, Ascending: true})
			if !tt.ok {
				require.Len(t, reported, 1)
				require.ErrorIs(t, reported[0], export.ErrCorrupt)
				require.ErrorContains(t, reported[0], "line 1")
				require.Equal(t, int64(1), l.Statistics().Failed)
				require.Len(t, got, 1)
				require.Equal(t, uint64(1), got[0].Seq)
				require.NoError(t, l.Close())
				return
			}
			require.Empty(t, reported)
			require.Len(t, got, 2, "both events are indexed by entry id")
			require.Equal(t, tt.seq+1, got[1].Seq)
			require.NoError(t, l.Close())
		})
	}
}

// An event recovered from a line without an event_id gets a UUIDv7 of the
// time of recovery, like an event logged then.
func TestRecoverGivesAMissingIDTheCurrentTime(t *testing.T) {
	dir := t.TempDir()
	line := `{"seq":1,"timestamp":"2025-01-01T00:00:00Z","operation":"STORE","status":"SUCCESS"}` + "\n"
	require.NoError(t, os.WriteFile(filepath.Join(dir, export.JournalName), []byte(line), 0o600))
	start := time.Now()
	l, err := logger.New(logger.Options{Journal: &logger.JournalOptions{Dir: dir, NoChain: true, Recover: true}})
	require.NoError(t, err)
	defer l.Close()
	got := l.Query(logger.Filter{})
	require.Len(t, got, 1)
	id, err := uuid.Parse(got[0].ID)
	require.NoError(t, err)
	require.Equal(t, uuid.Version(7), id.Version())
	sec, nsec := id.Time().UnixTime()
	require.GreaterOrEqual(t, sec*1000+nsec/1e6, start.UnixMilli())
}

func TestMaxEventBytesTruncates(t *testing.T) {
	dir := t.TempDir()
	var reported atomic.Int64
	l, err := logger.New(logger.Options{MaxEventBytes: 4096, Journal: &logger.JournalOptions{Dir: dir},
		ErrorHandler: func(error) { reported.Add(1) }})
	require.NoError(t, err)
	big := strings.Repeat("y", 10_000)
	ev := logger.Event{
		Operation: logger.OpStore, UserID: "u1",
		Metadata: map[string]any{"blob": big, "keep": 1},
		NewState: map[string]any{"small": "s"},
		EntryIDs: []string{"e1"},
	}
	require.NoError(t, l.Log(context.Background(), ev))
	require.NoError(t, l.Log(context.Background(), logger.Event{Operation: logger.OpStore, UserID: strings.Repeat("u", 20_000)}))
	got := l.Query(logger.Filter{Ascending: true})
	require.NoError(t, l.Close())
	require.Equal(t, int64(2), reported.Load())

	require.Equal(t, "metadata", got[0].Metadata["auditlog_truncated"])
	require.Equal(t, map[string]any{"small": "s"}, got[0].NewState, "smaller values are kept")
	require.Equal(t, []string{"e1"}, got[0].EntryIDs)
	require.NotContains(t, got[0].Metadata, "blob")
	require.Less(t, len(got[1].UserID), 4096)
	require.NoError(t, export.ReadJournal(dir, func(line export.Line) error {
		require.LessOrEqual(t, len(line.Data)+1, 4096)
		return nil
	}))
	requireVerifies(t, dir, nil)
}

func TestJournalOptionsRejected(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		opts logger.Options
	}{
		{"no dir", logger.Options{Journal: &logger.JournalOptions{}}},
		{"negative size", logger.Options{Journal: &logger.JournalOptions{Dir: dir, MaxSizeMB: -1}}},
		{"negative backups", logger.Options{Journal: &logger.JournalOptions{Dir: dir, MaxBackups: -1}}},
		{"negative age", logger.Options{Journal: &logger.JournalOptions{Dir: dir, MaxAge: -1}}},
		{"negative rotate", logger.Options{Journal: &logger.JournalOptions{Dir: dir, RotateEvery: -1}}},
		{"event above file", logger.Options{MaxEventBytes: 2 << 20, Journal: &logger.JournalOptions{Dir: dir, MaxSizeMB: 1}}},
		{"event as large as a file", logger.Options{MaxEventBytes: 1 << 20, Journal: &logger.JournalOptions{Dir: dir, MaxSizeMB: 1}}},
		{"empty hash key", logger.Options{Journal: &logger.JournalOptions{Dir: dir, HashKey: []byte{}}}},
		{"event cap too small", logger.Options{MaxEventBytes: 100}},
		{"negative event cap", logger.Options{MaxEventBytes: -1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, err := logger.New(tc.opts)
			require.ErrorIs(t, err, logger.ErrInvalidOptions)
			require.Nil(t, l)
		})
	}
	t.Run("unwritable folder", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "file")
		require.NoError(t, os.WriteFile(file, nil, 0o600))
		l, err := logger.New(logger.Options{Journal: &logger.JournalOptions{Dir: filepath.Join(file, "sub")}})
		require.Error(t, err)
		require.Nil(t, l)
	})
}

// TestJournalFolderRemoved removes the journal's folder while the logger
// runs: writes through lumberjack's open file would still succeed, into a
// file no one can read; the journal notices, starts a new file and
// writes the events again there.
func TestJournalFolderRemoved(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "audit")
	var reports atomic.Int64
	l, err := logger.New(logger.Options{Journal: &logger.JournalOptions{Dir: dir}, ErrorHandler: func(error) { reports.Add(1) }})
	require.NoError(t, err)
	for range 10 {
		require.NoError(t, l.Log(context.Background(), logger.Event{Operation: logger.OpStore}))
	}
	require.NoError(t, l.Sync())
	require.NoError(t, os.RemoveAll(dir))
	for range 10 {
		require.NoError(t, l.Log(context.Background(), logger.Event{Operation: logger.OpRecall}))
	}
	require.NoError(t, l.Close())
	require.Positive(t, reports.Load())
	require.Positive(t, l.Statistics().JournalErrors)

	fi, err := os.Stat(dir)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o700), fi.Mode().Perm())
	requireEverySeqOnce(t, readJournal(t, dir), 11, 20)
	r := requireVerifies(t, dir, nil)
	require.False(t, r.FromGenesis, "the chain goes on from the removed lines")
}

// TestJournalFileRemovedWhileReopening removes the journal file (or its
// folder) right after a short write made the journal close lumberjack's
// file: lumberjack creates a new file on the next write, and the journal
// takes it as its own, so no line is written twice and the folder stays
// 0700.
func TestJournalFileRemovedWhileReopening(t *testing.T) {
	for _, folder := range []bool{false, true} {
		t.Run(fmt.Sprintf("folder=%v", folder), func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "audit")
			l, err := logger.New(logger.Options{Journal: &logger.JournalOptions{Dir: dir}})
			require.NoError(t, err)
			var calls atomic.Int64
			heal := failpoint.Enable(export.FailWrite, func() error {
				switch calls.Add(1) {
				case 1:
					return &failpoint.ShortWrite{N: 10, Err: syscall.ENOSPC}
				case 2: // between the journal's check and lumberjack's open
					if folder {
						_ = os.RemoveAll(dir)
					} else {
						_ = os.Remove(filepath.Join(dir, export.JournalName))
					}
				}
				return nil
			})
			defer heal()
			for range 3 {
				require.NoError(t, l.Log(context.Background(), logger.Event{Operation: logger.OpStore}))
			}
			require.NoError(t, l.Flush(context.Background()))
			heal()
			require.NoError(t, l.Close())
			requireEverySeqOnce(t, readJournal(t, dir), 1, 3)
			fi, err := os.Stat(dir)
			require.NoError(t, err)
			require.Equal(t, os.FileMode(0o700), fi.Mode().Perm())
			l, err = logger.New(logger.Options{Journal: &logger.JournalOptions{Dir: dir, Recover: true}})
			require.NoError(t, err)
			require.NoError(t, l.Close())
		})
	}
}

// TestReadsAnswerDuringJournalOutage: while the journal fails and the
// writer has stopped taking events, Statistics still answers, so a health
// check can see the outage.
func TestReadsAnswerDuringJournalOutage(t *testing.T) {
	dir := t.TempDir()
	reports := make(chan error, 100)
	l, err := logger.New(logger.Options{MaxEvents: 10, QueueSize: 8, DropWhenFull: true,
		Journal:      &logger.JournalOptions{Dir: dir},
		ErrorHandler: reportTo(reports)})
	require.NoError(t, err)
	_, heal := failWith(t, export.FailWrite, syscall.EIO)
	for i := 0; i < 50; i++ {
		_ = l.Log(context.Background(), logger.Event{Operation: logger.OpStore})
	}
	<-reports
	s := l.Statistics() // must not wait for the queue
	require.Positive(t, s.JournalErrors)
	require.Positive(t, s.Unwritten)
	require.LessOrEqual(t, s.Unwritten, int64(10))
	_ = l.Query(logger.Filter{})
	heal()
	require.NoError(t, l.Close())
	require.Zero(t, l.Statistics().Unwritten)
}

// TestCloseWakesLogBlockedOnFailingJournal: a Log waiting for room while
// the journal fails does not keep Close from giving up.
func TestCloseWakesLogBlockedOnFailingJournal(t *testing.T) {
	dir := t.TempDir()
	reports := make(chan error, 100)
	l, err := logger.New(logger.Options{MaxEvents: 10, QueueSize: 2,
		Journal:      &logger.JournalOptions{Dir: dir},
		ErrorHandler: reportTo(reports)})
	require.NoError(t, err)
	_, _ = failWith(t, export.FailWrite, syscall.EIO)
	results := make(chan error, 50)
	go func() {
		for i := 0; i < 50; i++ {
			results <- l.Log(context.Background(), logger.Event{Operation: logger.OpStore})
		}
		close(results)
	}()
	// 10 events fill the ring unwritten and 2 the queue; wait for them
	// and for a failure report: the next Log then blocks.
	for i := 0; i < 12; i++ {
		require.NoError(t, <-results)
	}
	<-reports
	err = l.Close()
	require.ErrorIs(t, err, logger.ErrJournal)
	// The Log waiting when Close began either is refused or, when the
	// draining writer makes room first, gets in with the rest; every
	// later one is refused.
	accepted, refused := 12, 0
	for err := range results {
		if err == nil && refused == 0 && accepted == 12 {
			accepted++
			continue
		}
		require.ErrorIs(t, err, logger.ErrClosed)
		refused++
	}
	require.Equal(t, 50, accepted+refused)
	s := l.Statistics()
	require.Equal(t, int64(accepted), s.Failed, "every accepted event is counted as failed")
	require.Equal(t, int64(refused), s.Rejected)
}

func TestNoRotationCountsRecoveredEvents(t *testing.T) {
	dir := t.TempDir()
	open := func() *logger.Logger {
		l, err := logger.New(logger.Options{MaxEvents: 10, NoRotation: true,
			Journal: &logger.JournalOptions{Dir: dir, Recover: true}})
		require.NoError(t, err)
		return l
	}
	l := open()
	for range 10 {
		require.NoError(t, l.Log(context.Background(), logger.Event{Operation: logger.OpStore}))
	}
	require.NoError(t, l.Close())
	l = open()
	require.ErrorIs(t, l.Log(context.Background(), logger.Event{Operation: logger.OpStore}), logger.ErrFull)
	require.Zero(t, l.Statistics().Evicted)
	require.NoError(t, l.Close())
}

// TestSyncIntervalNegativeFsyncsEveryBatch: with a negative SyncInterval
// the writer fsyncs after each batch it writes, without a Sync call; with
// the default it does not fsync within a short run.
func TestSyncIntervalNegativeFsyncsEveryBatch(t *testing.T) {
	for _, tc := range []struct {
		interval time.Duration
		fsyncs   bool
	}{{-1, true}, {time.Hour, false}} {
		t.Run(tc.interval.String(), func(t *testing.T) {
			var fsyncs atomic.Int64
			defer failpoint.Enable(export.FailSync, func() error { fsyncs.Add(1); return nil })()
			l, err := logger.New(logger.Options{Journal: &logger.JournalOptions{Dir: t.TempDir(), SyncInterval: tc.interval}})
			require.NoError(t, err)
			require.NoError(t, l.Log(context.Background(), logger.Event{Operation: logger.OpStore}))
			require.NoError(t, l.Flush(context.Background()))
			require.Equal(t, tc.fsyncs, fsyncs.Load() > 0)
			require.NoError(t, l.Close())
			require.Positive(t, fsyncs.Load(), "Close fsyncs")
		})
	}
}
