package logger_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/export"
	"github.com/auditlog/auditlog/logger"
)

// exportPaths are file names of every format ExportToFile chooses.
var exportPaths = []string{
	"events.json", "events.json.gz", "events.jsonl", "events.ndjson", "events.jsonl.gz", "events.csv", "events.csv.gz",
}

// loggedForExport starts a logger holding four events, the last dated
// before the others (late), and returns it with its events by Seq.
func loggedForExport(t *testing.T) (*logger.Logger, []logger.Event) {
	t.Helper()
	l := newLogger(t, logger.Options{Now: fixedNow})
	ctx := context.Background()
	base := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	events := []logger.Event{
		fullEvent(),
		{ID: "evt_abc123", Time: base.Add(time.Hour), Operation: logger.OpLogin, UserID: "alice"},
		{Time: base.Add(2 * time.Hour), Operation: "CUSTOM.OP_2", Status: logger.StatusFailure,
			UserName: "=HYPERLINK(\"http://evil\")", Description: "-1+1", ResourceName: "'quoted", ErrorMessage: "@SUM(A1)"},
		{ID: "late", Time: base.Add(-time.Hour), Operation: logger.OpForget, EntryIDs: []string{"e9"}, Duration: time.Nanosecond},
	}
	require.NoError(t, l.LogBatch(ctx, events))
	got := l.Query(logger.Filter{Ascending: true})
	slices.SortFunc(got, func(a, b logger.Event) int { return int(a.Seq) - int(b.Seq) })
	require.Len(t, got, len(events))
	require.Equal(t, "late", got[3].ID, "by Seq, not by Time")
	return l, got
}

func TestExportToFileRoundTrip(t *testing.T) {
	l, want := loggedForExport(t)
	for _, name := range exportPaths {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), name)
			n, err := l.ExportToFile(path)
			require.NoError(t, err)
			require.Equal(t, len(want), n)
			info, err := os.Stat(path)
			require.NoError(t, err)
			require.Equal(t, fs.FileMode(0o600), info.Mode().Perm())

			got, err := logger.ReadEvents(path)
			require.NoError(t, err)
			require.Equal(t, want, got)
		})
	}
}

func TestExportToFileDocument(t *testing.T) {
	l, want := loggedForExport(t)
	path := filepath.Join(t.TempDir(), "events.json")
	_, err := l.ExportToFile(path)
	require.NoError(t, err)
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Contains(t, string(b), `"total_events": 4, "exported_at": "2024-01-01T00:00:00Z"}`, "exported_at from Options.Now")
	raws, format, err := export.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, export.FormatDocument, format)
	require.Len(t, raws, len(want))
}

func TestExportToFileNeverOverwrites(t *testing.T) {
	l, _ := loggedForExport(t)
	path := filepath.Join(t.TempDir(), "events.jsonl")
	require.NoError(t, os.WriteFile(path, []byte("keep me\n"), 0o600))
	n, err := l.ExportToFile(path)
	require.ErrorIs(t, err, export.ErrExists)
	require.ErrorIs(t, err, fs.ErrExist)
	require.Zero(t, n)
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, "keep me\n", string(b))

	// Twice to the same new path: the second call refuses.
	path = filepath.Join(t.TempDir(), "events.csv")
	_, err = l.ExportToFile(path)
	require.NoError(t, err)
	_, err = l.ExportToFile(path)
	require.ErrorIs(t, err, export.ErrExists)
}

func TestExportToFileErrors(t *testing.T) {
	l, events := loggedForExport(t)
	dir := t.TempDir()
	for _, name := range []string{"events.txt", "events", "events.gz"} {
		n, err := l.ExportToFile(filepath.Join(dir, name))
		require.ErrorIs(t, err, export.ErrUnknownFormat)
		require.Zero(t, n)
		require.ErrorIs(t, logger.ExportEvents(events, filepath.Join(dir, name)), export.ErrUnknownFormat)
	}
	_, err := l.ExportToFile(filepath.Join(dir, "missing", "events.jsonl"))
	require.ErrorIs(t, err, fs.ErrNotExist)
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Empty(t, entries, "nothing created")

	// An empty logger exports an empty file.
	empty := newLogger(t, logger.Options{})
	for _, name := range exportPaths {
		path := filepath.Join(dir, name)
		n, err := empty.ExportToFile(path)
		require.NoError(t, err)
		require.Zero(t, n)
		got, err := logger.ReadEvents(path)
		require.NoError(t, err)
		require.Empty(t, got)
	}
}

