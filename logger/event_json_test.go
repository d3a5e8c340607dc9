package logger_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/logger"
)

// fullEvent sets every field of Event, with JSON-native values in its maps.
func fullEvent() logger.Event {
	return logger.Event{
		ID:           "0190c3b4-5d6e-7f80-9a1b-2c3d4e5f6a7b",
		Seq:          42,
		Time:         time.Date(2024, 5, 6, 7, 8, 9, 123456789, time.UTC),
		Operation:    logger.OpUpdate,
		Status:       logger.StatusPartial,
		Category:     "DATA",
		UserID:       "u-1",
		UserName:     "Ada Lovelace",
		UserEmail:    "ada@example.com",
		SessionID:    "sess-9",
		IPAddress:    "2001:db8::1",
		UserAgent:    "curl/8.0 \"quoted\"",
		ResourceType: "memory",
		ResourceID:   "mem-7",
		ResourceName: "Notes – ünïcode ✓",
		EntryIDs:     []string{"e1", "e2", "e3"},
		Changes: []logger.Change{
			{Field: "title", Old: "draft", New: "final"},
			{Field: "score", Old: 1.5, New: nil},
			{Field: "flags", Old: []any{"a", 2.0, true, nil}, New: map[string]any{"k": "v", "n": -3.25}},
		},
		PreviousState: map[string]any{"title": "draft", "count": 1.0, "ok": false, "none": nil},
		NewState: map[string]any{
			"title":  "final",
			"nested": map[string]any{"list": []any{1.0, "two", map[string]any{"three": 3.0}}, "empty": map[string]any{}},
		},
		Request:     &logger.Request{Method: "POST", Path: "/v1/memories?x=1&y=<2>", StatusCode: 207},
		RunID:       "run-1",
		ParentRunID: "run-0",
		Source:      "replica-2",
		Description: "line one\nline two\t\"tabbed\" \\ back",
		Tags:        []string{"alpha", "beta"},
		Metadata: map[string]any{
			"string": "s",
			"float":  0.1,
			"big":    1e21,
			"small":  1e-7,
			"int":    12345678.0,
			"neg":    -0.5,
			"true":   true,
			"false":  false,
			"null":   nil,
			"list":   []any{"x", 1.0, false, nil, []any{}, map[string]any{"deep": "er"}},
			"map":    map[string]any{"a": map[string]any{"b": map[string]any{"c": "d"}}},
			"emptyl": []any{},
		},
		Duration:     1500 * time.Microsecond,
		ErrorMessage: "partial failure",
		ErrorStack:   "goroutine 1 [running]:\nmain.main()\n\t/tmp/x.go:1",
	}
}

func TestEventJSONRoundTrip(t *testing.T) {
	ev := fullEvent()
	b, err := json.Marshal(ev)
	require.NoError(t, err)
	require.True(t, json.Valid(b))
	var back logger.Event
	require.NoError(t, json.Unmarshal(b, &back))
	require.Equal(t, ev, back)

	// Through a pointer too, and a second round gives the same bytes.
	b2, err := json.Marshal(&back)
	require.NoError(t, err)
	require.Equal(t, string(b), string(b2))
}

// The documented key list of MarshalJSON, in order.
var eventKeys = []string{
	"event_id", "seq", "timestamp", "operation", "status", "category",
	"user_id", "user_name", "user_email", "session_id", "ip_address", "user_agent",
	"resource_type", "resource_id", "resource_name", "entry_ids", "changes",
	"previous_state", "new_state", "request", "run_id", "parent_run_id",
	"description", "tags", "metadata", "duration_ms", "error_message", "error_stack", "source",
}

// topKeys returns the keys of the JSON object b in order.
func topKeys(t *testing.T, b []byte) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	tok, err := dec.Token()
	require.NoError(t, err)
	require.Equal(t, json.Delim('{'), tok)
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		require.NoError(t, err)
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		require.NoError(t, dec.Decode(&skip))
	}
	return keys
}

