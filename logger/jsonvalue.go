package logger

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
	"unsafe"
)

// valueEncoder appends JSON for the free-form values of an event
// (Metadata, the states, Changes) and for the event itself. The common
// types are written directly; any other value is walked with reflect, as
// encoding/json would write it (see reflect), never handed to
// encoding/json, so that one set of bounds holds for every kind of value:
//
//   - depth: a value nested more than maxDepth levels is replaced;
//   - values: no more than maxValues values are visited in one event;
//   - bytes: encoding stops once the output passes limit.
//
// A value that cannot be encoded (NaN, ±Inf, a channel, a function, a
// cycle, a MarshalJSON that fails or panics, a value nested too deep) is
// replaced by a string that says so, and the problem is noted. An event
// that passes the values or the bytes budget is not written at all: the
// encoder stops where it is and reports it (over), and the caller cuts
// the event down, as Options.MaxEventBytes documents. So the cost of an
// event, in time and memory, is bounded by its budget whatever its values
// hold, and no value is walked by a recursion deeper than maxDepth.
type valueEncoder struct {
	buf      []byte
	problems []string
	dropped  int         // problems not kept in problems, past maxProblems
	path     []string    // where the encoder is, for naming a bad value
	kvs      []kv        // map entries being sorted, a stack shared by nesting levels
	rkvs     []rkv       // the same for maps walked with reflect
	mask     *masker     // nil: values are written as given
	open     []container // the maps and slices being written, outermost first
	values   int         // values visited since reset, bounded by maxValues
	limit    int         // the bytes budget: encoding stops once buf passes it
	over     bool        // a budget ran out: buf is not valid JSON
	skipped  int         // bytes known to be left unwritten once over
}

// newEncoder returns an encoder that masks with mask (nil: not at all)
// and stops once its output passes limit bytes.
func newEncoder(mask *masker, limit int) valueEncoder {
	return valueEncoder{mask: mask, limit: limit}
}

// container identifies a map, a slice or a pointer being written: a value
// that contains one of its own ancestors is a cycle.
type container struct {
	p unsafe.Pointer
	n int // a slice's length: a shorter slice of the same array is another value
}

type kv struct {
	k string
	v any
}

// maxDepth bounds nesting: it is the depth at which every reader of the
// library still reads a line back. maxValues bounds the values visited in
// one event: a value that holds the same map many times over (m["a"] =
// m2, m["b"] = m2, and so on down) would otherwise take time exponential
// in its depth. maxProblems bounds the problems noted on one event.
//
// Cycles are looked for from trackFrom levels down, as encoding/json
// does from 1,000: values nest shallowly, and a cycle found a few levels
// late costs little.
const (
	maxDepth    = 32
	maxValues   = 1 << 20
	maxProblems = 16
	trackFrom   = 4
)

func (e *valueEncoder) bad(v any, why string) {
	e.badType(fmt.Sprintf("%T", v), why)
}

// badType writes the replacement of a value of the type named typ, and
// notes the problem.
func (e *valueEncoder) badType(typ, why string) {
	if len(e.problems) < maxProblems {
		e.problems = append(e.problems, cutString(fmt.Sprintf("%s: %s", strings.Join(e.path, "."), why), 512))
	} else {
		e.dropped++
	}
	e.buf = appendString(e.buf, cutString(fmt.Sprintf("!BADVALUE(%s): %s", typ, why), 512))
}

// problemsNote returns the problems noted, joined, or "" when none.
func (e *valueEncoder) problemsNote() string {
	note := strings.Join(e.problems, "; ")
	if e.dropped > 0 {
		note += fmt.Sprintf("; and %d more", e.dropped)
	}
	return note
}

// visit counts one value about to be written and reports whether to
// write it: false once a budget has run out.
func (e *valueEncoder) visit() bool {
	if e.over {
		return false
	}
	if len(e.buf) > e.limit || e.values >= maxValues {
		e.overflow(0)
		return false
	}
	e.values++
	return true
}

