package export_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/export"
)

func TestReadRoundTrip(t *testing.T) {
	at := time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)
	for _, f := range []export.Format{export.FormatDocument, export.FormatJSONLines, export.FormatCSV, export.FormatArray} {
		for _, gz := range []bool{false, true} {
			for _, n := range []int{0, 1, 3} {
				name := f.String()
				if gz {
					name += ".gz"
				}
				t.Run(name+"/"+string(rune('0'+n)), func(t *testing.T) {
					want := sampleEvents()[:n]
					var buf bytes.Buffer
					require.NoError(t, export.WriteFormat(&buf, f, want, at))
					in := buf.Bytes()
					if gz {
						in = gzipped(t, in)
					}
					got, format, err := export.ReadFrom(bytes.NewReader(in))
					require.NoError(t, err)
					if n > 0 || f != export.FormatJSONLines {
						require.Equal(t, f, format)
					}
					requireSameEvents(t, want, got)
					for _, ev := range got {
						var c bytes.Buffer
						require.NoError(t, json.Compact(&c, ev))
						require.Equal(t, c.String(), string(ev), "compact")
					}
				})
			}
		}
	}
}

func TestReadDetects(t *testing.T) {
	header := "event_id,timestamp,operation\n"
	tests := []struct {
		name   string
		in     string
		format export.Format
		want   []string
	}{
		{"empty", "", export.FormatJSONLines, nil},
		{"white space", " \n\t\r\n", export.FormatJSONLines, nil},
		{"jsonl blank lines and CRLF", "\n{\"a\":1}\r\n\r\n  \n{ \"b\" : 2 }\r\n", export.FormatJSONLines, []string{`{"a":1}`, `{"b":2}`}},
		{"jsonl last line without newline", "{\"a\":1}\n{\"b\":2}", export.FormatJSONLines, []string{`{"a":1}`, `{"b":2}`}},
		{"jsonl events not an array", "{\"events\":5}\n", export.FormatJSONLines, []string{`{"events":5}`}},
		{"jsonl event_id and events", "{\"event_id\":\"x\",\"events\":[]}\n", export.FormatJSONLines, []string{`{"event_id":"x","events":[]}`}},
		{"document on one line", `{"total_events":1,"events":[{"a":1}],"exported_at":"x"}`, export.FormatDocument, []string{`{"a":1}`}},
		{"document python indent", "{\n  \"exported_at\": \"2025-01-15T10:30:45.123456\",\n  \"total_events\": 2,\n  \"events\": [\n    {\n      \"a\": 1\n    },\n    {\"b\": [\n 2]}\n  ]\n}\n",
			export.FormatDocument, []string{`{"a":1}`, `{"b":[2]}`}},
		{"document empty", `{"events": []}`, export.FormatDocument, nil},
		{"document BOM", "\ufeff{\"events\": [{}]}", export.FormatDocument, []string{`{}`}},
		{"array", " [ {\"a\": 1} ,\n{}]\n ", export.FormatArray, []string{`{"a":1}`, `{}`}},
		{"array empty", "[]", export.FormatArray, nil},
		{"csv header only", header, export.FormatCSV, nil},
		{"csv BOM CRLF", "\ufeff" + "event_id,timestamp,operation\r\ne1,t,STORE\r\n", export.FormatCSV, []string{`{"event_id":"e1","timestamp":"t","operation":"STORE"}`}},
		{"csv columns in any order", "operation,metadata,timestamp,seq,event_id\nREAD,\"{\"\"k\"\": 1}\",t, 12 ,e\n", export.FormatCSV,
			[]string{`{"event_id":"e","seq":12,"timestamp":"t","operation":"READ","metadata":{"k":1}}`}},
		{"csv guard undone", header + "'=1+1,'-t,'''x\n", export.FormatCSV, []string{`{"event_id":"=1+1","timestamp":"-t","operation":"''x"}`}},
		{"csv empty cells are missing keys", header + ",,READ\n", export.FormatCSV, []string{`{"operation":"READ"}`}},
		{"csv lone quote is the empty string", header + "',,READ\n", export.FormatCSV, []string{`{"event_id":"","operation":"READ"}`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, gz := range []bool{false, true} {
				in := []byte(tc.in)
				if gz {
					in = gzipped(t, in)
				}
				events, format, err := export.ReadFrom(bytes.NewReader(in))
				require.NoError(t, err)
				require.Equal(t, tc.format, format)
				require.Len(t, events, len(tc.want))
				for i, w := range tc.want {
					require.Equal(t, w, string(events[i]))
				}
			}
		})
	}
}

