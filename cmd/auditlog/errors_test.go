//go:build unix

package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/export"
	"github.com/auditlog/auditlog/logger"
)

// TestVerify checks a journal whole, tampered with, with and without its
// key.
func TestVerify(t *testing.T) {
	t.Run("keyed without the key", func(t *testing.T) {
		r := runCLI(t, "verify", "keyed_logs")
		require.Equal(t, 1, r.code)
		// One sentence, not a problem per line.
		require.Equal(t, "NOT VERIFIED: the chain is keyed (hmac-sha256): the key is missing or wrong; give the key with --key-file\n", r.stdout)
	})
	t.Run("a journal without a chain", func(t *testing.T) {
		dir := t.TempDir()
		require.NoError(t, writeJournal(logger.JournalOptions{Dir: dir, NoChain: true}, fix.events[:5]))
		r := runCLI(t, "verify", dir)
		require.Equal(t, 1, r.code)
		require.Contains(t, r.stdout, "No line verified: a journal written with JournalOptions.NoChain has no chain to check.\n")
		require.NotContains(t, r.stdout, "retention", "no line was checked: nothing was removed by retention")
	})
	t.Run("wrong key", func(t *testing.T) {
		dir := t.TempDir()
		require.NoError(t, os.WriteFile(filepath.Join(dir, "k"), append(fix.key, '\n'), 0o600))
		r := runCLI(t, "verify", "--key-file", filepath.Join(dir, "k"), "keyed_logs")
		require.Equal(t, 1, r.code)
		require.Equal(t, "NOT VERIFIED: the chain is keyed (hmac-sha256): the key is missing or wrong; check the file given with --key-file (it ends with a newline, which is part of the key)\n", r.stdout)
	})
	t.Run("a line changed", func(t *testing.T) {
		dir := t.TempDir()
		copyDir(t, filepath.Join(fix.dir, "audit_logs"), dir)
		cur := filepath.Join(dir, export.JournalName)
		b, err := os.ReadFile(cur)
		require.NoError(t, err)
		lines := bytes.SplitAfter(b, []byte("\n"))
		// Which events the current file holds depends on where the size
		// limit fell: change the first line from line 5 on that has a
		// category to change.
		changed := -1
		for i := 4; i < len(lines) && changed < 0; i++ {
			if bytes.Contains(lines[i], []byte(`"DATA"`)) {
				lines[i] = bytes.Replace(lines[i], []byte(`"DATA"`), []byte(`"ADMIN"`), 1)
				changed = i
			}
		}
		require.GreaterOrEqual(t, changed, 4, "no line of category DATA in %s", cur)
		require.NoError(t, os.WriteFile(cur, bytes.Join(lines, nil), 0o600))
		r := runIn(t, dir, "verify", ".")
		require.Equal(t, 1, r.code, r.stdout)
		require.Contains(t, r.stdout, "BROKEN: 1 problem in ")
		require.Contains(t, r.stdout, fmt.Sprintf("audit.jsonl line %d: modified: content does not match its hash\n", changed+1))
		require.Empty(t, r.stderr)
	})
	t.Run("a rotated file removed", func(t *testing.T) {
		dir := t.TempDir()
		copyDir(t, filepath.Join(fix.dir, "audit_logs"), dir)
		files, err := export.JournalFiles(dir)
		require.NoError(t, err)
		require.NoError(t, os.Remove(files[1].Path))
		r := runIn(t, dir, "verify", ".")
		require.Equal(t, 1, r.code, r.stdout)
		require.Contains(t, r.stdout, filepath.Base(files[2].Path)+" line 1: missing file: a file missing before it")
	})
	t.Run("the oldest file removed", func(t *testing.T) {
		dir := t.TempDir()
		copyDir(t, filepath.Join(fix.dir, "audit_logs"), dir)
		files, err := export.JournalFiles(dir)
		require.NoError(t, err)
		require.NoError(t, os.Remove(files[0].Path))
		r := runIn(t, dir, "verify", ".").ok(t)
		require.Regexp(t, `The chain is checked from seq \d+: older files were removed`, r.stdout)
	})
	t.Run("torn last line", func(t *testing.T) {
		dir := tornJournal(t)
		r := runIn(t, dir, "verify", "--key-file", filepath.Join(fix.dir, "audit.key"), ".").ok(t)
		require.Contains(t, r.stdout, "OK: 50 lines in 1 file,")
		require.Contains(t, r.stdout, "Note: audit.jsonl line 51: last line cut short")
	})
}

