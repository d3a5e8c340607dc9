package logger

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/auditlog/auditlog/export"
)

// ExportToFile writes every event in memory, oldest first (by Seq), to
// the new file path, in the format its extension names (see
// export.FormatFromPath: ".json" is the document {"events": [...],
// "total_events": N, "exported_at": ...} with exported_at from
// Options.Now, ".jsonl" and ".ndjson" are JSON Lines, ".csv" is CSV; with
// ".gz" after them the file is compressed). It returns how many events it
// wrote.
//
// It never overwrites: when path exists it returns an error wrapping
// export.ErrExists (and fs.ErrExist). The file is created 0600 and is on
// disk (fsync) when ExportToFile returns; on failure no partial file is
// left. An extension it does not know is an error wrapping
// export.ErrUnknownFormat. Events are encoded as Event.MarshalJSON
// encodes them; see export.WriteCSV for what CSV keeps.
//
// It sees every event whose Log returned before it was called, and may be
// called from any goroutine, after Close too.
func (l *Logger) ExportToFile(path string) (int, error) {
	f, err := export.FormatFromPath(path)
	if err != nil {
		return 0, err
	}
	events := l.Query(Filter{Ascending: true})
	// Ascending is by Time; an export follows the stream, by Seq.
	if !slices.IsSortedFunc(events, bySeq) {
		slices.SortFunc(events, bySeq)
	}
	if err := exportEvents(events, path, f, l.opts.Now()); err != nil {
		return 0, err
	}
	return len(events), nil
}

func bySeq(a, b Event) int {
	switch {
	case a.Seq < b.Seq:
		return -1
	case a.Seq > b.Seq:
		return 1
	}
	return 0
}

// ExportEvents writes events, in their order, to the new file path, in
// the format its extension names, as Logger.ExportToFile does; the
// document's exported_at is the current time. It never overwrites an
// existing file (an error wrapping export.ErrExists).
func ExportEvents(events []Event, path string) error {
	f, err := export.FormatFromPath(path)
	if err != nil {
		return err
	}
	return exportEvents(events, path, f, time.Now())
}

func exportEvents(events []Event, path string, f export.Format, now time.Time) error {
	raws := encodeEvents(events)
	return export.CreateFile(path, func(w io.Writer) error {
		return export.WriteFormat(w, f, raws, now)
	})
}

// WriteEvents writes events, in their order, to w in format f (see
// export.WriteFormat); the document's exported_at is the current time.
// Events are encoded as Event.MarshalJSON encodes them.
func WriteEvents(w io.Writer, f export.Format, events []Event) error {
	return export.WriteFormat(w, f, encodeEvents(events), time.Now())
}

// encodeEvents encodes each event with MarshalJSON, which never fails.
func encodeEvents(events []Event) []json.RawMessage {
	raws := make([]json.RawMessage, len(events))
	for i := range events {
		raws[i], _ = events[i].MarshalJSON() // never fails: see MarshalJSON
	}
	return raws
}

// ReadEvents reads the events of the file path, in any format
// export.ReadFile takes (a document, JSON Lines, CSV or a bare array,
// gzipped or not, told from the content), and decodes them, keeping
// their event_id, seq and timestamp. It also takes what the original
// Python system (axon) wrote:
//   - operations and statuses in any case ("store", "success"), made
//     upper case (ParseOperation, ParseStatus);
//   - timestamps in RFC 3339, or in Python's isoformat without a zone
//     ("2025-01-15T10:30:45.123456", with 'T' or a space), taken as UTC.
//
// Keys it does not know (chain, prev_hash, hash, anything else) are ignored. An
// event without a timestamp (no key, null, an empty string, an empty CSV
// cell) keeps a zero Time, which Log, LogBatch and Import stamp with the
// logger's clock.
//
// An event it cannot accept (no operation or a malformed one, an unknown
// status, a bad timestamp, a negative duration) makes it return nothing
// and an error wrapping export.ErrCorrupt that names the file and the
// event's index (from 0), wrapping ErrInvalidEvent or the decoding error
// too. So does a file that cannot be read (see export.ReadFrom); for a
// JSON Lines file with a torn last line, the error names that line and
// no events are returned: cut the line off to import the rest.
//
// ReadEvents holds every event of the file. ReadEventsFunc reads one at a
// time, in memory bounded whatever the size of the file (see
// export.ReadFromFunc), and may stop early.
func ReadEvents(path string) ([]Event, error) {
	var events []Event
	if err := ReadEventsFunc(path, func(ev Event) error {
		events = append(events, ev)
		return nil
	}); err != nil {
		return nil, err
	}
	return events, nil
}

