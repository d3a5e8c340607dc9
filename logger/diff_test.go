package logger_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/logger"
)

type address struct {
	City string `json:"city"`
	Zip  string `json:"zip,omitempty"`
}

type profile struct {
	Name    string   `json:"name"`
	Email   string   `json:"email"`
	Age     int      `json:"age"`
	Tags    []string `json:"tags"`
	Address address  `json:"address"`
	Note    *string  `json:"note,omitempty"`
	secret  string   // unexported: not compared
}

func TestDiffStructs(t *testing.T) {
	note := "vip"
	before := profile{Name: "Ann", Email: "a@x", Age: 30, Tags: []string{"a"}, Address: address{City: "Oslo"}, secret: "s1"}
	after := profile{Name: "Ann", Email: "ann@x", Age: 31, Tags: []string{"a", "b"}, Address: address{City: "Bergen", Zip: "5003"}, Note: &note, secret: "s2"}
	got := logger.Diff(before, &after) // a pointer is what it points to
	require.Equal(t, []logger.Change{
		{Field: "address.city", Old: "Oslo", New: "Bergen"},
		{Field: "address.zip", Old: nil, New: "5003"},
		{Field: "age", Old: json.Number("30"), New: json.Number("31")},
		{Field: "email", Old: "a@x", New: "ann@x"},
		{Field: "note", Old: nil, New: "vip"},
		{Field: "tags", Old: []any{"a"}, New: []any{"a", "b"}},
	}, got)
	require.Nil(t, logger.Diff(before, before), "no change: nil")
}

func TestDiffMaps(t *testing.T) {
	before := map[string]any{"plan": "free", "limits": map[string]any{"memories": 100, "agents": 1}, "gone": true}
	after := map[string]any{"plan": "pro", "limits": map[string]any{"memories": 1000, "agents": 1}, "new": []int{1}}
	require.Equal(t, []logger.Change{
		{Field: "gone", Old: true, New: nil},
		{Field: "limits.memories", Old: json.Number("100"), New: json.Number("1000")},
		{Field: "new", Old: nil, New: []any{json.Number("1")}},
		{Field: "plan", Old: "free", New: "pro"},
	}, logger.Diff(before, after))
	// A map of strings and a struct with the same JSON are equal.
	require.Nil(t, logger.Diff(map[string]string{"city": "Oslo"}, address{City: "Oslo"}))
}

func TestDiffObjectReplacedByValue(t *testing.T) {
	got := logger.Diff(map[string]any{"a": map[string]any{"b": 1}}, map[string]any{"a": "flat"})
	require.Equal(t, []logger.Change{{Field: "a", Old: map[string]any{"b": json.Number("1")}, New: "flat"}}, got)
}

func TestDiffNilSides(t *testing.T) {
	created := logger.Diff(nil, address{City: "Oslo", Zip: "0150"})
	require.Equal(t, []logger.Change{{Field: "city", New: "Oslo"}, {Field: "zip", New: "0150"}}, created)
	deleted := logger.Diff(map[string]any{"k": "v"}, nil)
	require.Equal(t, []logger.Change{{Field: "k", Old: "v"}}, deleted)
	var p *profile
	require.Nil(t, logger.Diff(p, nil), "a nil pointer is an empty object")
	require.Nil(t, logger.Diff(nil, nil))
}

func TestDiffLargeIntegersKeepTheirDigits(t *testing.T) {
	got := logger.Diff(map[string]any{"id": int64(1<<62 + 1)}, map[string]any{"id": int64(1<<62 + 2)})
	require.Equal(t, []logger.Change{{Field: "id", Old: json.Number("4611686018427387905"), New: json.Number("4611686018427387906")}}, got)
}

type badJSON struct{ fail bool }

func (b badJSON) MarshalJSON() ([]byte, error) {
	if b.fail {
		return nil, errors.New("cannot")
	}
	panic("boom")
}

func TestDiffValuesThatAreNotObjects(t *testing.T) {
	require.Equal(t, []logger.Change{{Old: 1, New: 2}}, logger.Diff(1, 2))
	require.Nil(t, logger.Diff([]int{1}, []int{1}))
	require.Equal(t, []logger.Change{{Old: "x", New: map[string]any{"a": 1}}}, logger.Diff("x", map[string]any{"a": 1}))

	ch := make(chan int)
	require.Nil(t, logger.Diff(ch, ch), "a channel is compared as itself")
	require.Len(t, logger.Diff(ch, make(chan int)), 1)

	// A cycle does not encode: compared as values, without looping.
	cyclic := map[string]any{"k": 1}
	cyclic["self"] = cyclic
	require.NotPanics(t, func() { require.Nil(t, logger.Diff(cyclic, cyclic)) })

	// MarshalJSON that fails or panics: no panic, compared as values.
	require.NotPanics(t, func() {
		require.Nil(t, logger.Diff(badJSON{}, badJSON{}))
		require.Equal(t, []logger.Change{{Old: badJSON{}, New: badJSON{fail: true}}}, logger.Diff(badJSON{}, badJSON{fail: true}))
		require.Len(t, logger.Diff(map[string]any{"v": badJSON{}}, map[string]any{"v": 1}), 1)
	})
}

