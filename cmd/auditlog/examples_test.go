package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/export"
	"github.com/auditlog/auditlog/logger"
	"github.com/auditlog/auditlog/store"
)

var update = flag.Bool("update", false, "rewrite the example block of the README's Command line section from the examples")

// januaryFilter selects January 2026, as --since 2026-01-01 --until
// 2026-01-31 does.
func januaryFilter() logger.Filter {
	return logger.Filter{Since: january, Until: january.AddDate(0, 1, 0).Add(-time.Nanosecond)}
}

// readExported reads an exported file back with the library.
func readExported(t *testing.T, path string) []logger.Event {
	t.Helper()
	evs, err := logger.ReadEvents(path)
	require.NoError(t, err)
	return evs
}

// exampleChecks check what each example printed or wrote, in dir.
var exampleChecks = map[string]func(t *testing.T, dir string, r result){
	"auditlog verify ./audit_logs --pubkey audit.pub": func(t *testing.T, _ string, r result) {
		require.Contains(t, r.stdout, "Checkpoints: verified: the journal matches ")
		require.Contains(t, r.stdout, fmt.Sprintf("the latest of %s lines", thousands(int64(len(fix.events)))))
	},
	"auditlog checkpoint ./audit_logs --pubkey audit.pub --format table": func(t *testing.T, _ string, r result) {
		require.Contains(t, r.stdout, fixtureOrigin)
		require.Contains(t, r.stdout, fmt.Sprintf("Size       %d lines", len(fix.events)))
		require.Contains(t, r.stdout, "(verified)")
	},
	"auditlog prove ./audit_logs --seq 42 --pubkey audit.pub -o proof.json": func(t *testing.T, dir string, _ result) {
		data, err := os.ReadFile(filepath.Join(dir, "proof.json"))
		require.NoError(t, err)
		b, err := export.UnmarshalBundle(data)
		require.NoError(t, err)
		_, err = b.Verify(fix.pub)
		require.NoError(t, err)
		require.Contains(t, string(b.Line), `"seq":42,`)
	},
	"auditlog query ./audit_logs --user alice --since 24h": func(t *testing.T, _ string, r result) {
		w := want(fix.events, logger.Filter{UserID: "alice", Since: fix.now.Add(-24 * time.Hour)})
		require.NotEmpty(t, w)
		require.Equal(t, ids(w), ids(decodeLines(t, r.stdout)))
	},
	"auditlog query ./audit_logs --op forget --status failure --limit 20 --format table": func(t *testing.T, _ string, r result) {
		w := want(fix.events, logger.Filter{Operation: logger.OpForget, Status: logger.StatusFailure, Limit: 20})
		require.Len(t, w, 20)
		rows := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
		require.Len(t, rows, 21)
		require.Regexp(t, `^TIME +SEQ +OPERATION +STATUS +USER +RESOURCE +DURATION +DETAIL$`, rows[0])
		for i, ev := range w {
			require.Regexp(t, `^`+regexp.QuoteMeta(ev.Time.UTC().Format("2006-01-02T15:04:05.000Z"))+` +`+
				regexp.QuoteMeta(formatSeq(ev.Seq))+` +FORGET +FAILURE +`, rows[i+1])
		}
	},
	"auditlog query ./audit_logs --resource memory/m-7 --asc --format jsonl": func(t *testing.T, _ string, r result) {
		w := want(fix.events, logger.Filter{ResourceType: "memory", ResourceID: "m-7", Ascending: true})
		require.NotEmpty(t, w)
		require.Equal(t, ids(w), ids(decodeLines(t, r.stdout)))
	},
	"auditlog query ./audit_logs --since 2026-01-01 --until 2026-01-31 --entry m-1 --entry m-2 --format csv": func(t *testing.T, _ string, r result) {
		f := januaryFilter()
		f.EntryIDs = []string{"m-1", "m-2"}
		w := want(fix.events, f)
		require.NotEmpty(t, w)
		raws, format, err := export.ReadFrom(strings.NewReader(r.stdout))
		require.NoError(t, err)
		require.Equal(t, export.FormatCSV, format)
		require.Equal(t, ids(w), rawIDs(t, raws))
	},
	"auditlog query january.json --session s-7 --format json": func(t *testing.T, _ string, r result) {
		f := januaryFilter()
		f.SessionID = "s-7"
		w := want(fix.events, f)
		require.NotEmpty(t, w)
		raws, format, err := export.ReadFrom(strings.NewReader(r.stdout))
		require.NoError(t, err)
		require.Equal(t, export.FormatDocument, format)
		require.Equal(t, ids(w), rawIDs(t, raws))
	},
	"auditlog query file://./audits --user bob --op recall --limit 5 --format table": func(t *testing.T, _ string, r result) {
		requireTable(t, r.stdout, want(fix.events, logger.Filter{UserID: "bob", Operation: logger.OpRecall, Limit: 5}))
	},
	"auditlog query ./audit_logs --source web-1 --limit 5": func(t *testing.T, _ string, r result) {
		w := want(fix.events, logger.Filter{Source: "web-1", Limit: 5})
		require.Len(t, w, 5)
		got := decodeLines(t, r.stdout)
		require.Equal(t, ids(w), ids(got))
		for _, ev := range got {
			require.Equal(t, "web-1", ev.Source)
		}
	},
	"auditlog stats ./audit_logs --by source": func(t *testing.T, _ string, r result) {
		s := decodeStats(t, r.stdout)
		require.Len(t, s.Sources, 1)
		require.Equal(t, "web-1", s.Sources[0].Source)
		require.EqualValues(t, len(fix.events), s.Sources[0].Events)
	},
	"auditlog stats ./audit_logs": func(t *testing.T, _ string, r result) {
		s := decodeStats(t, r.stdout)
		require.EqualValues(t, len(fix.events), s.TotalEvents)
		require.Subset(t, s.EmptyDays, emptyDays)
		require.Equal(t, "2026-01-01", s.Days[0].Date)
	},
	"auditlog stats ./audit_logs --since 2026-01-01 --until 2026-01-31 --by user --format table": func(t *testing.T, _ string, r result) {
		n := len(want(fix.events, januaryFilter()))
		require.Regexp(t, `(?m)^Events +`+formatInt(n)+` +\(2026-01-01T`, r.stdout)
		require.Regexp(t, `(?m)^USER +EVENTS +FAILURES +LAST ACTIVITY +MOST COMMON$`, r.stdout)
		require.Regexp(t, `(?m)^alice +\d+ +\d+ +2026-01-31T`, r.stdout)
		require.Regexp(t, `(?m)^2026-01-10 +0 +no events$`, r.stdout)
		require.Contains(t, r.stdout, "2 of 31 days without events: 2026-01-10, 2026-01-20\n")
	},
	"auditlog verify ./audit_logs": func(t *testing.T, _ string, r result) {
		require.Contains(t, r.stdout, "OK: "+thousands(int64(len(fix.events)))+" lines in "+formatInt(fix.files)+" files")
	},
	"auditlog verify --key-file audit.key ./keyed_logs": func(t *testing.T, _ string, r result) {
		require.Contains(t, r.stdout, "OK: 50 lines in 1 file,")
	},
	"auditlog tail ./audit_logs --status failure": nil, // run by TestExamples itself
	"auditlog export ./audit_logs --user alice --out alice.csv": func(t *testing.T, dir string, r result) {
		w := want(fix.events, logger.Filter{UserID: "alice", Ascending: true})
		require.Equal(t, ids(w), ids(readExported(t, filepath.Join(dir, "alice.csv"))))
		require.Contains(t, r.stdout, "exported "+formatInt(len(w))+" events to alice.csv")
	},
	"auditlog export ./audit_logs --since 2026-01-01 --until 2026-01-31 --out january.jsonl.gz": func(t *testing.T, dir string, _ result) {
		f := januaryFilter()
		f.Ascending = true
		got := readExported(t, filepath.Join(dir, "january.jsonl.gz"))
		require.Equal(t, ids(want(fix.events, f)), ids(got))
	},
	"auditlog import january.json sqlite://./audit.db": func(t *testing.T, dir string, r result) {
		jan := readExported(t, filepath.Join(fix.dir, "january.json"))
		n := thousands(int64(len(jan)))
		require.Equal(t, "imported "+n+" events into sqlite://./audit.db: "+n+" new, 0 already there\n", r.stdout)
		got := storeEvents(t, "sqlite://"+filepath.Join(dir, "audit.db"), logger.Filter{Ascending: true})
		require.Equal(t, ids(jan), ids(got))
	},
	"auditlog report ./audit_logs --month 2026-01 --html report.html": func(t *testing.T, dir string, r result) {
		b, err := os.ReadFile(filepath.Join(dir, "report.html"))
		require.NoError(t, err)
		require.Contains(t, string(b), "January 2026")
		require.Contains(t, r.stdout, "report.html")
	},
}