// overflow stops the encoding: a budget ran out, and n more bytes are
// known to be left unwritten.
func (e *valueEncoder) overflow(n int) {
	e.over = true
	e.skipped += n
}

// fits reports whether n more values of at least size bytes each fit in
// the budgets, and stops the encoding when they do not: a container too
// large for the event is found out before it is walked.
func (e *valueEncoder) fits(n, size int) bool {
	if n > maxValues-e.values || n*size > e.limit-len(e.buf) {
		e.overflow(min(n, maxValues+1) * size)
		return false
	}
	return true
}

// str writes s as a JSON string, unless it does not fit in the budget: a
// long string is never copied whole only to be cut.
func (e *valueEncoder) str(s string) {
	if len(s) > e.limit-len(e.buf) {
		e.overflow(len(s))
		return
	}
	e.buf = appendString(e.buf, s)
}

// size returns the length of what was encoded: at least that once over.
func (e *valueEncoder) size() int { return len(e.buf) + e.skipped }

func (e *valueEncoder) value(v any, depth int) {
	if !e.visit() {
		return
	}
	if depth > maxDepth {
		e.bad(v, "nested too deep (a long cycle?)")
		return
	}
	switch x := v.(type) {
	case nil:
		e.buf = append(e.buf, "null"...)
	case string:
		if len(x) <= e.limit-len(e.buf) { // e.str, by hand: the most common value
			e.buf = appendString(e.buf, x)
		} else {
			e.overflow(len(x))
		}
	case bool:
		e.buf = strconv.AppendBool(e.buf, x)
	case int:
		e.buf = strconv.AppendInt(e.buf, int64(x), 10)
	case int8:
		e.buf = strconv.AppendInt(e.buf, int64(x), 10)
	case int16:
		e.buf = strconv.AppendInt(e.buf, int64(x), 10)
	case int32:
		e.buf = strconv.AppendInt(e.buf, int64(x), 10)
	case int64:
		e.buf = strconv.AppendInt(e.buf, x, 10)
	case uint:
		e.buf = strconv.AppendUint(e.buf, uint64(x), 10)
	case uint8:
		e.buf = strconv.AppendUint(e.buf, uint64(x), 10)
	case uint16:
		e.buf = strconv.AppendUint(e.buf, uint64(x), 10)
	case uint32:
		e.buf = strconv.AppendUint(e.buf, uint64(x), 10)
	case uint64:
		e.buf = strconv.AppendUint(e.buf, x, 10)
	case float64:
		e.float(x, 64)
	case float32:
		e.float(float64(x), 32)
	case json.Number:
		e.number(x)
	case time.Time:
		e.time(x)
	case time.Duration:
		e.buf = appendString(e.buf, x.String())
	case []string:
		e.strings(x)
	case []any:
		if len(x) == 0 {
			e.buf = append(e.buf, "[]"...)
			return
		}
		if !e.fits(len(x), 2) {
			return
		}
		tracked := depth >= trackFrom
		if tracked && !e.enter(v, unsafe.Pointer(unsafe.SliceData(x)), len(x)) {
			return
		}
		e.buf = append(e.buf, '[')
		for i, el := range x {
			if i > 0 {
				e.buf = append(e.buf, ',')
			}
			e.path = append(e.path, strconv.Itoa(i))
			e.value(el, depth+1)
			e.path = e.path[:len(e.path)-1]
			if e.over {
				return
			}
		}
		e.buf = append(e.buf, ']')
		if tracked {
			e.open = e.open[:len(e.open)-1]
		}
	case map[string]any:
		if len(x) == 0 {
			e.buf = append(e.buf, "{}"...)
			return
		}
		tracked := depth >= trackFrom
		if tracked && !e.enter(v, reflect.ValueOf(x).UnsafePointer(), 0) {
			return
		}
		e.object(x, depth)
		if tracked {
			e.open = e.open[:len(e.open)-1]
		}
	case map[string]string:
		if !e.fits(len(x), 6) {
			return
		}
		start := len(e.kvs)
		for k := range x {
			e.kvs = append(e.kvs, kv{k: k})
		}
		sortKVs(e.kvs[start:])
		e.buf = append(e.buf, '{')
		for i := start; i < len(e.kvs) && !e.over; i++ {
			if i > start {
				e.buf = append(e.buf, ',')
			}
			k := e.kvs[i].k
			e.str(k)
			if e.over {
				break
			}
			e.buf = append(e.buf, ':')
			if e.mask != nil && e.mask.sensitive(k) {
				e.masked(x[k], depth)
				continue
			}
			e.str(x[k])
		}
		e.buf = append(e.buf, '}')
		e.kvs = e.kvs[:start]
	case error:
		e.errorText(x)
	default:
		e.reflect(reflect.ValueOf(v), depth, false)
	}
}