func TestExportEventsAndWriteEvents(t *testing.T) {
	_, events := loggedForExport(t)
	for _, name := range exportPaths {
		path := filepath.Join(t.TempDir(), name)
		require.NoError(t, logger.ExportEvents(events, path))
		got, err := logger.ReadEvents(path)
		require.NoError(t, err)
		require.Equal(t, events, got)
		require.ErrorIs(t, logger.ExportEvents(events, path), export.ErrExists)
	}
	for _, f := range []export.Format{export.FormatDocument, export.FormatJSONLines, export.FormatCSV, export.FormatArray} {
		t.Run(f.String(), func(t *testing.T) {
			var buf bytes.Buffer
			require.NoError(t, logger.WriteEvents(&buf, f, events))
			path := filepath.Join(t.TempDir(), "any.name")
			require.NoError(t, os.WriteFile(path, buf.Bytes(), 0o600))
			got, err := logger.ReadEvents(path)
			require.NoError(t, err)
			require.Equal(t, events, got)
		})
	}
	require.ErrorIs(t, logger.WriteEvents(new(bytes.Buffer), 0, events), export.ErrUnknownFormat)
}

func TestImport(t *testing.T) {
	src, events := loggedForExport(t)
	path := filepath.Join(t.TempDir(), "events.jsonl.gz")
	_, err := src.ExportToFile(path)
	require.NoError(t, err)

	dst := newLogger(t, logger.Options{Now: fixedNow})
	ctx := context.Background()
	require.NoError(t, dst.Log(ctx, logger.Event{ID: "already-here", Operation: logger.OpRead}))
	res, err := dst.Import(ctx, path)
	require.NoError(t, err)
	require.Equal(t, logger.ImportResult{New: len(events)}, res)

	got := dst.Query(logger.Filter{Ascending: true})
	slices.SortFunc(got, func(a, b logger.Event) int { return int(a.Seq) - int(b.Seq) })
	require.Len(t, got, len(events)+1)
	for i, ev := range events {
		ev.Seq = uint64(i + 2) // reassigned, in file order, after the one already there
		require.Equal(t, ev, got[i+1])
	}
	require.Equal(t, int64(len(events)+1), dst.Statistics().TotalEvents)
}

// axonEvents is what the original Python system wrote: lower-case
// operations and statuses, naive isoformat timestamps, its own ids, keys
// this library does not know.
const axonEvents = `[
  {
    "event_id": "evt_abc123",
    "timestamp": "2025-01-15T10:30:45.123456",
    "operation": "store",
    "status": "success",
    "user_id": "user_1",
    "resource_type": "memory",
    "resource_id": "mem_42",
    "entry_ids": ["ent_1", "ent_2"],
    "metadata": {"source": "cli", "size": 3},
    "duration_ms": 12.5,
    "axon_version": "0.9.1",
    "category": null
  },
  {
    "event_id": "evt_def456",
    "timestamp": "2025-01-15T10:30:46",
    "operation": "Recall",
    "status": "FAILURE",
    "error_message": "not found",
    "request": {"method": "GET", "path": "/memories/mem_42", "status_code": 404}
  },
  {
    "event_id": "evt_ghi789",
    "timestamp": "2025-01-15T11:00:00.5+02:00",
    "operation": "forget",
    "status": "partial",
    "changes": [{"field": "content", "old": "x", "new": null}]
  }
]
`

