package export

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"time"
)

// WriteFormat writes events to w in format f, as WriteDocument,
// WriteJSONLines, WriteCSV or WriteArray do; exportedAt is used by
// FormatDocument only. An f that is not one of the constants is an error
// wrapping ErrUnknownFormat.
func WriteFormat(w io.Writer, f Format, events []json.RawMessage, exportedAt time.Time) error {
	switch f {
	case FormatDocument:
		return WriteDocument(w, events, exportedAt)
	case FormatJSONLines:
		return WriteJSONLines(w, events)
	case FormatCSV:
		return WriteCSV(w, events)
	case FormatArray:
		return WriteArray(w, events)
	}
	return fmt.Errorf("%w: %v", ErrUnknownFormat, f)
}

// WriteDocument writes events as one JSON document,
//
//	{"events": [
//	{...},
//	{...}
//	], "total_events": 2, "exported_at": "2024-06-01T12:00:00Z"}
//
// one compacted event per line, exportedAt in RFC 3339 with nanoseconds,
// UTC. Every event must be a JSON object: otherwise nothing is written and
// the error names the event's index.
func WriteDocument(w io.Writer, events []json.RawMessage, exportedAt time.Time) error {
	tail := fmt.Appendf(nil, `], "total_events": %d, "exported_at": "`, len(events))
	tail = exportedAt.UTC().AppendFormat(tail, time.RFC3339Nano)
	return writeList(w, `{"events": [`, events, append(tail, "\"}\n"...))
}

// WriteArray writes events as a bare JSON array, one compacted event per
// line. Every event must be a JSON object: otherwise nothing is written
// and the error names the event's index.
func WriteArray(w io.Writer, events []json.RawMessage) error {
	return writeList(w, "[", events, []byte("]\n"))
}

// writeList writes head, the events one per line separated by commas,
// then tail, once every event is known to be an object.
func writeList(w io.Writer, head string, events []json.RawMessage, tail []byte) error {
	if err := checkObjects(events); err != nil {
		return err
	}
	buf := []byte(head)
	if len(events) > 0 {
		buf = append(buf, '\n')
	}
	buf, err := writeEach(w, buf, events, ",\n")
	if err != nil {
		return err
	}
	if len(events) > 0 {
		buf = append(buf, '\n')
	}
	return write(w, append(buf, tail...))
}

// WriteJSONLines writes events as JSON Lines: each event compacted onto
// one line, ended by '\n'. No events write nothing. Every event must be a
// JSON object: otherwise nothing is written and the error names the
// event's index.
func WriteJSONLines(w io.Writer, events []json.RawMessage) error {
	if err := checkObjects(events); err != nil {
		return err
	}
	buf, err := writeEach(w, nil, events, "\n")
	if err != nil {
		return err
	}
	if len(events) > 0 {
		buf = append(buf, '\n')
	}
	return write(w, buf)
}

// writeEach appends each event, compacted, to buf with sep between them,
// handing buf to w whenever it grows past 64 KiB. It returns what is left
// to write.
func writeEach(w io.Writer, buf []byte, events []json.RawMessage, sep string) ([]byte, error) {
	out := bytes.NewBuffer(buf)
	for i, ev := range events {
		if i > 0 {
			out.WriteString(sep)
		}
		if err := json.Compact(out, ev); err != nil {
			// checkObjects let it through: cannot happen.
			return nil, fmt.Errorf("auditlog: export: event %d: %w", i, err)
		}
		if out.Len() >= 64<<10 {
			if err := write(w, out.Bytes()); err != nil {
				return nil, err
			}
			out.Reset()
		}
	}
	return out.Bytes(), nil
}

// write writes b to w, with the package's prefix on failure.
func write(w io.Writer, b []byte) error {
	if len(b) == 0 {
		return nil
	}
	if _, err := w.Write(b); err != nil {
		return fmt.Errorf("auditlog: export: writing: %w", err)
	}
	return nil
}

// checkObjects returns an error naming the first event that is not one
// valid JSON object.
func checkObjects(events []json.RawMessage) error {
	for i, ev := range events {
		if err := checkObject(ev); err != nil {
			return fmt.Errorf("auditlog: export: event %d: %w", i, err)
		}
	}
	return nil
}

