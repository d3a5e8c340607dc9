package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/logger"
)

// TestStoreSources reads the file store by URL, alone and merged with a
// journal, against the model.
func TestStoreSources(t *testing.T) {
	url := "file://" + filepath.Join(fix.dir, "audits")
	for _, c := range []struct {
		args []string
		f    logger.Filter
	}{
		{[]string{"--user", "carol", "--status", "partial"}, logger.Filter{UserID: "carol", Status: logger.StatusPartial}},
		{[]string{"--entry", "m-9", "--since", "2026-01-03", "--until", "2026-01-05", "--asc"},
			logger.Filter{EntryIDs: []string{"m-9"}, Since: january.AddDate(0, 0, 2), Until: january.AddDate(0, 0, 5).Add(-1), Ascending: true}},
		{[]string{"--limit", "10", "--offset", "3"}, logger.Filter{Limit: 10, Offset: 3}},
	} {
		got := decodeLines(t, runCLI(t, append([]string{"query", url}, c.args...)...).ok(t).stdout)
		require.Equal(t, ids(want(fix.events, c.f)), ids(got), "%v", c.args)
	}

	// A journal and a store holding the same events: each comes twice.
	got := ids(decodeLines(t, runCLI(t, "query", "audit_logs", url, "--user", "dave", "--limit", "4").ok(t).stdout))
	w := ids(want(fix.events, logger.Filter{UserID: "dave", Limit: 2}))
	require.Equal(t, []string{w[0], w[0], w[1], w[1]}, got)

	s := decodeStats(t, runCLI(t, "stats", url).ok(t).stdout)
	require.EqualValues(t, len(fix.events), s.TotalEvents)

	runCLI(t, "query", "file://"+filepath.Join(fix.dir, "audits")+"?bogus=1").fails(t, 1, "unknown parameter")
	runCLI(t, "query", "nosuch://x").fails(t, 1, `unknown URL scheme: "nosuch"`)
}

// TestImport copies a journal's selection and a file into both stores,
// masked, and refuses what the logger refuses.
func TestImport(t *testing.T) {
	for _, c := range []struct{ scheme, name string }{{"file", "copy"}, {"sqlite", "copy.db"}} {
		t.Run(c.scheme, func(t *testing.T) { testImport(t, c.scheme, c.name) })
	}
}

func testImport(t *testing.T, scheme, name string) {
	dir := exampleDir(t)
	rel := scheme + "://" + name                              // as given, relative to dir
	url := scheme + "://" + filepath.Join(dir, name)          // the same store, for the test
	axon := scheme + "://" + filepath.Join(dir, "axon-"+name) // another
	r := runIn(t, dir, "import", "audit_logs", rel, "--user", "alice", "--since", "2026-01-01", "--until", "2026-01-31").ok(t)
	f := januaryFilter()
	f.UserID, f.Ascending = "alice", true
	w := want(fix.events, f)
	require.Equal(t, "imported "+thousands(int64(len(w)))+" events into "+rel+": "+thousands(int64(len(w)))+" new, 0 already there\n", r.stdout)
	got := storeEvents(t, url, logger.Filter{Ascending: true})
	require.Equal(t, ids(w), ids(got))
	for i := range got {
		require.Equal(t, uint64(i+1), got[i].Seq, "numbered anew, in the order imported")
		require.Equal(t, w[i].Time, got[i].Time)
	}

	// The store is a source: query reads it back.
	back := decodeLines(t, runIn(t, dir, "query", rel, "--asc").ok(t).stdout)
	require.Equal(t, ids(w), ids(back))

	// Importing twice stores each event once, in either store.
	r = runIn(t, dir, "import", "audit_logs", rel, "--user", "alice", "--since", "2026-01-01", "--until", "2026-01-31").ok(t)
	require.Equal(t, "imported "+thousands(int64(len(w)))+" events into "+rel+": 0 new, "+thousands(int64(len(w)))+" already there\n", r.stdout)
	require.Equal(t, ids(w), ids(storeEvents(t, url, logger.Filter{Ascending: true})))

	// What an older system wrote, unmasked, is masked on the way in.
	old := `[{"event_id": "a1", "timestamp": "2025-01-15T10:30:45.123456", "operation": "store", "user_id": "u1",
	  "metadata": {"api_key": "sk-live-123", "note": "kept"}}]`
	require.NoError(t, os.WriteFile(filepath.Join(dir, "axon.json"), []byte(old), 0o600))
	runIn(t, dir, "import", "axon.json", axon).ok(t)
	got = storeEvents(t, axon, logger.Filter{})
	require.Len(t, got, 1)
	require.Equal(t, "a1", got[0].ID)
	require.Equal(t, logger.OpStore, got[0].Operation)
	require.Equal(t, logger.Redacted, got[0].Metadata["api_key"])
	require.Equal(t, "kept", got[0].Metadata["note"])

	runIn(t, dir, "import", "january.json", "nosuch://x").fails(t, 1, "unknown URL scheme")
	runIn(t, dir, "import", "no_such.json", scheme+"://x").fails(t, 1, "no_such.json: no such file or folder")
	_, err := os.Stat(filepath.Join(dir, "x"))
	require.ErrorIs(t, err, os.ErrNotExist, "no store is made for a source that is not there")
}

