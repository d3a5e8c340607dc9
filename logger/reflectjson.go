package logger

import (
	"bytes"
	"encoding"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unsafe"
)

// reflect writes v, a value of a type the fast path does not know, as
// encoding/json would: structs by their JSON field names (tags,
// omitempty, omitzero, "-", ",string" and embedded structs apply), maps
// with their keys sorted, []byte in base64, pointers as what they point
// to. MarshalJSON and MarshalText are called, a panic in them contained;
// MarshalJSON's output is decoded again within the event's budget and
// written as any decoded value is, so that it is masked, and cut at
// maxDepth, like the rest. The walk stays within the encoder's bounds:
// each value it visits counts, a container is entered one level deeper,
// and pointers followed without entering a container are at most
// maxDepth. viaInterface says v was held in an interface: an error there
// is written as its message, as the fast path does.
func (e *valueEncoder) reflect(v reflect.Value, depth int, viaInterface bool) {
	var ptr unsafe.Pointer // the last pointer followed, to find a cycle
	for hops := 0; ; hops++ {
		if hops > maxDepth {
			e.badType(v.Type().String(), "pointers that lead back to themselves")
			return
		}
		if v.Kind() == reflect.Interface {
			if v.IsNil() {
				e.buf = append(e.buf, "null"...)
				return
			}
			el := v.Elem()
			if k := el.Kind(); k != reflect.Pointer && k != reflect.Interface {
				// A value in an interface is written as the fast path writes
				// it (and counted twice, which the bounds allow for).
				e.value(el.Interface(), depth)
				return
			}
			v, viaInterface, ptr = el, true, nil
			continue
		}
		t := v.Type()
		info := typeInfoOf(t)
		if viaInterface && info.isError {
			if v.Kind() == reflect.Pointer && v.IsNil() {
				e.buf = append(e.buf, "null"...)
				return
			}
			e.errorText(v.Interface().(error))
			return
		}
		switch {
		case t == timeType:
			e.time(v.Interface().(time.Time))
			return
		case t == numberType:
			e.number(json.Number(v.String()))
			return
		case info.marshal != 0:
			if v.Kind() == reflect.Pointer && v.IsNil() {
				e.buf = append(e.buf, "null"...)
				return
			}
			e.marshal(v, info.marshal, depth)
			return
		case info.addrMarshal != 0 && v.CanAddr():
			e.marshal(v.Addr(), info.addrMarshal, depth)
			return
		}
		if v.Kind() == reflect.Pointer {
			if v.IsNil() {
				e.buf = append(e.buf, "null"...)
				return
			}
			ptr = v.UnsafePointer()
			v, viaInterface = v.Elem(), false
			continue
		}
		e.kind(v, info, depth, ptr)
		return
	}
}