func TestEventJSONKeys(t *testing.T) {
	b, err := json.Marshal(fullEvent())
	require.NoError(t, err)
	require.Equal(t, eventKeys, topKeys(t, b), "exactly the documented keys, in order")

	var raw map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(b, &raw))
	var changes []map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(raw["changes"], &changes))
	for _, c := range changes {
		require.ElementsMatch(t, []string{"field", "old", "new"}, mapKeys(c))
	}
	var req map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(raw["request"], &req))
	require.ElementsMatch(t, []string{"method", "path", "status_code"}, mapKeys(req))
	require.Equal(t, "207", string(req["status_code"]))
	require.Equal(t, "42", string(raw["seq"]))
	require.Equal(t, `"UPDATE"`, string(raw["operation"]))
	require.Equal(t, `"PARTIAL"`, string(raw["status"]))
	require.Equal(t, `["e1","e2","e3"]`, string(raw["entry_ids"]))

	// Map keys are sorted.
	require.Equal(t, []string{"big", "emptyl", "false", "float", "int", "list", "map", "neg", "null", "small", "string", "true"},
		topKeys(t, raw["metadata"]))
}

func mapKeys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestEventJSONOmitsEmpty(t *testing.T) {
	for _, tc := range []struct {
		name string
		ev   logger.Event
		want string
	}{
		{"zero event", logger.Event{}, `{}`},
		{"operation only", logger.Event{Operation: logger.OpRead}, `{"operation":"READ"}`},
		{"empty slices and maps", logger.Event{
			Operation: logger.OpRead, EntryIDs: []string{}, Changes: []logger.Change{}, Tags: []string{},
			PreviousState: map[string]any{}, NewState: map[string]any{}, Metadata: map[string]any{},
		}, `{"operation":"READ"}`},
		{"empty request", logger.Event{Operation: logger.OpRead, Request: &logger.Request{}}, `{"operation":"READ"}`},
		{"partial request", logger.Event{Request: &logger.Request{StatusCode: 404}}, `{"request":{"status_code":404}}`},
		{"request path only", logger.Event{Request: &logger.Request{Path: "/x"}}, `{"request":{"path":"/x"}}`},
		{"zero duration", logger.Event{Operation: logger.OpRead, Duration: 0}, `{"operation":"READ"}`},
		{"seq and time", logger.Event{Seq: 1, Time: time.Date(2024, 1, 2, 3, 4, 5, 6, time.UTC)}, `{"seq":1,"timestamp":"2024-01-02T03:04:05.000000006Z"}`},
		{"change with nils", logger.Event{Changes: []logger.Change{{Field: "f"}}}, `{"changes":[{"field":"f","old":null,"new":null}]}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := json.Marshal(tc.ev)
			require.NoError(t, err)
			require.JSONEq(t, tc.want, string(b))
			require.Equal(t, tc.want, string(b))
		})
	}
}

func TestEventJSONDuration(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{
		{1500 * time.Microsecond, "1.5"},
		{time.Millisecond, "1"},
		{time.Nanosecond, "0.000001"},
		{10 * time.Nanosecond, "0.00001"},
		{999 * time.Microsecond, "0.999"},
		{123456789 * time.Nanosecond, "123.456789"},
		{2 * time.Hour, "7200000"},
		{time.Second + time.Nanosecond, "1000.000001"},
		{72 * time.Hour, "259200000"},
		{10*24*time.Hour + 1, "864000000.000001"},
	} {
		t.Run(tc.d.String(), func(t *testing.T) {
			b, err := json.Marshal(logger.Event{Duration: tc.d})
			require.NoError(t, err)
			require.Equal(t, `{"duration_ms":`+tc.want+`}`, string(b))
			var back logger.Event
			require.NoError(t, json.Unmarshal(b, &back))
			require.Equal(t, tc.d, back.Duration, "round trip")
		})
	}
}

// Durations too long for float64 to carry every nanosecond still decode
// to what was encoded, up to the largest Duration.
func TestEventJSONLongDuration(t *testing.T) {
	for _, d := range []time.Duration{
		200*24*time.Hour + 1,         // 1.7e16 ns: beyond float64's 2^53
		time.Duration(1<<62 + 12345), // about 146 years
		time.Duration(1<<63 - 1),     // the largest Duration
	} {
		t.Run(d.String(), func(t *testing.T) {
			b, err := json.Marshal(logger.Event{Duration: d})
			require.NoError(t, err)
			var back logger.Event
			require.NoError(t, json.Unmarshal(b, &back), "decoding %s", b)
			require.Equal(t, d, back.Duration, "round trip of %s", b)
		})
	}
}

func TestEventJSONDurationDecoding(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Duration
		err  bool
	}{
		{`{"duration_ms":1.5}`, 1500 * time.Microsecond, false},
		{`{"duration_ms":0}`, 0, false},
		{`{"duration_ms":2e3}`, 2 * time.Second, false},
		{`{"duration_ms":0.0000004}`, 0, false}, // rounds to the nanosecond
		{`{"duration_ms":-1}`, 0, true},
		{`{"duration_ms":1e300}`, 0, true},
		{`{"duration_ms":"1.5"}`, 0, true},
	} {
		t.Run(tc.in, func(t *testing.T) {
			var ev logger.Event
			err := json.Unmarshal([]byte(tc.in), &ev)
			if tc.err {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, ev.Duration)
		})
	}
}

func TestEventJSONTimestamp(t *testing.T) {
	for _, tc := range []struct {
		name string
		t    time.Time
		want string
	}{
		{"UTC with nanoseconds", time.Date(2024, 5, 6, 7, 8, 9, 123456789, time.UTC), "2024-05-06T07:08:09.123456789Z"},
		{"another zone becomes UTC", time.Date(2024, 5, 6, 12, 38, 9, 1, time.FixedZone("IST", 5*3600+1800)), "2024-05-06T07:08:09.000000001Z"},
		{"local zone becomes UTC", time.Date(2024, 12, 31, 23, 59, 59, 999999999, time.FixedZone("W", -8*3600)), "2025-01-01T07:59:59.999999999Z"},
		{"microseconds", time.Date(2024, 5, 6, 7, 8, 9, 120000, time.UTC), "2024-05-06T07:08:09.00012Z"},
		{"whole second", time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC), "2024-05-06T07:08:09Z"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := json.Marshal(logger.Event{Time: tc.t})
			require.NoError(t, err)
			var raw map[string]string
			require.NoError(t, json.Unmarshal(b, &raw))
			ts := raw["timestamp"]
			require.Equal(t, tc.want, ts)
			require.True(t, strings.HasSuffix(ts, "Z"))
			parsed, err := time.Parse(time.RFC3339Nano, ts)
			require.NoError(t, err)
			require.True(t, parsed.Equal(tc.t))

			var back logger.Event
			require.NoError(t, json.Unmarshal(b, &back))
			require.Equal(t, tc.t.UTC(), back.Time)
			require.Equal(t, time.UTC, back.Time.Location())
		})
	}
	// A timestamp written with an offset decodes to the same instant, in UTC.
	var ev logger.Event
	require.NoError(t, json.Unmarshal([]byte(`{"timestamp":"2024-05-06T09:08:09.5+02:00"}`), &ev))
	require.Equal(t, time.Date(2024, 5, 6, 7, 8, 9, 500000000, time.UTC), ev.Time)
	require.Error(t, json.Unmarshal([]byte(`{"timestamp":"yesterday"}`), &ev))
}

// A timestamp that UnmarshalJSON accepts must re-encode to one it accepts
// again: an offset that moves the instant out of the years 0000-9999 in
// UTC must be refused, not turned into an unreadable "-0001-..." or
// "10000-..." timestamp.
func TestEventJSONTimestampYearRange(t *testing.T) {
	for _, in := range []string{
		`{"timestamp":"0000-01-01T00:30:00+01:00"}`,
		`{"timestamp":"9999-12-31T23:59:59-01:00"}`,
	} {
		t.Run(in, func(t *testing.T) {
			var ev logger.Event
			if err := json.Unmarshal([]byte(in), &ev); err != nil {
				return // refusing it is fine
			}
			b, err := json.Marshal(ev)
			require.NoError(t, err)
			var back logger.Event
			require.NoError(t, json.Unmarshal(b, &back), "UnmarshalJSON accepted %s but cannot read its own encoding %s", in, b)
			require.True(t, ev.Time.Equal(back.Time))
		})
	}
}

func TestEventJSONStringEscaping(t *testing.T) {
	var control strings.Builder
	for c := rune(0); c < 0x20; c++ {
		control.WriteRune(c)
	}
	control.WriteString("\x7f")
	for _, tc := range []struct {
		name string
		s    string
	}{
		{"control characters", control.String()},
		{"quotes and backslashes", `say "hi" \ \\ \" \n`},
		{"invalid UTF-8", "a\xffb\xc3(c\xe2\x82d\xed\xa0\x80e"},
		{"truncated rune at the end", "abc\xe2\x82"},
		{"line separators", "a\u2028b\u2029c"},
		{"HTML characters", "<script>&amp;</script>"},
		{"non-ASCII", "héllo, 世界, 🎉"},
		{"NUL in the middle", "a\x00b"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// What encoding/json would give back for s: invalid bytes become U+FFFD.
			stdBytes, err := json.Marshal(tc.s)
			require.NoError(t, err)
			var want string
			require.NoError(t, json.Unmarshal(stdBytes, &want))

			ev := logger.Event{
				ID: tc.s, Operation: logger.OpRead, UserID: tc.s, Description: tc.s, ErrorStack: tc.s,
				EntryIDs: []string{tc.s}, Tags: []string{tc.s},
				Metadata:      map[string]any{tc.s: tc.s, "k": []any{tc.s}},
				Changes:       []logger.Change{{Field: tc.s, Old: tc.s, New: map[string]any{tc.s: tc.s}}},
				Request:       &logger.Request{Path: tc.s},
				PreviousState: map[string]any{"s": tc.s},
			}
			b, err := json.Marshal(ev)
			require.NoError(t, err)
			require.True(t, json.Valid(b), "%q", b)
			require.True(t, utf8.Valid(b), "the encoding is valid UTF-8")
			for _, c := range b {
				require.GreaterOrEqual(t, c, byte(0x20), "no raw control character in %q", b)
			}
			require.NotContains(t, string(b), "\u2028")
			require.NotContains(t, string(b), "\u2029")

			var back logger.Event
			require.NoError(t, json.Unmarshal(b, &back))
			require.Equal(t, want, back.ID)
			require.Equal(t, want, back.UserID)
			require.Equal(t, want, back.Description)
			require.Equal(t, want, back.ErrorStack)
			require.Equal(t, []string{want}, back.EntryIDs)
			require.Equal(t, []string{want}, back.Tags)
			require.Equal(t, map[string]any{want: want, "k": []any{want}}, back.Metadata)
			require.Equal(t, []logger.Change{{Field: want, Old: want, New: map[string]any{want: want}}}, back.Changes)
			require.Equal(t, want, back.Request.Path)
			require.Equal(t, want, back.PreviousState["s"])
		})
	}
}

