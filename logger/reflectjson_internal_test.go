package logger

import (
	"encoding/json"
	"errors"
	"math"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
)

type inner struct {
	A string `json:"a"`
	B int    `json:"b,omitempty"`
}

type Embedded struct {
	E  string
	Sh string
}

type embeddedPtr struct{ P string }

type otherEmbedded struct {
	Sh string // the same name at the same depth: neither is written
	O  int
}

type shapes struct {
	Embedded
	*embeddedPtr
	otherEmbedded
	Name       string             `json:"name"`
	Skipped    string             `json:"-"`
	Dash       string             `json:"-,"`
	Empty      string             `json:",omitempty"`
	Zero       time.Time          `json:"zero,omitzero"`
	Quoted     int                `json:"quoted,string"`
	QuotedStr  string             `json:"qs,string"`
	QuotedB    bool               `json:"qb,string"`
	Ptr        *inner             `json:"ptr"`
	NilPtr     *inner             `json:"nil_ptr"`
	Slice      []inner            `json:"slice"`
	NilSlice   []int              `json:"nil_slice"`
	Array      [3]int8            `json:"array"`
	Bytes      []byte             `json:"bytes"`
	ByteArray  [2]byte            `json:"byte_array"`
	IntKeys    map[int]string     `json:"int_keys"`
	UintKeys   map[uint16]bool    `json:"uint_keys"`
	TextKeys   map[netip.Addr]int `json:"text_keys"`
	NilMap     map[string]int     `json:"nil_map"`
	Any        any                `json:"any"`
	AnyNil     any                `json:"any_nil"`
	Iface      json.Marshaler     `json:"iface"`
	Duration   time.Duration      `json:"duration"`
	UUID       uuid.UUID          `json:"uuid"`
	Raw        json.RawMessage    `json:"raw"`
	Number     json.Number        `json:"number"`
	F32        float32            `json:"f32"`
	F64        float64            `json:"f64"`
	Uintptr    uintptr            `json:"uintptr"`
	Nested     struct{ X, Y int } `json:"nested"`
	unexported int
	AddrM      addrMarshaler `json:"addr_m"`
	AddrMPtr   *addrMarshaler
}

// addrMarshaler implements json.Marshaler on its pointer only.
type addrMarshaler struct{ N int }

func (a *addrMarshaler) MarshalJSON() ([]byte, error) {
	return []byte(`{"n":` + string(rune('0'+a.N)) + `, "spaced": [1, 2]}`), nil
}

type namedMap map[string]inner

type namedSlice []string

// The walk writes what encoding/json writes, for every kind of value a
// caller may log: struct tags, embedding and its name conflicts, maps by
// sorted keys of every key type, pointers, Marshalers, base64 bytes.
func TestReflectWritesWhatEncodingJSONWrites(t *testing.T) {
	s := shapes{
		Embedded:      Embedded{E: "e", Sh: "s1"},
		embeddedPtr:   &embeddedPtr{P: "p"},
		otherEmbedded: otherEmbedded{Sh: "s2", O: 3},
		Name:          "n", Skipped: "x", Dash: "d", Quoted: 42, QuotedStr: `he said "hi"`, QuotedB: true,
		Ptr: &inner{A: "a", B: 2}, Slice: []inner{{A: "x"}, {B: 1}}, Array: [3]int8{-1, 0, 1},
		Bytes: []byte("hello, world"), ByteArray: [2]byte{1, 2},
		IntKeys: map[int]string{10: "ten", -2: "minus two", 3: "three"}, UintKeys: map[uint16]bool{7: true},
		TextKeys: map[netip.Addr]int{netip.MustParseAddr("10.0.0.2"): 2, netip.MustParseAddr("::1"): 1},
		Any:      map[string]any{"k": []any{1.5, "s", nil, true}}, Iface: &addrMarshaler{N: 4},
		Duration: 1500 * time.Millisecond, UUID: uuid.MustParse("01234567-89ab-cdef-0123-456789abcdef"),
		Raw: json.RawMessage(` {"z": 1, "a": [ ]} `), Number: "12.50", F32: 0.1, F64: 1e21,
		Uintptr: 9, unexported: 1, AddrM: addrMarshaler{N: 5}, AddrMPtr: &addrMarshaler{N: 6},
	}
	s.Nested.X = 1
	for name, v := range map[string]any{
		"struct":             s,
		"pointer to struct":  &s, // fields addressable: AddrM's MarshalJSON is called
		"named map":          namedMap{"b": {A: "1"}, "a": {A: "2"}},
		"named slice":        namedSlice{"x", "y"},
		"map of structs":     map[string]inner{"k": {A: "v"}},
		"slice of maps":      []map[string]any{{"a": 1}, nil},
		"pointer to pointer": func() any { p := &inner{A: "pp"}; return &p }(),
		"array of any":       [2]any{1, "two"},
		"empty struct":       struct{}{},
		"text marshaler":     netip.MustParseAddr("192.0.2.1"),
		"map of text values": map[string]netip.Prefix{"net": netip.MustParsePrefix("10.0.0.0/8")},
	} {
		t.Run(name, func(t *testing.T) {
			want, err := json.Marshal(v)
			require.NoError(t, err)
			e := newEncoder(nil, math.MaxInt)
			e.value(v, 0)
			require.False(t, e.over)
			require.Empty(t, e.problems)
			require.JSONEq(t, string(want), string(e.buf))
		})
	}
}

type secretive struct {
	User   string            `json:"user"`
	Pass   string            `json:"password"`
	Nested map[string]string `json:"nested"`
	Keyed  map[textKey]int   `json:"keyed"`
}

type textKey struct{ name string }

func (k textKey) MarshalText() ([]byte, error) { return []byte("api_" + k.name), nil }

type secretMarshaler struct{}

