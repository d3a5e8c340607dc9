package logger

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/auditlog/auditlog/internal/jsonscan"
)

// decodeCold reads back the cold part of a record, the JSON object that
// encodeCold wrote, into ev, which must be zero.
//
// Query decodes one cold part per event it returns, so this is the cost of
// a query once the indexes have done their work. encoding/json spends
// about 2 µs and twenty allocations on a three-key metadata map; the
// reader here handles what encodeCold writes for the common fields —
// strings without escapes, numbers, booleans, null, objects and arrays of
// those — and hands everything else to Event.UnmarshalJSON, which stays
// the one definition of the format: on anything the reader does not
// expect, decodeCold starts again with it.
//
// cache, when not nil, shares what the events of one query have in
// common (see decodeCache).
func decodeCold(b []byte, ev *Event, cache *decodeCache) error {
	r := coldReader{b: b, cache: cache}
	if r.event(ev) {
		return nil
	}
	*ev = Event{}
	return ev.UnmarshalJSON(b)
}

// coldReader is a reader of the subset of JSON described at decodeCold. Its
// methods report false for input outside that subset.
type coldReader struct {
	b     []byte
	i     int
	seen  [32]string // the keys read so far: sixteen cold ones, and a line's others
	n     int
	cache *decodeCache
	line  bool // a whole journal line: the indexed fields and the chain's too
}

// decodeLine decodes a whole journal line into ev, as Event.UnmarshalJSON
// does, with the reader of decodeCold for the lines the logger writes
// (and UnmarshalJSON for anything else): a sink reads every line of the
// journal, and encoding/json would be most of its cost.
func decodeLine(b []byte, ev *Event, cache *decodeCache) error {
	r := coldReader{b: b, cache: cache, line: true}
	if r.event(ev) {
		return nil
	}
	*ev = Event{}
	return ev.UnmarshalJSON(b)
}

// decodeCache holds what the events of one query mostly share, so that
// each is allocated once: one copy of each map key read, and short string
// values already boxed in an interface (strings are immutable, so events
// may share them; numbers repeat too seldom to be worth it). Each map
// holds at most maxCached entries.
type decodeCache struct {
	keys map[string]string
	vals map[string]any // by the value's JSON, quotes included
}

func newDecodeCache() *decodeCache {
	return &decodeCache{keys: make(map[string]string), vals: make(map[string]any)}
}

const (
	maxCached    = 256
	maxCachedVal = 32 // bytes of JSON
)

// cachedVal returns the string value whose JSON is raw, and whether it
// was found.
func (r *coldReader) cachedVal(raw []byte) (any, bool) {
	if r.cache == nil || len(raw) > maxCachedVal {
		return nil, false
	}
	v, ok := r.cache.vals[string(raw)] // no allocation for the lookup
	return v, ok
}

// keepVal remembers v as the string value whose JSON is raw.
func (r *coldReader) keepVal(raw []byte, v any) {
	if r.cache != nil && len(raw) <= maxCachedVal && len(r.cache.vals) < maxCached {
		r.cache.vals[string(raw)] = v
	}
}

func (r *coldReader) event(ev *Event) bool {
	return r.peek() == '{' && r.members(func(key string) bool { return r.field(ev, key) }) && r.end()
}

// members reads an object, calling each for every key with the reader at
// its value; each reads the value.
func (r *coldReader) members(each func(key string) bool) bool {
	if !r.consume('{') {
		return false
	}
	return r.elements('}', func() bool {
		key, ok := r.key()
		return ok && r.consume(':') && each(key)
	})
}

// elements reads the comma-separated elements of an object or array whose
// opening bracket has been read, up to and including its closing one.
func (r *coldReader) elements(closing byte, each func() bool) bool {
	if r.consume(closing) {
		return true
	}
	for {
		if !each() {
			return false
		}
		if r.consume(closing) {
			return true
		}
		if !r.consume(',') {
			return false
		}
	}
}

