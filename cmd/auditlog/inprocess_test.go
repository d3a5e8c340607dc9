package main

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/auditlog/auditlog/logger"
)

// TestInProcess runs commands in the test's own process, so that the race
// detector (go test -race) watches the parallel reading of the journal's
// files, and goleak checks that every goroutine it starts has ended.
func TestInProcess(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	journal := filepath.Join(fix.dir, "audit_logs")
	inProcess := func(args ...string) (string, string, int) {
		var out, errb bytes.Buffer
		code := run(context.Background(), args, &out, &errb, false, false)
		return out.String(), errb.String(), code
	}

	out, errs, code := inProcess("query", journal, filepath.Join(fix.dir, "january.json"), "--user", "alice", "--limit", "30")
	require.Equal(t, 0, code, errs)
	got := decodeLines(t, out)
	require.Len(t, got, 30)
	require.Equal(t, want(fix.events, logger.Filter{UserID: "alice", Limit: 1})[0].ID, got[0].ID)

	out, errs, code = inProcess("stats", journal)
	require.Equal(t, 0, code, errs)
	require.EqualValues(t, len(fix.events), decodeStats(t, out).TotalEvents)

	// An error in one file while the others are read stops them all.
	_, errs, code = inProcess("query", journal, filepath.Join(fix.dir, "no_such_file"))
	require.Equal(t, 1, code)
	require.Contains(t, errs, "no such file")

	// A cancelled run ends, and says so.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var outb, errb bytes.Buffer
	require.Equal(t, 1, run(ctx, []string{"stats", journal}, &outb, &errb, false, false))
	require.Equal(t, "auditlog: interrupted\n", errb.String())
}
