package otlp

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"go.opentelemetry.io/otel/attribute"
)

// Bounds of one event's free-form values, the logger's own: an event the
// logger hands over never passes them.
const (
	maxDepth  = 32
	maxValues = 1 << 20
)

// converter turns the free-form values of one event (Metadata, the
// states, Changes) into attribute values. The logger hands them over as
// JSON decodes them: map[string]any, []any, string, float64, bool and
// nil. From a caller that writes events of its own, Go's other numbers,
// []string, []byte, time.Time and json.Number are converted too; any
// other value (a struct, a pointer, a channel) is replaced by a string
// naming its type. The walk is bounded: a value nested more than
// maxDepth levels and every value past maxValues in one event are
// replaced the same way, so a cycle or a shared subtree costs no more
// than the values it is allowed.
type converter struct {
	left  int // values still allowed in this event
	bytes int // an estimate of the encoded size of what was converted
}

func newConverter() converter { return converter{left: maxValues} }

// valueOverhead is what a value or a map entry adds to a request beside
// its text: tags, lengths and a number's bytes, more or less.
const valueOverhead = 10

// bad is the string that replaces a value the converter cannot send.
func bad(v any, why string) attribute.Value {
	return attribute.StringValue(fmt.Sprintf("!BADVALUE(%T): %s", v, why))
}

// value converts v, found depth levels deep.
func (c *converter) value(v any, depth int) attribute.Value {
	if c.left <= 0 {
		return bad(v, "too many values in one event")
	}
	c.left--
	c.bytes += valueOverhead
	switch x := v.(type) {
	case nil:
		return attribute.Value{}
	case string:
		c.bytes += len(x)
		return attribute.StringValue(text(x))
	case bool:
		return attribute.BoolValue(x)
	case float64:
		return attribute.Float64Value(x)
	case float32:
		return attribute.Float64Value(float64(x))
	case int:
		return attribute.Int64Value(int64(x))
	case int8:
		return attribute.Int64Value(int64(x))
	case int16:
		return attribute.Int64Value(int64(x))
	case int32:
		return attribute.Int64Value(int64(x))
	case int64:
		return attribute.Int64Value(x)
	case uint8:
		return attribute.Int64Value(int64(x))
	case uint16:
		return attribute.Int64Value(int64(x))
	case uint32:
		return attribute.Int64Value(int64(x))
	case uint:
		return uintValue(uint64(x))
	case uint64:
		return uintValue(x)
	case json.Number:
		c.bytes += len(x)
		if i, err := x.Int64(); err == nil {
			return attribute.Int64Value(i)
		}
		if f, err := x.Float64(); err == nil {
			return attribute.Float64Value(f)
		}
		return attribute.StringValue(text(string(x)))
	case []byte:
		c.bytes += len(x)
		return attribute.ByteSliceValue(x)
	case time.Time:
		c.bytes += len(time.RFC3339Nano)
		return attribute.StringValue(x.UTC().Format(time.RFC3339Nano))
	case []string:
		if depth >= maxDepth {
			return bad(v, "nested too deep")
		}
		vals := make([]attribute.Value, len(x))
		for i, s := range x {
			vals[i] = c.value(s, depth+1)
		}
		return attribute.SliceValue(vals...)
	case []any:
		if depth >= maxDepth {
			return bad(v, "nested too deep")
		}
		vals := make([]attribute.Value, len(x))
		for i, e := range x {
			vals[i] = c.value(e, depth+1)
		}
		return attribute.SliceValue(vals...)
	case map[string]any:
		if depth >= maxDepth {
			return bad(v, "nested too deep")
		}
		return attribute.MapValue(c.pairs(x, depth)...)
	default:
		return bad(v, "not a JSON value")
	}
}

// pairs converts the entries of m, in the order of their keys so that
// the same map is always sent the same way.
func (c *converter) pairs(m map[string]any, depth int) []attribute.KeyValue {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	kvs := make([]attribute.KeyValue, len(keys))
	for i, k := range keys {
		c.bytes += len(k) + valueOverhead
		kvs[i] = attribute.KeyValue{Key: attribute.Key(text(k)), Value: c.value(m[k], depth+1)}
	}
	return kvs
}

// uintValue sends u as an int64, or as a float64 past the int64 range.
func uintValue(u uint64) attribute.Value {
	if u > math.MaxInt64 {
		return attribute.Float64Value(float64(u))
	}
	return attribute.Int64Value(int64(u))
}

// text returns s, with each byte that is not part of a UTF-8 sequence
// replaced by U+FFFD: protobuf refuses such a string, and the whole
// request with it.
func text(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}
