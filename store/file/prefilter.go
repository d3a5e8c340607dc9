package file

import (
	"bytes"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/auditlog/auditlog/logger"
)

// prefilter is a test on the bytes of a line that every line of an event
// matching the Filter passes, so that most other lines are skipped
// without being decoded. It relies on the lines being written by
// logger.Event.MarshalJSON, whose encoding is always the same: the
// top-level keys in a fixed order, each omitted when empty, and one
// encoding of each string.
//
// The string fields that come before the first nested value (operation,
// status, category, user_id, session_id, resource_type, resource_id) are
// compared exactly, and the timestamp with the time bounds, by walking
// the leading keys of the line; run_id, source and the entry ids, later
// in the line, by looking for their bytes anywhere in it (a necessary
// condition). A line that does not have the expected shape passes, and
// decoding judges it.
type prefilter struct {
	leading []leadingCheck // sorted by the key's rank
	needles [][][]byte     // each group: the line holds one of them
}

// leadingCheck wants the top-level key at rank to hold value, encoded
// (quotes included); for the timestamp, a time in [since, until], each
// encoded as MarshalJSON encodes the time (nil: no bound).
type leadingCheck struct {
	key          string
	rank         int
	value        []byte
	since, until []byte
}

// holds reports whether v, the encoded value of c's key, may pass c.
func (c *leadingCheck) holds(v []byte) bool {
	if c.value != nil {
		return bytes.Equal(v, c.value)
	}
	return (c.since == nil || compareStamps(v, c.since) >= 0) && (c.until == nil || compareStamps(v, c.until) <= 0)
}

// stampLayout is how MarshalJSON writes the time: RFC 3339 in UTC, with
// the fraction's trailing zeros cut.
const stampLayout = time.RFC3339Nano

// encodedStamp returns t as a line holds it, quotes included, or nil when
// its year is not written with four digits (the check is then left to
// decoding).
func encodedStamp(t time.Time) []byte {
	t = t.UTC()
	if t.Year() < 0 || t.Year() > 9999 {
		return nil
	}
	return append(t.AppendFormat([]byte{'"'}, stampLayout), '"')
}

// compareStamps compares the encoded times a and b, as time.Time.Compare
// does; b is one of encodedStamp's. A value of another shape than
// "YYYY-MM-DDThh:mm:ss[.fraction]Z" compares as equal, so that no check
// rejects it: decoding judges it.
func compareStamps(a, b []byte) int {
	const shape = `"dddd-dd-ddTdd:dd:dd`
	const whole = len(shape)
	if len(a) < whole+2 || a[len(a)-2] != 'Z' || a[len(a)-1] != '"' {
		return 0
	}
	for i := range whole {
		if c := a[i]; shape[i] == 'd' && (c < '0' || c > '9') || shape[i] != 'd' && c != shape[i] {
			return 0
		}
	}
	fa, fb := a[whole:len(a)-2], b[whole:len(b)-2] // "" or ".digits"
	if len(fa) > 0 {
		if fa[0] != '.' || len(fa) == 1 {
			return 0
		}
		fa = fa[1:]
		for _, c := range fa {
			if c < '0' || c > '9' {
				return 0
			}
		}
	}
	if c := bytes.Compare(a[:whole], b[:whole]); c != 0 {
		return c
	}
	fb = bytes.TrimPrefix(fb, []byte{'.'})
	for i := range max(len(fa), len(fb)) {
		da, db := byte('0'), byte('0')
		if i < len(fa) {
			da = fa[i]
		}
		if i < len(fb) {
			db = fb[i]
		}
		if da != db {
			return int(da) - int(db)
		}
	}
	return 0
}

// leadingKeys are the keys MarshalJSON writes before the first nested
// value, in its order.
var leadingKeys = []string{
	"event_id", "seq", "timestamp", "operation", "status", "category", "user_id", "user_name",
	"user_email", "session_id", "ip_address", "user_agent", "resource_type", "resource_id", "resource_name",
}

func rankOf(key []byte) int {
	for i, k := range leadingKeys {
		if string(key) == k {
			return i
		}
	}
	return len(leadingKeys)
}