// Values that are not JSON-native are encoded as encoding/json would
// encode them, and decode to their JSON-native form.
func TestEventJSONNonNativeValues(t *testing.T) {
	type point struct {
		X int    `json:"x"`
		Y string `json:"y,omitempty"`
	}
	when := time.Date(2024, 1, 2, 3, 4, 5, 6, time.FixedZone("Z1", 3600))
	ev := logger.Event{Metadata: map[string]any{
		"int": 7, "int8": int8(-8), "uint64": uint64(1 << 63), "float32": float32(0.1),
		"strs": []string{"a", "b"}, "smap": map[string]string{"z": "1", "a": "2"},
		"struct": point{X: 1}, "ptr": &point{X: 2, Y: "y"}, "time": when, "dur": 1500 * time.Millisecond,
		"num": json.Number("12.50"), "bytes": []byte("hi"), "ints": []int{1, 2},
	}}
	b, err := json.Marshal(ev)
	require.NoError(t, err)
	var raw struct {
		Metadata map[string]json.RawMessage `json:"metadata"`
	}
	require.NoError(t, json.Unmarshal(b, &raw))
	for k, v := range ev.Metadata {
		std, err := json.Marshal(v)
		require.NoError(t, err)
		switch k {
		case "time":
			require.Equal(t, `"2024-01-02T02:04:05.000000006Z"`, string(raw.Metadata[k]), "times in UTC")
		case "dur":
			require.Equal(t, `"1.5s"`, string(raw.Metadata[k]))
		default:
			require.JSONEq(t, string(std), string(raw.Metadata[k]), k)
		}
	}
	var back logger.Event
	require.NoError(t, json.Unmarshal(b, &back))
	require.Equal(t, 7.0, back.Metadata["int"])
	require.Equal(t, map[string]any{"a": "2", "z": "1"}, back.Metadata["smap"])
	require.Equal(t, map[string]any{"x": 1.0}, back.Metadata["struct"])
}