// field reads the value of key into ev. A key seen twice is left to
// encoding/json, which merges repeated objects rather than replacing them.
func (r *coldReader) field(ev *Event, key string) bool {
	if r.n == len(r.seen) || slices.Contains(r.seen[:r.n], key) {
		return false
	}
	r.seen[r.n] = key
	r.n++
	var s *string
	if r.line {
		switch key {
		case "seq":
			return r.uint(&ev.Seq)
		case "timestamp":
			return r.timestamp(&ev.Time)
		case "operation":
			v, ok := r.str()
			ev.Operation = Operation(v)
			return ok
		case "status":
			v, ok := r.str()
			ev.Status = Status(v)
			return ok
		case "category":
			s = &ev.Category
		case "user_id":
			s = &ev.UserID
		case "session_id":
			s = &ev.SessionID
		case "resource_type":
			s = &ev.ResourceType
		case "resource_id":
			s = &ev.ResourceID
		case "run_id":
			s = &ev.RunID
		case "source":
			s = &ev.Source
		case "entry_ids":
			return r.strings(&ev.EntryIDs)
		case "duration_ms":
			return r.millis(&ev.Duration)
		case "chain", "prev_hash", "hash":
			_, ok := r.rawStr()
			return ok
		}
		if s != nil {
			v, ok := r.str()
			*s = v
			return ok
		}
	}
	switch key {
	case "event_id":
		s = &ev.ID
	case "user_name":
		s = &ev.UserName
	case "user_email":
		s = &ev.UserEmail
	case "ip_address":
		s = &ev.IPAddress
	case "user_agent":
		s = &ev.UserAgent
	case "resource_name":
		s = &ev.ResourceName
	case "parent_run_id":
		s = &ev.ParentRunID
	case "description":
		s = &ev.Description
	case "error_message":
		s = &ev.ErrorMessage
	case "error_stack":
		s = &ev.ErrorStack
	case "metadata":
		return r.objectInto(&ev.Metadata)
	case "previous_state":
		return r.objectInto(&ev.PreviousState)
	case "new_state":
		return r.objectInto(&ev.NewState)
	case "tags":
		return r.strings(&ev.Tags)
	case "changes":
		return r.raw(&ev.Changes)
	case "request":
		return r.raw(&ev.Request)
	default:
		return false // not a cold key: let UnmarshalJSON judge
	}
	v, ok := r.str()
	*s = v
	return ok
}

// uint reads an unsigned integer of digits only, as a seq is written.
func (r *coldReader) uint(dst *uint64) bool {
	r.peek()
	start := r.i
	if !r.digits() || r.i-start > 20 || r.b[start] == '0' && r.i-start > 1 {
		return false
	}
	n, err := strconv.ParseUint(string(r.b[start:r.i]), 10, 64)
	*dst = n
	return err == nil
}

// timestamp reads an RFC 3339 time as encoding/json reads a time.Time, in
// UTC, within the years the logger's clock holds.
func (r *coldReader) timestamp(dst *time.Time) bool {
	raw, ok := r.rawStr()
	if !ok {
		return false
	}
	var t time.Time
	if t.UnmarshalText(raw) != nil {
		return false
	}
	t = t.UTC()
	if t.Before(minTime) || t.After(maxTime) {
		return false // UnmarshalJSON says why
	}
	*dst = t
	return true
}

// millis reads a number of milliseconds as UnmarshalJSON reads
// duration_ms.
func (r *coldReader) millis(dst *time.Duration) bool {
	r.peek()
	start := r.i
	if !r.numberSyntax() {
		return false
	}
	d, err := parseMillis(string(r.b[start:r.i]))
	*dst = d
	return err == nil
}

func (r *coldReader) objectInto(m *map[string]any) bool {
	if r.peek() != '{' {
		return false
	}
	v, ok := r.value(0)
	if !ok {
		return false
	}
	*m = v.(map[string]any)
	return true
}

func (r *coldReader) strings(dst *[]string) bool {
	if !r.consume('[') {
		return false
	}
	out := []string{}
	ok := r.elements(']', func() bool {
		s, ok := r.str()
		out = append(out, s)
		return ok
	})
	*dst = out
	return ok
}

