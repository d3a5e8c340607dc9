package main

import (
	"encoding/json"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/export"
	"github.com/auditlog/auditlog/logger"
	"github.com/auditlog/auditlog/store"
)

// scanned keeps of ev the fields scanLine reads.
func scanned(ev logger.Event) logger.Event {
	return logger.Event{
		ID: ev.ID, Seq: ev.Seq, Time: ev.Time, Operation: ev.Operation, Status: ev.Status,
		Category: ev.Category, UserID: ev.UserID, SessionID: ev.SessionID,
		ResourceType: ev.ResourceType, ResourceID: ev.ResourceID, RunID: ev.RunID, Source: ev.Source,
		EntryIDs: ev.EntryIDs, Duration: ev.Duration,
	}
}

// checkScan requires scanLine to agree with Event.UnmarshalJSON on line:
// when it reads the line, the decoder reads it too, to the same fields.
// It reports whether scanLine read it.
func checkScan(t testing.TB, line []byte) bool {
	var fast logger.Event
	var in interner
	ok := scanLine(line, &fast, &in)
	var full logger.Event
	err := full.UnmarshalJSON(line)
	if !ok {
		return false
	}
	if err != nil {
		t.Fatalf("scanLine read %q, which UnmarshalJSON refuses: %v", line, err)
	}
	if !slices.Equal(fast.EntryIDs, full.EntryIDs) || (fast.EntryIDs == nil) != (full.EntryIDs == nil) {
		t.Fatalf("%q: entry ids %q, want %q", line, fast.EntryIDs, full.EntryIDs)
	}
	fast.EntryIDs, full.EntryIDs = nil, nil
	if f, w := scanned(fast), scanned(full); !f.Time.Equal(w.Time) || f.Time.Location() != w.Time.Location() {
		t.Fatalf("%q: time %v, want %v", line, f.Time, w.Time)
	} else if f.Time = w.Time; !equalEvents(f, w) {
		t.Fatalf("%q: scanned\n%+v\nwant\n%+v", line, f, w)
	}
	return true
}

func equalEvents(a, b logger.Event) bool {
	return a.ID == b.ID && a.Seq == b.Seq && a.Time.Equal(b.Time) && a.Operation == b.Operation && a.Status == b.Status &&
		a.Category == b.Category && a.UserID == b.UserID && a.SessionID == b.SessionID &&
		a.ResourceType == b.ResourceType && a.ResourceID == b.ResourceID && a.RunID == b.RunID && a.Source == b.Source &&
		a.Duration == b.Duration
}

// TestScanLineJournal: every line the logger wrote takes the fast path.
func TestScanLineJournal(t *testing.T) {
	n := 0
	err := export.ReadJournal(fix.dir+"/audit_logs", func(l export.Line) error {
		require.True(t, checkScan(t, l.Data), "%s line %d", l.File, l.Num)
		n++
		return nil
	})
	require.NoError(t, err)
	require.Equal(t, len(fix.events), n)
}

var scanCases = []struct {
	line string
	fast bool // scanLine reads it
}{
	{`{}`, true},
	{` { "seq" : 7 , "operation":"STORE" } `, true},
	{`{"event_id":"a","seq":1,"timestamp":"2026-01-15T10:30:00.123456789+02:00","operation":"STORE","status":"FAILURE","category":"DATA","user_id":"ü","session_id":"s","resource_type":"memory","resource_id":"m/1","run_id":"r","entry_ids":["x","y"],"duration_ms":12.5}`, true},
	{`{"entry_ids":[]}`, true},
	{`{"source":"web-1/agentd[4121]","metadata":{"source":"cli"}}`, true},
	{`{"source":"web\u002d1"}`, false},
	{`{"source":null}`, false},
	{`{"source":7}`, false},
	{`{"duration_ms":0}`, true},
	{`{"duration_ms":0.000001}`, true},
	{`{"duration_ms":9223372036854.775807}`, true},
	{`{"duration_ms":9223372036854.775808}`, false}, // out of range: the decoder says so
	{`{"duration_ms":1.0000001}`, false},            // more decimals: left to the decoder
	{`{"duration_ms":1e3}`, false},
	{`{"duration_ms":-1}`, false},
	{`{"duration_ms":01}`, false},
	{`{"duration_ms":1.}`, false},
	{`{"duration_ms":"1"}`, false},
	{`{"seq":18446744073709551615}`, true},
	{`{"seq":18446744073709551616}`, false},
	{`{"seq":1.0}`, false},
	{`{"seq":-1}`, false},
	{`{"seq":01}`, false},
	{`{"seq":null}`, false},
	{`{"user_id":null}`, false},
	{`{"user_id":"a\"b"}`, false}, // an escape: the decoder unescapes
	{`{"user_id":"a\u0041"}`, false},
	{"{\"user_id\":\"a\tb\"}", false}, // a control character: invalid JSON
	{"{\"user_id\":\"\xff\"}", false}, // invalid UTF-8: the decoder replaces it
	{`{"user_id":5}`, false},
	{`{"USER_ID":"x"}`, false}, // encoding/json matches keys in any case
	{`{"user_id":"a","user_id":"b"}`, true},
	{`{"u\u0073er_id":"x"}`, false},
	{`{"timestamp":"2026-01-15"}`, false},
	{`{"timestamp":"2026-01-15T10:30:00Z","timestamp":"2026-01-16T10:30:00Z"}`, true},
	{`{"timestamp":"0001-01-01T00:00:00Z"}`, false}, // outside the logger's years
	{`{"entry_ids":["a",null]}`, false},
	{`{"entry_ids":"a"}`, false},
	{`{"metadata":{"a":[1,2,{"b":null}],"c":"\u00e9\n"},"tags":["x"]}`, true},
	{`{"tags":["x"],"changes":[{"field":"f","old":1,"new":null}]}`, false}, // changes: left to UnmarshalJSON
	{`{"tags":[{}]}`, false},
	{`{"request":{"method":"GET"}}`, false},
	{`{"metadata":5}`, false},
	{`{"metadata":null,"tags":null,"request":null}`, true},
	{`{"tags":{}}`, false},
	{`{"description":["x"]}`, false},
	{`{"prev_hash":"abc","hash":"def","other":[true,false,null,-0.5e-3]}`, true},
	{`{"seq":1,"operation":"STORE","chain":"hmac-sha256","prev_hash":"abc","hash":"def"}`, true},
	{`{"metadata":{"a":tru}}`, false},
	{`{"metadata":{"a":1,}}`, false},
	{`{"metadata":{"a" 1}}`, false},
	{`{"other":-}`, false},
	{`{"other":0.}`, false},
	{`{"other":1e}`, false},
	{`{"other":"\x"}`, false},
	{`{"other":"\u12"}`, false},
	{`{"seq":1}x`, false},
	{`{"seq":1`, false},
	{`{"seq":1,}`, false},
	{`[]`, false},
	{``, false},
	{`null`, false},
}

