package main

import (
	"math"
	"time"
	"unicode/utf8"

	"github.com/auditlog/auditlog/internal/jsonscan"
	"github.com/auditlog/auditlog/logger"
)

// scanLine reads, from one journal line, the fields that a Filter selects
// on, that the selection orders by and that the statistics count: ID,
// Seq, Time, Operation, Status, Category, UserID, SessionID,
// ResourceType, ResourceID, RunID, Source, EntryIDs and Duration. It checks that
// the whole line is valid JSON and that every key the journal defines
// holds a value of the right kind, but decodes nothing else: a query that
// keeps a few events of a million decodes only those in full.
//
// It returns false when the line holds anything it does not read exactly
// as Event.UnmarshalJSON would (invalid JSON, an escape or a byte of
// another case in a key, an escape in a value it reads, a null, a number
// of another form, a time outside the years 1678 to 2262): the caller
// then decodes the line with Event.UnmarshalJSON, which gives the same
// fields or the error to report. Lines the logger writes always take the
// fast path.
func scanLine(b []byte, ev *logger.Event, in *interner) bool {
	*ev = logger.Event{}
	s := scanner{b: b}
	s.space()
	if !s.eat('{') {
		return false
	}
	s.space()
	if s.eat('}') {
		return s.end()
	}
	for {
		s.space()
		key, ok := s.plainString()
		if !ok || !lowerKey(key) {
			return false
		}
		s.space()
		if !s.eat(':') {
			return false
		}
		s.space()
		ok = true
		switch string(key) {
		case "event_id":
			ev.ID, ok = s.stringValue(nil)
		case "seq":
			ev.Seq, ok = s.uint()
		case "timestamp":
			ev.Time, ok = s.time()
		case "operation":
			var v string
			v, ok = s.stringValue(in)
			ev.Operation = logger.Operation(v)
		case "status":
			var v string
			v, ok = s.stringValue(in)
			ev.Status = logger.Status(v)
		case "category":
			ev.Category, ok = s.stringValue(in)
		case "user_id":
			ev.UserID, ok = s.stringValue(in)
		case "session_id":
			ev.SessionID, ok = s.stringValue(in)
		case "resource_type":
			ev.ResourceType, ok = s.stringValue(in)
		case "resource_id":
			ev.ResourceID, ok = s.stringValue(nil)
		case "run_id":
			ev.RunID, ok = s.stringValue(in)
		case "source":
			ev.Source, ok = s.stringValue(in)
		case "entry_ids":
			ev.EntryIDs, ok = s.strings()
		case "duration_ms":
			ev.Duration, ok = s.millis()
		case "user_name", "user_email", "ip_address", "user_agent", "resource_name",
			"parent_run_id", "description", "error_message", "error_stack":
			ok = s.skipKind('"')
		case "tags":
			if ok = s.literal("null"); !ok {
				_, ok = s.strings() // strings only, as UnmarshalJSON requires
			}
		case "changes", "request":
			// Typed: UnmarshalJSON checks their members.
			ok = s.literal("null")
		case "previous_state", "new_state", "metadata":
			ok = s.skipKind('{')
		default:
			ok = s.skip(0)
		}
		if !ok {
			return false
		}
		s.space()
		if s.eat(',') {
			continue
		}
		if s.eat('}') {
			return s.end()
		}
		return false
	}
}

// Times that Event.UnmarshalJSON accepts: those of the logger's int64
// nanosecond clock.
var (
	minTime = time.Unix(0, math.MinInt64).UTC()
	maxTime = time.Unix(0, math.MaxInt64).UTC()
)

// maxDepth bounds the nesting scanLine follows; deeper lines go to
// encoding/json.
const maxDepth = 512

type scanner struct {
	b []byte
	i int
}

func (s *scanner) space() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

