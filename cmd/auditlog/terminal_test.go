//go:build unix

package main

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/creack/pty"
	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/logger"
)

// ttyRun runs the binary in the fixture's folder with standard output
// (stdoutTTY) and standard error (stderrTTY) on a pseudo-terminal of 200
// columns, or on pipes, and returns what each got; a terminal's "\r\n"
// is read as "\n".
func ttyRun(t *testing.T, stdoutTTY, stderrTTY bool, args ...string) (stdout, stderr string) {
	t.Helper()
	ptmx, tty, err := pty.Open()
	require.NoError(t, err)
	defer ptmx.Close()
	require.NoError(t, pty.Setsize(ptmx, &pty.Winsize{Rows: 50, Cols: 200}))

	var term bytes.Buffer
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		_, err := io.Copy(&term, ptmx)
		var pe *os.PathError
		if err != nil && !(errors.As(err, &pe) && errors.Is(pe.Err, syscall.EIO)) {
			t.Errorf("reading the terminal: %v", err)
		}
	}()

	cmd := exec.Command(bin, args...)
	cmd.Dir = fix.dir
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if stdoutTTY {
		cmd.Stdout = tty
	}
	if stderrTTY {
		cmd.Stderr = tty
	}
	runErr := cmd.Run()
	tty.Close() // the reader sees EIO once the terminal is drained
	wg.Wait()
	require.NoError(t, runErr, "stderr: %s %s", errb.String(), term.String())

	got := strings.ReplaceAll(term.String(), "\r\n", "\n")
	stdout, stderr = out.String(), errb.String()
	if stdoutTTY {
		stdout = got
	}
	if stderrTTY {
		stderr = got
	}
	return stdout, stderr
}

// TestTerminalTable: on a terminal, query prints a table by default; -format
// jsonl still gives JSON Lines; stats prints tables.
func TestTerminalTable(t *testing.T) {
	f := logger.Filter{UserID: "carol", Operation: logger.OpForget, Limit: 15}
	w := want(fix.events, f)
	require.Len(t, w, 15)

	out, _ := ttyRun(t, true, false, "query", "audit_logs", "--user", "carol", "--op", "forget", "--limit", "15")
	requireTable(t, out, w)

	out, _ = ttyRun(t, true, false, "query", "audit_logs", "--user", "carol", "--op", "forget", "--limit", "15", "--format", "jsonl")
	require.Equal(t, ids(w), ids(decodeLines(t, out)))

	out, _ = ttyRun(t, true, false, "stats", "audit_logs", "--since", "2026-01-01", "--until", "2026-01-31")
	require.Regexp(t, `(?m)^OPERATION +EVENTS +SHARE +FAILURES +AVG MS +MIN MS +MAX MS$`, out)
	require.Regexp(t, `(?m)^2026-01-20 +0 +no events$`, out)
}

// TestProgressBar: reading a journal of more than progressFiles files
// with standard error on a terminal draws a bar there, which ends at
// 100%; piped, standard error stays empty (TestQueryNoProgressInPipe);
// --no-progress turns the bar off.
func TestProgressBar(t *testing.T) {
	for _, args := range [][]string{
		{"query", "audit_logs", "--limit", "1"},
		{"stats", "audit_logs"},
		{"export", "audit_logs", "--out", "-"},
		{"verify", "audit_logs"},
	} {
		t.Run(args[0], func(t *testing.T) {
			out, errs := ttyRun(t, false, true, args...)
			require.NotEmpty(t, out)
			if args[0] == "verify" {
				require.Contains(t, errs, "verifying "+formatInt(fix.files)+" files")
			} else {
				require.Contains(t, errs, "reading "+formatInt(fix.files)+" files")
				require.Contains(t, errs, "100%")
			}
			require.True(t, strings.HasSuffix(errs, "\n"), "the bar's line is ended: %q", errs)

			_, errs = ttyRun(t, false, true, append(args, "--no-progress")...)
			require.Empty(t, errs)
		})
	}
	t.Run("few files", func(t *testing.T) {
		_, errs := ttyRun(t, false, true, "query", "keyed_logs")
		require.Empty(t, errs)
	})
}
