package export_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/export"
)

// sampleEvents are events that every format, CSV included, carries
// without loss: only the CSV columns, no null, no empty string, strings
// in the text columns.
func sampleEvents() []json.RawMessage {
	return []json.RawMessage{
		json.RawMessage(`{"event_id":"0190c3b4-5d6e-7f80-9a1b-2c3d4e5f6a7b","seq":1,"timestamp":"2024-05-06T07:08:09.123456789Z",` +
			`"operation":"UPDATE","status":"PARTIAL","category":"DATA","user_id":"u-1","user_name":"Ada Lovelace",` +
			`"user_email":"ada@example.com","session_id":"sess-9","ip_address":"2001:db8::1","user_agent":"curl/8.0 \"quoted\", with comma",` +
			`"resource_type":"memory","resource_id":"mem-7","resource_name":"Notes – ünïcode ✓","entry_ids":["e1","e2"],` +
			`"changes":[{"field":"title","old":"draft","new":"final"},{"field":"n","old":1.5,"new":null}],` +
			`"previous_state":{"title":"draft","count":1},"new_state":{"title":"final","nested":{"list":[1,"two",{"three":3}]}},` +
			`"request":{"method":"POST","path":"/v1/m?x=1&y=<2>","status_code":207},"run_id":"run-1","parent_run_id":"run-0",` +
			`"description":"line one\nline two\t\"tabbed\" \\ back","tags":["alpha","beta"],` +
			`"metadata":{"big":1e21,"small":1e-7,"neg":-0.5,"list":[],"ok":true},"duration_ms":1.500,` +
			`"error_message":"partial failure","error_stack":"goroutine 1 [running]:\n\tmain.main()"}`),
		json.RawMessage(`{"event_id":"evt_2","timestamp":"2024-05-06T07:08:10Z","operation":"LOGIN"}`),
		// Text a spreadsheet would run as a formula, and the guard quote
		// itself.
		json.RawMessage(`{"event_id":"evt_3","timestamp":"2024-05-06T07:08:11Z","operation":"STORE",` +
			`"user_name":"=HYPERLINK(\"http://x\")","description":"+1","error_message":"-2","resource_name":"@SUM(A1)",` +
			`"user_agent":"\tTab","category":"'quoted","resource_id":"''twice","session_id":"\rcr","user_email":""}`),
	}
}

// requireSameEvents checks that got holds the same JSON objects as want.
func requireSameEvents(t *testing.T, want, got []json.RawMessage) {
	t.Helper()
	require.Len(t, got, len(want))
	for i := range want {
		require.JSONEq(t, string(want[i]), string(got[i]), "event %d", i)
	}
}

func TestWriteJSONLines(t *testing.T) {
	var buf bytes.Buffer
	events := []json.RawMessage{json.RawMessage("{ \"a\" : 1,\n \"b\": [ 1, 2 ] }"), json.RawMessage(`{}`)}
	require.NoError(t, export.WriteJSONLines(&buf, events))
	require.Equal(t, "{\"a\":1,\"b\":[1,2]}\n{}\n", buf.String())

	buf.Reset()
	require.NoError(t, export.WriteJSONLines(&buf, nil))
	require.Empty(t, buf.String(), "no events, no bytes")
}

func TestWriteDocument(t *testing.T) {
	at := time.Date(2024, 6, 1, 14, 0, 0, 5, time.FixedZone("CEST", 2*3600))
	var buf bytes.Buffer
	require.NoError(t, export.WriteDocument(&buf, []json.RawMessage{json.RawMessage(`{"a": 1}`), json.RawMessage(`{"b":2}`)}, at))
	require.Equal(t, "{\"events\": [\n{\"a\":1},\n{\"b\":2}\n], \"total_events\": 2, \"exported_at\": \"2024-06-01T12:00:00.000000005Z\"}\n", buf.String())
	require.True(t, json.Valid(buf.Bytes()))

	buf.Reset()
	require.NoError(t, export.WriteDocument(&buf, nil, at))
	require.Equal(t, "{\"events\": [], \"total_events\": 0, \"exported_at\": \"2024-06-01T12:00:00.000000005Z\"}\n", buf.String())
}

func TestWriteArray(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, export.WriteArray(&buf, []json.RawMessage{json.RawMessage(`{"a": 1}`), json.RawMessage(`{"b":2}`)}))
	require.Equal(t, "[\n{\"a\":1},\n{\"b\":2}\n]\n", buf.String())
	buf.Reset()
	require.NoError(t, export.WriteArray(&buf, nil))
	require.Equal(t, "[]\n", buf.String())
}