// checkObject reports why b is not one valid JSON object, or nil.
func checkObject(b []byte) error {
	b = bytes.TrimLeft(b, " \t\r\n")
	if len(b) == 0 {
		return fmt.Errorf("empty, want a JSON object")
	}
	if !json.Valid(b) {
		var v json.RawMessage
		err := json.Unmarshal(b, &v) // for the reason
		if err == nil {
			err = fmt.Errorf("invalid JSON")
		}
		return err
	}
	if b[0] != '{' {
		return fmt.Errorf("JSON %s, want an object", kindOf(b[0]))
	}
	return nil
}

// kindOf names the JSON value that starts with c.
func kindOf(c byte) string {
	switch c {
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	}
	return "number"
}

// WriteCSV writes events as CSV (RFC 4180, by encoding/csv): a header row,
// then one row per event, with these columns in this order:
//
//	event_id, seq, timestamp, operation, status, category,
//	user_id, user_name, user_email, session_id, ip_address, user_agent,
//	resource_type, resource_id, resource_name, entry_ids,
//	run_id, parent_run_id, description, tags, duration_ms,
//	error_message, error_stack, source,
//	changes, previous_state, new_state, request, metadata
//
// A cell holds its key's value:
//   - seq, duration_ms: the number as written in the JSON;
//   - entry_ids, tags, changes, previous_state, new_state, request,
//     metadata: the value as compact JSON text (["a","b"], {"k":1});
//   - every other column: the string itself. A value that is not a string
//     is written as its JSON text and reads back as a string.
//
// A missing key and null give an empty cell, which ReadFrom reads as a
// missing key; the empty string in a text column is a lone single quote
// (see below), so it reads back as the empty string. Keys not in the list (chain, prev_hash, hash,
// anything else) are dropped: CSV is for people and spreadsheets; JSON
// Lines is the lossless format. encoding/csv also reads a carriage return
// right before a line feed inside a value as a line feed alone.
//
// Formula injection: a spreadsheet runs a cell that starts with = + - @,
// a tab or a carriage return as a formula, and audit events carry text
// that others chose (a user agent, a resource name). So a text cell that
// starts with one of these, or with a single quote, is written with a
// single quote in front ('=1+1), which spreadsheets show as text and
// ReadFrom removes, so the round trip is exact. (Escaping only the
// triggers, as some exporters do, would make a value that starts with a
// quote read back wrong; prefixing every text cell would clutter them
// all.) JSON cells need no guard:
// they start with a digit, a quote, a bracket, a letter, or '-' followed
// by a number, which a spreadsheet reads as that number.
//
// Every event must be a JSON object: otherwise nothing is written and the
// error names the event's index.
func WriteCSV(w io.Writer, events []json.RawMessage) error {
	if err := checkObjects(events); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(csvColumns[:]); err != nil {
		return fmt.Errorf("auditlog: export: writing: %w", err)
	}
	row := make([]string, len(csvColumns))
	var buf bytes.Buffer
	for i, ev := range events {
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(ev, &obj); err != nil {
			return fmt.Errorf("auditlog: export: event %d: %w", i, err)
		}
		for c, col := range csvColumns {
			row[c] = ""
			v, ok := obj[col]
			if !ok || string(v) == "null" {
				continue
			}
			if csvKind(col) == cellText && v[0] == '"' {
				var s string
				if err := json.Unmarshal(v, &s); err != nil {
					return fmt.Errorf("auditlog: export: event %d: %s: %w", i, col, err)
				}
				row[c] = guardFormula(s)
				continue
			}
			buf.Reset()
			if err := json.Compact(&buf, v); err != nil {
				return fmt.Errorf("auditlog: export: event %d: %s: %w", i, col, err)
			}
			if csvKind(col) == cellText {
				row[c] = guardFormula(buf.String())
			} else {
				row[c] = buf.String()
			}
		}
		if err := cw.Write(row); err != nil {
			return fmt.Errorf("auditlog: export: writing: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("auditlog: export: writing: %w", err)
	}
	return nil
}
