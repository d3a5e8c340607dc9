//go:build unix

package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/export"
	"github.com/auditlog/auditlog/logger"
)

// tailer is a running auditlog tail.
type tailer struct {
	cmd    *exec.Cmd
	lines  *lineWaiter
	stderr *strings.Builder
}

func startTail(t *testing.T, args ...string) *tailer {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"tail"}, args...)...)
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	tl := &tailer{cmd: cmd, stderr: &strings.Builder{}}
	cmd.Stderr = tl.stderr
	require.NoError(t, cmd.Start())
	tl.lines = newLineWaiter(out)
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill() // the test failed before stopping it
			_ = cmd.Wait()
		}
	})
	return tl
}

// stop interrupts the tail, as Ctrl-C does, and requires exit status 0.
func (tl *tailer) stop(t *testing.T) {
	t.Helper()
	require.NoError(t, tl.cmd.Process.Signal(syscall.SIGINT))
	require.NoError(t, tl.cmd.Wait(), tl.stderr.String())
}

// TestTail follows a journal that a logger writes, across rotations and
// compression, with several rotations between two polls, and prints each
// matching event once, in the journal's order.
func TestTail(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "j")
	jo := logger.JournalOptions{Dir: dir, MaxSizeMB: 1, Compress: true}
	l, err := logger.New(logger.Options{MaxEvents: 100, Journal: &jo})
	require.NoError(t, err)
	defer func() { l.Close() }()
	ctx := context.Background()
	next := 0
	logN := func(n int) {
		for range n {
			require.NoError(t, l.Log(ctx, fixtureEvent(next, january.Add(time.Duration(next)*time.Second))))
			next++
		}
		require.NoError(t, l.Flush(ctx))
	}
	logN(40)

	tl := startTail(t, dir, "--user", "alice", "-n", "5", "--interval", "5ms")
	got := tl.lines.waitFor(t, 5)

	// The backlog is the last 5 of alice's 10 events, oldest first.
	journal := func() []logger.Event {
		evs, err := readJournal(dir)
		require.NoError(t, err)
		return want(evs, logger.Filter{UserID: "alice", Ascending: true})
	}
	alice := journal()
	require.Greater(t, len(alice), 5)
	skip := len(alice) - 5
	require.Equal(t, ids(alice[skip:]), lineIDs(t, got))

	// New events, within the current file.
	logN(400)
	got = tl.lines.waitFor(t, len(journal())-skip)
	require.Equal(t, ids(journal()[skip:]), lineIDs(t, got))

	// Stopped, the tail misses several rotations and compressions (the
	// file it holds open among them); once it runs again it reads the
	// files it missed. Then the logger restarts on the same journal.
	require.NoError(t, tl.cmd.Process.Signal(syscall.SIGSTOP))
	logN(5000)
	require.NoError(t, l.Close())
	require.NoError(t, compressJournal(dir))
	files, err := export.JournalFiles(dir)
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(files), 6, "rotated several times")
	for _, f := range files[:len(files)-1] {
		require.True(t, f.Gzip, f.Path)
	}
	l, err = logger.New(logger.Options{MaxEvents: 100, Journal: &jo})
	require.NoError(t, err)
	require.NoError(t, tl.cmd.Process.Signal(syscall.SIGCONT))
	got = tl.lines.waitFor(t, len(journal())-skip)
	require.Equal(t, ids(journal()[skip:]), lineIDs(t, got))

	// And a few more, which it reads as they come.
	logN(40)
	want := journal()[skip:]
	got = tl.lines.waitFor(t, len(want))
	tl.stop(t)
	require.Equal(t, ids(want), lineIDs(t, got), "every event once, in order")
	require.Empty(t, tl.stderr.String())
}

// TestTailTable: the rows of tail's table, and -n 0 prints only what
// comes after it started.
func TestTailTable(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "j")
	l, err := logger.New(logger.Options{Journal: &logger.JournalOptions{Dir: dir}})
	require.NoError(t, err)
	defer l.Close()
	ctx := context.Background()
	for i := range 8 {
		require.NoError(t, l.Log(ctx, fixtureEvent(i, january)))
	}
	require.NoError(t, l.Flush(ctx))

	tl := startTail(t, dir, "-n", "0", "--format", "table", "--interval", "5ms", "--op", "recall")
	header := tl.lines.waitFor(t, 1)[0]
	require.Regexp(t, `^TIME +SEQ +OPERATION +STATUS +USER +RESOURCE +DURATION +DETAIL$`, header)
	require.NoError(t, l.Log(ctx, fixtureEvent(1, january.Add(time.Hour)))) // a RECALL
	require.NoError(t, l.Flush(ctx))
	rows := tl.lines.waitFor(t, 2)
	tl.stop(t)
	require.Len(t, rows, 2)
	require.Regexp(t, `^2026-01-01T01:00:00.000Z +9 +RECALL +SUCCESS +bob +memory/m-1 +2 ms +event 1: lorem`, rows[1])
}

// lineIDs decodes the JSON lines of tail and lists their IDs.
func lineIDs(t *testing.T, lines []string) []string {
	t.Helper()
	return ids(decodeLines(t, strings.Join(lines, "\n")))
}

// TestTailRefusesPlanted: an audit.jsonl planted in the folder as a FIFO
// or as a link to another file is refused, named, rather than followed
// (the link) or waited on forever (the FIFO).
func TestTailRefusesPlanted(t *testing.T) {
	dir := t.TempDir()
	victim := filepath.Join(dir, "victim.jsonl")
	require.NoError(t, os.WriteFile(victim, []byte(`{"event_id":"secret","operation":"READ"}`+"\n"), 0o600))
	for name, plant := range map[string]func(string) error{
		"fifo":    func(p string) error { return syscall.Mkfifo(p, 0o600) },
		"symlink": func(p string) error { return os.Symlink(victim, p) },
	} {
		t.Run(name, func(t *testing.T) {
			j := filepath.Join(dir, name)
			require.NoError(t, os.Mkdir(j, 0o700))
			require.NoError(t, plant(filepath.Join(j, export.JournalName)))
			tl := startTail(t, j, "--format", "jsonl")
			select {
			case <-tl.lines.done: // its output ends: it exited
			case <-time.After(time.Minute):
				t.Fatal("tail still runs: it waits on the planted file")
			}
			require.Error(t, tl.cmd.Wait())
			require.Contains(t, tl.stderr.String(), filepath.Join(j, export.JournalName))
			require.Contains(t, tl.stderr.String(), "not a regular file")
			require.NotContains(t, tl.stderr.String(), "secret")
			require.Empty(t, tl.lines.lines, "printed nothing")
		})
	}
}