// tornJournal copies keyed_logs' 50 lines, with the start of a 51st: a
// write cut short by a crash.
func tornJournal(t *testing.T) string {
	dir := t.TempDir()
	b, err := os.ReadFile(filepath.Join(fix.dir, "keyed_logs", export.JournalName))
	require.NoError(t, err)
	b = append(b, `{"event_id":"x","seq":51,"timest`...)
	require.NoError(t, os.WriteFile(filepath.Join(dir, export.JournalName), b, 0o600))
	return dir
}

// TestTornLastLine: a torn last line is skipped with a warning.
func TestTornLastLine(t *testing.T) {
	dir := tornJournal(t)
	r := runIn(t, dir, "query", ".").ok(t)
	require.Len(t, decodeLines(t, r.stdout), 50)
	require.Equal(t, "auditlog: warning: audit.jsonl: line 51: skipped a last line without its newline (still being written, or cut short by a crash)\n", r.stderr)
}

// TestCorruptGzipInTheMiddle: a rotated file that is not gzip, among good
// ones, stops every command with an error naming it.
func TestCorruptGzipInTheMiddle(t *testing.T) {
	dir := t.TempDir()
	copyDir(t, filepath.Join(fix.dir, "audit_logs"), dir)
	files, err := export.JournalFiles(dir)
	require.NoError(t, err)
	bad := files[len(files)/2]
	require.True(t, bad.Gzip)
	b, err := os.ReadFile(bad.Path)
	require.NoError(t, err)
	b[len(b)/2] ^= 0xff // corrupt the deflate stream
	require.NoError(t, os.WriteFile(bad.Path, b, 0o600))

	for _, args := range [][]string{
		{"query", "."},
		{"query", ".", "--limit", "1"},
		{"stats", "."},
		{"export", ".", "--out", "x.jsonl"},
		{"verify", "."},
		{"report", ".", "--month", "2026-01", "--html", "r.html"},
	} {
		t.Run(args[0], func(t *testing.T) {
			runIn(t, dir, args...).fails(t, 1, "corrupt", filepath.Base(bad.Path))
		})
	}
	_, err = os.Stat(filepath.Join(dir, "x.jsonl"))
	require.ErrorIs(t, err, os.ErrNotExist, "no partial export is left")

	// Not gzip at all.
	require.NoError(t, os.WriteFile(bad.Path, []byte("this is not a gzip stream at all\n"), 0o600))
	runIn(t, dir, "query", ".").fails(t, 1, "corrupt", filepath.Base(bad.Path), "gzip: invalid header")
}