func TestWriteCSV(t *testing.T) {
	var buf bytes.Buffer
	events := []json.RawMessage{
		json.RawMessage(`{"event_id":"e1","seq":7,"timestamp":"2024-01-01T00:00:00Z","operation":"STORE","duration_ms":1.50,` +
			`"tags":["a", "b"],"metadata":{"k": [1, 2]},"prev_hash":"abc","hash":"def","unknown":1,` +
			`"user_id":42,"user_name":null,"category":"","description":"=cmd|' /C calc'!A0","request":{"status_code":200}}`),
		json.RawMessage(`{"operation":"READ"}`),
	}
	require.NoError(t, export.WriteCSV(&buf, events))
	want := "event_id,seq,timestamp,operation,status,category,user_id,user_name,user_email,session_id,ip_address,user_agent," +
		"resource_type,resource_id,resource_name,entry_ids,run_id,parent_run_id,description,tags,duration_ms," +
		"error_message,error_stack,source,changes,previous_state,new_state,request,metadata\n" +
		`e1,7,2024-01-01T00:00:00Z,STORE,,',42,,,,,,,,,,,,'=cmd|' /C calc'!A0,"[""a"",""b""]",1.50,,,,,,,"{""status_code"":200}","{""k"":[1,2]}"` + "\n" +
		",,,READ,,,,,,,,,,,,,,,,,,,,,,,,,\n"
	require.Equal(t, want, buf.String())
}

func TestWriteRejectsWhatIsNotAnObject(t *testing.T) {
	bad := []struct{ name, event, msg string }{
		{"array", `[1]`, "JSON array, want an object"},
		{"string", `"x"`, "JSON string, want an object"},
		{"number", `5`, "JSON number, want an object"},
		{"null", `null`, "JSON null, want an object"},
		{"empty", ``, "empty"},
		{"space", "  \n", "empty"},
		{"truncated", `{"a":`, "unexpected end of JSON input"},
		{"two objects", `{} {}`, "invalid character"},
		{"bad token", `{"a":tru}`, "invalid character"},
	}
	writers := []struct {
		name  string
		write func(*bytes.Buffer, []json.RawMessage) error
	}{
		{"document", func(b *bytes.Buffer, ev []json.RawMessage) error { return export.WriteDocument(b, ev, time.Time{}) }},
		{"jsonl", func(b *bytes.Buffer, ev []json.RawMessage) error { return export.WriteJSONLines(b, ev) }},
		{"csv", func(b *bytes.Buffer, ev []json.RawMessage) error { return export.WriteCSV(b, ev) }},
		{"array", func(b *bytes.Buffer, ev []json.RawMessage) error { return export.WriteArray(b, ev) }},
	}
	for _, w := range writers {
		for _, tc := range bad {
			t.Run(w.name+"/"+tc.name, func(t *testing.T) {
				var buf bytes.Buffer
				err := w.write(&buf, []json.RawMessage{json.RawMessage(`{"ok":1}`), json.RawMessage(tc.event)})
				require.Error(t, err)
				require.Contains(t, err.Error(), "auditlog: export: event 1: ")
				require.Contains(t, err.Error(), tc.msg)
				require.Zero(t, buf.Len(), "nothing written")
			})
		}
	}
}

func TestWriteFormat(t *testing.T) {
	at := time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)
	for _, f := range []export.Format{export.FormatDocument, export.FormatJSONLines, export.FormatCSV, export.FormatArray} {
		t.Run(f.String(), func(t *testing.T) {
			var buf bytes.Buffer
			require.NoError(t, export.WriteFormat(&buf, f, sampleEvents(), at))
			events, got, err := export.ReadFrom(&buf)
			require.NoError(t, err)
			require.Equal(t, f, got)
			requireSameEvents(t, sampleEvents(), events)
		})
	}
	for _, f := range []export.Format{0, 99, -1} {
		err := export.WriteFormat(new(bytes.Buffer), f, sampleEvents(), at)
		require.ErrorIs(t, err, export.ErrUnknownFormat)
	}
}

// failWriter fails every write.
type failWriter struct{}

var errDiskFull = errors.New("disk full")

func (failWriter) Write([]byte) (int, error) { return 0, errDiskFull }

func TestWriteFailure(t *testing.T) {
	for _, f := range []export.Format{export.FormatDocument, export.FormatJSONLines, export.FormatCSV, export.FormatArray} {
		err := export.WriteFormat(failWriter{}, f, sampleEvents(), time.Time{})
		require.ErrorIs(t, err, errDiskFull, f.String())
		require.True(t, strings.HasPrefix(err.Error(), "auditlog: export: "), err.Error())
	}
}

func TestFormatString(t *testing.T) {
	require.Equal(t, "document", export.FormatDocument.String())
	require.Equal(t, "jsonl", export.FormatJSONLines.String())
	require.Equal(t, "csv", export.FormatCSV.String())
	require.Equal(t, "array", export.FormatArray.String())
	require.Equal(t, "Format(0)", export.Format(0).String())
}

func TestFormatFromPath(t *testing.T) {
	tests := []struct {
		path string
		want export.Format
	}{
		{"out.json", export.FormatDocument},
		{"/a/b.c/OUT.JSON", export.FormatDocument},
		{"out.json.gz", export.FormatDocument},
		{"out.jsonl", export.FormatJSONLines},
		{"out.ndjson", export.FormatJSONLines},
		{"out.jsonl.gz", export.FormatJSONLines},
		{"out.NDJSON.GZ", export.FormatJSONLines},
		{"out.csv", export.FormatCSV},
		{"out.csv.gz", export.FormatCSV},
		{"out.txt", 0},
		{"out", 0},
		{"out.gz", 0},
		{".jsonl/out", 0},
		{"out.jsonl.zip", 0},
		{"", 0},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			f, err := export.FormatFromPath(tc.path)
			if tc.want == 0 {
				require.ErrorIs(t, err, export.ErrUnknownFormat)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, f)
		})
	}
}
