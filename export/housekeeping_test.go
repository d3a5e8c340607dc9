package export_test

import (
	"os"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/export"
	"github.com/auditlog/auditlog/internal/failpoint"
)

// OpenJournal removes and compresses nothing until StartHousekeeping (or
// the first Write), so a caller can read the journal back first without
// a file going away under it.
func TestJournalHousekeepingWaitsForStart(t *testing.T) {
	dir := t.TempDir()
	old := backupPath(dir, time.Now().UTC().Add(-2*time.Hour).Format("2006-01-02T15-04-05.000"))
	require.NoError(t, os.WriteFile(old, numbered(1, 1, 40), 0o600))
	var tidied atomic.Int32
	done := make(chan struct{}, 1)
	defer failpoint.Enable(export.FailTidy, func() error {
		tidied.Add(1)
		select {
		case done <- struct{}{}:
		default:
		}
		return nil
	})()
	opts := export.JournalOptions{Dir: dir, MaxAge: time.Hour}

	j, _, err := export.OpenJournal(opts)
	require.NoError(t, err)
	require.Equal(t, splitLines(numbered(1, 1, 40)), readJournal(t, dir))
	require.NoError(t, j.Close())
	require.Zero(t, tidied.Load(), "no pass before StartHousekeeping")
	require.FileExists(t, old)

	j, _, err = export.OpenJournal(opts)
	require.NoError(t, err)
	j.StartHousekeeping()
	j.StartHousekeeping() // once is enough
	<-done
	require.NoError(t, j.Close()) // waits for the file in progress
	require.NoFileExists(t, old)
}

// Close waits for the file being compressed, not for the rest of the
// pass: the files left are compressed by the next journal's pass.
func TestJournalCloseStopsHousekeeping(t *testing.T) {
	dir := t.TempDir()
	const n = 5
	for i := range n {
		p := backupPath(dir, time.Date(2001, 2, 3, 4, 5, i, 0, time.UTC).Format("2006-01-02T15-04-05.000"))
		require.NoError(t, os.WriteFile(p, numbered(i, 100, 100), 0o600))
	}
	j, _, err := export.OpenJournal(export.JournalOptions{Dir: dir, Compress: true})
	require.NoError(t, err)
	var calls, afterClose atomic.Int32
	started := make(chan struct{})
	defer failpoint.Enable(export.FailTidy, func() error {
		if calls.Add(1) == 1 {
			close(started)
			for !export.Stopping(j) { // the first file is in progress when Close is called
				runtime.Gosched()
			}
			return nil
		}
		afterClose.Add(1)
		return nil
	})()
	j.StartHousekeeping()
	<-started
	require.NoError(t, j.Close())
	require.Zero(t, afterClose.Load(), "files started after Close")
	gz := 0
	for _, name := range dirNames(t, dir) {
		if strings.HasSuffix(name, ".gz") {
			gz++
		}
	}
	require.Equal(t, 1, gz, "only the file in progress was compressed: %v", dirNames(t, dir))

	j, _, err = export.OpenJournal(export.JournalOptions{Dir: dir, Compress: true})
	require.NoError(t, err)
	require.NoError(t, j.Close())
	export.Housekeep(j)
	files, err := export.JournalFiles(dir)
	require.NoError(t, err)
	for _, f := range files[:n] {
		require.True(t, f.Gzip, f.Path)
	}
}