// TestCorruptLine: a line of a journal that is not an event is named by
// file and line.
func TestCorruptLine(t *testing.T) {
	dir := t.TempDir()
	b, err := os.ReadFile(filepath.Join(fix.dir, "keyed_logs", export.JournalName))
	require.NoError(t, err)
	lines := bytes.SplitAfter(b, []byte("\n"))
	lines[6] = []byte("{\"event_id\": \"x\", \"seq\": \"seven\"}\n")
	lines[9] = []byte("not json at all\n")
	require.NoError(t, os.WriteFile(filepath.Join(dir, export.JournalName), bytes.Join(lines, nil), 0o600))
	runIn(t, dir, "query", ".").fails(t, 1, "audit.jsonl: line 7: ", "seq")
	lines[6] = []byte(`{"event_id":"x","seq":7,"timestamp":"2026-01-01T00:00:00Z","operation":"STORE","status":"WEIRD"}` + "\n")
	require.NoError(t, os.WriteFile(filepath.Join(dir, export.JournalName), bytes.Join(lines, nil), 0o600))
	runIn(t, dir, "query", ".").fails(t, 1, `audit.jsonl: line 7: invalid event: status "WEIRD"`)
	runIn(t, dir, "stats", ".").fails(t, 1, "audit.jsonl: line 7: ")

	// An exported file: the line of CSV, the event of a document.
	require.NoError(t, os.WriteFile(filepath.Join(dir, "bad.csv"), []byte("event_id,timestamp,operation\na,2026-01-01T00:00:00Z,STORE\nb,yesterday,STORE\n"), 0o600))
	runIn(t, dir, "query", "bad.csv").fails(t, 1, "bad.csv", "event 1", "yesterday")
	require.NoError(t, os.WriteFile(filepath.Join(dir, "bad.json"), []byte(`{"events": [{"event_id": "a", "operation": "STORE"}, 5]}`), 0o600))
	runIn(t, dir, "query", "bad.json").fails(t, 1, "bad.json", "event 1")
	require.NoError(t, os.WriteFile(filepath.Join(dir, "bad.jsonl"), []byte("{\"event_id\": \"a\", \"operation\": \"STORE\"}\n{\"event_id\": \"b\", \"oper"), 0o600))
	runIn(t, dir, "query", "bad.jsonl").fails(t, 1, "bad.jsonl", "line 2", "torn")
}

// badCase is a command line that must fail with code, and an error
// holding want.
type badCase struct {
	args []string
	code int
	want []string
}

