package logger_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/export"
	"github.com/auditlog/auditlog/logger"
)

// sinkRecorder is a Sink that keeps what it takes, by event ID, and can
// be made to fail or to block.
type sinkRecorder struct {
	mu      sync.Mutex
	evs     []logger.Event
	writes  int
	fails   int           // fail this many more Writes
	block   chan struct{} // when set, Write waits for it to close (or ctx)
	entered chan struct{} // closed on the first Write that blocks
	once    sync.Once
	ctxErr  atomic.Bool // a Write saw its context cancelled
}

func (s *sinkRecorder) Write(ctx context.Context, evs []logger.Event) error {
	if s.block != nil {
		s.once.Do(func() { close(s.entered) })
		select {
		case <-s.block:
		case <-ctx.Done():
			s.ctxErr.Store(true)
			return ctx.Err()
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.writes++
	if s.fails > 0 {
		s.fails--
		return errors.New("receiver unavailable")
	}
	s.evs = append(s.evs, evs...)
	return nil
}

func (s *sinkRecorder) Close() error { return nil }

func (s *sinkRecorder) events() []logger.Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.evs)
}

// seqs returns the seqs the sink took, in the order it took them.
func (s *sinkRecorder) seqs() []uint64 {
	var out []uint64
	for _, ev := range s.events() {
		out = append(out, ev.Seq)
	}
	return out
}

func seqRange(from, to uint64) []uint64 {
	var out []uint64
	for s := from; s <= to; s++ {
		out = append(out, s)
	}
	return out
}