func (s *scanner) eat(c byte) bool {
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

// end reports whether only white space is left.
func (s *scanner) end() bool {
	s.space()
	return s.i == len(s.b)
}

// plainString reads a string without escapes, control characters or
// invalid UTF-8, and returns its bytes.
func (s *scanner) plainString() ([]byte, bool) {
	if !s.eat('"') {
		return nil, false
	}
	start := s.i
	ascii := true
	for s.i < len(s.b) {
		c := s.b[s.i]
		switch {
		case c == '"':
			v := s.b[start:s.i]
			s.i++
			if !ascii && !utf8.Valid(v) {
				return nil, false
			}
			return v, true
		case c == '\\' || c < 0x20:
			return nil, false
		case c >= 0x80:
			ascii = false
		}
		s.i++
	}
	return nil, false
}

// lowerKey reports whether key is made of bytes that encoding/json
// matches only to the very same key: lower-case ASCII, digits, '_'.
func lowerKey(key []byte) bool {
	for _, c := range key {
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// stringValue reads a plain string value, through in when given.
func (s *scanner) stringValue(in *interner) (string, bool) {
	v, ok := s.plainString()
	if !ok {
		return "", false
	}
	if in != nil {
		return in.get(v), true
	}
	return string(v), true
}

// strings reads an array of plain strings.
func (s *scanner) strings() ([]string, bool) {
	if !s.eat('[') {
		return nil, false
	}
	out := []string{}
	s.space()
	if s.eat(']') {
		return out, true
	}
	for {
		s.space()
		v, ok := s.stringValue(nil)
		if !ok {
			return nil, false
		}
		out = append(out, v)
		s.space()
		if s.eat(',') {
			continue
		}
		return out, s.eat(']')
	}
}

// uint reads a number that encoding/json decodes into a uint64: digits
// without a sign, a fraction or an exponent.
func (s *scanner) uint() (uint64, bool) {
	start := s.i
	var n uint64
	for s.i < len(s.b) && '0' <= s.b[s.i] && s.b[s.i] <= '9' {
		d := uint64(s.b[s.i] - '0')
		if n > (math.MaxUint64-d)/10 {
			return 0, false
		}
		n = n*10 + d
		s.i++
	}
	digits := s.i - start
	if digits == 0 || digits > 1 && s.b[start] == '0' {
		return 0, false
	}
	return n, s.numberEnds()
}

// numberEnds reports whether the number just read ends there, rather
// than going on with a fraction or an exponent this scanner left alone.
func (s *scanner) numberEnds() bool {
	if s.i < len(s.b) {
		switch s.b[s.i] {
		case '.', 'e', 'E', '-', '+':
			return false
		}
	}
	return true
}

// time reads a timestamp as encoding/json decodes it into a *time.Time,
// in UTC, within the years Event.UnmarshalJSON accepts.
func (s *scanner) time() (time.Time, bool) {
	start := s.i
	if _, ok := s.plainString(); !ok {
		return time.Time{}, false
	}
	var t time.Time
	if t.UnmarshalJSON(s.b[start:s.i]) != nil {
		return time.Time{}, false
	}
	t = t.UTC()
	if t.Before(minTime) || t.After(maxTime) {
		return time.Time{}, false
	}
	return t, true
}

// millis reads duration_ms in the form the logger writes it, a plain
// decimal of at most six decimals, exactly; anything else (an exponent,
// more decimals, a sign) is left to encoding/json.
func (s *scanner) millis() (time.Duration, bool) {
	start := s.i
	var ms int64
	for s.i < len(s.b) && '0' <= s.b[s.i] && s.b[s.i] <= '9' {
		ms = ms*10 + int64(s.b[s.i]-'0')
		s.i++
		if ms > math.MaxInt64/int64(time.Millisecond) {
			return 0, false
		}
	}
	if digits := s.i - start; digits == 0 || digits > 1 && s.b[start] == '0' {
		return 0, false
	}
	ns := ms * int64(time.Millisecond)
	if s.eat('.') {
		var sub int64
		digits := 0
		for s.i < len(s.b) && '0' <= s.b[s.i] && s.b[s.i] <= '9' {
			if digits == 6 {
				return 0, false
			}
			sub = sub*10 + int64(s.b[s.i]-'0')
			digits++
			s.i++
		}
		if digits == 0 {
			return 0, false
		}
		for ; digits < 6; digits++ {
			sub *= 10
		}
		if ns > math.MaxInt64-sub {
			return 0, false
		}
		ns += sub
	}
	return time.Duration(ns), s.numberEnds()
}

// skipKind skips a value that must start with c, or null.
func (s *scanner) skipKind(c byte) bool {
	if s.i >= len(s.b) || s.b[s.i] != c && s.b[s.i] != 'n' {
		return false
	}
	return s.skip(0)
}

// skip skips one JSON value, checking its syntax.
func (s *scanner) skip(depth int) bool {
	if s.i >= len(s.b) || depth > maxDepth {
		return false
	}
	switch c := s.b[s.i]; {
	case c == '"':
		return s.skipString()
	case c == '{':
		s.i++
		s.space()
		if s.eat('}') {
			return true
		}
		for {
			s.space()
			if !s.skipString() {
				return false
			}
			s.space()
			if !s.eat(':') {
				return false
			}
			s.space()
			if !s.skip(depth + 1) {
				return false
			}
			s.space()
			if s.eat(',') {
				continue
			}
			return s.eat('}')
		}
	case c == '[':
		s.i++
		s.space()
		if s.eat(']') {
			return true
		}
		for {
			s.space()
			if !s.skip(depth + 1) {
				return false
			}
			s.space()
			if s.eat(',') {
				continue
			}
			return s.eat(']')
		}
	case c == 't':
		return s.literal("true")
	case c == 'f':
		return s.literal("false")
	case c == 'n':
		return s.literal("null")
	case c == '-' || '0' <= c && c <= '9':
		return s.skipNumber()
	}
	return false
}

func (s *scanner) literal(lit string) bool {
	if len(s.b)-s.i < len(lit) || string(s.b[s.i:s.i+len(lit)]) != lit {
		return false
	}
	s.i += len(lit)
	return true
}

// skipString skips a string, checking its escapes; like encoding/json, it
// lets invalid UTF-8 through (decoding replaces it).
func (s *scanner) skipString() bool {
	var ok bool
	s.i, ok = jsonscan.SkipString(s.b, s.i)
	return ok
}

// skipNumber skips a number of JSON's grammar.
func (s *scanner) skipNumber() bool {
	s.eat('-')
	digits := func() int {
		start := s.i
		for s.i < len(s.b) && '0' <= s.b[s.i] && s.b[s.i] <= '9' {
			s.i++
		}
		return s.i - start
	}
	if s.eat('0') {
		// no more digits may follow a leading zero
	} else if digits() == 0 {
		return false
	}
	if s.eat('.') && digits() == 0 {
		return false
	}
	if s.eat('e') || s.eat('E') {
		if !s.eat('+') {
			s.eat('-')
		}
		if digits() == 0 {
			return false
		}
	}
	return true
}

// interner keeps one copy of the values that recur from line to line
// (users, operations, statuses, ...), so that reading a million lines
// does not allocate a million copies of the same names. It holds at most
// maxInterned values; it is not safe for concurrent use.
type interner struct {
	m map[string]string
}

const maxInterned = 1 << 16

func (in *interner) get(b []byte) string {
	if v, ok := in.m[string(b)]; ok {
		return v
	}
	v := string(b)
	if in.m == nil {
		in.m = make(map[string]string)
	}
	if len(in.m) < maxInterned {
		in.m[v] = v
	}
	return v
}

// decodeLine reads the event of a journal line into ev: with scanLine when
// it can, else with Event.UnmarshalJSON; then checks it as Log would, so
// that a line the logger could not have written (an unknown status, an
// invalid operation, no timestamp) is an error whether or not a filter
// selects it.
func decodeLine(b []byte, ev *logger.Event, in *interner) error {
	if !scanLine(b, ev, in) {
		*ev = logger.Event{}
		if err := ev.UnmarshalJSON(b); err != nil {
			return err
		}
	}
	return ev.Validate()
}