// kind writes v, which is neither a pointer nor an interface, by its kind.
// ptr, when not nil, is the pointer v was reached through.
func (e *valueEncoder) kind(v reflect.Value, info *typeInfo, depth int, ptr unsafe.Pointer) {
	switch v.Kind() {
	case reflect.Bool:
		e.buf = strconv.AppendBool(e.buf, v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		e.buf = strconv.AppendInt(e.buf, v.Int(), 10)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		e.buf = strconv.AppendUint(e.buf, v.Uint(), 10)
	case reflect.Float32:
		e.float(v.Float(), 32)
	case reflect.Float64:
		e.float(v.Float(), 64)
	case reflect.String:
		e.str(v.String())
	case reflect.Struct:
		tracked := ptr != nil && depth >= trackFrom
		if tracked && !e.enterType(v.Type(), ptr, -1) {
			return
		}
		e.structure(v, info, depth)
		if tracked {
			e.open = e.open[:len(e.open)-1]
		}
	case reflect.Map:
		e.mapValue(v, depth)
	case reflect.Slice:
		if v.IsNil() {
			e.buf = append(e.buf, "null"...)
			return
		}
		if info.bytes {
			b := v.Bytes()
			if n := base64.StdEncoding.EncodedLen(len(b)); n > e.limit-len(e.buf) {
				e.overflow(n)
				return
			}
			e.buf = append(e.buf, '"')
			e.buf = base64.StdEncoding.AppendEncode(e.buf, b)
			e.buf = append(e.buf, '"')
			return
		}
		tracked := depth >= trackFrom
		if tracked && !e.enterType(v.Type(), v.UnsafePointer(), v.Len()) {
			return
		}
		e.list(v, depth)
		if tracked {
			e.open = e.open[:len(e.open)-1]
		}
	case reflect.Array:
		e.list(v, depth)
	default:
		e.badType(v.Type().String(), "unsupported type")
	}
}

// enterType is enter for a value walked with reflect.
func (e *valueEncoder) enterType(t reflect.Type, p unsafe.Pointer, n int) bool {
	for _, c := range e.open {
		if c.p == p && c.n == n {
			e.badType(t.String(), "a cycle: the value contains itself")
			return false
		}
	}
	e.open = append(e.open, container{p, n})
	return true
}

// child writes v, an element or a member of a value at depth-1.
func (e *valueEncoder) child(v reflect.Value, depth int) {
	if !e.visit() {
		return
	}
	if depth > maxDepth {
		e.badType(v.Type().String(), "nested too deep (a long cycle?)")
		return
	}
	e.reflect(v, depth, false)
}

// member writes the value v under the key k, masked when k is sensitive.
func (e *valueEncoder) member(k string, v reflect.Value, depth int) {
	if e.over {
		return
	}
	e.path = append(e.path, k)
	if e.mask != nil && e.mask.sensitive(k) {
		e.maskedValue(v, depth)
	} else {
		e.child(v, depth)
	}
	e.path = e.path[:len(e.path)-1]
}

// maskedValue is masked for a value walked with reflect.
func (e *valueEncoder) maskedValue(v reflect.Value, depth int) {
	switch k := v.Kind(); {
	case (k == reflect.Pointer || k == reflect.Interface || k == reflect.Map || k == reflect.Slice) && v.IsNil():
		e.buf = append(e.buf, "null"...)
	case e.mask.mac == nil:
		e.buf = appendString(e.buf, Redacted)
	case k == reflect.String:
		e.macString(v.String())
	default:
		e.macOf(func() { e.child(v, depth) })
	}
}

func (e *valueEncoder) list(v reflect.Value, depth int) {
	n := v.Len()
	if !e.fits(n, 2) {
		return
	}
	e.buf = append(e.buf, '[')
	for i := range n {
		if i > 0 {
			e.buf = append(e.buf, ',')
		}
		e.path = append(e.path, strconv.Itoa(i))
		e.child(v.Index(i), depth+1)
		e.path = e.path[:len(e.path)-1]
		if e.over {
			return
		}
	}
	e.buf = append(e.buf, ']')
}

// rkv is a map entry walked with reflect: its key as JSON has it.
type rkv struct {
	k string
	v reflect.Value
}

func (e *valueEncoder) mapValue(v reflect.Value, depth int) {
	if v.IsNil() {
		e.buf = append(e.buf, "null"...)
		return
	}
	n := v.Len()
	if n == 0 {
		e.buf = append(e.buf, "{}"...)
		return
	}
	kt := v.Type().Key()
	kinfo := typeInfoOf(kt)
	switch kt.Kind() {
	case reflect.String, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
	default:
		if kinfo.marshal != marshalText {
			e.badType(v.Type().String(), "unsupported map key type")
			return
		}
	}
	if !e.fits(n, 4) { // "k":0 is the smallest member
		return
	}
	tracked := depth >= trackFrom
	if tracked && !e.enterType(v.Type(), v.UnsafePointer(), 0) {
		return
	}
	start := len(e.rkvs)
	for it := v.MapRange(); it.Next(); {
		k, err := mapKey(it.Key(), kinfo)
		if err != nil {
			e.rkvs = e.rkvs[:start]
			e.badType(v.Type().String(), err.Error())
			return
		}
		if len(k) > e.limit-len(e.buf) {
			clear(e.rkvs[start:])
			e.rkvs = e.rkvs[:start]
			e.overflow(len(k))
			return
		}
		e.rkvs = append(e.rkvs, rkv{k, it.Value()})
	}
	entries := e.rkvs[start:]
	slices.SortFunc(entries, func(a, b rkv) int { return strings.Compare(a.k, b.k) })
	e.buf = append(e.buf, '{')
	for i := range entries {
		if i > 0 {
			e.buf = append(e.buf, ',')
		}
		k := e.rkvs[start+i].k
		e.str(k)
		e.buf = append(e.buf, ':')
		e.member(k, e.rkvs[start+i].v, depth+1)
		if e.over {
			break
		}
	}
	e.buf = append(e.buf, '}')
	clear(e.rkvs[start:])
	e.rkvs = e.rkvs[:start]
	if tracked {
		e.open = e.open[:len(e.open)-1]
	}
}

// mapKey returns k as a JSON object key, as encoding/json resolves it.
func mapKey(k reflect.Value, info *typeInfo) (string, error) {
	switch k.Kind() {
	case reflect.String:
		return k.String(), nil
	}
	if info.marshal == marshalText {
		if k.Kind() == reflect.Pointer && k.IsNil() {
			return "", nil
		}
		b, err := callMarshal(k.Interface(), marshalText)
		return string(b), err
	}
	switch k.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(k.Int(), 10), nil
	default:
		return strconv.FormatUint(k.Uint(), 10), nil
	}
}