func newPrefilter(f *logger.Filter) prefilter {
	var p prefilter
	// encoded returns the JSON of the one field ev sets, {"key":value}, and
	// false for a value that is not valid UTF-8 or holds U+FFFD: one
	// stored with bytes that are not UTF-8 reads back with U+FFFD, but
	// is written differently; decoding judges those.
	encoded := func(ev logger.Event, v string) ([]byte, bool) {
		if v == "" || !utf8.ValidString(v) || strings.ContainsRune(v, utf8.RuneError) {
			return nil, false
		}
		b, _ := ev.MarshalJSON()
		return b, true
	}
	leading := func(key string, ev logger.Event, v string) {
		if b, ok := encoded(ev, v); ok {
			// {"key":"value"} → "value"
			p.leading = append(p.leading, leadingCheck{key: key, rank: rankOf([]byte(key)), value: b[len(key)+4 : len(b)-1]})
		}
	}
	if !f.Since.IsZero() || !f.Until.IsZero() {
		c := leadingCheck{key: "timestamp", rank: rankOf([]byte("timestamp"))}
		if !f.Since.IsZero() {
			c.since = encodedStamp(f.Since)
		}
		if !f.Until.IsZero() {
			c.until = encodedStamp(f.Until)
		}
		if c.since != nil || c.until != nil {
			p.leading = append(p.leading, c)
		}
	}
	leading("operation", logger.Event{Operation: f.Operation}, string(f.Operation))
	if f.Status != logger.StatusSuccess { // SUCCESS also matches no status
		leading("status", logger.Event{Status: f.Status}, string(f.Status))
	}
	leading("category", logger.Event{Category: f.Category}, f.Category)
	leading("user_id", logger.Event{UserID: f.UserID}, f.UserID)
	leading("session_id", logger.Event{SessionID: f.SessionID}, f.SessionID)
	leading("resource_type", logger.Event{ResourceType: f.ResourceType}, f.ResourceType)
	leading("resource_id", logger.Event{ResourceID: f.ResourceID}, f.ResourceID)

	if b, ok := encoded(logger.Event{RunID: f.RunID}, f.RunID); ok {
		p.needles = append(p.needles, [][]byte{b[1 : len(b)-1]}) // "run_id":"value"
	}
	if b, ok := encoded(logger.Event{Source: f.Source}, f.Source); ok {
		p.needles = append(p.needles, [][]byte{b[1 : len(b)-1]}) // "source":"value"
	}
	if len(f.EntryIDs) > 0 {
		var group [][]byte
		for _, id := range f.EntryIDs {
			b, ok := encoded(logger.Event{EntryIDs: []string{id}}, id)
			if !ok {
				group = nil
				break
			}
			group = append(group, b[len(`{"entry_ids":[`):len(b)-2]) // "id"
		}
		if group != nil {
			p.needles = append(p.needles, group)
		}
	}
	return p
}

// may reports whether line may be the line of a matching event.
func (p *prefilter) may(line []byte) bool {
	if len(p.leading) > 0 && !p.leadingMatch(line) {
		return false
	}
	for _, group := range p.needles {
		found := false
		for _, needle := range group {
			if bytes.Contains(line, needle) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// leadingMatch walks the top-level keys at the start of line and reports
// false when one of p.leading holds another value or is absent (an empty
// field, which no check asks for); true when all hold their value, or
// when the line is not shaped as MarshalJSON writes.
func (p *prefilter) leadingMatch(line []byte) bool {
	if len(line) < 2 || line[0] != '{' {
		return true
	}
	next := 0 // the first check not yet met
	i := 1
	for {
		// A key: no escapes in the keys MarshalJSON writes.
		if i >= len(line) || line[i] != '"' {
			return true
		}
		end := bytes.IndexByte(line[i+1:], '"')
		if end < 0 {
			return true
		}
		key := line[i+1 : i+1+end]
		i += end + 2
		if i >= len(line) || line[i] != ':' {
			return true
		}
		i++
		rank := rankOf(key)
		// Checks on keys before this one that were not met: absent.
		if rank > p.leading[next].rank {
			return false
		}
		// The value: a string or a number, before the first nested one.
		start := i
		if i >= len(line) {
			return true
		}
		switch c := line[i]; {
		case c == '"':
			i = stringEnd(line, i)
			if i < 0 {
				return true
			}
		case c == '-' || '0' <= c && c <= '9':
			for i < len(line) && line[i] != ',' && line[i] != '}' {
				i++
			}
		default:
			return true
		}
		if rank == p.leading[next].rank {
			if !p.leading[next].holds(line[start:i]) {
				return false
			}
			if next++; next == len(p.leading) {
				return true
			}
		}
		if i >= len(line) {
			return true
		}
		switch line[i] {
		case ',':
			i++
		case '}':
			return false // the end, with checks not met
		default:
			return true
		}
	}
}

// stringEnd returns the offset after the closing quote of the JSON
// string that starts at line[i], or -1.
func stringEnd(line []byte, i int) int {
	i++
	for {
		q := bytes.IndexByte(line[i:], '"')
		if q < 0 {
			return -1
		}
		q += i
		bs := 0
		for k := q - 1; k >= i && line[k] == '\\'; k-- {
			bs++
		}
		if bs%2 == 0 {
			return q + 1
		}
		i = q + 1
	}
}