func sinkStats(t *testing.T, l *logger.Logger, name string) logger.SinkStats {
	t.Helper()
	for _, s := range l.Statistics().Sinks {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("no sink %q in Stats.Sinks", name)
	return logger.SinkStats{}
}

// fastRetry keeps a failing sink's retries quick in tests.
var fastRetry = logger.DeliveryOptions{MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond}

func TestSinksGetEveryEventInOrder(t *testing.T) {
	for _, journal := range []bool{false, true} {
		t.Run(fmt.Sprintf("journal=%v", journal), func(t *testing.T) {
			a, b := &sinkRecorder{}, &sinkRecorder{}
			opts := logger.Options{Sinks: map[string]logger.Sink{"a": a, "b": b}, Delivery: logger.DeliveryOptions{BatchSize: 7}}
			if journal {
				opts.Journal = &logger.JournalOptions{Dir: t.TempDir(), MaxSizeMB: 1}
			}
			l := newLogger(t, opts)
			for i := range 3000 { // several batches, and several journal files
				require.NoError(t, l.Log(t.Context(), logger.Event{Operation: logger.OpStore,
					Metadata: map[string]any{"token": "t", "pad": string(make([]byte, 400)), "i": i}}))
			}
			require.NoError(t, l.FlushSinks(t.Context()))
			for _, s := range []*sinkRecorder{a, b} {
				require.Equal(t, seqRange(1, 3000), s.seqs())
				ev := s.events()[41]
				require.Equal(t, logger.Redacted, ev.Metadata["token"], "sinks get masked events")
				require.Equal(t, float64(41), ev.Metadata["i"])
				require.Equal(t, logger.DefaultSource(), ev.Source)
			}
			st := sinkStats(t, l, "a")
			require.Equal(t, uint64(3000), st.Delivered)
			require.Equal(t, int64(3000), st.DeliveredEvents)
			require.Zero(t, st.LagEvents)
			require.Zero(t, st.Dropped)
		})
	}
}

// A sink that fails for a while gets every event, once, in order, and
// the failures show in its stats; the other sinks do not wait for it.
func TestFailingSinkCatchesUp(t *testing.T) {
	for _, journal := range []bool{false, true} {
		t.Run(fmt.Sprintf("journal=%v", journal), func(t *testing.T) {
			bad, good := &sinkRecorder{fails: 5}, &sinkRecorder{}
			var reported atomic.Int64
			opts := logger.Options{Sinks: map[string]logger.Sink{"bad": bad, "good": good}, Delivery: fastRetry,
				ErrorHandler: func(err error) { reported.Add(1) }}
			if journal {
				opts.Journal = &logger.JournalOptions{Dir: t.TempDir()}
			}
			l := newLogger(t, opts)
			for range 100 {
				require.NoError(t, l.Log(t.Context(), logger.Event{Operation: logger.OpRead}))
			}
			require.NoError(t, l.FlushSinks(t.Context()))
			require.Equal(t, seqRange(1, 100), bad.seqs(), "every event, once, in order")
			require.Equal(t, seqRange(1, 100), good.seqs())
			st := sinkStats(t, l, "bad")
			require.Equal(t, int64(5), st.Errors)
			require.Contains(t, st.LastError, "receiver unavailable")
			require.False(t, st.LastErrorTime.IsZero())
			require.GreaterOrEqual(t, reported.Load(), int64(5))
			require.Zero(t, sinkStats(t, l, "good").Errors)
			require.Zero(t, l.Statistics().Failed)
		})
	}
}

// A batch a sink refuses for good is given up for that sink, counted and
// reported; the sink goes on with the next events.
func TestSinkRefusesForGood(t *testing.T) {
	for _, journal := range []bool{false, true} {
		t.Run(fmt.Sprintf("journal=%v", journal), func(t *testing.T) {
			s := &refusingSink{}
			var reported atomic.Value
			opts := logger.Options{Sinks: map[string]logger.Sink{"s": s}, Delivery: logger.DeliveryOptions{BatchSize: 4},
				ErrorHandler: func(err error) { reported.Store(err.Error()) }}
			if journal {
				opts.Journal = &logger.JournalOptions{Dir: t.TempDir()}
			}
			l := newLogger(t, opts)
			for range 10 {
				require.NoError(t, l.Log(t.Context(), logger.Event{Operation: logger.OpRead}))
			}
			require.NoError(t, l.FlushSinks(t.Context()))
			s.mu.Lock()
			k := s.refused
			got := slices.Clone(s.got)
			s.mu.Unlock()
			require.Positive(t, k)
			require.Equal(t, seqRange(uint64(k)+1, 10), got, "the refused batch is given up, the rest delivered")
			st := sinkStats(t, l, "s")
			require.Equal(t, int64(k), st.Dropped)
			require.Equal(t, int64(10-k), st.DeliveredEvents)
			require.Equal(t, uint64(10), st.Delivered)
			require.Contains(t, reported.Load(), "refused for good")
		})
	}
}

// refusingSink refuses its first Write for good, and takes the others.
type refusingSink struct {
	mu      sync.Mutex
	refused int
	got     []uint64
}

func (s *refusingSink) Write(_ context.Context, evs []logger.Event) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.refused == 0 {
		s.refused = len(evs)
		return fmt.Errorf("receiver: request too large: %w", logger.ErrUndeliverable)
	}
	for _, ev := range evs {
		s.got = append(s.got, ev.Seq)
	}
	return nil
}

func (s *refusingSink) Close() error { return nil }