func (e *valueEncoder) structure(v reflect.Value, info *typeInfo, depth int) {
	if !e.fits(len(info.fields), 0) {
		return
	}
	e.buf = append(e.buf, '{')
	first := true
fields:
	for i := range info.fields {
		f := &info.fields[i]
		fv := v
		for _, x := range f.index {
			if fv.Kind() == reflect.Pointer {
				if fv.IsNil() {
					continue fields // through a nil embedded pointer: no field
				}
				fv = fv.Elem()
			}
			fv = fv.Field(x)
		}
		if f.omitEmpty && isEmpty(fv) || f.omitZero && isZero(fv) {
			if e.values++; e.values > maxValues { // the cost of looking counts too
				e.overflow(0)
				return
			}
			continue
		}
		if !first {
			e.buf = append(e.buf, ',')
		}
		first = false
		e.buf = append(e.buf, f.key...)
		if !f.quoted || e.mask != nil && e.mask.sensitive(f.name) {
			e.member(f.name, fv, depth+1)
		} else {
			mark := len(e.buf)
			e.member(f.name, fv, depth+1)
			if w := string(e.buf[mark:]); !e.over && w != "null" {
				e.buf = appendString(e.buf[:mark], w)
			}
		}
		if e.over {
			return
		}
	}
	e.buf = append(e.buf, '}')
}

func isEmpty(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Interface, reflect.Pointer:
		return v.IsZero()
	}
	return false
}

// isZero is omitzero's test: the value's IsZero method, or else its zero
// value. A panic in IsZero counts as not zero: the field is written.
func isZero(v reflect.Value) (zero bool) {
	if z, ok := v.Interface().(interface{ IsZero() bool }); ok {
		if v.Kind() == reflect.Pointer && v.IsNil() {
			return true
		}
		defer func() {
			if recover() != nil {
				zero = false
			}
		}()
		return z.IsZero()
	}
	return v.IsZero()
}

// marshal writes what v's MarshalJSON (or MarshalText) returns.
func (e *valueEncoder) marshal(v reflect.Value, kind marshalKind, depth int) {
	b, err := callMarshal(v.Interface(), kind)
	if err != nil {
		e.badType(v.Type().String(), err.Error())
		return
	}
	if len(b) > e.limit-len(e.buf) {
		e.overflow(len(b))
		return
	}
	if kind == marshalText {
		e.buf = appendString(e.buf, string(b))
		return
	}
	// Decoded again, so that what it holds is masked and bounded as any
	// value is. Its size is within the budget, which bounds the work.
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var tree any
	if err := d.Decode(&tree); err != nil {
		e.badType(v.Type().String(), "MarshalJSON returned invalid JSON: "+err.Error())
		return
	}
	if _, err := d.Token(); !errors.Is(err, io.EOF) {
		e.badType(v.Type().String(), "MarshalJSON returned more than one JSON value")
		return
	}
	e.value(tree, depth)
}

// callMarshal calls v's MarshalJSON or MarshalText, containing a panic.
func callMarshal(v any, kind marshalKind) (b []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			b, err = nil, fmt.Errorf("panic while encoding %T: %v", v, r)
		}
	}()
	if kind == marshalJSON {
		b, err = v.(json.Marshaler).MarshalJSON()
		if err != nil {
			err = fmt.Errorf("json: error calling MarshalJSON for type %T: %w", v, err)
		}
		return b, err
	}
	b, err = v.(encoding.TextMarshaler).MarshalText()
	if err != nil {
		err = fmt.Errorf("json: error calling MarshalText for type %T: %w", v, err)
	}
	return b, err
}

// marshalKind is the method a type encodes itself with, if any.
type marshalKind uint8

const (
	marshalNone marshalKind = iota
	marshalJSON
	marshalText
)

// typeInfo is what the encoder needs to know of a type, found once.
type typeInfo struct {
	marshal     marshalKind // by the type itself
	addrMarshal marshalKind // by a pointer to it
	isError     bool
	bytes       bool          // a slice of bytes, written in base64
	fields      []structField // a struct's, in the order they are written
}

// structField is a field of a struct as JSON has it.
type structField struct {
	name                        string
	key                         []byte // the name as JSON, with its colon
	index                       []int
	omitEmpty, omitZero, quoted bool
	tagged                      bool // named by its tag
}