func TestReadCorrupt(t *testing.T) {
	header := "event_id,timestamp,operation,metadata\n"
	valid := gzipped(t, []byte("{\"a\":1}\n{\"b\":2}\n"))
	badSum := bytes.Clone(valid)
	badSum[len(badSum)-8] ^= 0xff // the CRC-32
	tests := []struct {
		name string
		in   []byte
		msg  string
	}{
		{"array of numbers", []byte(`[{}, 1, 2]`), "event 1: JSON number, want an object"},
		{"array truncated", []byte(`[{"a":1}, {"b":`), "event 1: unexpected EOF"},
		{"array unclosed", []byte(`[{"a":1}`), "unexpected EOF"},
		{"array then data", []byte("[{}]\n[]"), "data after the end"},
		{"array bad token", []byte(`[{"a":1} {"b":2}]`), "event 1: "},
		{"jsonl not an object", []byte("{\"a\":1}\n[1]\n"), "line 2: JSON array, want an object"},
		{"jsonl broken middle line", []byte("{\"a\":1}\n{\"b\":\n{\"c\":3}\n"), "line 2: "},
		{"jsonl broken last line with newline", []byte("{\"a\":1}\n{\"b\":\n"), "line 2: "},
		{"jsonl line numbers count blank lines", []byte("\n\n{\"a\":1}\n\n5\n"), "line 5: JSON number"},
		{"jsonl two values on a line", []byte("{\"a\":1} {\"b\":2}\n"), "not a document"},
		{"document events not an array", []byte("{\n\"events\": 5\n}"), `found 5, want [`},
		{"document without events", []byte("{\n\"total_events\": 1\n}"), `no "events" array`},
		{"document events twice", []byte("{\n\"events\": [], \"events\": []}"), `"events" appears twice`},
		{"document element not object", []byte("{\n\"events\": [{}, \"x\"]}"), "event 1: JSON string"},
		{"document truncated", []byte("{\n\"events\": [{}, {}"), "unexpected EOF"},
		{"document then data", []byte("{\n\"events\": []}\n{}"), "data after the end"},
		{"document one line then data", []byte("{\"events\": []}\n{}"), "data after the end"},
		{"document pretty event", []byte("{\n\"event_id\": \"x\"\n}\n"), `"event_id" is an event`},
		{"csv unknown header", []byte("a,b,c\n1,2,3\n"), `line 1: not JSON, and not a CSV of events: unknown column "a"`},
		{"not json not csv", []byte("hello world\n"), `unknown column "hello world"`},
		{"binary", []byte{0, 1, 2, 0xff, 0xfe, '\n'}, "unknown column"},
		{"csv missing operation", []byte("event_id,timestamp\n"), "no operation column"},
		{"csv repeated column", []byte("event_id,timestamp,operation,event_id\n"), `column "event_id" appears twice`},
		{"csv wrong field count", []byte(header + "e,t,READ,\ne,t\n"), "record on line 3: wrong number of fields"},
		{"csv field count after blank lines", []byte("\n\n" + header + "e,t\n"), "record on line 4: wrong number of fields"},
		{"csv bare quote", []byte(header + "e,t\"x,READ,\n"), "bare \" in non-quoted-field"},
		{"csv bad json cell", []byte(header + "e,t,READ,{nope\n"), `line 2: column metadata: "{nope" is not JSON`},
		{"csv bad seq", []byte("event_id,timestamp,operation,seq\ne,t,READ,1x\n"), `column seq: "1x" is not JSON`},
		{"gzip garbage", []byte{0x1f, 0x8b, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, "gzip"},
		{"gzip magic only", []byte{0x1f, 0x8b}, "unexpected EOF"},
		{"gzip truncated", valid[:len(valid)/2], "unexpected EOF"},
		{"gzip bad checksum", badSum, "checksum"},
		{"gzip then garbage", append(bytes.Clone(valid), "trailing"...), "gzip"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			events, _, err := export.ReadFrom(bytes.NewReader(tc.in))
			require.ErrorIs(t, err, export.ErrCorrupt)
			require.Contains(t, err.Error(), tc.msg)
			require.True(t, strings.HasPrefix(err.Error(), "auditlog: export: corrupt input: "), err.Error())
			require.Nil(t, events)
		})
	}
}

