package logger_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/logger"
)

// importEvents returns n events with IDs of both kinds the logger keeps:
// canonical UUIDs (kept as such) and other strings (kept encoded), and,
// for each, an upper-case UUID that differs from its lower-case form.
func importEvents(n int) []logger.Event {
	base := time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)
	evs := make([]logger.Event, n)
	for i := range evs {
		var id string
		switch i % 3 {
		case 0:
			id = fmt.Sprintf("0190c3b4-5d6e-7f80-9a1b-%012x", i)
		case 1:
			id = fmt.Sprintf("evt_%d", i)
		default:
			id = fmt.Sprintf("0190C3B4-5D6E-7F80-9A1B-%012X", i)
		}
		evs[i] = logger.Event{ID: id, Time: base.Add(time.Duration(i) * time.Second), Operation: logger.OpStore,
			UserID: "u" + fmt.Sprint(i%5), Description: "event " + fmt.Sprint(i)}
	}
	return evs
}

// exported writes evs to a new JSON Lines file and returns its path.
func exported(t *testing.T, evs []logger.Event) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "events.jsonl")
	require.NoError(t, logger.ExportEvents(evs, path))
	return path
}

// requireOnce checks that l holds each event of want once, by ID, with
// want's description, and nothing else.
func requireOnce(t *testing.T, l *logger.Logger, want []logger.Event) {
	t.Helper()
	got := l.Query(logger.Filter{})
	require.Len(t, got, len(want))
	byID := map[string]logger.Event{}
	for _, ev := range got {
		_, dup := byID[ev.ID]
		require.False(t, dup, "event %s held twice", ev.ID)
		byID[ev.ID] = ev
	}
	for _, ev := range want {
		g, ok := byID[ev.ID]
		require.True(t, ok, "event %s missing", ev.ID)
		require.Equal(t, ev.Description, g.Description, ev.ID)
	}
}

func TestImportTwice(t *testing.T) {
	evs := importEvents(30)
	path := exported(t, evs)
	l := newLogger(t, logger.Options{})
	ctx := context.Background()
	res, err := l.Import(ctx, path)
	require.NoError(t, err)
	require.Equal(t, logger.ImportResult{New: 30}, res)
	res, err = l.Import(ctx, path)
	require.NoError(t, err)
	require.Equal(t, logger.ImportResult{Existing: 30}, res)
	requireOnce(t, l, evs)
	require.Equal(t, int64(30), l.Statistics().TotalEvents)

	// The export of what the logger holds, imported back, adds nothing.
	back := filepath.Join(t.TempDir(), "back.json.gz")
	_, err = l.ExportToFile(back)
	require.NoError(t, err)
	res, err = l.Import(ctx, back)
	require.NoError(t, err)
	require.Equal(t, logger.ImportResult{Existing: 30}, res)
	requireOnce(t, l, evs)
}

func TestImportOverlap(t *testing.T) {
	evs := importEvents(40)
	l := newLogger(t, logger.Options{})
	ctx := context.Background()
	// Some of the events were logged, not imported.
	require.NoError(t, l.LogBatch(ctx, evs[:5]))
	res, err := l.Import(ctx, exported(t, evs[:20]))
	require.NoError(t, err)
	require.Equal(t, logger.ImportResult{New: 15, Existing: 5}, res)
	// A later export that overlaps the first, in another order.
	later := append([]logger.Event(nil), evs[30:]...)
	later = append(later, evs[10:30]...)
	res, err = l.Import(ctx, exported(t, later))
	require.NoError(t, err)
	require.Equal(t, logger.ImportResult{New: 20, Existing: 10}, res)
	requireOnce(t, l, evs)
}

func TestImportSameIDInFile(t *testing.T) {
	evs := importEvents(6)
	// Each event twice, the copy changed: the first of the file is kept.
	var file []logger.Event
	for _, ev := range evs {
		file = append(file, ev)
		ev.Description = "second copy"
		file = append(file, ev)
	}
	// Events without an ID are new each time, never passed over.
	file = append(file, logger.Event{Time: evs[0].Time, Operation: logger.OpRead}, logger.Event{Time: evs[0].Time, Operation: logger.OpRead})
	path := filepath.Join(t.TempDir(), "dups.jsonl")
	require.NoError(t, logger.ExportEvents(file, path))

	l := newLogger(t, logger.Options{})
	res, err := l.Import(context.Background(), path)
	require.NoError(t, err)
	require.Equal(t, logger.ImportResult{New: 8, Existing: 6}, res)
	require.Equal(t, 2, l.Count(logger.Filter{Operation: logger.OpRead}))
	stored := l.Query(logger.Filter{Operation: logger.OpStore})
	require.Len(t, stored, 6)
	for _, ev := range stored {
		require.NotEqual(t, "second copy", ev.Description, ev.ID)
	}
	res, err = l.Import(context.Background(), path)
	require.NoError(t, err)
	require.Equal(t, logger.ImportResult{New: 2, Existing: 12}, res)
}

