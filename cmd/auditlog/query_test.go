package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/export"
	"github.com/auditlog/auditlog/logger"
)

// TestQueryFilters checks every filter flag, alone and together, and the
// window, against the model (store.Select over the journal's events).
func TestQueryFilters(t *testing.T) {
	recent := fix.now.Add(-10 * time.Hour)
	cases := []struct {
		args []string
		f    logger.Filter
	}{
		{nil, logger.Filter{}},
		{[]string{"--user", "bob"}, logger.Filter{UserID: "bob"}},
		{[]string{"--session", "s-3"}, logger.Filter{SessionID: "s-3"}},
		{[]string{"--op", "Recall"}, logger.Filter{Operation: logger.OpRecall}},
		{[]string{"--status", "PARTIAL"}, logger.Filter{Status: logger.StatusPartial}},
		{[]string{"--status", "success"}, logger.Filter{Status: logger.StatusSuccess}},
		{[]string{"--category", "AUTH"}, logger.Filter{Category: "AUTH"}},
		{[]string{"--resource", "memory/m-12"}, logger.Filter{ResourceType: "memory", ResourceID: "m-12"}},
		{[]string{"--resource", "memory"}, logger.Filter{ResourceType: "memory"}},
		{[]string{"--resource", "/m-3"}, logger.Filter{ResourceID: "m-3"}},
		{[]string{"--run", "run-2"}, logger.Filter{RunID: "run-2"}},
		{[]string{"--entry", "m-4"}, logger.Filter{EntryIDs: []string{"m-4"}}},
		{[]string{"--entry", "m-4", "--entry", "m-40"}, logger.Filter{EntryIDs: []string{"m-4", "m-40"}}},
		{[]string{"--since", "2026-01-15", "--until", "2026-01-16"},
			logger.Filter{Since: january.AddDate(0, 0, 14), Until: january.AddDate(0, 0, 16).Add(-1)}},
		{[]string{"--since", "2026-01-15T10:00:00Z", "--until", "2026-01-15T12:00:00.5+01:00"},
			logger.Filter{Since: time.Date(2026, 1, 15, 10, 0, 0, 0, time.UTC), Until: time.Date(2026, 1, 15, 11, 0, 0, 5e8, time.UTC)}},
		{[]string{"--since", recent.Format(time.RFC3339Nano)}, logger.Filter{Since: recent}},
		{[]string{"--until", "2026-01-02"}, logger.Filter{Until: january.AddDate(0, 0, 2).Add(-1)}},
		{[]string{"--limit", "7"}, logger.Filter{Limit: 7}},
		{[]string{"--limit", "7", "--offset", "5", "--asc"}, logger.Filter{Limit: 7, Offset: 5, Ascending: true}},
		{[]string{"--offset", "4390"}, logger.Filter{Offset: 4390}},
		{[]string{"--asc", "--user", "carol", "--op", "store", "--status", "failure", "--limit", "3"},
			logger.Filter{UserID: "carol", Operation: logger.OpStore, Status: logger.StatusFailure, Limit: 3, Ascending: true}},
		{[]string{"--user", "nobody"}, logger.Filter{UserID: "nobody"}},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			r := runCLI(t, append([]string{"query", "audit_logs"}, c.args...)...).ok(t)
			w := want(fix.events, c.f)
			got := decodeLines(t, r.stdout)
			require.Equal(t, ids(w), ids(got))
			for i := range got {
				require.Equal(t, w[i], got[i], "event %d decoded in full", i)
			}
		})
	}
}

// TestQuerySince checks --since with a duration and in days.
func TestQuerySince(t *testing.T) {
	for _, since := range []string{"24h", "1d", "1h30m"} {
		r := runCLI(t, "query", "audit_logs", "--since", since, "--asc").ok(t)
		d, ok := parseAgo(since)
		require.True(t, ok)
		got := decodeLines(t, r.stdout)
		// The binary's now is a little after the test's: compare with a
		// window that leaves events at its edge out of the question.
		w := want(fix.events, logger.Filter{Since: time.Now().Add(-d), Ascending: true})
		require.NotEmpty(t, got)
		require.InDelta(t, len(w), len(got), 2)
		require.Equal(t, ids(w)[len(w)-1], ids(got)[len(got)-1])
	}
}