// raw decodes the next value into dst with encoding/json: fields that are
// rare and typed (Changes, Request) are not worth a reader of their own.
func (r *coldReader) raw(dst any) bool {
	start := r.i
	if _, ok := r.value(0); !ok {
		return false
	}
	return json.Unmarshal(r.b[start:r.i], dst) == nil
}

// value reads any JSON value as encoding/json would decode it into an
// interface: map[string]any, []any, string, float64, bool or nil.
func (r *coldReader) value(depth int) (any, bool) {
	if depth > maxDepth+2 { // as deep as the encoder writes: Changes nest two levels in
		return nil, false
	}
	switch c := r.peek(); {
	case c == '"':
		start := r.i
		raw, ok := r.rawStr()
		if !ok {
			return nil, false
		}
		if v, ok := r.cachedVal(r.b[start:r.i]); ok {
			return v, true
		}
		v := any(string(raw))
		r.keepVal(r.b[start:r.i], v)
		return v, true
	case c == '{':
		m := make(map[string]any)
		return m, r.members(func(k string) bool {
			v, ok := r.value(depth + 1)
			m[k] = v
			return ok
		})
	case c == '[':
		r.i++
		s := []any{}
		ok := r.elements(']', func() bool {
			v, ok := r.value(depth + 1)
			s = append(s, v)
			return ok
		})
		return s, ok
	case c == 't':
		return true, r.literal("true")
	case c == 'f':
		return false, r.literal("false")
	case c == 'n':
		return nil, r.literal("null")
	case c == '-' || '0' <= c && c <= '9':
		return r.number()
	}
	return nil, false
}

// key reads a map key as str does, through the key cache.
func (r *coldReader) key() (string, bool) {
	if r.cache == nil {
		return r.str()
	}
	raw, ok := r.rawStr()
	if !ok {
		return "", false
	}
	keys := r.cache.keys
	if k, ok := keys[string(raw)]; ok { // no allocation for the lookup
		return k, true
	}
	k := string(raw)
	if len(keys) < maxCached {
		keys[k] = k
	}
	return k, true
}

// str reads a string without escapes or control characters, in valid
// UTF-8: what the encoder writes for ordinary text.
func (r *coldReader) str() (string, bool) {
	s, ok := r.rawStr()
	return string(s), ok
}