// TestBadInput: every mistake gives one line on stderr and a non-zero
// status: 2 for the command line, 1 for the files.
func TestBadInput(t *testing.T) {
	empty := t.TempDir()
	cases := []badCase{
		{[]string{"query", "no_such_folder"}, 1, []string{"no_such_folder: no such file or folder"}},
		{[]string{"query", empty}, 1, []string{"no journal files in this folder"}},
		{[]string{"stats", "audit_logs", "no_such_file.json"}, 1, []string{"no_such_file.json: no such file or folder"}},
		{[]string{"verify", "no_such_folder"}, 1, []string{"no_such_folder: no such folder"}},
		{[]string{"verify", "export"}, 1, []string{"export: no such folder"}},
		{[]string{"query", "auditlog"}, 1, []string{"auditlog: auditlog: no such file or folder"}},
		{[]string{"verify", "january.json"}, 1, []string{"not a folder"}},
		{[]string{"verify", empty}, 1, []string{"no journal files"}},
		{[]string{"tail", "no_such_folder"}, 1, []string{"no_such_folder: no such folder"}},
		{[]string{"verify", "--key-file", "no_such.key", "keyed_logs"}, 1, []string{"--key-file", "no_such.key"}},

		{[]string{"query"}, 2, []string{"needs a journal folder, an exported file or a store URL", "--help"}},
		{[]string{"verify"}, 2, []string{"takes one journal folder"}},
		{[]string{"import", "january.json"}, 2, []string{"takes a source and a store URL"}},
		{[]string{"frobnicate"}, 2, []string{`unknown command "frobnicate"`}},
		{[]string{"query", "audit_logs", "--bogus"}, 2, []string{"unknown flag: --bogus", "auditlog query --help"}},
		{[]string{"query", "audit_logs", "--since", "yesterday"}, 2, []string{`invalid --since "yesterday"`, "RFC 3339"}},
		{[]string{"query", "audit_logs", "--until", "2026-13-01"}, 2, []string{`invalid --until "2026-13-01"`}},
		{[]string{"query", "audit_logs", "--since", "2026-02-01", "--until", "2026-01-01"}, 2, []string{"--until 2026-01-01 is before --since 2026-02-01"}},
		{[]string{"query", "audit_logs", "--status", "maybe"}, 2, []string{`invalid --status "maybe"`}},
		{[]string{"query", "audit_logs", "--op", "not an op"}, 2, []string{`invalid --op "not an op"`}},
		{[]string{"query", "audit_logs", "--resource", "/"}, 2, []string{`invalid --resource "/"`}},
		{[]string{"query", "audit_logs", "--limit", "-1"}, 2, []string{"invalid --limit -1"}},
		{[]string{"query", "audit_logs", "--limit", "ten"}, 2, []string{`invalid argument "ten" for "--limit"`}},
		{[]string{"query", "audit_logs", "--offset", "-3"}, 2, []string{"invalid --offset -3"}},
		{[]string{"query", "audit_logs", "--format", "xml"}, 2, []string{`invalid --format "xml"`}},
		{[]string{"stats", "audit_logs", "--format", "csv"}, 2, []string{`invalid --format "csv": want table, json`}},
		{[]string{"stats", "audit_logs", "--by", "day"}, 2, []string{`invalid --by "day"`}},
		{[]string{"tail", "audit_logs", "--format", "csv"}, 2, []string{`invalid --format "csv"`}},
		{[]string{"tail", "audit_logs", "--interval", "0s"}, 2, []string{"invalid --interval 0s"}},
		{[]string{"tail", "audit_logs", "-n", "-2"}, 2, []string{"invalid -n -2"}},
		{[]string{"export", "audit_logs"}, 2, []string{"export needs --out FILE"}},
		{[]string{"export", "audit_logs", "--out", "x.txt"}, 2, []string{"--out x.txt: the name gives no format"}},
		{[]string{"export", "audit_logs", "--out", "x.json", "--format", "table"}, 2, []string{`invalid --format "table"`}},
		{[]string{"report", "audit_logs", "--month", "2026-13", "--html", "r.html"}, 2, []string{`invalid --month "2026-13"`}},
		{[]string{"report", "audit_logs", "--month", "2026-01"}, 2, []string{"report needs --month YYYY-MM and --html FILE"}},
		{[]string{"verify", "--key-file", "empty.key", "keyed_logs"}, 2, []string{"--key-file empty.key is empty"}},
	}
	dir := exampleDir(t)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "empty.key"), nil, 0o600))
	require.NoError(t, syscall.Mkfifo(filepath.Join(dir, "fifo"), 0o600))
	cases = append(cases, struct {
		args []string
		code int
		want []string
	}{[]string{"query", "fifo"}, 1, []string{"fifo: not a folder nor a regular file"}})
	if runtime.GOOS == "linux" {
		// A file that cannot be read, even by root: reading the process's
		// memory at offset 0 fails with EIO.
		cases = append(cases, badCase{[]string{"query", "/proc/self/mem"}, 1, []string{"reading /proc/self/mem", "input/output error"}})
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			runIn(t, dir, c.args...).fails(t, c.code, c.want...)
		})
	}
}

