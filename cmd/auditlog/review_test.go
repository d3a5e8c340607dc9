//go:build unix

package main

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/export"
)

// Regressions found by a review of the command.

func TestHugeLimitAndOffsetKeepAll(t *testing.T) {
	r := runCLI(t, "query", "audit_logs", "--limit", strconv.Itoa(math.MaxInt), "--offset", "1", "--format", "jsonl").ok(t)
	require.Equal(t, len(fix.events)-1, strings.Count(r.stdout, "\n"))
}

func TestReadingAMissingStoreCreatesNothing(t *testing.T) {
	dir := t.TempDir()
	for _, url := range []string{"file://./nostore", "sqlite://./nostore.db"} {
		r := runIn(t, dir, "query", url)
		r.fails(t, 1, url, "no such store")
	}
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Empty(t, entries)
}

// A PostgreSQL store that cannot be reached: the error says where the
// command looked, and never prints the URL's password.
func TestAnUnreachablePostgresStoreKeepsThePassword(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{
		{"query", "postgres://auditor:sekrit@/audit?host=" + dir},
		{"import", "audit_logs", "postgresql://auditor:sekrit@/audit?host=" + dir},
		{"query", "postgres://auditor:sekrit@db.example:notaport/audit"},
	} {
		r := runIn(t, fix.dir, args...)
		require.NotContains(t, r.stderr+r.stdout, "sekrit", args)
		r.fails(t, 1, "auditor")
	}
}

func TestImportChecksEveryEventFirst(t *testing.T) {
	dir := t.TempDir()
	copyDir(t, filepath.Join(fix.dir, "audit_logs"), filepath.Join(dir, "j"))
	cur := filepath.Join(dir, "j", export.JournalName)
	b, err := os.ReadFile(cur)
	require.NoError(t, err)
	lines := bytes.SplitAfter(b, []byte("\n"))
	last := len(lines) - 2 // the last whole line: everything before it is fine
	lines[last] = bytes.Replace(lines[last], []byte(`"status":"`), []byte(`"status":"BOGUS`), 1)
	require.NoError(t, os.WriteFile(cur, bytes.Join(lines, nil), 0o600))
	r := runIn(t, dir, "import", "j", "sqlite://./audit.db")
	r.fails(t, 1, export.JournalName, "line "+strconv.Itoa(last+1), "BOGUS")
	require.NoFileExists(t, filepath.Join(dir, "audit.db"), "no store is made for an import that fails its check")
}

func TestAnInvalidStatusIsAnErrorThatForgesNothing(t *testing.T) {
	dir := t.TempDir()
	line := `{"event_id":"a","seq":1,"timestamp":"2026-01-01T00:00:00Z","operation":"STORE","status":"X\u001b[2J\nROW\tx"}` + "\n"
	require.NoError(t, os.WriteFile(filepath.Join(dir, export.JournalName), []byte(line), 0o600))
	r := runIn(t, dir, "query", ".", "--format", "table")
	r.fails(t, 1, export.JournalName, "line 1", "status")
	require.NotContains(t, r.stderr+r.stdout, "\x1b", "no raw escape reaches the terminal")
}

func TestAMalformedLineIsAnErrorEvenWhenNotSelected(t *testing.T) {
	dir := t.TempDir()
	lines := `{"event_id":"a","seq":1,"timestamp":"2026-01-01T00:00:00Z","operation":"STORE","status":"SUCCESS","tags":[{}]}` + "\n" +
		`{"event_id":"b","seq":2,"timestamp":"2026-01-01T00:00:01Z","operation":"STORE","status":"SUCCESS","user_id":"u"}` + "\n"
	require.NoError(t, os.WriteFile(filepath.Join(dir, export.JournalName), []byte(lines), 0o600))
	runIn(t, dir, "query", ".", "--user", "u").fails(t, 1, "line 1")
	runIn(t, dir, "stats", ".").fails(t, 1, "line 1")
}

func TestStatsWithoutMatchesListsNoDays(t *testing.T) {
	r := runCLI(t, "stats", "audit_logs", "--since", "2000-01-01", "--user", "nobody", "--format", "json").ok(t)
	require.NotContains(t, r.stdout, "0001-01-01")
}