// rawStr is str without the copy: the bytes between the quotes.
func (r *coldReader) rawStr() ([]byte, bool) {
	if !r.consume('"') {
		return nil, false
	}
	start := r.i
	ascii := true
	for ; r.i < len(r.b); r.i++ {
		switch c := r.b[r.i]; {
		case c == '"':
			s := r.b[start:r.i]
			r.i++
			if !ascii && !utf8.Valid(s) {
				return nil, false
			}
			return s, true
		case c == '\\' || c < 0x20:
			return nil, false
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	return nil, false
}

// number reads a JSON number as float64, checking its syntax as JSON
// defines it (strconv accepts more: hex, underscores, "Inf").
func (r *coldReader) number() (any, bool) {
	start := r.i
	if !r.numberSyntax() {
		return nil, false
	}
	f, err := strconv.ParseFloat(string(r.b[start:r.i]), 64)
	if err != nil {
		return nil, false // out of range: encoding/json says so precisely
	}
	return f, true
}

// numberSyntax moves past a JSON number, and reports whether it is one.
func (r *coldReader) numberSyntax() bool {
	r.consume('-')
	if r.i < len(r.b) && r.b[r.i] == '0' {
		r.i++
	} else if !r.digits() {
		return false
	}
	if r.i < len(r.b) && r.b[r.i] == '.' {
		r.i++
		if !r.digits() {
			return false
		}
	}
	if r.i < len(r.b) && (r.b[r.i] == 'e' || r.b[r.i] == 'E') {
		r.i++
		if r.i < len(r.b) && (r.b[r.i] == '+' || r.b[r.i] == '-') {
			r.i++
		}
		if !r.digits() {
			return false
		}
	}
	return true
}

func (r *coldReader) digits() bool {
	start := r.i
	for r.i < len(r.b) && '0' <= r.b[r.i] && r.b[r.i] <= '9' {
		r.i++
	}
	return r.i > start
}

func (r *coldReader) literal(s string) bool {
	if len(r.b)-r.i < len(s) || string(r.b[r.i:r.i+len(s)]) != s {
		return false
	}
	r.i += len(s)
	return true
}

// peek returns the next byte after white space, 0 at the end.
func (r *coldReader) peek() byte {
	for r.i < len(r.b) {
		switch c := r.b[r.i]; c {
		case ' ', '\t', '\n', '\r':
			r.i++
		default:
			return c
		}
	}
	return 0
}

func (r *coldReader) consume(c byte) bool {
	if r.peek() == c {
		r.i++
		return true
	}
	return false
}

// end reports whether only white space is left.
func (r *coldReader) end() bool { return r.peek() == 0 && r.i == len(r.b) }

// readTail reads the seq and hash of a journal line into t, as
// json.Unmarshal does, and also when the line nests deeper than
// encoding/json reads (10,000 levels; an earlier version of the library
// could write such a line): the values of the other keys are then
// checked and skipped without being decoded, so New can always go on
// after a line that is JSON.
func readTail(line []byte, t *lineTail) error {
	err := json.Unmarshal(line, t)
	if err == nil {
		return nil
	}
	var deep lineTail
	if scanTail(line, &deep) {
		*t = deep
		return nil
	}
	return err
}

// scanTail is readTail's reader for a line of any depth: it reports
// whether line is one JSON object whose "seq" (a key compared as
// encoding/json compares field names) is an unsigned integer or null and
// whose "hash" is a string or null.
func scanTail(line []byte, t *lineTail) bool {
	r := coldReader{b: line}
	if !r.consume('{') {
		return false
	}
	if r.consume('}') {
		return r.end()
	}
	for {
		start := r.i
		if r.peek() != '"' || !r.skipString() {
			return false
		}
		var key string
		if json.Unmarshal(r.b[start:r.i], &key) != nil || !r.consume(':') {
			return false
		}
		start = r.i
		if !r.skipValue() {
			return false
		}
		raw := bytes.TrimSpace(r.b[start:r.i])
		switch {
		case string(raw) == "null":
		case strings.EqualFold(key, "seq"):
			n, err := strconv.ParseUint(string(raw), 10, 64)
			if err != nil {
				return false
			}
			t.Seq = n
		case strings.EqualFold(key, "hash"):
			if json.Unmarshal(raw, &t.Hash) != nil {
				return false
			}
		}
		if r.consume('}') {
			return r.end()
		}
		if !r.consume(',') {
			return false
		}
	}
}

// skipValue moves past one JSON value, at any depth, without recursion,
// and reports whether it is well formed.
func (r *coldReader) skipValue() bool {
	var closing []byte // the brackets still open, as their closing ones
	for {
		switch c := r.peek(); {
		case c == '{':
			r.i++
			if r.consume('}') {
				break
			}
			if r.peek() != '"' || !r.skipString() || !r.consume(':') {
				return false
			}
			closing = append(closing, '}')
			continue
		case c == '[':
			r.i++
			if r.consume(']') {
				break
			}
			closing = append(closing, ']')
			continue
		case c == '"':
			if !r.skipString() {
				return false
			}
		case c == 't':
			if !r.literal("true") {
				return false
			}
		case c == 'f':
			if !r.literal("false") {
				return false
			}
		case c == 'n':
			if !r.literal("null") {
				return false
			}
		case c == '-' || '0' <= c && c <= '9':
			if !r.numberSyntax() {
				return false
			}
		default:
			return false
		}
		// After a value: close what ends here, then take the next one.
		for {
			if len(closing) == 0 {
				return true
			}
			top := closing[len(closing)-1]
			if r.consume(top) {
				closing = closing[:len(closing)-1]
				continue
			}
			if !r.consume(',') {
				return false
			}
			if top == '}' && (r.peek() != '"' || !r.skipString() || !r.consume(':')) {
				return false
			}
			break
		}
	}
}

// skipString moves past a JSON string, escapes included.
func (r *coldReader) skipString() bool {
	var ok bool
	r.i, ok = jsonscan.SkipString(r.b, r.i)
	return ok
}
