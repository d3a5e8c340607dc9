package logger_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/export"
	"github.com/auditlog/auditlog/logger"
)

// nest is a struct that holds itself: a linked list of any length, as a
// tree of JSON objects.
type nest struct {
	Password string `json:"password,omitempty"`
	Next     *nest  `json:"next,omitempty"`
}

func deepNest(levels int, secret string) *nest {
	n := &nest{}
	for range levels {
		n = &nest{Next: n}
	}
	n.Password = secret
	return n
}

// nestMap is a typed map that holds itself.
type nestMap map[string]nestMap

func deepNestMap(levels int) nestMap {
	m := nestMap{}
	for range levels {
		m = nestMap{"m": m}
	}
	return m
}

// allocated runs f and returns how many bytes the process allocated
// meanwhile: the writer's work included, since f ends with Flush.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// Values nested far deeper than the encoder goes, of every kind that
// nests (structs, typed maps, pointers), are cut at the encoder's depth:
// the writer neither dies of a stack overflow nor spends more on them
// than on an event of MaxEventBytes.
func TestDeepValuesAreCut(t *testing.T) {
	for _, tc := range []struct {
		name string
		v    any
	}{
		{"struct 1,000,000 levels deep", deepNest(1_000_000, "")},
		{"typed map 1,000,000 levels deep", deepNestMap(1_000_000)},
		{"struct 800,000 levels deep", deepNest(800_000, "")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var reported atomic.Int64
			l := newLogger(t, logger.Options{ErrorHandler: func(error) { reported.Add(1) }})
			used := allocated(func() {
				require.NoError(t, l.Log(context.Background(), logger.Event{
					Operation: logger.OpUpdate, UserID: "deep", Metadata: map[string]any{"v": tc.v},
				}))
				require.NoError(t, l.Flush(context.Background()))
			})
			got := l.Query(logger.Filter{UserID: "deep"})
			require.Len(t, got, 1, "the event is recorded")
			require.Contains(t, got[0].Metadata["auditlog_encode_errors"], "nested too deep")
			require.Positive(t, reported.Load(), "ErrorHandler heard of it")
			b, err := json.Marshal(got[0])
			require.NoError(t, err)
			require.Less(t, len(b), 8<<10, "the stored event is cut near the top")
			require.Less(t, used, uint64(8<<20), "bytes allocated for one deep event")
		})
	}
}

// A secret at the top of a value too deep to decode again is still
// masked, and the journal line stays readable by every reader of the
// library: ReadEvents, recovery, and New when it is the last line.
func TestDeepValueSecretMaskedAndReadable(t *testing.T) {
	dir := t.TempDir()
	l, err := logger.New(logger.Options{Journal: &logger.JournalOptions{Dir: dir}})
	require.NoError(t, err)
	require.NoError(t, l.Log(context.Background(), logger.Event{
		Operation: logger.OpUpdate, UserID: "deep",
		Metadata: map[string]any{"v": deepNest(10_000, "hunter2-deep")},
	}))
	require.NoError(t, l.Close())

	raw, err := os.ReadFile(filepath.Join(dir, "audit.jsonl"))
	require.NoError(t, err)
	require.NotContains(t, string(raw), "hunter2-deep", "the secret reached the journal")

	evs, err := logger.ReadEvents(filepath.Join(dir, "audit.jsonl"))
	require.NoError(t, err, "ReadEvents reads the line the logger wrote")
	require.Len(t, evs, 1)
	v, ok := evs[0].Metadata["v"].(map[string]any)
	require.True(t, ok, "metadata v is an object: %#v", evs[0].Metadata["v"])
	require.Equal(t, logger.Redacted, v["password"])
	require.Contains(t, evs[0].Metadata["auditlog_encode_errors"], "nested too deep")

	for _, recover := range []bool{false, true} {
		l, err := logger.New(logger.Options{Journal: &logger.JournalOptions{Dir: dir, Recover: recover}})
		require.NoError(t, err, "New starts on the journal (Recover %v)", recover)
		require.NoError(t, l.Close())
	}

	// In memory and in the console mirror too.
	deep := deepNest(10_000, "hunter2-top")
	s := logAndRead(t, logger.MaskOptions{}, logger.Event{
		Operation: logger.OpUpdate, UserID: "deep", Metadata: map[string]any{"v": deep},
	})
	require.NotContains(t, s.raw, "hunter2-top")
	require.Equal(t, logger.Redacted, s.memory[0].Metadata["v"].(map[string]any)["password"])
	require.Equal(t, logger.Redacted, s.journal[0].Metadata["v"].(map[string]any)["password"])
}

