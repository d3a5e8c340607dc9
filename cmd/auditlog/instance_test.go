package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/logger"
)

// TestSourceFlag reads the journals of two instances whose events share
// their times: merged, the events order by time, then source, then seq;
// --source selects one instance's, exactly, from journals and from a
// store; importing a journal twice into SQLite stores its events once;
// the table shows the source only when the events have several.
func TestSourceFlag(t *testing.T) {
	dir := t.TempDir()
	t0 := time.Date(2026, 2, 1, 9, 0, 0, 0, time.UTC)
	for _, src := range []string{"web-2", "web-1"} {
		l, err := logger.New(logger.Options{MaxEvents: 1000, Source: src, Journal: &logger.JournalOptions{Dir: filepath.Join(dir, src)}})
		require.NoError(t, err)
		for i := range 60 {
			ev := fixtureEvent(i, t0.Add(time.Duration(i/3)*time.Second))
			ev.Source = "" // the logger's own
			require.NoError(t, l.Log(context.Background(), ev))
		}
		require.NoError(t, l.Close())
	}
	var all []logger.Event
	for _, src := range []string{"web-1", "web-2"} {
		evs, err := readJournal(filepath.Join(dir, src))
		require.NoError(t, err)
		all = append(all, evs...)
	}
	db := "sqlite://" + filepath.Join(dir, "central.db")
	runIn(t, dir, "import", "web-1", db).ok(t)
	runIn(t, dir, "import", "web-2", db).ok(t)
	runIn(t, dir, "import", "web-1", db).ok(t) // again: nothing added

	for _, c := range []struct {
		args []string
		f    logger.Filter
	}{
		{[]string{"--asc"}, logger.Filter{Ascending: true}},
		{nil, logger.Filter{}},
		{[]string{"--source", "web-2"}, logger.Filter{Source: "web-2"}},
		{[]string{"--source", "web-1", "--asc", "--limit", "7", "--offset", "2"}, logger.Filter{Source: "web-1", Ascending: true, Limit: 7, Offset: 2}},
		{[]string{"--source", "web"}, logger.Filter{Source: "web"}},
	} {
		for _, from := range [][]string{{"web-1", "web-2"}, {db}} {
			name := strings.Join(append(from, c.args...), " ")
			r := runIn(t, dir, append(append([]string{"query", "--format", "jsonl"}, from...), c.args...)...).ok(t)
			w := want(all, c.f)
			got := decodeLines(t, r.stdout)
			require.Equal(t, ids(w), ids(got), name)
			for i := range got {
				require.Equal(t, w[i].Source, got[i].Source, "%s: event %d", name, i)
			}
		}
	}
	require.NotEqual(t, ids(want(all, logger.Filter{Ascending: true}))[:6], ids(all)[:6], "the sources interleave")

	r := decodeStats(t, runIn(t, dir, "stats", "web-1", "web-2", "--source", "web-1", "--format", "json").ok(t).stdout)
	require.EqualValues(t, 60, r.TotalEvents)
	require.Empty(t, r.Sources, "without --by source")
	r = decodeStats(t, runIn(t, dir, "stats", db, "--by", "source", "--until", t0.Add(15*time.Second).Format(time.RFC3339), "--format", "json").ok(t).stdout)
	last := t0.Add(15 * time.Second)
	fails := int64(len(want(all, logger.Filter{Source: "web-1", Status: logger.StatusFailure, Until: last})))
	require.Equal(t, []sourceRow{
		{Source: "web-1", Events: 48, Failures: fails, First: t0, Last: last},
		{Source: "web-2", Events: 48, Failures: fails, First: t0, Last: last},
	}, r.Sources)
	stats := runIn(t, dir, "stats", "web-2", "--by", "source", "--format", "table").ok(t).stdout
	require.Regexp(t, `(?m)^SOURCE +EVENTS +FAILURES +FIRST +LAST\n^web-2 +60 `, stats)

	table := runIn(t, dir, "query", "web-1", "web-2", "--format", "table", "--limit", "4").ok(t).stdout
	require.True(t, strings.HasPrefix(table, "TIME"), table)
	header := strings.Fields(strings.SplitN(table, "\n", 2)[0])
	require.Equal(t, []string{"TIME", "SOURCE", "SEQ"}, header[:3])
	require.Contains(t, table, " web-2 ")
	table = runIn(t, dir, "query", "web-1", "web-2", "--source", "web-2", "--format", "table", "--limit", "4").ok(t).stdout
	require.Equal(t, tableHeader, strings.Fields(strings.SplitN(table, "\n", 2)[0]), "one instance: no SOURCE column")
}