// A sink whose Write never returns holds up neither Log nor the readers,
// its lag shows, and Close returns once its bound has passed, having
// cancelled the sink's context.
func TestStuckSinkHoldsUpNothing(t *testing.T) {
	for _, journal := range []bool{false, true} {
		t.Run(fmt.Sprintf("journal=%v", journal), func(t *testing.T) {
			stuck := &sinkRecorder{block: make(chan struct{}), entered: make(chan struct{})}
			defer close(stuck.block)
			opts := logger.Options{Sinks: map[string]logger.Sink{"stuck": stuck}, QueueSize: 16, ErrorHandler: func(error) {},
				Delivery: logger.DeliveryOptions{CloseTimeout: 50 * time.Millisecond, BufferSize: 100}}
			if journal {
				opts.Journal = &logger.JournalOptions{Dir: t.TempDir()}
			}
			l, err := logger.New(opts)
			require.NoError(t, err)
			require.NoError(t, l.Log(t.Context(), logger.Event{Operation: logger.OpRead}))
			<-stuck.entered
			const n = 5000 // far more than the queue and the buffer hold
			for range n {
				require.NoError(t, l.Log(t.Context(), logger.Event{Operation: logger.OpRead}))
			}
			require.Equal(t, n+1, l.Count(logger.Filter{}))
			st := sinkStats(t, l, "stuck")
			require.Zero(t, st.Delivered)
			require.Positive(t, st.LagEvents)
			if journal {
				require.Equal(t, int64(n+1), st.LagEvents, "every event written waits for the sink")
				require.Zero(t, st.Dropped)
			} else {
				require.Equal(t, int64(n+1), st.LagEvents+st.Dropped, "each event is waiting or counted as dropped")
				require.Equal(t, int64(n+1-100), st.Dropped, "the buffer holds 100, the rest is dropped")
			}
			ctx, cancel := context.WithTimeout(t.Context(), 10*time.Millisecond)
			require.ErrorIs(t, l.FlushSinks(ctx), context.DeadlineExceeded)
			cancel()

			closed := make(chan error, 1)
			go func() { closed <- l.Close() }()
			select {
			case err := <-closed:
				require.NoError(t, err)
			case <-time.After(30 * time.Second):
				t.Fatal("Close did not return: it waits for a stuck sink")
			}
			require.True(t, stuck.ctxErr.Load(), "Close cancelled the sink's context")
			if !journal {
				require.Equal(t, int64(100), l.Statistics().Failed, "what the sink had not taken at Close is counted as failed")
				require.Equal(t, int64(n+1), sinkStats(t, l, "stuck").Dropped, "and as dropped for the sink: it got nothing")
			}
		})
	}
}

// With a journal, a sink's cursor survives the logger: after a restart
// it takes only what it had not taken, and a sink that was down for the
// whole of one run gets that run's events at the next.
func TestSinkCursorSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	open := func(sinks map[string]logger.Sink) *logger.Logger {
		l, err := logger.New(logger.Options{Journal: &logger.JournalOptions{Dir: dir, MaxSizeMB: 1, Compress: true},
			Sinks: sinks, Delivery: logger.DeliveryOptions{CloseTimeout: time.Millisecond, MinBackoff: time.Millisecond},
			ErrorHandler: func(error) {}})
		require.NoError(t, err)
		return l
	}
	logN := func(l *logger.Logger, n int) {
		for range n {
			require.NoError(t, l.Log(t.Context(), logger.Event{Operation: logger.OpStore, Metadata: map[string]any{"pad": string(make([]byte, 500))}}))
		}
	}
	a, down := &sinkRecorder{}, &sinkRecorder{fails: 1 << 30}
	l := open(map[string]logger.Sink{"a": a, "down": down})
	logN(l, 3000)
	require.NoError(t, l.FlushSinks(t.Context(), "a"))
	require.ErrorIs(t, l.FlushSinks(t.Context(), "nobody"), logger.ErrInvalidOptions)
	require.NoError(t, l.Close())
	require.Equal(t, seqRange(1, 3000), a.seqs())
	require.Empty(t, down.events())
	for _, name := range []string{"a", "down"} {
		info, err := os.Lstat(filepath.Join(dir, "sink-"+name+".cursor"))
		require.NoError(t, err)
		require.Equal(t, os.FileMode(0o600), info.Mode().Perm())
	}

	a2, up := &sinkRecorder{}, &sinkRecorder{}
	l = open(map[string]logger.Sink{"a": a2, "down": up})
	require.NoError(t, l.FlushSinks(t.Context()), "waits for what the journal holds from before New")
	require.Equal(t, seqRange(1, 3000), up.seqs())
	logN(l, 10)
	require.NoError(t, l.FlushSinks(t.Context()))
	require.NoError(t, l.Close())
	require.Equal(t, seqRange(3001, 3010), a2.seqs(), "only what it had not taken")
	require.Equal(t, seqRange(1, 3010), up.seqs(), "the sink that was down catches up, across rotated and compressed files")
}