func TestLogChange(t *testing.T) {
	l := newLogger(t, logger.Options{})
	ctx := context.Background()
	before := address{City: "Oslo"}
	after := address{City: "Bergen", Zip: "5003"}
	require.NoError(t, l.LogChange(ctx, logger.Event{UserID: "u1", ResourceType: "address", ResourceID: "a1"}, before, after))
	require.NoError(t, l.LogChange(ctx, logger.Event{Operation: logger.OpCompact, UserID: "u1"}, 3, 3))
	require.ErrorIs(t, l.LogChange(ctx, logger.Event{Operation: "bad op"}, nil, after), logger.ErrInvalidEvent)

	got := l.Query(logger.Filter{Ascending: true})
	require.Len(t, got, 2)
	ev := got[0]
	require.Equal(t, logger.OpUpdate, ev.Operation, "UPDATE by default")
	require.Equal(t, []logger.Change{
		{Field: "city", Old: "Oslo", New: "Bergen"},
		{Field: "zip", Old: nil, New: "5003"},
	}, ev.Changes)
	require.Equal(t, map[string]any{"city": "Oslo"}, ev.PreviousState)
	require.Equal(t, map[string]any{"city": "Bergen", "zip": "5003"}, ev.NewState)

	same := got[1]
	require.Equal(t, logger.OpCompact, same.Operation, "an operation given is kept")
	require.Empty(t, same.Changes, "nothing changed, and it is still logged")
	require.Equal(t, map[string]any{"value": 3.0}, same.PreviousState)
}

func ExampleDiff() {
	type settings struct {
		Plan   string `json:"plan"`
		Seats  int    `json:"seats"`
		Region string `json:"region,omitempty"`
	}
	before := settings{Plan: "free", Seats: 1}
	after := settings{Plan: "team", Seats: 5, Region: "eu"}
	for _, c := range logger.Diff(before, after) {
		fmt.Printf("%s: %v → %v\n", c.Field, c.Old, c.New)
	}
	// Output:
	// plan: free → team
	// region: <nil> → eu
	// seats: 1 → 5
}

// A value nested a million levels deep neither kills the caller's
// goroutine with a stack overflow nor is walked to the bottom: it is
// compared whole, and LogChange logs it cut at the encoder's depth.
func TestDiffDeepValue(t *testing.T) {
	before, after := deepNest(1_000_000, "a"), deepNest(1_000_000, "b")
	got := logger.Diff(before, after)
	require.Len(t, got, 1)
	require.Empty(t, got[0].Field, "compared whole")

	l := newLogger(t, logger.Options{})
	require.NoError(t, l.LogChange(context.Background(), logger.Event{UserID: "deep"}, before, after))
	evs := l.Query(logger.Filter{UserID: "deep"})
	require.Len(t, evs, 1)
	require.Contains(t, evs[0].Metadata["auditlog_encode_errors"], "nested too deep")
}

// link is a linked list whose nodes hold nothing but the next one.
type link struct{ Next *link }

// Two lists a million nodes long, which do not encode (too deep), are
// compared without walking them: Diff neither overflows the caller's
// stack nor reports them equal, and LogChange logs the change.
func TestDiffDeepListsDoNotOverflowTheStack(t *testing.T) {
	const depth = 1_000_000 // walked to the bottom, a list this long overflows a goroutine's stack
	a, b := &link{}, &link{}
	for range depth {
		a, b = &link{Next: a}, &link{Next: b}
	}
	got := logger.Diff(a, b)
	require.Len(t, got, 1)
	require.Empty(t, got[0].Field, "compared whole")
	require.Nil(t, logger.Diff(a, a), "the same list is no change")

	l := newLogger(t, logger.Options{})
	require.NoError(t, l.LogChange(context.Background(), logger.Event{UserID: "deep"}, a, b))
	evs := l.Query(logger.Filter{UserID: "deep"})
	require.Len(t, evs, 1)
	require.Len(t, evs[0].Changes, 1)
}

// Diff of two values far above an event's budget costs what an event
// does, not the size of the values: two 100 MB strings are compared
// whole without being copied.
func TestDiffHugeValuesAreNotCopied(t *testing.T) {
	a := strings.Repeat("a", 100<<20)
	b := strings.Repeat("a", 100<<20-1) + "b"
	var got []logger.Change
	used := allocated(func() { got = logger.Diff(a, b) })
	require.Less(t, used, uint64(8<<20), "bytes allocated to compare two 100 MB strings")
	require.Len(t, got, 1)
	require.Empty(t, got[0].Field, "compared whole")
	require.Nil(t, logger.Diff(a, a))
}
