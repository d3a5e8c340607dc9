package main

import (
	"bytes"
	"compress/gzip"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/logger"
)

// gzipBomb writes a .jsonl.gz of a few hundred kilobytes that inflates to
// mb megabytes of events: gzip members of 1 MiB of events one after the
// other, which read as one stream.
func gzipBomb(t *testing.T, mb int) string {
	t.Helper()
	const line = `{"event_id":"e","timestamp":"2025-01-15T10:30:45Z","operation":"READ","user_id":"alice","metadata":{"k":"v"}}` + "\n"
	var member bytes.Buffer
	zw, err := gzip.NewWriterLevel(&member, gzip.BestCompression)
	require.NoError(t, err)
	_, err = zw.Write([]byte(strings.Repeat(line, 1<<20/len(line))))
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	path := filepath.Join(t.TempDir(), "bomb.jsonl.gz")
	require.NoError(t, os.WriteFile(path, bytes.Repeat(member.Bytes(), mb), 0o600))
	return path
}

// TestQueryFileBoundedMemory: a query with --limit, and stats, over an
// exported file of 60 KB that inflates to 16 MB hold a few batches of
// events at a time, not the file's events (which took 550 MB): the
// process's peak resident memory stays within 128 MB.
func TestQueryFileBoundedMemory(t *testing.T) {
	path := gzipBomb(t, 16)
	fi, err := os.Stat(path)
	require.NoError(t, err)
	t.Logf("%d bytes of gzip", fi.Size())
	if runtime.GOOS != "linux" {
		t.Skip("peak resident memory in kilobytes is Linux's getrusage")
	}
	for _, args := range [][]string{
		{"query", "--limit", "1", path},
		{"stats", path},
	} {
		// The child starts as a copy of this process (vfork), whose peak
		// is counted as the child's: count from there.
		var self syscall.Rusage
		require.NoError(t, syscall.Getrusage(syscall.RUSAGE_SELF, &self))
		cmd := exec.Command(bin, args...)
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		require.NoError(t, cmd.Run(), errb.String())
		peak := cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss << 10
		grown := peak - self.Maxrss<<10
		t.Logf("%s: peak resident memory %d MB, %d MB above this process's", args[0], peak>>20, grown>>20)
		require.Less(t, grown, int64(128<<20), "%s: peak resident memory", args[0])
		if args[0] == "query" {
			require.Equal(t, 1, strings.Count(out.String(), "\n"), out.String())
			require.Contains(t, out.String(), `"event_id":"e"`)
		}
	}
}

// TestImportWithoutTimestamp: events without a timestamp, in JSON Lines
// and in CSV, are imported with the time of the import, as Log stamps
// them; and query shows them.
func TestImportWithoutTimestamp(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"nt.jsonl": `{"event_id":"nt-1","operation":"store"}` + "\n",
		"nt.csv":   "event_id,timestamp,operation\nnt-1,,store\n",
	}
	for name, content := range files {
		t.Run(name, func(t *testing.T) {
			require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600))
			q := decodeLines(t, runIn(t, dir, "query", name).ok(t).stdout)
			require.Len(t, q, 1)
			require.Equal(t, "nt-1", q[0].ID)

			url := "file://" + filepath.Join(dir, name+".store")
			before := time.Now()
			runIn(t, dir, "import", name, url).ok(t)
			after := time.Now()
			got := storeEvents(t, url, logger.Filter{})
			require.Len(t, got, 1)
			require.Equal(t, "nt-1", got[0].ID)
			require.Equal(t, logger.OpStore, got[0].Operation)
			require.False(t, got[0].Time.Before(before.Truncate(time.Millisecond)), got[0].Time)
			require.False(t, got[0].Time.After(after), got[0].Time)
		})
	}
}