func TestReadTornLastLine(t *testing.T) {
	events, format, err := export.ReadFrom(strings.NewReader("{\"a\":1}\n\n{\"b\":2}\n{\"c\":"))
	require.ErrorIs(t, err, export.ErrCorrupt)
	require.Contains(t, err.Error(), "line 4: torn last line")
	require.Equal(t, export.FormatJSONLines, format)
	requireSameEvents(t, []json.RawMessage{json.RawMessage(`{"a":1}`), json.RawMessage(`{"b":2}`)}, events)

	// The only line, torn.
	events, format, err = export.ReadFrom(strings.NewReader(`{"a":1,"b`))
	require.ErrorIs(t, err, export.ErrCorrupt)
	require.Contains(t, err.Error(), "line 1: torn last line")
	require.Equal(t, export.FormatJSONLines, format)
	require.Empty(t, events)

	// A last line that parses but is not an object is not torn: corrupt.
	events, _, err = export.ReadFrom(strings.NewReader("{\"a\":1}\n[1]"))
	require.ErrorIs(t, err, export.ErrCorrupt)
	require.NotContains(t, err.Error(), "torn")
	require.Nil(t, events)
}

func TestReadRecordLimit(t *testing.T) {
	// The real limit, once: a line over 64 MiB.
	huge := `{"a":"` + strings.Repeat("x", 65<<20) + `"}`
	_, _, err := export.ReadFrom(strings.NewReader("{\"a\":1}\n" + huge + "\n"))
	require.ErrorIs(t, err, export.ErrCorrupt)
	require.ErrorContains(t, err, "line 2: longer than 64 MiB")
	huge = ""

	// Every form, with the limit at 1 MiB to keep the test light. The limit
	// counts what is read, give or take a buffer: go well over.
	const limit = 1 << 20
	defer export.SetMaxRecord(limit)()
	over := `{"a":"` + strings.Repeat("x", 2*limit) + `"}`
	tests := []struct{ name, in, msg string }{
		{"jsonl line", "{\"a\":1}\n" + over + "\n", "line 2: longer than"},
		{"array element", "[{}," + over + "]", "event 1: longer than"},
		{"document element", "{\"events\":[{}," + over + "]}", "event 1: longer than"},
		{"csv record", "event_id,timestamp,operation\n\"" + strings.Repeat("x", 2*limit) + "\",t,READ\n", "CSV record 1: longer than"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := export.ReadFrom(strings.NewReader(tc.in))
			require.ErrorIs(t, err, export.ErrCorrupt)
			require.Contains(t, err.Error(), tc.msg)
		})
	}
	// Under the limit is fine, on one line or spread over a document.
	ok := `{"a":"` + strings.Repeat("x", limit/2) + `"}`
	events, format, err := export.ReadFrom(strings.NewReader("{}\n" + ok + "\n"))
	require.NoError(t, err)
	require.Equal(t, export.FormatJSONLines, format)
	require.Equal(t, 2, len(events)) // not Len: it would print them
	require.Equal(t, ok, string(events[1]))
	// A document on one line may be longer than a line may be.
	events, format, err = export.ReadFrom(strings.NewReader(`{"events":[` + ok + ",{}," + ok + "," + ok + "]}"))
	require.NoError(t, err)
	require.Equal(t, export.FormatDocument, format)
	require.Equal(t, 4, len(events))
	require.Equal(t, ok, string(events[3]))
}

func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	_, _, err := export.ReadFile(filepath.Join(dir, "missing.jsonl"))
	require.ErrorIs(t, err, fs.ErrNotExist)
	require.NotErrorIs(t, err, export.ErrCorrupt)

	bad := filepath.Join(dir, "bad.jsonl")
	require.NoError(t, os.WriteFile(bad, []byte("{}\nnope\n"), 0o600))
	_, _, err = export.ReadFile(bad)
	require.ErrorIs(t, err, export.ErrCorrupt)
	require.Contains(t, err.Error(), bad+": line 2: ")

	// The name does not matter: gzip and the format come from the bytes.
	odd := filepath.Join(dir, "events.txt")
	require.NoError(t, os.WriteFile(odd, gzipped(t, []byte(`[{"a":1}]`)), 0o600))
	events, format, err := export.ReadFile(odd)
	require.NoError(t, err)
	require.Equal(t, export.FormatArray, format)
	requireSameEvents(t, []json.RawMessage{json.RawMessage(`{"a":1}`)}, events)
}

