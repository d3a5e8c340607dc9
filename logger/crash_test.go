package logger_test

import (
	"bufio"
	"cmp"
	"context"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/export"
	"github.com/auditlog/auditlog/logger"
)

// crashChildEnv names the journal folder of the child process that
// TestCrashRecovery starts from the test binary itself.
const crashChildEnv = "AUDITLOG_CRASH_CHILD_DIR"

// TestCrashRecovery kills a process that logs continuously with SIGKILL,
// then checks that every event a completed Sync acknowledged survives,
// in order, and that the journal verifies apart from a torn last line.
func TestCrashRecovery(t *testing.T) {
	if dir := os.Getenv(crashChildEnv); dir != "" {
		crashChild(dir)
		return
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashRecovery$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+dir)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	// The child prints "synced N" after each Sync that returned nil: N
	// events, numbered 0..N-1, are acknowledged. Kill it mid-stream.
	acked := 0
	sc := bufio.NewScanner(out)
	for syncs := 0; syncs < 30 && sc.Scan(); {
		if n, ok := strings.CutPrefix(sc.Text(), "synced "); ok {
			acked, err = strconv.Atoi(n)
			require.NoError(t, err)
			syncs++
		}
	}
	require.NoError(t, cmd.Process.Kill()) // SIGKILL: no Close, no deferred code
	_ = cmd.Wait()                         // "signal: killed" is the point
	require.Positive(t, acked)
	t.Logf("child killed after %d acknowledged events", acked)

	r, err := export.Verify(dir, nil)
	require.NoError(t, err)
	require.True(t, r.OK(), "problems: %v", r.Problems)
	if r.Torn != nil {
		t.Logf("torn last line reported: %v", *r.Torn)
	}

	l, err := logger.New(logger.Options{MaxEvents: 1 << 20, Journal: &logger.JournalOptions{Dir: dir, Recover: true}})
	require.NoError(t, err)
	events := l.Query(logger.Filter{Ascending: true})
	slices.SortFunc(events, func(a, b logger.Event) int { return cmp.Compare(a.Seq, b.Seq) }) // Ascending is by time
	require.GreaterOrEqual(t, len(events), acked)
	for i, ev := range events {
		require.Equal(t, uint64(i+1), ev.Seq)
		require.Equal(t, float64(i), ev.Metadata["i"], "event %d", i)
	}
	require.NoError(t, l.Log(context.Background(), logger.Event{Operation: logger.OpRecall}))
	require.NoError(t, l.Close())
	r = requireVerifies(t, dir, nil)
	require.Nil(t, r.Torn, "recovery cuts the torn line off")
	require.Equal(t, uint64(len(events)+1), r.LastSeq)
}

// crashChild logs until it is killed, calling Sync every 100 events and
// reporting each acknowledged count on stdout.
func crashChild(dir string) {
	l, err := logger.New(logger.Options{Journal: &logger.JournalOptions{Dir: dir, MaxSizeMB: 1}})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	for i := 0; ; i++ {
		ev := logger.Event{Operation: logger.OpStore, UserID: "crash", Metadata: map[string]any{"i": i, "pad": strings.Repeat("p", 100)}}
		if err := l.Log(context.Background(), ev); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		if (i+1)%100 == 0 {
			if err := l.Sync(); err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(2)
			}
			fmt.Printf("synced %d\n", i+1)
		}
	}
}