// ReadEventsFunc reads the events of the file path as ReadEvents does,
// and calls fn with each, in the file's order, as it reads it: it holds
// one event at a time, however large the file, or however much a small
// gzip stream inflates to. An error fn returns stops the reading and is
// returned as it is: a caller that wants the first n events returns an
// error of its own once it has them, and nothing more is read.
//
// The other errors are those of ReadEvents. An error may come after fn
// has been called with the events before it (corruption further on, a
// torn last line): a caller that wants all or nothing keeps the events
// until ReadEventsFunc returns nil, as ReadEvents does.
//
// One event may be up to export.MaxLineBytes (64 MiB) of JSON; decoded
// into maps and slices of Go values, a crafted one takes many times that
// while it is held.
func ReadEventsFunc(path string, fn func(Event) error) error {
	i := 0
	_, err := export.ReadFileFunc(path, func(raw json.RawMessage) error {
		var ev Event
		if err := decodeImported(raw, &ev); err != nil {
			return fmt.Errorf("%w: %s: event %d: %w", export.ErrCorrupt, path, i, err)
		}
		i++
		return fn(ev)
	})
	return err
}

// decodeImported decodes one exported object into ev, normalising what
// axon wrote differently, and checks it as Log would.
func decodeImported(raw []byte, ev *Event) error {
	// What this library exported needs no normalising: decode it once.
	if ev.UnmarshalJSON(raw) == nil && ev.Operation.Valid() && (ev.Status == "" || ev.Status.Valid()) {
		return checkUnstamped(ev)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return err
	}
	str := func(key string) (string, bool, error) {
		v, ok := m[key]
		if !ok || string(v) == "null" {
			return "", false, nil
		}
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return "", false, fmt.Errorf("%s: %s is not a string", key, v)
		}
		return s, true, nil
	}
	op, _, err := str("operation")
	if err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidEvent, err)
	}
	operation, err := ParseOperation(op)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidEvent, err)
	}
	m["operation"], _ = json.Marshal(operation) // a string: cannot fail
	if st, ok, err := str("status"); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidEvent, err)
	} else if ok && st != "" {
		status, err := ParseStatus(st)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrInvalidEvent, err)
		}
		m["status"], _ = json.Marshal(status)
	}
	if ts, ok, err := str("timestamp"); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidEvent, err)
	} else if !ok || ts == "" {
		delete(m, "timestamp") // stamped when logged, as Log stamps a zero Time
	} else {
		t, err := parseImportTime(ts)
		if err != nil {
			return fmt.Errorf("%w: timestamp %q: %w", ErrInvalidEvent, ts, err)
		}
		m["timestamp"], _ = json.Marshal(t.Format(time.RFC3339Nano))
	}
	norm, err := json.Marshal(m)
	if err != nil {
		return err
	}
	if err := ev.UnmarshalJSON(norm); err != nil {
		return err
	}
	return checkUnstamped(ev)
}

// checkUnstamped checks ev as Log would, once it has stamped a zero Time
// with its clock.
func checkUnstamped(ev *Event) error {
	if !ev.Time.IsZero() {
		return ev.check()
	}
	stamped := *ev
	stamped.Time = minTime // any time Log accepts
	return stamped.check()
}

// importLayouts are the timestamps ReadEvents takes: RFC 3339, and
// Python's isoformat without a zone, taken as UTC.
var importLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
}

// parseImportTime reads a timestamp of importLayouts, in UTC.
func parseImportTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	var first error
	for _, layout := range importLayouts {
		t, err := time.Parse(layout, s)
		if err == nil {
			return t.UTC(), nil
		}
		if first == nil {
			first = err
		}
	}
	return time.Time{}, fmt.Errorf("not RFC 3339 nor an ISO 8601 date and time: %w", first)
}