// brokenReader returns data, then fails.
type brokenReader struct{ data io.Reader }

var errUnplugged = errors.New("disk unplugged")

func (r *brokenReader) Read(p []byte) (int, error) {
	n, err := r.data.Read(p)
	if err == io.EOF {
		return n, errUnplugged
	}
	return n, err
}

func TestReadSourceError(t *testing.T) {
	for _, in := range []string{"", "{\"a\":1}\n{", "[{}", "{\n\"events\": [", "event_id,timestamp,operation\n", string(gzipped(t, []byte("{}\n")))[:10]} {
		_, _, err := export.ReadFrom(&brokenReader{strings.NewReader(in)})
		require.ErrorIs(t, err, errUnplugged, "%q", in)
		require.NotErrorIs(t, err, export.ErrCorrupt, "%q", in)
		require.Contains(t, err.Error(), "auditlog: export: reading: disk unplugged")
	}
}

// isDocumentShaped reports whether ev, alone on a line, reads back as a
// document rather than JSON Lines: see ReadFrom.
func isDocumentShaped(ev json.RawMessage) bool {
	var m map[string]json.RawMessage
	if json.Unmarshal(ev, &m) != nil {
		return false
	}
	events, ok := m["events"]
	_, id := m["event_id"]
	return ok && len(events) > 0 && events[0] == '[' && !id
}

func FuzzReadFrom(f *testing.F) {
	at := time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)
	for _, format := range []export.Format{export.FormatDocument, export.FormatJSONLines, export.FormatCSV, export.FormatArray} {
		var buf bytes.Buffer
		require.NoError(f, export.WriteFormat(&buf, format, sampleEvents(), at))
		f.Add(buf.Bytes())
		f.Add(gzipped(f, buf.Bytes()))
	}
	for _, s := range []string{"", "{}\n{\"a\":", "{\n\"events\": [{}]}", "[{}]", "event_id,timestamp,operation\n'=x,t,READ\n", "\ufeff[]"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		events, _, err := export.ReadFrom(bytes.NewReader(in))
		if err != nil {
			require.ErrorIs(t, err, export.ErrCorrupt)
			return
		}
		for i, ev := range events {
			require.True(t, json.Valid(ev), "event %d", i)
			require.Equal(t, byte('{'), ev[0], "event %d", i)
		}
		var buf bytes.Buffer
		require.NoError(t, export.WriteJSONLines(&buf, events))
		again, format, err := export.ReadFrom(&buf)
		require.NoError(t, err)
		if len(events) == 1 && isDocumentShaped(events[0]) {
			// One event that looks like a document reads back as one.
			require.Equal(t, export.FormatDocument, format)
			return
		}
		require.Equal(t, export.FormatJSONLines, format)
		require.Equal(t, events, again)
	})
}

// FuzzReadCSV fuzzes the rows of a CSV with every column: what reads
// without error writes back as CSV and reads again the same.
func FuzzReadCSV(f *testing.F) {
	var buf bytes.Buffer
	require.NoError(f, export.WriteCSV(&buf, sampleEvents()))
	header, rows, _ := strings.Cut(buf.String(), "\n")
	f.Add([]byte(rows))
	for _, s := range []string{"", "\n", "'=1,2,3", "\"a\r\nb\",1", `"",,"{""k"":null}"`} {
		f.Add([]byte(s + strings.Repeat(",", 27) + "\n"))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		in := append([]byte(header+"\n"), body...)
		events, format, err := export.ReadFrom(bytes.NewReader(in))
		if err != nil {
			require.ErrorIs(t, err, export.ErrCorrupt)
			return
		}
		require.Equal(t, export.FormatCSV, format)
		var out bytes.Buffer
		require.NoError(t, export.WriteCSV(&out, events))
		again, format, err := export.ReadFrom(&out)
		require.NoError(t, err)
		require.Equal(t, export.FormatCSV, format)
		require.Equal(t, len(events), len(again))
		for i := range events {
			require.JSONEq(t, string(events[i]), string(again[i]), "event %d", i)
		}
	})
}
