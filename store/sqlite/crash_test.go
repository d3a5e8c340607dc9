package sqlite_test

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/logger"
	"github.com/auditlog/auditlog/store"
	"github.com/auditlog/auditlog/store/sqlite"
	"github.com/auditlog/auditlog/store/storetest"
)

// The crash test: a child process saves a first batch, then a big one,
// and is killed (SIGKILL) in the middle of the big batch's transaction.
const (
	crashEnv   = "AUDITLOG_SQLITE_CRASH_DB" // the child's database file
	crashFirst = 1000                       // events in the committed batch
	crashBig   = 200_000                    // events in the batch being saved when killed
	crashAt    = 3000                       // the child says when it has inserted this many of them
	crashCache = 256                        // KiB of page cache: the big transaction spills to the WAL early
)

// crashEvents returns the events of the child: the first batch, then the
// big one. The big one's events are plain (no body to compress), so that
// the child, built with the race detector as the parent is, gets to its
// transaction quickly.
func crashEvents() (first, big []logger.Event) {
	first = storetest.Events(99, crashFirst)
	big = make([]logger.Event, crashBig)
	t := first[crashFirst-1].Time
	for i := range big {
		big[i] = logger.Event{
			ID: fmt.Sprintf("big-%06d", i), Seq: uint64(crashFirst + i + 1), Time: t.Add(time.Duration(i+1) * time.Millisecond),
			Operation: logger.OpRecall, Status: logger.StatusSuccess, UserID: fmt.Sprintf("user-%d", i%100),
			EntryIDs: []string{fmt.Sprintf("e%d", i%5000)},
		}
	}
	return first, big
}

// TestCrashHelper is the child of TestCrashMidBatch; run on its own, with
// no database named in the environment, it does nothing.
func TestCrashHelper(t *testing.T) {
	path := os.Getenv(crashEnv)
	if path == "" {
		return
	}
	sqlite.SetWriterCacheKiB(crashCache)
	s, err := sqlite.Open(path, sqlite.Options{})
	require.NoError(t, err)
	first, big := crashEvents()
	ctx := context.Background()
	require.NoError(t, s.Write(ctx, first))
	fmt.Println("committed")
	wal, err := os.Stat(path + "-wal")
	require.NoError(t, err)
	fmt.Printf("wal %d\n", wal.Size())
	// Inside the big Write's transaction, once it has inserted crashAt
	// events (and SQLite has spilled some of them to the WAL, the cache
	// being small), tell the parent, which kills this process.
	sqlite.SetWriteHook(func(n int) {
		if n == crashAt {
			fmt.Printf("inserted %d\n", n)
		}
	})
	fmt.Println("saving")
	require.NoError(t, s.Write(ctx, big))
	fmt.Println("saved") // only if the parent was too slow to kill
	require.NoError(t, s.Close())
}

// TestCrashMidBatch kills a process in the middle of a Write and checks
// that the batch is stored whole or not at all, and the file is sound.
func TestCrashMidBatch(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.db")
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashHelper$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashEnv+"="+path)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())

	lines := bufio.NewScanner(stdout)
	var said []string
	want := fmt.Sprintf("inserted %d", crashAt)
	for lines.Scan() {
		said = append(said, lines.Text())
		if lines.Text() == want {
			break
		}
	}
	if len(said) == 0 || said[len(said)-1] != want {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		t.Fatalf("the child ended before the big Write was under way: it said %q; stderr:\n%s", said, stderr.String())
	}
	require.Len(t, said, 4)
	require.Equal(t, "committed", said[0])
	var walCommitted int64
	_, err = fmt.Sscanf(said[1], "wal %d", &walCommitted)
	require.NoError(t, err, said[1])
	require.Equal(t, []string{"saving", want}, said[2:])
	require.NoError(t, cmd.Process.Kill()) // SIGKILL, in the middle of the transaction
	err = cmd.Wait()
	require.Error(t, err, "the child was killed")
	require.False(t, cmd.ProcessState.Success())
	wal, err := os.Stat(path + "-wal")
	require.NoError(t, err, "the killed process leaves its write-ahead log behind")
	t.Logf("killed after %d events of the big batch; WAL %d bytes, %d after the first batch", crashAt, wal.Size(), walCommitted)
	require.Greater(t, wal.Size(), walCommitted, "the big transaction had spilled pages to the WAL, uncommitted")

	// The file is sound: SQLite's own check, on a plain connection that
	// also recovers the WAL.
	db, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	var check string
	require.NoError(t, db.QueryRow("PRAGMA integrity_check").Scan(&check))
	require.NoError(t, db.Close())
	require.Equal(t, "ok", check)

	// And the big batch is there whole or not at all.
	s, err := sqlite.Open(path, sqlite.Options{})
	require.NoError(t, err)
	defer s.Close()
	ctx := context.Background()
	n, err := s.Count(ctx, logger.Filter{})
	require.NoError(t, err)
	if n != crashFirst && n != crashFirst+crashBig {
		t.Fatalf("after the crash the store holds %d events: neither the first batch (%d) nor both (%d)", n, crashFirst, crashFirst+crashBig)
	}
	t.Logf("after the crash: %d events", n)
	first, _ := crashEvents()
	first = store.Select(first, logger.Filter{Ascending: true}) // the store's order
	got, err := s.Query(ctx, logger.Filter{Ascending: true, Limit: crashFirst})
	require.NoError(t, err)
	require.Len(t, got, crashFirst)
	for i := range first {
		require.Equal(t, first[i].ID, got[i].ID)
	}
	// The store takes new events after the crash.
	more := storetest.Events(100, 10)
	for i := range more {
		more[i].ID += "-after"
	}
	require.NoError(t, s.Write(ctx, more))
	n2, err := s.Count(ctx, logger.Filter{})
	require.NoError(t, err)
	require.Equal(t, n+len(more), n2)
}