// TestImportLooksThroughMemory: the IDs are found wherever they are in
// memory, across many walks of the ring, and an event evicted from
// memory is not looked for (it is imported again, as documented).
func TestImportLooksThroughMemory(t *testing.T) {
	const n = 10_000 // more than one walk of the ring under the lock
	evs := importEvents(n)
	l := newLogger(t, logger.Options{MaxEvents: n})
	ctx := context.Background()
	require.NoError(t, l.LogBatch(ctx, evs))
	// The first, a middle one, the last, one of each kind of ID.
	picked := []logger.Event{evs[0], evs[4097], evs[5002], evs[n-1], {ID: "new-1", Time: evs[0].Time, Operation: logger.OpRead}}
	res, err := l.Import(ctx, exported(t, picked))
	require.NoError(t, err)
	require.Equal(t, logger.ImportResult{New: 1, Existing: 4}, res)
	// One more event evicts the oldest: importing it again logs it again.
	res, err = l.Import(ctx, exported(t, evs[:1]))
	require.NoError(t, err)
	require.Equal(t, logger.ImportResult{New: 1}, res)
	require.Equal(t, n, l.Count(logger.Filter{}))
}

// TestImportConcurrent: imports of the same file at once take turns, and
// log each event once between them.
func TestImportConcurrent(t *testing.T) {
	evs := importEvents(300)
	path := exported(t, evs)
	l := newLogger(t, logger.Options{})
	const importers = 4
	results := make([]logger.ImportResult, importers)
	errs := make([]error, importers)
	var wg sync.WaitGroup
	for i := range importers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errs[i] = l.Import(context.Background(), path)
		}()
	}
	wg.Wait()
	var sum logger.ImportResult
	for i := range importers {
		require.NoError(t, errs[i])
		sum.New += results[i].New
		sum.Existing += results[i].Existing
	}
	require.Equal(t, logger.ImportResult{New: 300, Existing: 300 * (importers - 1)}, sum)
	requireOnce(t, l, evs)
}

// TestImportAfterRecover: the events Recover reloads into memory from
// the journal are held: importing them again adds nothing.
func TestImportAfterRecover(t *testing.T) {
	evs := importEvents(50)
	path := exported(t, evs)
	dir := t.TempDir()
	journaled := func() *logger.Logger {
		return newLogger(t, logger.Options{Journal: &logger.JournalOptions{Dir: dir, Recover: true}})
	}
	first := journaled()
	res, err := first.Import(context.Background(), path)
	require.NoError(t, err)
	require.Equal(t, 50, res.New)
	require.NoError(t, first.Close())

	second := journaled()
	require.Equal(t, 50, second.Count(logger.Filter{}))
	res, err = second.Import(context.Background(), path)
	require.NoError(t, err)
	require.Equal(t, logger.ImportResult{Existing: 50}, res)
	requireOnce(t, second, evs)
}

// TestImportWrappedRing: with the ring full and wrapped around, the
// events still in memory are found and the evicted ones are not.
func TestImportWrappedRing(t *testing.T) {
	evs := importEvents(250)
	l := newLogger(t, logger.Options{MaxEvents: 100})
	ctx := context.Background()
	for i := 0; i < len(evs); i += 7 {
		require.NoError(t, l.LogBatch(ctx, evs[i:min(i+7, len(evs))]))
	}
	res, err := l.Import(ctx, exported(t, evs))
	require.NoError(t, err)
	require.Equal(t, logger.ImportResult{New: 150, Existing: 100}, res)
}

// TestImportWhileLogging: events logged and evicted while Import looks
// through memory neither stop it nor make it count wrong: each event of
// the file is either new or already there.
func TestImportWhileLogging(t *testing.T) {
	evs := importEvents(3000)
	l := newLogger(t, logger.Options{MaxEvents: 5000})
	ctx := context.Background()
	require.NoError(t, l.LogBatch(ctx, evs[:2000]))
	path := exported(t, evs)
	stop := make(chan struct{})
	done := make(chan error)
	go func() {
		var err error
		for i := 0; err == nil; i++ {
			select {
			case <-stop:
				done <- nil
				return
			default:
			}
			err = l.Log(ctx, logger.Event{ID: fmt.Sprintf("other-%d", i), Operation: logger.OpRead})
		}
		done <- err
	}()
	res, err := l.Import(ctx, path)
	close(stop)
	require.NoError(t, <-done)
	require.NoError(t, err)
	require.Equal(t, 3000, res.New+res.Existing)
	require.GreaterOrEqual(t, res.New, 1000, "the last 1000 were never logged")
}