// TestExport writes every format, never over an existing file, and to
// standard output.
func TestExport(t *testing.T) {
	dir := exampleDir(t)
	f := logger.Filter{UserID: "bob", Operation: logger.OpUpdate, Limit: 40}
	w := want(fix.events, f)
	require.Len(t, w, 40)
	for i, j := 0, len(w)-1; i < j; i, j = i+1, j-1 {
		w[i], w[j] = w[j], w[i] // the file is in time order
	}
	args := []string{"export", "audit_logs", "--user", "bob", "--op", "update", "--limit", "40"}
	for name, format := range map[string]string{
		"b.json": "document", "b.jsonl": "jsonl", "b.ndjson": "jsonl", "b.csv": "csv",
		"b.json.gz": "document", "b.jsonl.gz": "jsonl", "b.csv.gz": "csv",
	} {
		t.Run(name, func(t *testing.T) {
			r := runIn(t, dir, append(args, "--out", name)...).ok(t)
			require.Equal(t, "exported 40 events to "+name+" ("+format+")\n", r.stdout)
			got := readExported(t, filepath.Join(dir, name))
			require.Equal(t, ids(w), ids(got))
			fi, err := os.Stat(filepath.Join(dir, name))
			require.NoError(t, err)
			require.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
		})
	}
	t.Run("never overwrites", func(t *testing.T) {
		before, err := os.ReadFile(filepath.Join(dir, "b.csv"))
		require.NoError(t, err)
		runIn(t, dir, append(args, "--out", "b.csv", "--limit", "1")...).fails(t, 1, "b.csv", "exists")
		after, err := os.ReadFile(filepath.Join(dir, "b.csv"))
		require.NoError(t, err)
		require.Equal(t, before, after)
	})
	t.Run("format flag and stdout", func(t *testing.T) {
		r := runIn(t, dir, append(args, "--out", "-")...).ok(t)
		require.Equal(t, ids(w), ids(decodeLines(t, r.stdout)))
		r = runIn(t, dir, append(args, "--out", "-", "--format", "array")...).ok(t)
		raws, format, err := export.ReadFrom(strings.NewReader(r.stdout))
		require.NoError(t, err)
		require.Equal(t, export.FormatArray, format)
		require.Equal(t, ids(w), rawIDs(t, raws))
		runIn(t, dir, append(args, "--out", "b.txt", "--format", "csv")...).ok(t)
		require.Equal(t, ids(w), ids(readExported(t, filepath.Join(dir, "b.txt"))))
	})
	t.Run("oldest with --asc", func(t *testing.T) {
		runIn(t, dir, "export", "audit_logs", "--user", "bob", "--limit", "5", "--asc", "--out", "first.jsonl").ok(t)
		require.Equal(t, ids(want(fix.events, logger.Filter{UserID: "bob", Limit: 5, Ascending: true})), ids(readExported(t, filepath.Join(dir, "first.jsonl"))))
	})
}

// TestReport writes the report of a month, filtered, never over a file.
func TestReport(t *testing.T) {
	dir := exampleDir(t)
	r := runIn(t, dir, "report", "audit_logs", "january.json", "--month", "2026-01", "--user", "carol", "--html", "carol.html").ok(t)
	n := len(want(fix.events, logger.Filter{UserID: "carol", Since: january, Until: january.AddDate(0, 1, 0).Add(-1)}))
	require.Equal(t, "wrote the report of January 2026 ("+formatInt(2*n)+" events) to carol.html\n", r.stdout)
	b, err := os.ReadFile(filepath.Join(dir, "carol.html"))
	require.NoError(t, err)
	require.Contains(t, string(b), "January 2026")
	require.Contains(t, string(b), "carol")
	require.NotContains(t, string(b), ">alice<")

	runIn(t, dir, "report", "audit_logs", "--month", "2026-01", "--html", "carol.html").fails(t, 1, "carol.html", "exists")
	r = runIn(t, dir, "report", "audit_logs", "--month", "2025-12", "--html", "-").ok(t)
	require.Contains(t, r.stdout, "December 2025")
}

