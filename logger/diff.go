package logger

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
)

// Diff returns the fields that differ between before and after, in the
// order of their paths, for Event.Changes.
//
// before and after are compared as they encode to JSON: structs by their
// JSON field names (tags, omitempty and embedding apply), maps by key,
// pointers by what they point to. Nested objects are walked, and a field
// inside them is named by its dotted path ("address.city"). A field only
// after has a nil Old; a field only before has a nil New, so a field
// that goes from null to absent, or back, is a Change whose Old and New
// are both nil. A key that holds
// a dot reads like a path ("a.b" the key, or b inside a). Arrays are
// compared whole: a changed list is one Change of the list. Numbers come
// back as json.Number, so that large integers keep every digit.
//
// A nil before (or after) stands for an empty object: every field of the
// other side is added (or removed). When either side does not encode to
// a JSON object (a number, a list, a channel), the two are compared whole
// and a difference is one Change with an empty Field. Diff does not
// panic, and its cost is bounded as an event's is (see
// Options.MaxEventBytes): a value that cannot be encoded as given (a
// MarshalJSON that fails or panics, a channel, a value nested more than
// 32 levels deep, more than a million values, or a JSON encoding longer
// than DefaultMaxEventBytes) is compared whole, without
// walking into it: the two are equal only when they are the same value
// (the same map, slice, pointer or channel, or equal by == when they
// hold no interface), and otherwise one Change.
func Diff(before, after any) []Change {
	return diff(before, after, DefaultMaxEventBytes)
}

// diff is Diff with a value's JSON bounded to limit bytes.
func diff(before, after any, limit int) []Change {
	a, aok := asObject(before, limit)
	b, bok := asObject(after, limit)
	if !aok || !bok {
		if equalValues(before, after, limit) {
			return nil
		}
		return []Change{{Old: before, New: after}}
	}
	var out []Change
	diffObjects(&out, "", a, b)
	return out
}

// LogChange logs ev as the change of a record from before to after: it
// sets ev.Changes to Diff(before, after), ev.PreviousState and
// ev.NewState to the two sides as JSON objects (a side that is not an
// object is kept under the key "value"; a nil side stays nil), and
// ev.Operation to OpUpdate when it is empty. It returns what Log returns.
// An update that changed nothing is logged too, with no Changes: that it
// happened is part of the trail. The two sides are encoded within the
// logger's MaxEventBytes, as Diff within DefaultMaxEventBytes: a side
// longer is compared whole and kept under "value", and Log cuts the
// event down as it does any event above MaxEventBytes.
func (l *Logger) LogChange(ctx context.Context, ev Event, before, after any) error {
	if ev.Operation == "" {
		ev.Operation = OpUpdate
	}
	limit := l.opts.MaxEventBytes
	ev.Changes = diff(before, after, limit)
	ev.PreviousState = stateOf(before, limit)
	ev.NewState = stateOf(after, limit)
	return l.Log(ctx, ev)
}

// stateOf returns v as a state map: nil for nil, the JSON object it
// encodes to, or {"value": v} for anything else.
func stateOf(v any, limit int) map[string]any {
	if v == nil {
		return nil
	}
	if m, ok := asObject(v, limit); ok {
		return m
	}
	return map[string]any{"value": v}
}

// asObject returns v as a JSON object, and false when it is not one. A
// nil v is an empty object. Its JSON is bounded to limit bytes.
func asObject(v any, limit int) (map[string]any, bool) {
	if v == nil {
		return map[string]any{}, true
	}
	raw, err := safeMarshal(v, limit)
	if err != nil {
		return nil, false
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var out any
	if err := dec.Decode(&out); err != nil {
		return nil, false
	}
	switch o := out.(type) {
	case map[string]any:
		return o, true
	case nil:
		return map[string]any{}, true // a nil pointer or nil map
	}
	return nil, false
}

// diffObjects appends the changes between the objects a and b, whose path
// is prefix ("" at the top).
func diffObjects(out *[]Change, prefix string, a, b map[string]any) {
	keys := make([]string, 0, len(a)+len(b))
	for k := range a {
		keys = append(keys, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		path := k
		if prefix != "" {
			path = prefix + "." + k
		}
		av, inA := a[k]
		bv, inB := b[k]
		am, aIsObj := av.(map[string]any)
		bm, bIsObj := bv.(map[string]any)
		switch {
		case inA && inB && aIsObj && bIsObj:
			diffObjects(out, path, am, bm)
		case !inA:
			*out = append(*out, Change{Field: path, New: bv})
		case !inB:
			*out = append(*out, Change{Field: path, Old: av})
		case !reflect.DeepEqual(av, bv):
			*out = append(*out, Change{Field: path, Old: av, New: bv})
		}
	}
}

// equalValues compares two values that are not both objects: by their
// JSON when both encode within limit bytes, else by sameValue.
func equalValues(a, b any, limit int) bool {
	ja, errA := safeMarshal(a, limit)
	jb, errB := safeMarshal(b, limit)
	if errA == nil && errB == nil {
		return bytes.Equal(ja, jb)
	}
	return sameValue(a, b)
}

// sameValue reports whether a and b are the same value without walking
// into them, so that its cost does not grow with their depth: the same
// map, slice (same array, same length), pointer or channel, or equal by
// == when their type holds no interface (== on an interface compares
// what it holds, without bound). Values that differ only deep inside,
// or that hold an interface, are reported as different.
func sameValue(a, b any) bool {
	va, vb := reflect.ValueOf(a), reflect.ValueOf(b)
	if !va.IsValid() || !vb.IsValid() || va.Type() != vb.Type() {
		return !va.IsValid() && !vb.IsValid()
	}
	switch va.Kind() {
	case reflect.Map, reflect.Pointer, reflect.Chan, reflect.UnsafePointer:
		return va.Pointer() == vb.Pointer()
	case reflect.Slice:
		return va.Pointer() == vb.Pointer() && va.Len() == vb.Len()
	}
	return flat(va.Type()) && a == b
}

// flat reports whether == on values of t is defined and compares no
// interface: t's fields and elements, held in place, are all comparable
// and none is an interface.
func flat(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Interface:
		return false
	case reflect.Struct:
		for i := range t.NumField() {
			if !flat(t.Field(i).Type) {
				return false
			}
		}
		return true
	case reflect.Array:
		return flat(t.Elem())
	}
	return t.Comparable()
}

// safeMarshal returns v's JSON as the logger writes it, unmasked, within
// the encoder's bounds of depth and values (see valueEncoder) and of
// limit bytes, so that no value can overflow the stack, run without end
// or be copied past an event's size; an error when a value of it cannot
// be written as given, or its JSON passes a bound.
func safeMarshal(v any, limit int) (b []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			b, err = nil, fmt.Errorf("panic while encoding %T: %v", v, r)
		}
	}()
	e := newEncoder(nil, limit)
	e.value(v, 0)
	switch {
	case e.over:
		return nil, fmt.Errorf("more than %d bytes or %d values", limit, maxValues)
	case len(e.problems) > 0:
		return nil, errors.New(e.problemsNote())
	}
	return e.buf, nil
}