func TestScanLineCases(t *testing.T) {
	for _, c := range scanCases {
		require.Equal(t, c.fast, checkScan(t, []byte(c.line)), "%s", c.line)
	}
}

func FuzzScanLine(f *testing.F) {
	for _, c := range scanCases {
		f.Add([]byte(c.line))
	}
	b, err := os.ReadFile(fix.dir + "/keyed_logs/audit.jsonl")
	require.NoError(f, err)
	f.Add(b[:slices.Index(b, '\n')])
	f.Fuzz(func(t *testing.T, line []byte) {
		checkScan(t, line)
	})
}

// TestSelector compares the bounded heap with store.Select on random
// windows.
func TestSelector(t *testing.T) {
	seed := uint64(rand.Int64())
	if s := os.Getenv("AUDITLOG_SEED"); s != "" {
		seed, _ = strconv.ParseUint(s, 10, 64)
	}
	t.Logf("seed %d (AUDITLOG_SEED)", seed)
	r := rand.New(rand.NewPCG(seed, 0))
	evs := fix.events[:500]
	for range 200 {
		f := logger.Filter{Limit: r.IntN(20), Offset: r.IntN(10), Ascending: r.IntN(2) == 0}
		if r.IntN(4) == 0 {
			f.Offset = 0
		}
		sh := slices.Clone(evs)
		r.Shuffle(len(sh), func(i, j int) { sh[i], sh[j] = sh[j], sh[i] })
		s := newSelector(f)
		for len(sh) > 0 {
			n := min(len(sh), 1+r.IntN(50))
			ms := make([]match, n)
			for i := range ms {
				ms[i] = match{ev: sh[i]}
			}
			s.add(ms)
			sh = sh[n:]
		}
		var got []string
		for _, m := range s.result() {
			got = append(got, m.id)
		}
		w := ids(store.Select(slices.Clone(evs), f))
		if len(w) == 0 {
			w = nil
		}
		require.Equal(t, w, got, "%+v", f)
	}
}

// BenchmarkScanLine measures scanLine beside Event.UnmarshalJSON on the
// lines of the fixture's journal (about 900 bytes each), and json.Valid,
// the least any reader does.
func BenchmarkScanLine(b *testing.B) {
	var lines [][]byte
	var size int64
	err := export.ReadJournal(fix.dir+"/audit_logs", func(l export.Line) error {
		lines = append(lines, slices.Clone(l.Data))
		size += int64(len(l.Data))
		return nil
	})
	require.NoError(b, err)
	b.Run("scanLine", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(size / int64(len(lines)))
		var in interner
		var ev logger.Event
		for i := 0; b.Loop(); i++ {
			if !scanLine(lines[i%len(lines)], &ev, &in) {
				b.Fatal("slow path")
			}
		}
	})
	b.Run("UnmarshalJSON", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(size / int64(len(lines)))
		var ev logger.Event
		for i := 0; b.Loop(); i++ {
			if err := ev.UnmarshalJSON(lines[i%len(lines)]); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("json.Valid", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(size / int64(len(lines)))
		for i := 0; b.Loop(); i++ {
			if !json.Valid(lines[i%len(lines)]) {
				b.Fatal("invalid")
			}
		}
	})
}