func TestEventUnmarshalIgnoresUnknownKeys(t *testing.T) {
	var ev logger.Event
	in := `{"event_id":"x","prev_hash":"abc","hash":"def","operation":"READ","unknown":{"a":[1,2]}}`
	require.NoError(t, json.Unmarshal([]byte(in), &ev))
	require.Equal(t, logger.Event{ID: "x", Operation: logger.OpRead}, ev)

	// Decoding replaces every field.
	ev = fullEvent()
	require.NoError(t, json.Unmarshal([]byte(`{"operation":"READ"}`), &ev))
	require.Equal(t, logger.Event{Operation: logger.OpRead}, ev)

	// The original Python system wrote lower-case names; they decode as
	// written (ParseOperation normalises them).
	require.NoError(t, json.Unmarshal([]byte(`{"operation":"store","status":"success"}`), &ev))
	require.Equal(t, logger.Operation("store"), ev.Operation)
	op, err := logger.ParseOperation(string(ev.Operation))
	require.NoError(t, err)
	require.Equal(t, logger.OpStore, op)

	for _, bad := range []string{`[]`, `"x"`, `{"seq":-1}`, `{"seq":"1"}`, `{"entry_ids":"e1"}`, `{`, ``} {
		require.Error(t, ev.UnmarshalJSON([]byte(bad)), bad)
	}
}

