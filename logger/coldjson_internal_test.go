package logger

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// coldOf keeps the fields of ev that encodeCold writes.
func coldOf(ev Event) Event {
	return Event{
		ID: ev.ID, UserName: ev.UserName, UserEmail: ev.UserEmail, IPAddress: ev.IPAddress,
		UserAgent: ev.UserAgent, ResourceName: ev.ResourceName, Changes: ev.Changes,
		PreviousState: ev.PreviousState, NewState: ev.NewState, Request: ev.Request,
		ParentRunID: ev.ParentRunID, Description: ev.Description, Tags: ev.Tags,
		Metadata: ev.Metadata, ErrorMessage: ev.ErrorMessage, ErrorStack: ev.ErrorStack,
	}
}

// checkCold asserts that decodeCold reads b exactly as UnmarshalJSON does,
// error for error, and returns whether the fast reader took it alone.
// keys, shared between calls, exercises the key cache of a query.
func checkCold(t *testing.T, b []byte, keys *decodeCache, msg ...any) bool {
	t.Helper()
	var want, got Event
	wantErr := want.UnmarshalJSON(b)
	gotErr := decodeCold(b, &got, keys)
	require.Equal(t, wantErr, gotErr, msg...)
	require.Equal(t, want, got, msg...)
	var fast Event
	return (&coldReader{b: b}).event(&fast)
}

func TestDecodeColdTakesTheFastPath(t *testing.T) {
	for name, ev := range map[string]Event{
		"metadata only": {Metadata: map[string]any{"source": "agent", "tokens": 1234, "score": 0.5}},
		"every cold field": {
			ID: "custom-id", UserName: "Ada Lovelace", UserEmail: "ada@example.com", IPAddress: "2001:db8::1",
			UserAgent: "curl/8.0", ResourceName: "Notes – ünïcode ✓", ParentRunID: "run-0",
			Changes:       []Change{{Field: "title", Old: "draft", New: "final"}, {Field: "n", Old: nil, New: 2.5}},
			PreviousState: map[string]any{"title": "draft", "list": []any{1.0, "two", nil, true}},
			NewState:      map[string]any{"nested": map[string]any{"empty": map[string]any{}, "none": []any{}}},
			Request:       &Request{Method: "POST", Path: "/v1/x", StatusCode: 201},
			Description:   "plain text", Tags: []string{"a", "b"}, ErrorMessage: "boom", ErrorStack: "main.go:1",
			Metadata: map[string]any{"big": 1e21, "small": 1e-7, "neg": -0.25, "f": false},
		},
	} {
		t.Run(name, func(t *testing.T) {
			b, err := json.Marshal(ev)
			require.NoError(t, err)
			require.True(t, checkCold(t, b, nil), "the fast reader gave up on %s", b)
		})
	}
}

func TestDecodeColdFallsBack(t *testing.T) {
	// Input outside the reader's subset must still decode exactly as
	// UnmarshalJSON decodes it, or fail as it fails.
	for _, in := range []string{
		`{"description":"escaped \"quote\" and \u00e9"}`,
		`{"metadata":{"a":1},"metadata":{"b":2}}`,
		`{"metadata":null}`,
		`{"tags":null}`,
		`{"seq":7,"metadata":{"a":1}}`,
		`{"timestamp":"2026-01-15T10:30:00Z"}`,
		`{"metadata":{"n":1e999}}`,
		`{"metadata":{"n":01}}`,
		`{"metadata":{"n":-}}`,
		`{"metadata":{"s":"\xff"}}`,
		`{"metadata":{"a":1}`,
		`{"metadata":{"a":1}} x`,
		`{"metadata":{"a":tru}}`,
		`{"tags":["a",1]}`,
		`{"changes":[{"field":"x","old":1,"new":2}]}`,
		`{"request":{"method":"GET","status_code":"bad"}}`,
		` { "metadata" : { "a" : [ 1 , 2 ] } } `,
		``,
		`[]`,
	} {
		checkCold(t, []byte(in), nil, "input %q", in)
	}
}

func TestDecodeColdRandom(t *testing.T) {
	seed, rng := testRand(t)
	fast := 0
	keys := newDecodeCache()
	for i := range 2000 {
		ev := Event{Metadata: randomMap(rng, 0), Tags: randomStrings(rng)}
		if rng.IntN(2) == 0 {
			ev.NewState = randomMap(rng, 0)
		}
		if rng.IntN(4) == 0 {
			ev.Description = randomString(rng)
		}
		b, err := json.Marshal(coldOf(ev))
		require.NoError(t, err)
		if checkCold(t, b, keys, "seed %d, event %d: %s", seed, i, b) {
			fast++
		}
	}
	t.Logf("the fast reader took %d of 2000 events alone", fast)
	require.Greater(t, fast, 0, "the fast reader never ran")
}

// testRand returns a seed, from AUDITLOG_SEED or the clock, logged so
// that a failure can be replayed, and a generator seeded with it.
func testRand(t *testing.T) (uint64, *rand.Rand) {
	t.Helper()
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("AUDITLOG_SEED"); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		require.NoError(t, err)
		seed = n
	}
	t.Logf("seed %d (rerun with AUDITLOG_SEED=%d)", seed, seed)
	return seed, rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
}