var (
	typeInfos       sync.Map // reflect.Type → *typeInfo
	timeType        = reflect.TypeFor[time.Time]()
	numberType      = reflect.TypeFor[json.Number]()
	errorType       = reflect.TypeFor[error]()
	marshalerType   = reflect.TypeFor[json.Marshaler]()
	textMarshalType = reflect.TypeFor[encoding.TextMarshaler]()
)

func typeInfoOf(t reflect.Type) *typeInfo {
	if ti, ok := typeInfos.Load(t); ok {
		return ti.(*typeInfo)
	}
	ti := &typeInfo{marshal: marshalKindOf(t), isError: t.Implements(errorType)}
	if t.Kind() != reflect.Pointer {
		ti.addrMarshal = marshalKindOf(reflect.PointerTo(t))
	}
	switch t.Kind() {
	case reflect.Slice:
		el := t.Elem()
		p := reflect.PointerTo(el)
		ti.bytes = el.Kind() == reflect.Uint8 && marshalKindOf(el) == marshalNone && marshalKindOf(p) == marshalNone
	case reflect.Struct:
		ti.fields = structFields(t)
	}
	got, _ := typeInfos.LoadOrStore(t, ti)
	return got.(*typeInfo)
}

func marshalKindOf(t reflect.Type) marshalKind {
	switch {
	case t.Implements(marshalerType):
		return marshalJSON
	case t.Implements(textMarshalType):
		return marshalText
	}
	return marshalNone
}

// structFields returns the fields of t that JSON writes, as encoding/json
// finds them: exported fields and those of embedded structs, breadth
// first; of fields with the same name the shallowest wins, then the one
// named by a tag, and when that leaves more than one, none is written.
func structFields(t reflect.Type) []structField {
	type queued struct {
		t     reflect.Type
		index []int
	}
	var all []structField
	next := []queued{{t: t}}
	visited := map[reflect.Type]bool{}
	for len(next) > 0 {
		current := next
		next = nil
		for _, q := range current {
			if visited[q.t] {
				continue
			}
			visited[q.t] = true
			for i := range q.t.NumField() {
				sf := q.t.Field(i)
				if sf.Anonymous {
					ft := sf.Type
					if ft.Kind() == reflect.Pointer {
						ft = ft.Elem()
					}
					if !sf.IsExported() && ft.Kind() != reflect.Struct {
						continue
					}
				} else if !sf.IsExported() {
					continue
				}
				tag := sf.Tag.Get("json")
				if tag == "-" {
					continue
				}
				name, opts, _ := strings.Cut(tag, ",")
				if !validTagName(name) {
					name = ""
				}
				index := append(slices.Clone(q.index), i)
				ft := sf.Type
				if ft.Name() == "" && ft.Kind() == reflect.Pointer {
					ft = ft.Elem()
				}
				if name == "" && sf.Anonymous && ft.Kind() == reflect.Struct {
					next = append(next, queued{ft, index})
					continue
				}
				f := structField{name: name, index: index, tagged: name != ""}
				if name == "" {
					f.name = sf.Name
				}
				for opt := range strings.SplitSeq(opts, ",") {
					switch opt {
					case "omitempty":
						f.omitEmpty = true
					case "omitzero":
						f.omitZero = true
					case "string":
						switch ft.Kind() {
						case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
							reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
							reflect.Float32, reflect.Float64, reflect.String:
							f.quoted = true
						}
					}
				}
				f.key = append(appendString(nil, f.name), ':')
				all = append(all, f)
			}
		}
	}
	// Keep, of each name, the dominant field.
	byName := map[string][]int{}
	for i, f := range all {
		byName[f.name] = append(byName[f.name], i)
	}
	var out []structField
	for i, f := range all {
		group := byName[f.name]
		if group[0] != i {
			continue // judged with the first of its name
		}
		shallowest := len(f.index)
		for _, j := range group {
			shallowest = min(shallowest, len(all[j].index))
		}
		var top []int
		for _, j := range group {
			if len(all[j].index) == shallowest {
				top = append(top, j)
			}
		}
		if len(top) > 1 {
			var tagged []int
			for _, j := range top {
				if all[j].tagged {
					tagged = append(tagged, j)
				}
			}
			top = tagged
		}
		if len(top) == 1 {
			out = append(out, all[top[0]])
		}
	}
	slices.SortFunc(out, func(a, b structField) int { return slices.Compare(a.index, b.index) })
	return out
}

// validTagName reports whether encoding/json accepts s as a field's name.
func validTagName(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		switch {
		case strings.ContainsRune("!#$%&()*+-./:;<=>?@[]^_{|}~ ", c):
		case !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c > 127):
			return false
		}
	}
	return true
}
