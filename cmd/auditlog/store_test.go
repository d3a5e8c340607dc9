package main

import (
	"os"
	"path/filepath"
	"testing"

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
	require.Equal(t, "imported "+formatInt(len(w))+" events into "+rel+"\n", r.stdout)
	got := storeEvents(t, url, logger.Filter{Ascending: true})
	require.Equal(t, ids(w), ids(got))
	for i := range got {
		require.Equal(t, uint64(i+1), got[i].Seq, "numbered anew, in the order imported")
		require.Equal(t, w[i].Time, got[i].Time)
	}

	// The store is a source: query reads it back.
	back := decodeLines(t, runIn(t, dir, "query", rel, "--asc").ok(t).stdout)
	require.Equal(t, ids(w), ids(back))

	// Importing twice: SQLite keeps each event ID once, the file store
	// appends the events again.
	runIn(t, dir, "import", "audit_logs", rel, "--user", "alice", "--since", "2026-01-01", "--until", "2026-01-31").ok(t)
	copies := map[string]int{"sqlite": 1, "file": 2}[scheme]
	require.Len(t, storeEvents(t, url, logger.Filter{}), copies*len(w))

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