// TestVerifyLinesThatAreNotEvents: a journal whose lines are not events
// fails, naming the first bad line; one with no lines passes, saying
// there was nothing to verify.
func TestVerifyLinesThatAreNotEvents(t *testing.T) {
	write := func(t *testing.T, b []byte) string {
		dir := t.TempDir()
		require.NoError(t, os.WriteFile(filepath.Join(dir, export.JournalName), b, 0o600))
		return dir
	}
	chain := func(objs ...string) []byte {
		c := export.NewChain(nil, "")
		var b []byte
		for _, o := range objs {
			b = c.Append(b, []byte(o))
		}
		return b
	}
	t.Run("non-JSON lines", func(t *testing.T) {
		r := runIn(t, write(t, []byte("hello\nworld\n")), "verify", ".")
		require.Equal(t, 1, r.code, r.stdout)
		require.Contains(t, r.stdout, "BROKEN: 2 problems in 2 lines of 1 file\n")
		require.Contains(t, r.stdout, "audit.jsonl line 1: modified: not a journal event: not valid JSON")
		require.Contains(t, r.stdout, "No line is a journal event")
		require.NotContains(t, r.stdout, "NoChain")
		require.NotContains(t, r.stdout, "retention")
	})
	t.Run("non-JSON lines with a chain", func(t *testing.T) {
		r := runIn(t, write(t, chain("{hello}", "{world}")), "verify", ".")
		require.Equal(t, 1, r.code, r.stdout)
		require.NotContains(t, r.stdout, "OK:")
		require.Contains(t, r.stdout, "audit.jsonl line 1: modified: not a journal event")
	})
	t.Run("line 1 not JSON", func(t *testing.T) {
		r := runIn(t, write(t, chain("{hello}", `{"seq":2}`, `{"seq":3}`)), "verify", ".")
		require.Equal(t, 1, r.code, r.stdout)
		require.Contains(t, r.stdout, "BROKEN: 1 problem in ")
		require.Contains(t, r.stdout, "audit.jsonl line 1: modified: not a journal event: not valid JSON")
		require.NotContains(t, r.stdout, "line 2")
		require.NotContains(t, r.stdout, "retention", "the first line is bad: no file was removed")
	})
	t.Run("an object without seq", func(t *testing.T) {
		r := runIn(t, write(t, chain(`{"operation":"STORE"}`)), "verify", ".")
		require.Equal(t, 1, r.code, r.stdout)
		require.Contains(t, r.stdout, "audit.jsonl line 1: modified: not a journal event: no seq")
	})
	for name, b := range map[string]string{"empty": "", "blank lines": "\n\n \n"} {
		t.Run(name, func(t *testing.T) {
			r := runIn(t, write(t, []byte(b)), "verify", ".").ok(t)
			require.Equal(t, "OK: no lines in 1 file: nothing to verify\n", r.stdout)
		})
	}
}

// TestVerifyCountsEveryProblem: verify counts every problem, says how
// many it lists, and writes "1 problem", not "1 problems"; the report's
// chain status counts the same way.
func TestVerifyCountsEveryProblem(t *testing.T) {
	for _, tc := range []struct {
		edited int
		want   string
	}{
		{1, "BROKEN: 1 problem in 2,400 lines of 1 file\n"},
		{2345, "BROKEN: 2,345 problems in 2,400 lines of 1 file, the first 20 listed\n"},
	} {
		t.Run(strconv.Itoa(tc.edited), func(t *testing.T) {
			dir := t.TempDir()
			c := export.NewChain(nil, "")
			var b []byte
			for seq := 1; seq <= 2400; seq++ {
				line := c.Append(nil, fmt.Appendf(nil, `{"seq":%d,"operation":"STORE","user_id":"u"}`, seq))
				if seq <= tc.edited {
					line = bytes.Replace(line, []byte(`"u"`), []byte(`"x"`), 1)
				}
				b = append(b, line...)
			}
			require.NoError(t, os.WriteFile(filepath.Join(dir, export.JournalName), b, 0o600))
			r := runCLI(t, "verify", dir)
			require.Equal(t, 1, r.code, r.stdout)
			require.True(t, strings.HasPrefix(r.stdout, tc.want), r.stdout)
			require.Equal(t, min(tc.edited, maxShown), strings.Count(r.stdout, ": modified: "))

			rep, err := export.Verify(dir, nil)
			require.NoError(t, err)
			status, ok := chainStatus(rep, nil)
			require.False(t, ok)
			want := strings.TrimSuffix(strings.TrimSuffix(tc.want, "\n"), ", the first 20 listed")
			require.True(t, strings.HasPrefix(status, want+"; the first: "), status)
		})
	}
}