// An event stored by the logger decodes from the journal form and comes
// back from Query equal to what was logged.
func TestEventRoundTripThroughLogger(t *testing.T) {
	l := newLogger(t, logger.Options{})
	ev := fullEvent()
	ev.Seq = 0 // assigned by the logger
	require.NoError(t, l.Log(t.Context(), ev))
	got := l.Query(logger.Filter{})
	require.Len(t, got, 1)
	ev.Seq = 1
	require.Equal(t, ev, got[0])

	custom := fullEvent()
	custom.ID = "not-a-uuid"
	custom.Seq = 0
	require.NoError(t, l.Log(t.Context(), custom))
	got = l.Query(logger.Filter{Limit: 1})
	custom.Seq = 2
	require.Equal(t, custom, got[0])
}

func FuzzEventUnmarshal(f *testing.F) {
	full, err := json.Marshal(fullEvent())
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range []string{
		string(full),
		`{}`,
		`null`,
		`{"event_id":"a","seq":1,"timestamp":"2024-01-01T00:00:00Z","operation":"READ"}`,
		`{"timestamp":"2024-01-01T00:00:00.123+05:30","duration_ms":1.5}`,
		`{"metadata":{"a":[1,{"b":null}],"c":"\u0000\ud800"},"tags":[],"request":{}}`,
		`{"changes":[null,{"field":"x","old":1e308,"new":[true]}]}`,
		`{"duration_ms":-1}`,
		`{"duration_ms":9223372036854.775807}`,
		`{"timestamp":"0000-01-01T00:30:00+01:00"}`,
		`{"timestamp":"9999-12-31T23:59:59-01:00"}`,
		`{"status":"weird","operation":"lower case"}`,
		"{\"description\":\"\xff\xfe\"}",
		`[1,2,3]`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var ev logger.Event
		if err := ev.UnmarshalJSON(data); err != nil {
			return
		}
		b1, err := json.Marshal(ev)
		require.NoError(t, err, "Marshal of a decoded event (from %q)", data)
		require.True(t, json.Valid(b1))
		var ev2 logger.Event
		require.NoError(t, json.Unmarshal(b1, &ev2), "decoding %s (from %q)", b1, data)
		b2, err := json.Marshal(ev2)
		require.NoError(t, err)
		require.Equal(t, string(b1), string(b2), "Marshal→Unmarshal→Marshal is stable (from %q)", data)
		require.True(t, ev.Time.Equal(ev2.Time), "time %v became %v", ev.Time, ev2.Time)
		require.Equal(t, ev.Duration, ev2.Duration)
	})
}

func TestEventJSONNegativeDurationRefused(t *testing.T) {
	for _, in := range []string{"-1", "-0.0000004", "-4e-7", "-1e-10", "-0.5"} {
		var ev logger.Event
		require.Error(t, json.Unmarshal([]byte(`{"duration_ms":`+in+`}`), &ev), "duration_ms %s", in)
	}
	for _, in := range []string{"0", "-0", "0.0", "-0.0", "0e0"} {
		var ev logger.Event
		require.NoError(t, json.Unmarshal([]byte(`{"duration_ms":`+in+`}`), &ev), "duration_ms %s", in)
		require.Zero(t, ev.Duration)
	}
}

// Event.MarshalJSON keeps the encoder's bounds: an event with more values
// than one event may hold is cut down as the logger cuts one, with a
// note, instead of being written value after value.
func TestEventJSONTooManyValues(t *testing.T) {
	ev := logger.Event{Operation: logger.OpStore, UserID: "u", Metadata: map[string]any{"v": make([]int, 2_000_000)}}
	b, err := json.Marshal(ev)
	require.NoError(t, err)
	require.Less(t, len(b), 4096)
	var back logger.Event
	require.NoError(t, json.Unmarshal(b, &back))
	require.Equal(t, "metadata", back.Metadata["auditlog_truncated"])
	require.Equal(t, "u", back.UserID)
}