func TestSinkOptionsAreChecked(t *testing.T) {
	s := &sinkRecorder{}
	for name, opts := range map[string]logger.Options{
		"empty name":   {Sinks: map[string]logger.Sink{"": s}},
		"path":         {Sinks: map[string]logger.Sink{"../x": s}},
		"slash":        {Sinks: map[string]logger.Sink{"a/b": s}},
		"dot":          {Sinks: map[string]logger.Sink{".hidden": s}},
		"long":         {Sinks: map[string]logger.Sink{string(make([]byte, 65)): s}},
		"nil":          {Sinks: map[string]logger.Sink{"x": nil}},
		"mirror":       {Sinks: map[string]logger.Sink{logger.MirrorSinkName: s}},
		"store clash":  {Sinks: map[string]logger.Sink{"store-0": s}, Stores: []logger.Store{&recordingStore{}}},
		"batch":        {Delivery: logger.DeliveryOptions{BatchSize: -1}},
		"buffer":       {Delivery: logger.DeliveryOptions{BufferSize: -1}},
		"backoff":      {Delivery: logger.DeliveryOptions{MinBackoff: time.Second, MaxBackoff: time.Millisecond}},
		"neg. backoff": {Delivery: logger.DeliveryOptions{MinBackoff: -1}},
	} {
		_, err := logger.New(opts)
		require.ErrorIs(t, err, logger.ErrInvalidOptions, name)
	}
}

// A cursor file that is a link, or whose slots are both damaged, stops
// New with an error that names it; nothing is delivered from a guess.
func TestSinkCursorRefusesPlantedAndDamagedFiles(t *testing.T) {
	dir := t.TempDir()
	victim := filepath.Join(t.TempDir(), "victim")
	require.NoError(t, os.WriteFile(victim, []byte("keep"), 0o600))
	require.NoError(t, os.Symlink(victim, filepath.Join(dir, "sink-a.cursor")))
	_, err := logger.New(logger.Options{Journal: &logger.JournalOptions{Dir: dir}, Sinks: map[string]logger.Sink{"a": &sinkRecorder{}}})
	require.Error(t, err)
	require.Contains(t, err.Error(), "sink-a.cursor")
	b, _ := os.ReadFile(victim)
	require.Equal(t, "keep", string(b))

	dir = t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "sink-a.cursor"), []byte("garbage\n"), 0o600))
	_, err = logger.New(logger.Options{Journal: &logger.JournalOptions{Dir: dir}, Sinks: map[string]logger.Sink{"a": &sinkRecorder{}}})
	require.ErrorContains(t, err, "damaged")
}

// A cursor above the journal's last line (the journal lost lines a sink
// had taken, in a machine crash) puts the next seq above the cursor, so
// the sink gets the new events and no seq names two events.
func TestSinkCursorAboveJournal(t *testing.T) {
	dir := t.TempDir()
	s := &sinkRecorder{}
	l, err := logger.New(logger.Options{Journal: &logger.JournalOptions{Dir: dir}, Sinks: map[string]logger.Sink{"a": s}})
	require.NoError(t, err)
	for range 20 {
		require.NoError(t, l.Log(t.Context(), logger.Event{Operation: logger.OpRead}))
	}
	require.NoError(t, l.FlushSinks(t.Context()))
	require.NoError(t, l.Close())
	// The machine crash: the journal's last ten lines are gone.
	path := filepath.Join(dir, "audit.jsonl")
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	lines := 0
	cut := 0
	for i, c := range b {
		if c == '\n' {
			lines++
			if lines == 10 {
				cut = i + 1
			}
		}
	}
	require.NoError(t, os.WriteFile(path, b[:cut], 0o600))

	s2 := &sinkRecorder{}
	var reported []string
	var mu sync.Mutex
	l, err = logger.New(logger.Options{Journal: &logger.JournalOptions{Dir: dir}, Sinks: map[string]logger.Sink{"a": s2},
		ErrorHandler: func(err error) { mu.Lock(); reported = append(reported, err.Error()); mu.Unlock() }})
	require.NoError(t, err)
	require.NoError(t, l.Log(t.Context(), logger.Event{Operation: logger.OpRead}))
	require.NoError(t, l.FlushSinks(t.Context()))
	require.NoError(t, l.Close())
	require.Equal(t, []uint64{21}, s2.seqs())
	mu.Lock()
	defer mu.Unlock()
	require.NotEmpty(t, reported)
	require.Contains(t, reported[0], "lost its last lines")
}

