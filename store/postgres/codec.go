package postgres

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/auditlog/auditlog/logger"
)

// PostgreSQL text and jsonb hold neither the NUL character nor invalid
// UTF-8. The journal already gives back invalid UTF-8 as U+FFFD (JSON
// strings are UTF-8); a NUL, which the journal keeps, is stored as U+FFFD
// too, in the columns and in the JSON, and a filter value is cleaned the
// same way, so that it matches what was stored for it.

// clean returns s as PostgreSQL can store it: invalid UTF-8 and NUL
// replaced by U+FFFD.
func clean(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == 0 || c >= utf8.RuneSelf {
			if strings.IndexByte(s, 0) < 0 && utf8.ValidString(s) {
				return s
			}
			return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "\uFFFD")
		}
	}
	return s
}

// maxKey is the longest value, in bytes, that a column holds as it is. A
// B-tree index entry holds at most about 2.7 kB, and a value longer than
// that would make every Write of its batch fail: a longer value is kept
// whole in rest, and its column holds its key.
const maxKey = 1024

// key returns what the column of the value s holds, and what a filter on
// s looks for: s cleaned, when it is at most maxKey bytes; otherwise its
// first bytes and the SHA-256 of the whole, together a little longer than
// maxKey, so that no value stored as it is can equal the key of another.
func key(s string) string {
	s = clean(s)
	if len(s) <= maxKey {
		return s
	}
	cut := maxKey + 1 - 2*sha256.Size
	for cut < len(s) && !utf8.RuneStart(s[cut]) {
		cut++
	}
	sum := sha256.Sum256([]byte(s))
	return s[:cut] + hex.EncodeToString(sum[:])
}

// long reports whether the column of s holds its key rather than s.
func long(s string) bool { return len(s) > maxKey && len(clean(s)) > maxKey }

// cleanJSON replaces each \u0000 escape of the JSON text b with \ufffd,
// in place: jsonb refuses the NUL character. In JSON every backslash
// starts an escape, so an escape is recognised by skipping the others.
func cleanJSON(b []byte) []byte {
	for i := bytes.IndexByte(b, '\\'); i >= 0 && i+1 < len(b); {
		if b[i+1] == 'u' && i+6 <= len(b) && string(b[i+2:i+6]) == "0000" {
			copy(b[i+2:], "fffd")
		}
		if i+2 >= len(b) {
			break
		}
		j := bytes.IndexByte(b[i+2:], '\\')
		if j < 0 {
			break
		}
		i += 2 + j
	}
	return b
}

// rows is a batch of events as the column arrays of insertSQL.
type rows struct {
	id, src, op, st, cat, usr, ses, rt, rid, run []string
	ent, meta, prev, nw, rest                    []string // JSON text; "" is NULL
	t                                            []time.Time
	ns, seq                                      []int64
}

func newRows(n int) *rows {
	s := func() []string { return make([]string, 0, n) }
	return &rows{
		id: s(), src: s(), op: s(), st: s(), cat: s(), usr: s(), ses: s(), rt: s(), rid: s(), run: s(),
		ent: s(), meta: s(), prev: s(), nw: s(), rest: s(),
		t: make([]time.Time, 0, n), ns: make([]int64, 0, n), seq: make([]int64, 0, n),
	}
}

// args returns the arguments of insertSQL.
func (r *rows) args() []any {
	return []any{r.id, r.t, r.ns, r.src, r.seq, r.op, r.st, r.cat, r.usr, r.ses, r.rt, r.rid, r.run,
		r.ent, r.meta, r.prev, r.nw, r.rest}
}

