package logger

import (
	"encoding/json"
	"testing"
)

// readSeq reads the seq encoding/json reads, wherever the line takes the
// fast way.
func TestReadSeq(t *testing.T) {
	for _, tc := range []struct {
		line string
		seq  uint64
		fast bool
	}{
		{`{"event_id":"0192e4f0-0000-7000-8000-000000000001","seq":42,"timestamp":"2026-01-15T10:30:00Z","operation":"STORE"}`, 42, true},
		{`{"event_id":"x","seq":7,"operation":"STORE","metadata":{"seq":9}}`, 7, false},
		{`{"event_id":"x","seq":7,"SEQ":9}`, 9, false},
		{`{"event_id":"x","seq":7,"Seq":9}`, 9, false},
		{`{"event_id":"x","seq":7,"ſeq":9}`, 9, false},
		{`{"event_id":"x","seq":7,"se\u0071":9}`, 9, false},
		{`{"event_id":"x","seq":7,"seq" :9}`, 9, false},
		{`{"event_id":"a\"b","seq":7,"x":1}`, 7, false},
		{`{"event_id":"x","seq":07,"x":1}`, 0, false},
		{`{"event_id":"x","seq":7}`, 7, false},
		{`{"seq":3,"event_id":"x"}`, 3, false},
		{`{"event_id":"x","seq":99999999999999999999,"x":1}`, 0, false},
	} {
		_, fast := fastSeq([]byte(tc.line))
		if fast != tc.fast {
			t.Errorf("%s: fast %v, want %v", tc.line, fast, tc.fast)
		}
		got, err := readSeq([]byte(tc.line))
		var want struct {
			Seq uint64 `json:"seq"`
		}
		jerr := json.Unmarshal([]byte(tc.line), &want)
		if (err != nil) != (jerr != nil) || got != want.Seq || err == nil && got != tc.seq {
			t.Errorf("%s: readSeq %d, %v; encoding/json %d, %v", tc.line, got, err, want.Seq, jerr)
		}
	}
}

// FuzzReadSeq: when a line is JSON, readSeq reads the seq encoding/json
// reads.
func FuzzReadSeq(f *testing.F) {
	f.Add(`{"event_id":"x","seq":7,"operation":"STORE"}`)
	f.Add(`{"event_id":"x","seq":7,"SeQ":8}`)
	f.Add(`{"event_id":"x","seq":7,"s\u0065q":8}`)
	f.Fuzz(func(t *testing.T, line string) {
		var want struct {
			Seq uint64 `json:"seq"`
		}
		if json.Unmarshal([]byte(line), &want) != nil {
			return
		}
		got, err := readSeq([]byte(line))
		if err != nil || got != want.Seq {
			t.Fatalf("%q: readSeq %d, %v; encoding/json %d", line, got, err, want.Seq)
		}
	})
}