// TestQueryFormats writes one selection in every format, piped, and reads
// each back with the library.
func TestQueryFormats(t *testing.T) {
	f := logger.Filter{UserID: "dave", Status: logger.StatusFailure}
	w := want(fix.events, f)
	require.NotEmpty(t, w)
	for _, c := range []struct {
		format string
		want   export.Format
	}{
		{"", export.FormatJSONLines}, // piped: JSON Lines
		{"jsonl", export.FormatJSONLines},
		{"json", export.FormatDocument},
		{"csv", export.FormatCSV},
		{"array", export.FormatArray},
	} {
		t.Run(c.format, func(t *testing.T) {
			args := []string{"query", "audit_logs", "--user", "dave", "--status", "failure"}
			if c.format != "" {
				args = append(args, "--format", c.format)
			}
			r := runCLI(t, args...).ok(t)
			raws, format, err := export.ReadFrom(strings.NewReader(r.stdout))
			require.NoError(t, err)
			require.Equal(t, c.want, format)
			require.Equal(t, ids(w), rawIDs(t, raws))
		})
	}
	t.Run("table", func(t *testing.T) {
		r := runCLI(t, "query", "audit_logs", "--user", "dave", "--status", "failure", "--format", "table").ok(t)
		requireTable(t, r.stdout, w)
	})
	// The whole journal: more events than a chunk of the streaming
	// decoder, in every format.
	all := want(fix.events, logger.Filter{})
	require.Greater(t, len(all), 3*chunkSize)
	for _, format := range []string{"jsonl", "json", "csv", "array"} {
		t.Run("all "+format, func(t *testing.T) {
			r := runCLI(t, "query", "audit_logs", "--format", format).ok(t)
			raws, _, err := export.ReadFrom(strings.NewReader(r.stdout))
			require.NoError(t, err)
			require.Equal(t, ids(all), rawIDs(t, raws))
		})
	}
	t.Run("all table", func(t *testing.T) {
		requireTable(t, runCLI(t, "query", "audit_logs", "--format", "table").ok(t).stdout, all)
	})
	t.Run("none", func(t *testing.T) {
		for format, out := range map[string]string{
			"jsonl": "", "table": strings.Join(tableHeader, "  ") + "\n", "array": "[]\n",
			"csv": "event_id,seq,timestamp,operation,status,category,user_id,user_name,user_email,session_id,ip_address,user_agent,resource_type,resource_id,resource_name,entry_ids,run_id,parent_run_id,description,tags,duration_ms,error_message,error_stack,source,changes,previous_state,new_state,request,metadata\n",
		} {
			require.Equal(t, out, runCLI(t, "query", "audit_logs", "--user", "nobody", "--format", format).ok(t).stdout, format)
		}
	})
}

// requireTable checks a table of events: a header, one row per event in
// order, columns aligned.
func requireTable(t *testing.T, out string, w []logger.Event) {
	t.Helper()
	rows := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	require.Len(t, rows, len(w)+1)
	header := rows[0]
	require.Regexp(t, `^TIME +SEQ +OPERATION +STATUS +USER +RESOURCE +DURATION +DETAIL$`, header)
	cols := []int{}
	for _, name := range tableHeader {
		cols = append(cols, strings.Index(header, name))
	}
	for i, ev := range w {
		row := rows[i+1]
		// Each column starts where its header does: the table is aligned.
		for c := 1; c < len(cols); c++ {
			require.Equal(t, byte(' '), row[cols[c]-1], "row %q, column %s", row, tableHeader[c])
			require.NotEqual(t, byte(' '), row[cols[c]], "row %q, column %s", row, tableHeader[c])
		}
		require.True(t, strings.HasPrefix(row, ev.Time.UTC().Format("2006-01-02T15:04:05.000Z")+"  "+formatSeq(ev.Seq)), row)
	}
}

