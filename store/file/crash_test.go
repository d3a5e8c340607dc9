package file

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/logger"
	"github.com/auditlog/auditlog/store/storetest"
)

// The crash test runs this test binary again as a child that saves to a
// folder and is killed (SIGKILL) while it writes.
const (
	crashDirEnv   = "AUDITLOG_FILE_CRASH_DIR"
	crashRoundEnv = "AUDITLOG_FILE_CRASH_ROUND"
	crashSignal   = "writing the big batch"
)

var pad = strings.Repeat("0123456789abcdef", 2048) // 32 KiB

// crashBatches returns the events the child of round saves: a first
// batch, saved and committed, then a big one (about 60 MiB over a few
// dozen partitions), during whose writes the child is killed.
func crashBatches(round int) (first, big []logger.Event) {
	first = storetest.Events(uint64(100+round), 200)
	big = storetest.Events(uint64(200+round), 2000)
	for i := range big {
		big[i].Description = fmt.Sprintf("%d %s", i, pad)
	}
	return first, big
}

// TestCrashHelper is the child of TestCrash; run on its own it does
// nothing.
func TestCrashHelper(t *testing.T) {
	dir := os.Getenv(crashDirEnv)
	if dir == "" {
		return
	}
	round, err := strconv.Atoi(os.Getenv(crashRoundEnv))
	require.NoError(t, err)
	first, big := crashBatches(round)
	s, err := Open(dir, Options{PartitionBy: "resource_name", SegmentBytes: 16 << 20})
	require.NoError(t, err)
	require.NoError(t, s.Write(context.Background(), first))
	beforeWrite = func() {
		// The big batch is encoded: its writes come next.
		fmt.Println(crashSignal)
	}
	require.NoError(t, s.Write(context.Background(), big))
	// Killed before this, most of the time; if not, stop without Close
	// all the same.
	fmt.Println("saved")
}

// TestCrash kills a child mid-Write, three times over the same folder,
// and checks after each: the folder opens (repairing any torn line),
// every event it holds is whole and equal to the one saved, every first
// batch is there, and Write still works.
func TestCrash(t *testing.T) {
	dir := t.TempDir()
	want := map[string]logger.Event{} // every event any child may have saved
	var firsts []string
	var later []logger.Event
	for round := range 3 {
		first, big := crashBatches(round)
		for _, ev := range append(append([]logger.Event(nil), first...), big...) {
			want[ev.ID] = ev
		}
		for _, ev := range first {
			firsts = append(firsts, ev.ID)
		}

		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashHelper$", "-test.count=1")
		cmd.Env = append(os.Environ(), crashDirEnv+"="+dir, crashRoundEnv+"="+strconv.Itoa(round))
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.StdoutPipe()
		require.NoError(t, err)
		require.NoError(t, cmd.Start())
		sc := bufio.NewScanner(out)
		signaled := false
		for sc.Scan() {
			if sc.Text() == crashSignal {
				signaled = true
				break
			}
		}
		if !signaled {
			_ = cmd.Wait()
			t.Fatalf("the child stopped before its big Write: %v\n%s", cmd.ProcessState, stderr.String())
		}
		require.NoError(t, cmd.Process.Kill())
		_ = cmd.Wait() // killed, or done just before
		t.Logf("round %d: child %v", round, cmd.ProcessState)

		s, err := Open(dir, Options{PartitionBy: "resource_name"})
		require.NoError(t, err)
		t.Logf("round %d: Open cut the torn last line of %d segments", round, s.repaired)
		got, err := s.Query(context.Background(), logger.Filter{Ascending: true})
		require.NoError(t, err)
		seen := map[string]bool{}
		bigKept := 0
		for _, g := range got {
			w, ok := want[g.ID]
			require.True(t, ok, "an event no one saved: %q", g.ID)
			require.False(t, seen[g.ID], "event %s twice", g.ID)
			seen[g.ID] = true
			require.True(t, w.Time.Equal(g.Time))
			g.Time = w.Time
			require.Equal(t, w, g)
			if len(g.Description) > len(pad) {
				bigKept++
			}
		}
		for _, id := range firsts {
			require.True(t, seen[id], "event %s of a committed batch is missing", id)
		}
		for _, ev := range later {
			require.True(t, seen[ev.ID], "event %s saved after a crash is missing", ev.ID)
		}
		t.Logf("round %d: %d events of the big batches so far read back whole", round, bigKept)

		// The segments are whole JSON Lines again.
		for _, seg := range segmentFiles(t, dir) {
			b, err := os.ReadFile(seg)
			require.NoError(t, err)
			require.True(t, len(b) == 0 || b[len(b)-1] == '\n', "%s ends with a torn line", seg)
		}

		more := storetest.Events(uint64(300+round), 40)
		for i := range more {
			more[i].ID += "-after-crash"
			want[more[i].ID] = more[i]
		}
		require.NoError(t, s.Write(context.Background(), more), "Write after a crash")
		later = append(later, more...)
		n, err := s.Count(context.Background(), logger.Filter{})
		require.NoError(t, err)
		require.Equal(t, len(got)+len(more), n)
		require.NoError(t, s.Close())
	}
}