// storeEvents reads a store's events with the library.
func storeEvents(t *testing.T, url string, f logger.Filter) []logger.Event {
	t.Helper()
	s, err := store.Open(url)
	require.NoError(t, err)
	defer s.Close()
	evs, err := s.Query(context.Background(), f)
	require.NoError(t, err)
	return evs
}

// TestExamples runs every example of the help and the README, as
// written, in a folder that holds the fixture's files.
func TestExamples(t *testing.T) {
	for _, e := range examples {
		t.Run(e.line, func(t *testing.T) {
			check, ok := exampleChecks[e.line]
			require.True(t, ok, "no check for this example in exampleChecks")
			args := strings.Fields(e.line)
			require.Equal(t, "auditlog", args[0])
			require.NotContains(t, e.line, `"`)
			dir := exampleDir(t)
			if e.cmd == "tail" {
				runTailExample(t, dir, args[1:])
				return
			}
			check(t, dir, runIn(t, dir, args[1:]...).ok(t))
		})
	}
	for line := range exampleChecks {
		found := false
		for _, e := range examples {
			found = found || e.line == line
		}
		require.True(t, found, "a check for an example that is not in examples: %s", line)
	}
}

// exampleDir makes a folder for one example, with links to the fixture's
// files (their contents are never changed).
func exampleDir(t *testing.T) string {
	dir := t.TempDir()
	for _, name := range []string{"audit_logs", "keyed_logs", "audit.key", "audit.pub", "january.json", "audits"} {
		require.NoError(t, os.Symlink(filepath.Join(fix.dir, name), filepath.Join(dir, name)))
	}
	return dir
}

