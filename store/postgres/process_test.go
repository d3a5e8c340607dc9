//go:build postgres

package postgres_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/logger"
	"github.com/auditlog/auditlog/store"
	"github.com/auditlog/auditlog/store/storetest"
)

// The processes test: three copies of this test binary write one table
// at once, each through a logger of its own, each also writing again
// stretches of another's events, as a sink redelivers after a failure.
const (
	writerEnv     = "AUDITLOG_POSTGRES_WRITER" // the child's number, 0 to 2
	writerSchema  = "t_processes"
	perProcess    = 4000
	redeliverEach = 400
)

// processEvents returns the events process i logs.
func processEvents(i int) []logger.Event {
	evs := storetest.Events(uint64(200+i), perProcess)
	for j := range evs {
		evs[j].ID = fmt.Sprintf("%s-P%d", evs[j].ID, i)
	}
	return evs
}

// TestWriterProcess is a child of TestProcessesWriteOnce; run on its own,
// with no writer named in the environment, it does nothing.
func TestWriterProcess(t *testing.T) {
	v := os.Getenv(writerEnv)
	if v == "" {
		return
	}
	i, err := strconv.Atoi(v)
	require.NoError(t, err)
	s, err := store.Open(withParams(t, "schema", writerSchema))
	require.NoError(t, err)
	defer s.Close()
	l, err := logger.New(logger.Options{MaxEvents: 100, Stores: []logger.Store{s}})
	require.NoError(t, err)
	ctx := context.Background()
	// Ready; wait for the parent's word (stdin closed), so that the three
	// start writing together.
	fmt.Println("ready")
	_, _ = io.Copy(io.Discard, os.Stdin)
	mine, next := processEvents(i), processEvents((i+1)%3)
	for j := range mine {
		require.NoError(t, l.Log(ctx, mine[j]))
		if j%redeliverEach == redeliverEach-1 {
			require.NoError(t, s.Write(ctx, next[j+1-redeliverEach:j+1]))
		}
	}
	require.NoError(t, l.FlushSinks(ctx))
	require.Equal(t, int64(perProcess), l.Statistics().Sinks[0].DeliveredEvents, "the store took every event")
	require.NoError(t, l.Close())
	fmt.Println("done")
}

func TestProcessesWriteOnce(t *testing.T) {
	serverURL(t)
	dropLater(t, writerSchema)
	// The table exists before the children start: their Opens race on
	// it in TestOpenConcurrently; here their writes do.
	s := openSchema(t, writerSchema)
	require.NoError(t, s.Close())

	type child struct {
		cmd    *exec.Cmd
		stdin  io.WriteCloser
		out    *bufio.Scanner
		stderr *strings.Builder
	}
	children := make([]child, 3)
	for i := range children {
		c := &children[i]
		c.cmd = exec.Command(os.Args[0], "-test.run=^TestWriterProcess$", "-test.count=1", "-test.v")
		c.cmd.Env = append(os.Environ(), writerEnv+"="+strconv.Itoa(i))
		c.stderr = &strings.Builder{}
		c.cmd.Stderr = c.stderr
		var err error
		c.stdin, err = c.cmd.StdinPipe()
		require.NoError(t, err)
		stdout, err := c.cmd.StdoutPipe()
		require.NoError(t, err)
		c.out = bufio.NewScanner(stdout)
		require.NoError(t, c.cmd.Start())
		t.Cleanup(func() { _ = c.cmd.Process.Kill(); _ = c.cmd.Wait() })
	}
	said := func(c *child, want string) []string {
		var lines []string
		for c.out.Scan() {
			lines = append(lines, c.out.Text())
			if c.out.Text() == want {
				return lines
			}
		}
		return lines
	}
	for i := range children {
		lines := said(&children[i], "ready")
		require.Contains(t, lines, "ready", "child %d: %s\n%s", i, strings.Join(lines, "\n"), children[i].stderr)
	}
	for i := range children {
		require.NoError(t, children[i].stdin.Close())
	}
	for i := range children {
		c := &children[i]
		lines := said(c, "done")
		require.Contains(t, lines, "done", "child %d: %s\n%s", i, strings.Join(lines, "\n"), c.stderr)
		for c.out.Scan() {
			lines = append(lines, c.out.Text())
		}
		require.NoError(t, c.cmd.Wait(), "child %d: %s\n%s", i, strings.Join(lines, "\n"), c.stderr)
	}
	ids := map[string]bool{}
	for i := range 3 {
		for _, ev := range processEvents(i) {
			ids[ev.ID] = true
		}
	}
	requireOnce(t, writerSchema, ids)
}