// TestImportIdempotent imports exports that overlap, and one that holds
// an event twice, into each store: each event ID is stored once, and the
// import says how many events were new and how many already there.
func TestImportIdempotent(t *testing.T) {
	for _, c := range []struct{ scheme, name string }{{"file", "copy"}, {"sqlite", "copy.db"}} {
		t.Run(c.scheme, func(t *testing.T) {
			dir := t.TempDir()
			url := c.scheme + "://" + filepath.Join(dir, c.name)
			testImportIdempotent(t, dir, url, url)
		})
	}
}

// testImportIdempotent runs the idempotence checks against the store at
// url (shown as shown in messages), with exports written in dir.
func testImportIdempotent(t *testing.T, dir, url, shown string) {
	t0 := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	evs := make([]logger.Event, 50)
	for i := range evs {
		evs[i] = fixtureEvent(i, t0.Add(time.Duration(i)*time.Minute))
		evs[i].ID = fmt.Sprintf("evt-%02d", i)
		evs[i].Seq = uint64(i + 1)
	}
	export := func(name string, evs []logger.Event) {
		t.Helper()
		require.NoError(t, logger.ExportEvents(evs, filepath.Join(dir, name)))
	}
	// b overlaps a (20 to 29), holds event 25 again, changed (already
	// in the store: not stored), and event 49 twice (stored once).
	export("a.jsonl", evs[:30])
	b := slices.Clone(evs[20:])
	changed := evs[25]
	changed.Description = "a changed copy"
	b = append(b, changed, evs[49])
	export("b.json.gz", b)
	// An event without an ID is new each time: the logger gives it one.
	noID := fixtureEvent(99, t0)
	noID.ID = ""
	export("c.jsonl", []logger.Event{noID})

	imported := func(file, want string) {
		t.Helper()
		r := runIn(t, dir, "import", file, url).ok(t)
		require.Equal(t, want+"\n", r.stdout, file)
	}
	imported("a.jsonl", "imported 30 events into "+shown+": 30 new, 0 already there")
	imported("a.jsonl", "imported 30 events into "+shown+": 0 new, 30 already there")
	imported("b.json.gz", "imported 32 events into "+shown+": 20 new, 12 already there")
	imported("b.json.gz", "imported 32 events into "+shown+": 0 new, 32 already there")
	imported("c.jsonl", "imported 1 event into "+shown+": 1 new, 0 already there")
	imported("c.jsonl", "imported 1 event into "+shown+": 1 new, 0 already there")

	got := storeEvents(t, url, logger.Filter{Ascending: true})
	require.Len(t, got, 52)
	byID := map[string]logger.Event{}
	for _, ev := range got {
		_, dup := byID[ev.ID]
		require.False(t, dup, "%s stored twice", ev.ID)
		byID[ev.ID] = ev
	}
	for _, ev := range evs {
		require.Contains(t, byID, ev.ID)
		require.Equal(t, ev.Description, byID[ev.ID].Description, "the copy stored first stays")
	}
}