func (secretMarshaler) MarshalJSON() ([]byte, error) {
	return []byte(`{"token":"hush-m","list":[{"Authorization":"hush-n"}],"ok":1}`), nil
}

type failing struct{}

func (failing) MarshalJSON() ([]byte, error) { return nil, errors.New("boom") }

type invalidJSON struct{}

func (invalidJSON) MarshalJSON() ([]byte, error) { return []byte(`{"a":`), nil }

type twoValues struct{}

func (twoValues) MarshalJSON() ([]byte, error) { return []byte(`1 2`), nil }

type panicky struct{}

func (panicky) MarshalText() ([]byte, error) { panic("text") }

type loop struct {
	Name string `json:"name"`
	Next *loop  `json:"next"`
}

type ptrLoop *ptrLoop

// Masking applies on every path the walk takes: struct fields by their
// JSON names, map keys of every type, the output of a MarshalJSON.
func TestReflectMasksEveryPath(t *testing.T) {
	m, err := newMasker(MaskOptions{})
	require.NoError(t, err)
	e := newEncoder(m, math.MaxInt)
	e.value(map[string]any{
		"s":   secretive{User: "u", Pass: "hush-1", Nested: map[string]string{"secret": "hush-2"}, Keyed: map[textKey]int{{"key"}: 12345}},
		"m":   secretMarshaler{},
		"ptr": &secretive{Pass: "hush-3"},
	}, 0)
	out := string(e.buf)
	require.NotContains(t, out, "hush")
	require.NotContains(t, out, "12345")
	require.Contains(t, out, `"ok":1`)
	require.Contains(t, out, `"user":"u"`)
}

// What cannot be written is replaced and named, never passed on raw.
func TestReflectReplacesWhatItCannotWrite(t *testing.T) {
	cyc := &loop{Name: "a"}
	cyc.Next = &loop{Name: "b", Next: cyc}
	var pl ptrLoop
	pl = &pl
	var self any
	self = &self
	for name, tc := range map[string]struct {
		v    any
		want string
	}{
		"failing MarshalJSON":         {failing{}, "boom"},
		"invalid MarshalJSON":         {invalidJSON{}, "invalid JSON"},
		"two values":                  {twoValues{}, "more than one"},
		"panicking MarshalText":       {panicky{}, "panic"},
		"channel field":               {struct{ C chan int }{make(chan int)}, "unsupported type"},
		"complex":                     {complex(1, 2), "unsupported type"},
		"map with struct keys":        {map[inner]int{{}: 1}, "unsupported map key type"},
		"cycle through pointers":      {cyc, "cycle"},
		"pointer to itself":           {pl, "lead back"},
		"interface holding itself":    {&self, "lead back"},
		"NaN in a struct":             {struct{ F float64 }{math.NaN()}, "not a finite number"},
		"json.Number out of range":    {struct{ N json.Number }{"1e400"}, "not a number"},
		"json.Number not a number":    {json.Number("12a"), "not a number"},
		"cycle through typed maps":    {func() any { m := map[string]map[string]any{}; m["a"] = map[string]any{"m": m}; return m }(), "cycle"},
		"nested too deep via structs": {nestedStructs(40), "nested too deep"},
	} {
		t.Run(name, func(t *testing.T) {
			e := newEncoder(nil, math.MaxInt)
			e.value(map[string]any{"v": tc.v}, 0)
			require.False(t, e.over)
			require.True(t, json.Valid(e.buf), "%s", e.buf)
			require.NotEmpty(t, e.problems)
			require.Contains(t, e.problemsNote(), tc.want)
			require.Contains(t, string(e.buf), "!BADVALUE")
		})
	}
}

// Every budget is checked before the work it bounds: the cost of a value
// is bounded by the budget, not by the value.
func TestEncoderBudgets(t *testing.T) {
	big := strings.Repeat("x", 1<<20)
	for name, v := range map[string]any{
		"long string":             big,
		"long string in a struct": struct{ S string }{big},
		"long key":                map[string]int{big: 1},
		"long key of a typed map": map[string]inner{big: {}},
		"many values":             make([]int, 10_000_000),
		"many omitted fields": make([]struct {
			A, B, C, D, E, F, G, H int `json:",omitempty"`
		}, 1_000_000),
		"many struct values":         make([]inner, 1_000_000),
		"long bytes":                 make([]byte, 1<<20),
		"long MarshalText":           netipBig{},
		"map larger than the budget": bigMap(),
	} {
		t.Run(name, func(t *testing.T) {
			e := newEncoder(nil, 64<<10)
			e.value(v, 0)
			require.True(t, e.over, "the encoder ran over its budget")
			require.LessOrEqual(t, len(e.buf), 64<<10+1024, "bytes written past the budget")
			require.LessOrEqual(t, cap(e.buf), 256<<10, "bytes held past the budget")
		})
	}
}

type netipBig struct{}

func (netipBig) MarshalText() ([]byte, error) { return make([]byte, 1<<20), nil }

// Fields that are looked at and left out count as values too: a slice of
// structs whose fields are all omitted cannot make the walk unbounded.
func TestEncoderCountsOmittedFields(t *testing.T) {
	v := make([]struct {
		A, B, C, D, E, F, G, H int `json:",omitempty"`
	}, 300_000)
	e := newEncoder(nil, math.MaxInt)
	e.value(v, 0)
	require.True(t, e.over, "the encoder ran over its values budget")
	require.LessOrEqual(t, e.values, maxValues+1)
}

func bigMap() map[int]int {
	m := map[int]int{}
	for i := range 100_000 {
		m[i] = i
	}
	return m
}

func nestedStructs(levels int) *loop {
	l := &loop{Name: "bottom"}
	for range levels {
		l = &loop{Next: l}
	}
	return l
}