// number writes a json.Number, checked to be one.
func (e *valueEncoder) number(x json.Number) {
	if len(x) > e.limit-len(e.buf) {
		e.overflow(len(x))
		return
	}
	if !isJSONNumber(string(x)) {
		e.bad(x, "not a number")
		return
	}
	e.buf = append(e.buf, x...)
}

func (e *valueEncoder) time(x time.Time) {
	e.buf = append(e.buf, '"')
	e.buf = x.UTC().AppendFormat(e.buf, time.RFC3339Nano)
	e.buf = append(e.buf, '"')
}

// isJSONNumber reports whether s is a number as JSON writes one, within
// the range of a float64, as every reader of the library decodes it.
func isJSONNumber(s string) bool {
	r := coldReader{b: []byte(s)}
	_, ok := r.number()
	return ok && r.i == len(s)
}

// enter notes that the map or slice v, at p, is being written, or, when
// it already is (v contains itself), writes a replacement and returns false.
func (e *valueEncoder) enter(v any, p unsafe.Pointer, n int) bool {
	for _, c := range e.open {
		if c.p == p && c.n == n {
			e.bad(v, "a cycle: the value contains itself")
			return false
		}
	}
	e.open = append(e.open, container{p, n})
	return true
}

// masked writes the mask of v, a value under a sensitive key: null stays
// null (nothing is revealed by it, and a Change keeps its meaning).
func (e *valueEncoder) masked(v any, depth int) {
	switch {
	case v == nil:
		e.buf = append(e.buf, "null"...)
	case e.mask.mac == nil:
		e.buf = appendString(e.buf, Redacted)
	default:
		if s, ok := v.(string); ok {
			e.macString(s)
			return
		}
		e.macOf(func() { e.value(v, depth) })
	}
}

// macString writes the HMAC mask of s, within the bytes budget.
func (e *valueEncoder) macString(s string) {
	if len(s) > e.limit-len(e.buf) {
		e.overflow(len(s))
		return
	}
	e.buf = e.mask.appendMAC(e.buf, []byte(s))
}

// macOf writes the HMAC mask of the JSON that write appends, as given:
// it is encoded in place, unmasked, then replaced by its mask.
func (e *valueEncoder) macOf(write func()) {
	mark, m := len(e.buf), e.mask
	e.mask = nil
	defer func() { e.mask = m }() // even if a value's method panics
	write()
	if !e.over {
		// appendMAC reads all of its second argument before it writes.
		e.buf = m.appendMAC(e.buf[:mark], e.buf[mark:])
	}
}

func (e *valueEncoder) float(f float64, bits int) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		e.bad(f, "not a finite number")
		return
	}
	// The format encoding/json uses: ES6 number syntax.
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (bits == 64 && (abs < 1e-6 || abs >= 1e21) || bits == 32 && (float32(abs) < 1e-6 || float32(abs) >= 1e21)) {
		format = 'e'
	}
	e.buf = strconv.AppendFloat(e.buf, f, format, -1, bits)
	if format == 'e' {
		// clean up e-09 to e-9
		n := len(e.buf)
		if n >= 4 && e.buf[n-4] == 'e' && e.buf[n-3] == '-' && e.buf[n-2] == '0' {
			e.buf[n-2] = e.buf[n-1]
			e.buf = e.buf[:n-1]
		}
	}
}

