package logger

import (
	"bytes"
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
// (Metadata, the states, Changes). Common types are written directly;
// others go through encoding/json. A value that cannot be encoded (NaN,
// ±Inf, a channel, a function, a cycle, a MarshalJSON that fails or
// panics) is replaced by a string that says so, and the problem is noted.
type valueEncoder struct {
	buf      []byte
	problems []string
	path     []string    // where the encoder is, for naming a bad value
	kvs      []kv        // map entries being sorted, a stack shared by nesting levels
	mask     *masker     // nil: values are written as given
	open     []container // the maps and slices being written, outermost first
	values   int         // values written since reset, bounded by maxValues
}

// container identifies a map or a slice being written: a value that
// contains one of its own ancestors is a cycle.
type container struct {
	p unsafe.Pointer
	n int // a slice's length: a shorter slice of the same array is another value
}

type kv struct {
	k string
	v any
}

// maxDepth bounds nesting. maxValues bounds the work of one event on the
// maps and slices written here: a value that holds the same map many
// times over (m["a"] = m2, m["b"] = m2, and so on down) would otherwise
// take time exponential in its depth. A value of a type this encoder does
// not know (a struct, a typed map, []map[string]any) goes to
// encoding/json, which replaces a cycle as this encoder does but has no
// such bound: do not log such a value that shares itself that way.
//
// Cycles are looked for from trackFrom levels down, as encoding/json
// does from 1,000: values nest shallowly, and a cycle found a few levels
// late costs little.
const (
	maxDepth  = 32
	maxValues = 1 << 20
	trackFrom = 4
)

func (e *valueEncoder) bad(v any, why string) {
	e.problems = append(e.problems, fmt.Sprintf("%s: %s", strings.Join(e.path, "."), why))
	e.buf = appendString(e.buf, fmt.Sprintf("!BADVALUE(%T): %s", v, why))
}

func (e *valueEncoder) value(v any, depth int) {
	if depth > maxDepth {
		e.bad(v, "nested too deep (a long cycle?)")
		return
	}
	if e.values++; e.values > maxValues {
		if e.values == maxValues+1 {
			e.bad(v, fmt.Sprintf("more than %d values in one event", maxValues))
		} else {
			e.buf = append(e.buf, `"!BADVALUE"`...)
		}
		return
	}
	switch x := v.(type) {
	case nil:
		e.buf = append(e.buf, "null"...)
	case string:
		e.buf = appendString(e.buf, x)
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
		if _, err := strconv.ParseFloat(string(x), 64); err != nil || x == "" {
			e.bad(v, "not a number")
			return
		}
		e.buf = append(e.buf, x...)
	case time.Time:
		e.buf = append(e.buf, '"')
		e.buf = x.UTC().AppendFormat(e.buf, time.RFC3339Nano)
		e.buf = append(e.buf, '"')
	case time.Duration:
		e.buf = appendString(e.buf, x.String())
	case []string:
		e.strings(x)
	case []any:
		if len(x) == 0 {
			e.buf = append(e.buf, "[]"...)
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
		start := len(e.kvs)
		for k := range x {
			e.kvs = append(e.kvs, kv{k: k})
		}
		sortKVs(e.kvs[start:])
		e.buf = append(e.buf, '{')
		for i := start; i < len(e.kvs); i++ {
			if i > start {
				e.buf = append(e.buf, ',')
			}
			k := e.kvs[i].k
			e.buf = appendString(e.buf, k)
			e.buf = append(e.buf, ':')
			if e.mask != nil && e.mask.sensitive(k) {
				e.masked(x[k], depth)
				continue
			}
			e.buf = appendString(e.buf, x[k])
		}
		e.buf = append(e.buf, '}')
		e.kvs = e.kvs[:start]
	case error:
		e.errorText(x)
	default:
		e.reflect(v, depth)
	}
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
			e.buf = e.mask.appendMAC(e.buf, []byte(s))
			return
		}
		// Hash the value's JSON, as given: encode it in place, unmasked,
		// then replace it by its mask.
		mark, m := len(e.buf), e.mask
		e.mask = nil
		defer func() { e.mask = m }() // even if a value's method panics
		e.value(v, depth)
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
	e.buf = append(e.buf, '[')
	for i, s := range x {
		if i > 0 {
			e.buf = append(e.buf, ',')
		}
		e.buf = appendString(e.buf, s)
	}
	e.buf = append(e.buf, ']')
}

func (e *valueEncoder) object(m map[string]any, depth int) {
	start := len(e.kvs)
	for k, v := range m {
		e.kvs = append(e.kvs, kv{k, v})
	}
	sortKVs(e.kvs[start:])
	e.buf = append(e.buf, '{')
	for i := start; i < len(e.kvs); i++ {
		k := e.kvs[i].k
		if i > start {
			e.buf = append(e.buf, ',')
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
	e.buf = appendString(e.buf, msg)
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

// reset empties the encoder, keeping its buffers.
func (e *valueEncoder) reset() {
	e.buf, e.problems, e.path, e.open, e.values = e.buf[:0], e.problems[:0], e.path[:0], e.open[:0], 0
	clear(e.kvs)
	e.kvs = e.kvs[:0]
}

// reflect encodes a value of a type the fast path does not know with
// encoding/json, containing any panic of a user's MarshalJSON. With
// masking on, a value whose JSON has objects (a struct, a typed map) is
// decoded and, when one of its keys is sensitive, encoded again masked.
func (e *valueEncoder) reflect(v any, depth int) {
	b, err := safeMarshal(v)
	if err != nil {
		e.bad(v, err.Error())
		return
	}
	if e.mask != nil && bytes.IndexByte(b, '{') >= 0 {
		d := json.NewDecoder(bytes.NewReader(b))
		d.UseNumber()
		var tree any
		if d.Decode(&tree) == nil && e.mask.anySensitive(tree) {
			e.value(tree, depth)
			return
		}
	}
	e.buf = append(e.buf, b...)
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