// runTailExample runs the tail example until it printed its backlog,
// then interrupts it, as Ctrl-C would.
func runTailExample(t *testing.T, dir string, args []string) {
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	require.NoError(t, cmd.Start())
	lines := newLineWaiter(out).waitFor(t, 10)
	require.NoError(t, cmd.Process.Signal(syscall.SIGINT))
	require.NoError(t, cmd.Wait(), stderr.String())

	w := want(fix.events, logger.Filter{Status: logger.StatusFailure, Limit: 10})
	var got []string
	for _, l := range lines {
		got = append(got, decodeLines(t, l)[0].ID)
	}
	for i, j := 0, len(w)-1; i < j; i, j = i+1, j-1 {
		w[i], w[j] = w[j], w[i]
	}
	require.Equal(t, ids(w), got, "the last 10 failures, oldest first")
}

// TestHelp checks that every command has help with its examples.
func TestHelp(t *testing.T) {
	root := runCLI(t, "--help").ok(t)
	for _, c := range []string{"query", "stats", "verify", "tail", "export", "import", "report"} {
		require.Regexp(t, `(?m)^  `+c+` `, root.stdout)
		r := runCLI(t, c, "--help").ok(t)
		require.Contains(t, r.stdout, "Usage:\n  auditlog "+c)
		for _, e := range examples {
			if e.cmd == c {
				require.Contains(t, r.stdout, "Examples:\n")
				require.Contains(t, r.stdout, "  # "+e.what+"\n  "+e.line+"\n")
			}
		}
	}
}

// TestREADME checks that the examples of the README's "Command line"
// section are those the tests run; -update rewrites them.
func TestREADME(t *testing.T) {
	path := filepath.Join("..", "..", "README.md")
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	start := strings.Index(string(b), "\n## Command line\n")
	require.GreaterOrEqual(t, start, 0, "no Command line section in %s", path)
	block := regexp.MustCompile("(?s)(```sh\n)(.*?)(```\n)")
	m := block.FindSubmatchIndex(b[start:])
	require.NotNil(t, m, "no ```sh block in the Command line section of %s", path)
	for i := range m {
		m[i] += start
	}
	var sb strings.Builder
	for i, e := range examples {
		if i > 0 {
			sb.WriteString("\n")
		}
		sb.WriteString("# " + e.what + "\n" + e.line + "\n")
	}
	if *update {
		out := append(append(append([]byte{}, b[:m[4]]...), sb.String()...), b[m[5]:]...)
		require.NoError(t, os.WriteFile(path, out, 0o644))
		return
	}
	require.Equal(t, sb.String(), string(b[m[4]:m[5]]), "run go test -run TestREADME -update")
}