func (e *valueEncoder) strings(x []string) {
	if !e.fits(len(x), 3) {
		return
	}
	e.buf = append(e.buf, '[')
	for i, s := range x {
		if i > 0 {
			e.buf = append(e.buf, ',')
		}
		e.str(s)
	}
	e.buf = append(e.buf, ']')
}

func (e *valueEncoder) object(m map[string]any, depth int) {
	if !e.fits(len(m), 4) { // "k":0 is the smallest member
		return
	}
	start := len(e.kvs)
	for k, v := range m {
		e.kvs = append(e.kvs, kv{k, v})
	}
	sortKVs(e.kvs[start:])
	e.buf = append(e.buf, '{')
	for i := start; i < len(e.kvs) && !e.over; i++ {
		k := e.kvs[i].k
		if i > start {
			e.buf = append(e.buf, ',')
		}
		if len(k) > e.limit-len(e.buf) { // e.str, by hand: the most common key
			e.overflow(len(k))
			break
		}
		e.buf = appendString(e.buf, k)
		e.buf = append(e.buf, ':')
		e.path = append(e.path, k)
		if e.mask != nil && e.mask.sensitive(k) {
			e.masked(e.kvs[i].v, depth+1)
		} else {
			e.value(e.kvs[i].v, depth+1)
		}
		e.path = e.path[:len(e.path)-1]
	}
	clear(e.kvs[start:]) // let the caller's values go
	e.kvs = e.kvs[:start]
	e.buf = append(e.buf, '}')
}

// sortKVs sorts by key; maps are small, so insertion sort wins.
func sortKVs(s []kv) {
	if len(s) > 12 {
		slices.SortFunc(s, func(a, b kv) int { return strings.Compare(a.k, b.k) })
		return
	}
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j].k < s[j-1].k; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// errorText encodes err as its message, containing a panic of its Error
// method (a nil pointer receiver is the usual cause).
func (e *valueEncoder) errorText(err error) {
	msg, panicked := callError(err)
	if panicked != nil {
		e.bad(err, fmt.Sprintf("panic in Error method: %v", panicked))
		return
	}
	e.str(msg)
}

// callError returns err.Error(), or what its panic was.
func callError(err error) (msg string, panicked any) {
	defer func() { panicked = recover() }()
	return err.Error(), nil
}

// errorMessage returns err's message, or, when its Error method panics,
// a message that says so.
func errorMessage(err error) string {
	msg, panicked := callError(err)
	if panicked != nil {
		return fmt.Sprintf("!BADVALUE(%T): panic in Error method: %v", err, panicked)
	}
	return msg
}

// reset empties the encoder, keeping its buffers and its budget.
func (e *valueEncoder) reset() {
	e.buf, e.problems, e.path, e.open, e.values = e.buf[:0], e.problems[:0], e.path[:0], e.open[:0], 0
	e.dropped, e.over, e.skipped = 0, false, 0
	clear(e.kvs)
	e.kvs = e.kvs[:0]
	clear(e.rkvs)
	e.rkvs = e.rkvs[:0]
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string. Invalid UTF-8 becomes U+FFFD,
// as encoding/json does; U+2028 and U+2029 are escaped so a line can be
// embedded in JavaScript.
func appendString(buf []byte, s string) []byte {
	buf = append(buf, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			buf = append(buf, s[start:i]...)
			switch c {
			case '"', '\\':
				buf = append(buf, '\\', c)
			case '\n':
				buf = append(buf, '\\', 'n')
			case '\r':
				buf = append(buf, '\\', 'r')
			case '\t':
				buf = append(buf, '\\', 't')
			default:
				buf = append(buf, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			buf = append(buf, s[start:i]...)
			buf = append(buf, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			buf = append(buf, s[start:i]...)
			buf = append(buf, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	buf = append(buf, s[start:]...)
	return append(buf, '"')
}