// TestQueryExportedFiles reads a selection exported by the library in
// every format, gzipped or not, and a bare array, and gets the same
// events back.
func TestQueryExportedFiles(t *testing.T) {
	dir := t.TempDir()
	jan := want(fix.events, logger.Filter{Since: january, Until: january.AddDate(0, 0, 3), Ascending: true})
	names := []string{"e.json", "e.jsonl", "e.ndjson", "e.csv", "e.json.gz", "e.jsonl.gz", "e.csv.gz"}
	for _, name := range names {
		require.NoError(t, logger.ExportEvents(jan, filepath.Join(dir, name)))
	}
	var array bytes.Buffer
	require.NoError(t, logger.WriteEvents(&array, export.FormatArray, jan))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "array.txt"), array.Bytes(), 0o600))
	names = append(names, "array.txt")

	f := logger.Filter{UserID: "alice", Limit: 20}
	w := want(jan, f)
	require.Len(t, w, 20)
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			r := runIn(t, dir, "query", name, "--user", "alice", "--limit", "20").ok(t)
			got := decodeLines(t, r.stdout)
			require.Equal(t, ids(w), ids(got))
			require.Equal(t, w, got)
		})
	}
	t.Run("several sources merged", func(t *testing.T) {
		// The same events twice, from two files: each comes twice, in order.
		r := runIn(t, dir, "query", "e.csv", "e.jsonl.gz", "--user", "alice", "--limit", "6", "--asc").ok(t)
		w := want(jan, logger.Filter{UserID: "alice", Limit: 3, Ascending: true})
		got := ids(decodeLines(t, r.stdout))
		require.Equal(t, []string{w[0].ID, w[0].ID, w[1].ID, w[1].ID, w[2].ID, w[2].ID}, got)
	})
}

// TestQueryNoProgressInPipe: with standard error a pipe, nothing is
// written to it on success, whatever the number of files.
func TestQueryNoProgressInPipe(t *testing.T) {
	require.Greater(t, fix.files, progressFiles)
	r := runCLI(t, "query", "audit_logs", "--limit", "1").ok(t)
	require.Empty(t, r.stderr)
}

// TestQueryCleansTable: a value holding control characters cannot forge
// a row or an escape sequence in the table.
func TestQueryCleansTable(t *testing.T) {
	dir := t.TempDir()
	ev := logger.Event{
		ID: "evil", Seq: 1, Time: january, Operation: logger.OpStore, UserID: "mallory\x1b[2J",
		Description: "line one\nFAKE ROW\t\u202eevil\r",
	}
	require.NoError(t, logger.ExportEvents([]logger.Event{ev}, filepath.Join(dir, "evil.jsonl")))
	r := runIn(t, dir, "query", "evil.jsonl", "--format", "table").ok(t)
	require.NotContains(t, r.stdout, "\x1b")
	require.NotContains(t, r.stdout, "\u202e")
	require.Equal(t, 2, strings.Count(r.stdout, "\n"), r.stdout)
	require.Contains(t, r.stdout, `mallory\x1b[2J`)
	require.Contains(t, r.stdout, `line one\nFAKE ROW\t\u202eevil\r`)
}

// TestQueryLongValues are cut in the table, whole in JSON.
func TestQueryLongValues(t *testing.T) {
	r := runCLI(t, "query", "audit_logs", "--limit", "1", "--format", "table").ok(t)
	require.Contains(t, r.stdout, "…")
	r = runCLI(t, "query", "audit_logs", "--limit", "1", "--format", "json").ok(t)
	var doc struct {
		Events []json.RawMessage `json:"events"`
		Total  int               `json:"total_events"`
	}
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &doc))
	require.Equal(t, 1, doc.Total)
	require.Regexp(t, regexp.MustCompile(`"description":"event \d+: (lorem ipsum ){50}"`), string(doc.Events[0]))
}