// Events missing from the journal when a sink comes to them (a rotated
// file removed before the sink read it) are counted in the sink's
// Dropped, and the sink goes on with the files that are left.
func TestSinkCountsEventsMissingFromTheJournal(t *testing.T) {
	dir := t.TempDir()
	stuck := &sinkRecorder{block: make(chan struct{}), entered: make(chan struct{})}
	var reported sync.Map
	l, err := logger.New(logger.Options{
		Journal: &logger.JournalOptions{Dir: dir, MaxSizeMB: 1},
		Sinks:   map[string]logger.Sink{"s": stuck}, Delivery: logger.DeliveryOptions{BatchSize: 1},
		ErrorHandler: func(err error) { reported.Store(err.Error(), true) },
	})
	require.NoError(t, err)
	const n = 5000 // about 5 files of 1 MB
	for range n {
		require.NoError(t, l.Log(t.Context(), logger.Event{Operation: logger.OpStore, Metadata: map[string]any{"pad": string(make([]byte, 900))}}))
	}
	require.NoError(t, l.Flush(t.Context()))
	<-stuck.entered // holding seq 1, from the first file
	files, err := export.JournalFiles(dir)
	require.NoError(t, err)
	require.Greater(t, len(files), 3)
	for _, f := range files[1:3] { // as retention would
		require.NoError(t, os.Remove(f.Path))
	}
	close(stuck.block)
	require.NoError(t, l.FlushSinks(t.Context()))
	require.NoError(t, l.Close())
	st := sinkStats(t, l, "s")
	got := stuck.seqs()
	require.Positive(t, st.Dropped)
	require.Equal(t, int64(n), int64(len(got))+st.Dropped, "each event delivered or counted as dropped")
	require.True(t, slices.IsSorted(got))
	require.Equal(t, uint64(n), got[len(got)-1])
	found := false
	reported.Range(func(k, _ any) bool {
		found = found || strings.Contains(k.(string), "are not in the journal")
		return true
	})
	require.True(t, found, "the gap is reported")
}

// The Mirror gets the context of the Log call, without its cancellation.
func TestMirrorGetsTheCallersContext(t *testing.T) {
	type key struct{}
	h := &ctxHandler{Handler: slog.DiscardHandler}
	l := newLogger(t, logger.Options{Mirror: slog.New(h)})
	ctx, cancel := context.WithCancel(context.WithValue(t.Context(), key{}, "trace-1"))
	require.NoError(t, l.Log(ctx, logger.Event{Operation: logger.OpRead}))
	cancel()
	require.NoError(t, l.FlushSinks(t.Context()))
	h.mu.Lock()
	defer h.mu.Unlock()
	require.Len(t, h.ctxs, 1)
	require.Equal(t, "trace-1", h.ctxs[0].Value(key{}))
	require.NoError(t, h.ctxs[0].Err(), "the handler's context is not cancelled with the caller's")
}

type ctxHandler struct {
	slog.Handler
	mu   sync.Mutex
	ctxs []context.Context
}

func (h *ctxHandler) Enabled(context.Context, slog.Level) bool { return true }

func (h *ctxHandler) Handle(ctx context.Context, _ slog.Record) error {
	h.mu.Lock()
	h.ctxs = append(h.ctxs, ctx)
	h.mu.Unlock()
	return nil
}