func TestReadEventsAxon(t *testing.T) {
	want := []logger.Event{
		{ID: "evt_abc123", Time: time.Date(2025, 1, 15, 10, 30, 45, 123456000, time.UTC), Operation: logger.OpStore,
			Status: logger.StatusSuccess, UserID: "user_1", ResourceType: "memory", ResourceID: "mem_42",
			EntryIDs: []string{"ent_1", "ent_2"}, Metadata: map[string]any{"source": "cli", "size": 3.0},
			Duration: 12500 * time.Microsecond},
		{ID: "evt_def456", Time: time.Date(2025, 1, 15, 10, 30, 46, 0, time.UTC), Operation: logger.OpRecall,
			Status: logger.StatusFailure, ErrorMessage: "not found",
			Request: &logger.Request{Method: "GET", Path: "/memories/mem_42", StatusCode: 404}},
		{ID: "evt_ghi789", Time: time.Date(2025, 1, 15, 9, 0, 0, 5e8, time.UTC), Operation: logger.OpForget,
			Status: logger.StatusPartial, Changes: []logger.Change{{Field: "content", Old: "x"}}},
	}
	dir := t.TempDir()
	var doc bytes.Buffer
	doc.WriteString("{\n  \"events\": ")
	doc.WriteString(axonEvents)
	doc.WriteString(",\n  \"total_events\": 3,\n  \"exported_at\": \"2025-01-15T12:00:00.000000\"\n}\n")
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, err := zw.Write([]byte(axonEvents))
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	files := map[string][]byte{
		"axon_array.json":    []byte(axonEvents),
		"axon_document.json": doc.Bytes(),
		"axon_array.json.gz": gz.Bytes(),
	}
	for name, content := range files {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, name)
			require.NoError(t, os.WriteFile(path, content, 0o600))
			got, err := logger.ReadEvents(path)
			require.NoError(t, err)
			require.Equal(t, want, got)

			l := newLogger(t, logger.Options{})
			res, err := l.Import(context.Background(), path)
			require.NoError(t, err)
			require.Equal(t, logger.ImportResult{New: 3}, res)
			imported := l.Query(logger.Filter{Ascending: true})
			// The third is the earliest (09:00 UTC): Query orders by Time.
			require.Equal(t, "evt_ghi789", imported[0].ID)
			slices.SortFunc(imported, func(a, b logger.Event) int { return int(a.Seq) - int(b.Seq) })
			require.Len(t, imported, 3)
			for i, ev := range imported {
				require.Equal(t, uint64(i+1), ev.Seq)
				require.Equal(t, want[i].ID, ev.ID)
				require.Equal(t, want[i].Time, ev.Time)
				require.Equal(t, want[i].Operation, ev.Operation)
			}
			require.Equal(t, 1, l.Count(logger.Filter{Operation: logger.OpRecall, Status: logger.StatusFailure}))
		})
	}
}

func TestImportErrors(t *testing.T) {
	good := `{"event_id":"a","timestamp":"2025-01-15T10:30:45","operation":"store"}`
	tests := []struct {
		name    string
		content string // "" means no file
		is      []error
		msg     string
	}{
		{"missing file", "", []error{fs.ErrNotExist}, "no such file"},
		{"corrupt json", good + "\n{\"event_id\":\n" + good + "\n", []error{export.ErrCorrupt}, "line 2"},
		{"torn last line", good + "\n" + `{"event_id":"b","oper`, []error{export.ErrCorrupt}, "line 2: torn last line"},
		{"not an object", "[" + good + ", 5]", []error{export.ErrCorrupt}, "event 1"},
		{"invalid operation", "[" + good + `, {"operation": "sto re"}]`, []error{export.ErrCorrupt, logger.ErrInvalidEvent, logger.ErrInvalidOperation}, "event 1: "},
		{"missing operation", "[" + good + `, {"event_id": "x"}]`, []error{export.ErrCorrupt, logger.ErrInvalidOperation}, "event 1: "},
		{"operation not a string", `[{"operation": 5}]`, []error{export.ErrCorrupt, logger.ErrInvalidEvent}, "operation: 5 is not a string"},
		{"unknown status", `[{"operation": "read", "status": "meh"}]`, []error{export.ErrCorrupt, logger.ErrInvalidStatus}, "event 0: "},
		{"bad timestamp", `[{"operation": "read", "timestamp": "yesterday"}]`, []error{export.ErrCorrupt, logger.ErrInvalidEvent}, `timestamp "yesterday"`},
		{"timestamp out of range", `[{"operation": "read", "timestamp": "3000-01-01T00:00:00Z"}]`, []error{export.ErrCorrupt}, "outside the years"},
		{"negative duration", `[{"operation": "read", "duration_ms": -1}]`, []error{export.ErrCorrupt}, "duration_ms"},
		{"wrong type", `[{"operation": "read", "entry_ids": "e1"}]`, []error{export.ErrCorrupt}, "event 0: "},
		{"csv bad header", "id,when,what\n1,2,3\n", []error{export.ErrCorrupt}, "unknown column"},
		{"empty operation in csv", "event_id,timestamp,operation\na,2025-01-15T10:30:45,\n", []error{export.ErrCorrupt, logger.ErrInvalidOperation}, "event 0: "},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "in.jsonl")
			if tc.content != "" {
				require.NoError(t, os.WriteFile(path, []byte(tc.content), 0o600))
			}
			_, err := logger.ReadEvents(path)
			for _, target := range tc.is {
				require.ErrorIs(t, err, target)
			}
			require.ErrorContains(t, err, tc.msg)
			require.ErrorContains(t, err, path)

			l := newLogger(t, logger.Options{})
			res, err := l.Import(context.Background(), path)
			for _, target := range tc.is {
				require.ErrorIs(t, err, target)
			}
			require.Zero(t, res)
			require.Zero(t, l.Count(logger.Filter{}), "all or nothing")
			require.Zero(t, l.Statistics().Rejected, "refused before LogBatch")
		})
	}
}