func randomMap(rng *rand.Rand, depth int) map[string]any {
	m := map[string]any{}
	for range rng.IntN(5) {
		m[randomString(rng)] = randomValue(rng, depth+1)
	}
	return m
}

func randomStrings(rng *rand.Rand) []string {
	if rng.IntN(3) == 0 {
		return nil
	}
	s := make([]string, 1+rng.IntN(3))
	for i := range s {
		s[i] = randomString(rng)
	}
	return s
}

func randomString(rng *rand.Rand) string {
	pieces := []string{"a", "key", "ü", "世界", " ", "-", "\"", "\\", "\n", "\x01", "\u2028", "\xff", "<>&"}
	var s string
	for range rng.IntN(4) {
		// Most strings stay plain, so the fast path is exercised too.
		if rng.IntN(6) == 0 {
			s += pieces[rng.IntN(len(pieces))]
		} else {
			s += pieces[rng.IntN(4)]
		}
	}
	return s
}

func randomValue(rng *rand.Rand, depth int) any {
	n := 8
	if depth < 4 {
		n = 10
	}
	switch rng.IntN(n) {
	case 0:
		return nil
	case 1:
		return rng.IntN(2) == 0
	case 2:
		return rng.NormFloat64() * 1e3
	case 3:
		return float64(rng.Int64()) * []float64{1, 1e-30, 1e30}[rng.IntN(3)]
	case 4:
		return rng.IntN(1000) - 500
	case 5, 6:
		return randomString(rng)
	case 7:
		return fmt.Sprint(rng.Uint64())
	case 8:
		s := make([]any, rng.IntN(4))
		for i := range s {
			s[i] = randomValue(rng, depth+1)
		}
		return s
	default:
		return randomMap(rng, depth)
	}
}

func FuzzDecodeCold(f *testing.F) {
	for _, seed := range []string{
		`{"metadata":{"source":"agent","tokens":1234,"score":0.5}}`,
		`{"tags":["a","b"],"new_state":{"x":[1,{"y":null}]}}`,
		`{"event_id":"x","description":"a\nb"}`,
		`{"metadata":{"n":-0.0e+1}}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		checkCold(t, b, newDecodeCache(), "input %q", b)
	})
}

// scanTail, which reads the lines encoding/json cannot (too deep), reads
// every line encoding/json reads as it does, and refuses what is not JSON.
func TestScanTailAgreesWithEncodingJSON(t *testing.T) {
	for _, line := range []string{
		`{"seq":7,"hash":"ab"}`, `{"event_id":"x","seq":1,"metadata":{"a":[1,{"b":null}],"s":"q\"\\u00e9"},"hash":"h"}`,
		`{"SEQ":3,"Hash":"h2"}`, `{"seq":null,"hash":null}`, `{}`, ` { "seq" : 2 , "x" : [ ] , "y" : { } } `,
		`{"seq":1,"seq":2}`, `{"hash":"\u0061b"}`, `{"m":1e400,"seq":4}`, `{"m":[true,false,-0.5e+3],"seq":5}`,
	} {
		var want, got lineTail
		require.NoError(t, json.Unmarshal([]byte(line), &want), line)
		require.True(t, scanTail([]byte(line), &got), line)
		require.Equal(t, want, got, line)
	}
	for _, line := range []string{
		``, `{`, `{"seq":1`, `{"seq":-1}`, `{"seq":1.5}`, `{"seq":"1"}`, `{"hash":1}`, `{"a":[1,]}`, `{"a":{"b"}}`,
		`{"a":tru}`, `{"a":"\x"}`, `{"a":01}`, `{"a":1}x`, `[1]`, `{"a":[}`, `{"a":"` + "\n" + `"}`, `{"a":1,}`,
	} {
		var got lineTail
		require.False(t, scanTail([]byte(line), &got), line)
	}
	deep := `{"seq":9,"m":` + strings.Repeat(`[{"k":`, 20_000) + `1` + strings.Repeat(`}]`, 20_000) + `,"hash":"z"}`
	var tail lineTail
	require.Error(t, json.Unmarshal([]byte(deep), &tail), "encoding/json refuses the depth")
	require.NoError(t, readTail([]byte(deep), &tail))
	require.Equal(t, lineTail{Seq: 9, Hash: "z"}, tail)
}

// What the encoder writes at its deepest, on every path that nests
// (Metadata, the states, Changes), is within the depth the fast reader
// takes: a line the library wrote is read back without the fallback.
func TestEncoderDepthWithinReaderDepth(t *testing.T) {
	deep := func() any {
		var v any = "bottom"
		for i := range 3 * maxDepth {
			if i%2 == 0 {
				v = map[string]any{"m": v}
			} else {
				v = []any{v}
			}
		}
		return v
	}
	ev := Event{
		Metadata: map[string]any{"v": deep()}, PreviousState: map[string]any{"v": deep()},
		NewState: map[string]any{"v": deep()}, Changes: []Change{{Field: "f", Old: deep(), New: deep()}},
	}
	e := newEncoder(nil, math.MaxInt)
	e.event(&ev)
	require.False(t, e.over)
	require.Len(t, e.problems, 5, "each deep value is cut")
	var got Event
	require.True(t, (&coldReader{b: e.buf}).event(&got), "the fast reader reads the line")
}
