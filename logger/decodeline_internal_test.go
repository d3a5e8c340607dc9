package logger

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/export"
)

// checkLine asserts that decodeLine reads b exactly as UnmarshalJSON
// does, error for error, and returns whether the fast reader took it
// alone.
func checkLine(t *testing.T, b []byte, cache *decodeCache, msg ...any) bool {
	t.Helper()
	var want, got Event
	wantErr := want.UnmarshalJSON(b)
	gotErr := decodeLine(b, &got, cache)
	require.Equal(t, wantErr, gotErr, msg...)
	require.Equal(t, want, got, msg...)
	var fast Event
	return (&coldReader{b: b, line: true}).event(&fast)
}

// Every line a logger writes, of the workload and of events with every
// field and random values, is read by decodeLine as UnmarshalJSON reads
// it, and nearly all by the fast reader alone.
func TestDecodeLineReadsJournalLines(t *testing.T) {
	seed, rng := testRand(t)
	dir := t.TempDir()
	l, err := New(Options{Journal: &JournalOptions{Dir: dir}, Source: "api-1"})
	require.NoError(t, err)
	const n = 3000
	base := time.Date(2026, 1, 15, 10, 0, 0, 0, time.UTC)
	for i := range n {
		ev := Event{Operation: OpStore, Time: base.Add(time.Duration(i) * time.Millisecond),
			UserID: "u-" + strconv.Itoa(i%50), SessionID: "s-" + strconv.Itoa(i%7), Category: "DATA",
			ResourceType: "memory", ResourceID: "m-" + strconv.Itoa(i), EntryIDs: []string{"e1", "e2"},
			Metadata: map[string]any{"tokens": float64(i), "model": "m"}, Duration: time.Millisecond}
		switch i % 4 {
		case 1:
			ev.Metadata = randomMap(rng, 0)
			ev.Tags = randomStrings(rng)
			ev.Description = randomString(rng)
		case 2:
			ev.Source = randomString(rng)
			ev.UserID = randomString(rng)
			ev.Changes = []Change{{Field: "f", Old: 1.5, New: nil}}
			ev.Request = &Request{Method: "GET", Path: "/x?a=1", StatusCode: 200}
			ev.Duration = time.Duration(rng.Int64N(1 << 40))
		case 3:
			ev.ID = randomString(rng)
			ev.Status = StatusPartial
			ev.Time = time.Unix(0, rng.Int64()).UTC()
		}
		require.NoError(t, l.Log(context.Background(), ev))
	}
	require.NoError(t, l.Close())
	cache := newDecodeCache()
	fast, lines := 0, 0
	require.NoError(t, export.ReadJournal(dir, func(line export.Line) error {
		lines++
		if checkLine(t, line.Data, cache, "seed %d: %s", seed, line.Data) {
			fast++
		}
		return nil
	}))
	require.Equal(t, n, lines)
	t.Logf("the fast reader took %d of %d lines alone", fast, lines)
	require.Greater(t, fast, n/2, "the fast reader gave up on most lines")
}

func TestDecodeLineFallsBack(t *testing.T) {
	for _, b := range []string{
		`{"seq":1,"Seq":2,"operation":"READ"}`,                    // keys match without regard to case
		`{"seq":01,"operation":"READ"}`,                           // not JSON
		`{"seq":-1,"operation":"READ"}`,                           // not a uint64
		`{"seq":1.5,"operation":"READ"}`,                          //
		`{"seq":18446744073709551616,"operation":"READ"}`,         // out of range
		`{"timestamp":"3000-01-01T00:00:00Z","operation":"READ"}`, // out of the clock's range
		`{"timestamp":"yesterday","operation":"READ"}`,            //
		`{"timestamp":null,"operation":"READ"}`,                   //
		`{"duration_ms":-1,"operation":"READ"}`,                   //
		`{"duration_ms":1e400,"operation":"READ"}`,                //
		`{"duration_ms":"1","operation":"READ"}`,                  //
		`{"source":"a\u0000b","operation":"READ"}`,                // escapes
		`{"hash":5,"operation":"READ"}`,                           // ignored by UnmarshalJSON, whatever it holds
		`{"entry_ids":["a",null],"operation":"READ"}`,             //
		`{"operation":"READ","operation":"LOGIN"}`,                // the last wins
		`{"timestamp":"2024-01-01T10:00:00+02:00","seq":7,"operation":"READ","duration_ms":1.5}`,
	} {
		checkLine(t, []byte(b), newDecodeCache(), "%s", b)
	}
}

func FuzzDecodeLine(f *testing.F) {
	for _, seed := range []string{
		`{"event_id":"x","seq":3,"timestamp":"2024-01-01T00:00:00.5Z","operation":"READ","status":"SUCCESS","source":"a","entry_ids":["e"],"duration_ms":2.25,"prev_hash":"","hash":"ab"}`,
		`{"seq":1,"metadata":{"n":1}}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		checkLine(t, b, newDecodeCache(), "input %q", b)
	})
}