func TestImportRefusedByLogger(t *testing.T) {
	_, events := loggedForExport(t)
	path := filepath.Join(t.TempDir(), "events.jsonl")
	require.NoError(t, logger.ExportEvents(events, path))
	ctx := context.Background()

	full := newLogger(t, logger.Options{MaxEvents: 3, NoRotation: true})
	res, err := full.Import(ctx, path)
	require.ErrorIs(t, err, logger.ErrFull)
	require.ErrorContains(t, err, path)
	require.Zero(t, res)
	require.Zero(t, full.Count(logger.Filter{}))

	closed, err := logger.New(logger.Options{})
	require.NoError(t, err)
	require.NoError(t, closed.Close())
	_, err = closed.Import(ctx, path)
	require.ErrorIs(t, err, logger.ErrClosed)

	canceled, cancel := context.WithCancel(ctx)
	cancel()
	l := newLogger(t, logger.Options{})
	// A cancelled context only matters when Log must wait for room.
	_, err = l.Import(canceled, path)
	require.True(t, err == nil || errors.Is(err, context.Canceled), "%v", err)
}

// TestReadEventsWithoutTimestamp: an event without a timestamp, in every
// form a file can hold it, is read with a zero Time, and Import stamps it
// with the logger's clock, as Log does.
func TestReadEventsWithoutTimestamp(t *testing.T) {
	const ev = `{"event_id":"nt-1","operation":"store"}`
	files := map[string]string{
		"jsonl":          ev + "\n",
		"array":          "[" + ev + "]",
		"document":       "{\"events\": [\n" + ev + "\n]}",
		"csv empty cell": "event_id,timestamp,operation\nnt-1,,store\n",
		"null":           `{"event_id":"nt-1","timestamp":null,"operation":"store"}` + "\n",
		"empty string":   `{"event_id":"nt-1","timestamp":"","operation":"store"}` + "\n",
	}
	for name, content := range files {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "in")
			require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
			got, err := logger.ReadEvents(path)
			require.NoError(t, err)
			require.Equal(t, []logger.Event{{ID: "nt-1", Operation: logger.OpStore}}, got)

			l := newLogger(t, logger.Options{Now: fixedNow})
			res, err := l.Import(context.Background(), path)
			require.NoError(t, err)
			require.Equal(t, logger.ImportResult{New: 1}, res)
			imported := l.Query(logger.Filter{})
			require.Len(t, imported, 1)
			require.Equal(t, "nt-1", imported[0].ID)
			require.Equal(t, fixedNow(), imported[0].Time)
		})
	}
}

// TestReadEventsFuncStopsEarly reads the first events of a .jsonl.gz of
// 200 KB that inflates to 256 MB: it stops when asked, having allocated a
// few megabytes.
func TestReadEventsFuncStopsEarly(t *testing.T) {
	const line = `{"event_id":"e","timestamp":"2025-01-15T10:30:45Z","operation":"read","user_id":"alice","metadata":{"k":"v"}}` + "\n"
	var member bytes.Buffer
	zw, err := gzip.NewWriterLevel(&member, gzip.BestCompression)
	require.NoError(t, err)
	_, err = zw.Write(bytes.Repeat([]byte(line), 1<<20/len(line)))
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	// Gzip members one after the other read as one stream.
	path := filepath.Join(t.TempDir(), "bomb.jsonl.gz")
	require.NoError(t, os.WriteFile(path, bytes.Repeat(member.Bytes(), 256), 0o600))

	stop := errors.New("enough")
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	before := ms.TotalAlloc
	var got []logger.Event
	err = logger.ReadEventsFunc(path, func(ev logger.Event) error {
		got = append(got, ev)
		if len(got) == 5 {
			return stop
		}
		return nil
	})
	runtime.ReadMemStats(&ms)
	require.Same(t, stop, err)
	require.Len(t, got, 5)
	require.Equal(t, logger.OpRead, got[4].Operation)
	require.Less(t, ms.TotalAlloc-before, uint64(8<<20), "bytes allocated")

	// An error in the file comes after the events before it.
	bad := filepath.Join(t.TempDir(), "bad.jsonl")
	require.NoError(t, os.WriteFile(bad, []byte(line+`{"operation":"no such op!"}`+"\n"+line), 0o600))
	n := 0
	err = logger.ReadEventsFunc(bad, func(logger.Event) error { n++; return nil })
	require.ErrorIs(t, err, export.ErrCorrupt)
	require.ErrorIs(t, err, logger.ErrInvalidEvent)
	require.ErrorContains(t, err, bad+": event 1: ")
	require.Equal(t, 1, n)
}