// The cost of an event is bounded by MaxEventBytes whatever its values
// hold: a huge string is not copied whole, a huge slice or a map shared
// by many paths is not walked whole; the event is recorded, cut down as
// MaxEventBytes documents.
func TestHugeValuesCostBoundedByMaxEventBytes(t *testing.T) {
	big := strings.Repeat("x", 100<<20)
	many := make([]any, 10_000_000)
	for i := range many {
		many[i] = i & 0xff
	}
	type shared map[string]any
	var dag any = 1
	for range 22 {
		m := shared{"a": dag, "b": dag}
		dag = map[string]shared{"l": m, "r": m}
	}
	for _, tc := range []struct {
		name string
		ev   logger.Event
	}{
		{"100 MB string in Metadata", logger.Event{Metadata: map[string]any{"v": big}}},
		{"100 MB Description", logger.Event{Description: big}},
		{"100 MB UserName and ErrorStack", logger.Event{UserName: big, ErrorStack: big}},
		{"100 MB map key", logger.Event{Metadata: map[string]any{big: 1}}},
		{"100 MB request path", logger.Event{Request: &logger.Request{Method: "GET", Path: "/?q=" + big}}},
		{"10M-element slice", logger.Event{Metadata: map[string]any{"v": many}}},
		{"10M-element slice in NewState", logger.Event{NewState: map[string]any{"v": many}}},
		{"typed maps sharing sub-maps 22 levels deep", logger.Event{Metadata: map[string]any{"v": dag}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			var reported atomic.Int64
			l := newLogger(t, logger.Options{
				Journal:      &logger.JournalOptions{Dir: dir},
				ErrorHandler: func(error) { reported.Add(1) },
			})
			ev := tc.ev
			ev.Operation, ev.UserID = logger.OpUpdate, "huge"
			used := allocated(func() {
				require.NoError(t, l.Log(context.Background(), ev))
				require.NoError(t, l.Flush(context.Background()))
			})
			got := l.Query(logger.Filter{UserID: "huge"})
			require.Len(t, got, 1, "the event is recorded")
			require.Contains(t, got[0].Metadata, "auditlog_truncated")
			require.Positive(t, reported.Load(), "ErrorHandler heard of it")
			require.Less(t, used, uint64(32*logger.DefaultMaxEventBytes), "bytes allocated for one huge event (8 MiB)")
			require.NoError(t, export.ReadJournal(dir, func(line export.Line) error {
				require.LessOrEqual(t, len(line.Data), logger.DefaultMaxEventBytes)
				return nil
			}))
		})
	}
}

// A journal whose last line nests deeper than encoding/json reads (as an
// earlier version of the library could write) does not stop New: the
// seq and the chain go on after it, and recovery skips the line it
// cannot decode, saying so.
func TestNewStartsAfterADeepLastLine(t *testing.T) {
	for _, recover := range []bool{false, true} {
		t.Run(fmt.Sprintf("Recover %v", recover), func(t *testing.T) {
			dir := t.TempDir()
			l, err := logger.New(logger.Options{Journal: &logger.JournalOptions{Dir: dir}})
			require.NoError(t, err)
			require.NoError(t, l.Log(context.Background(), logger.Event{Operation: logger.OpStore, UserID: "u"}))
			require.NoError(t, l.Close())
			deep := `{"event_id":"deep-1","seq":2,"timestamp":"2026-01-01T00:00:00Z","operation":"STORE",` +
				`"metadata":{"v":` + strings.Repeat(`{"a":[`, 10_000) + `"\u0041"` + strings.Repeat(`]}`, 10_000) + `},` +
				`"prev_hash":"` + strings.Repeat("0", 64) + `","hash":"` + strings.Repeat("ab", 32) + `"}` + "\n"
			f, err := os.OpenFile(filepath.Join(dir, "audit.jsonl"), os.O_APPEND|os.O_WRONLY, 0)
			require.NoError(t, err)
			_, err = f.WriteString(deep)
			require.NoError(t, err)
			require.NoError(t, f.Close())

			var reported atomic.Int64
			l, err = logger.New(logger.Options{
				Journal:      &logger.JournalOptions{Dir: dir, Recover: recover},
				ErrorHandler: func(error) { reported.Add(1) },
			})
			require.NoError(t, err, "New starts after the deep line")
			require.NoError(t, l.Log(context.Background(), logger.Event{Operation: logger.OpStore, UserID: "after"}))
			require.NoError(t, l.Flush(context.Background()))
			got := l.Query(logger.Filter{UserID: "after"})
			require.Len(t, got, 1)
			require.Equal(t, uint64(3), got[0].Seq, "the seq goes on after the deep line")
			if recover {
				require.Positive(t, reported.Load(), "recovery said it skipped the line")
			}
			require.NoError(t, l.Close())
		})
	}
}

// Map keys are chosen by callers: the masker's memory of the keys it has
// judged does not keep long ones, so events with thousands of distinct
// long keys leave nothing behind once they leave the ring.
func TestLongDistinctKeysAreNotKept(t *testing.T) {
	l := newLogger(t, logger.Options{MaxEvents: 16})
	prefix := strings.Repeat("k", 64<<10)
	heap := func() uint64 {
		var m runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	before := heap()
	for i := range 1500 {
		require.NoError(t, l.Log(context.Background(), logger.Event{
			Operation: logger.OpStore, Metadata: map[string]any{fmt.Sprintf("%s-%d", prefix, i): i},
		}))
	}
	require.NoError(t, l.Flush(context.Background()))
	after := heap()
	require.Less(t, int64(after)-int64(before), int64(32<<20), "heap kept after 1500 events with distinct 64 KiB keys (96 MB of keys)")
}

// An event cut down for a long request path keeps what the request was:
// its method, its status and the start of its path.
func TestLongRequestPathKeepsTheRequest(t *testing.T) {
	l := newLogger(t, logger.Options{})
	path := "/api/users/42/" + strings.Repeat("a", 900<<10)
	require.NoError(t, l.Log(context.Background(), logger.Event{
		Operation: logger.OpDelete, UserID: "req",
		Request: &logger.Request{Method: "DELETE", Path: path, StatusCode: 204},
	}))
	got := l.Query(logger.Filter{UserID: "req"})
	require.Len(t, got, 1)
	r := got[0].Request
	require.NotNil(t, r, "the request is kept")
	require.Equal(t, "DELETE", r.Method)
	require.Equal(t, 204, r.StatusCode)
	require.True(t, strings.HasPrefix(path, r.Path) && len(r.Path) >= 1000, "the start of the path is kept: %.40q", r.Path)
	require.Equal(t, "request path cut", got[0].Metadata["auditlog_truncated"])
}