// add appends ev, already validated.
func (r *rows) add(ev *logger.Event) {
	r.id = append(r.id, key(ev.ID))
	r.t = append(r.t, ev.Time)
	r.ns = append(r.ns, ev.Time.UnixNano())
	r.src = append(r.src, key(ev.Source))
	r.seq = append(r.seq, int64(ev.Seq))
	r.op = append(r.op, string(ev.Operation)) // valid: short and plain
	r.st = append(r.st, string(ev.Status))
	r.cat = append(r.cat, key(ev.Category))
	r.usr = append(r.usr, key(ev.UserID))
	r.ses = append(r.ses, key(ev.SessionID))
	r.rt = append(r.rt, key(ev.ResourceType))
	r.rid = append(r.rid, key(ev.ResourceID))
	r.run = append(r.run, key(ev.RunID))

	// The rest: the fields without columns, and the values too long for
	// theirs.
	rest := *ev
	rest.Seq, rest.Time, rest.Operation, rest.Status = 0, time.Time{}, "", ""
	for _, f := range [...]*string{&rest.ID, &rest.Source, &rest.Category, &rest.UserID, &rest.SessionID,
		&rest.ResourceType, &rest.ResourceID, &rest.RunID} {
		if !long(*f) {
			*f = ""
		}
	}
	rest.EntryIDs, rest.Metadata, rest.PreviousState, rest.NewState = nil, nil, nil, nil
	r.ent = append(r.ent, value(&logger.Event{EntryIDs: ev.EntryIDs}, `{"entry_ids":`))
	r.meta = append(r.meta, value(&logger.Event{Metadata: ev.Metadata}, `{"metadata":`))
	r.prev = append(r.prev, value(&logger.Event{PreviousState: ev.PreviousState}, `{"previous_state":`))
	r.nw = append(r.nw, value(&logger.Event{NewState: ev.NewState}, `{"new_state":`))
	line, _ := rest.MarshalJSON() // never fails: see Event.MarshalJSON
	r.rest = append(r.rest, string(cleanJSON(line)))
}

// value returns the JSON of the one field set in ev, encoded as the
// journal encodes it (Event.MarshalJSON: the same keys, the same handling
// of values JSON cannot hold), or "" when it is empty.
func value(ev *logger.Event, prefix string) string {
	if ev.EntryIDs == nil && ev.Metadata == nil && ev.PreviousState == nil && ev.NewState == nil {
		return ""
	}
	line, _ := ev.MarshalJSON()
	if !bytes.HasPrefix(line, []byte(prefix)) {
		return "" // empty, so omitted
	}
	return string(cleanJSON(line[len(prefix) : len(line)-1]))
}

// decoder decodes rows; one per Query, not safe for concurrent use.
type decoder struct {
	line []byte
}

// decode makes ev from the JSON columns of a row: rest with entry_ids,
// metadata, previous_state and new_state put back, read by
// Event.UnmarshalJSON, so that events come back as the journal gives
// them back. The caller sets the fields that have columns, where rest
// left them empty (see long).
func (d *decoder) decode(rest, ent, meta, prev, nw []byte, ev *logger.Event) error {
	rest = bytes.TrimSpace(rest)
	if len(rest) < 2 || rest[0] != '{' || rest[len(rest)-1] != '}' {
		return fmt.Errorf("postgres: corrupt event: rest is not a JSON object")
	}
	d.line = append(d.line[:0], rest[:len(rest)-1]...)
	empty := len(bytes.TrimSpace(rest[1:len(rest)-1])) == 0
	for _, f := range [...]struct {
		key string
		v   []byte
	}{{"entry_ids", ent}, {"metadata", meta}, {"previous_state", prev}, {"new_state", nw}} {
		if f.v == nil {
			continue
		}
		if !empty {
			d.line = append(d.line, ',')
		}
		empty = false
		d.line = append(d.line, '"')
		d.line = append(d.line, f.key...)
		d.line = append(d.line, '"', ':')
		d.line = append(d.line, f.v...)
	}
	d.line = append(d.line, '}')
	if err := ev.UnmarshalJSON(d.line); err != nil {
		return fmt.Errorf("postgres: corrupt event: %w", err)
	}
	return nil
}
