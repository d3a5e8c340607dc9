package export_test

import (
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/export"
)

// fakeClock is a clock the test steps, for export.SetJournalClock.
type fakeClock struct{ ns atomic.Int64 }

func (c *fakeClock) now() time.Time  { return time.Unix(0, c.ns.Load()) }
func (c *fakeClock) set(t time.Time) { c.ns.Store(t.UnixNano()) }

// rotatedNames returns the names of the rotated files of dir in the
// order JournalFiles gives them, without the current file.
func rotatedNames(t *testing.T, dir string) []string {
	t.Helper()
	var names []string
	for _, p := range journalFiles(t, dir) {
		if filepath.Base(p) != export.JournalName {
			names = append(names, filepath.Base(p))
		}
	}
	return names
}

func nameAt(t time.Time) string {
	return "audit-" + t.UTC().Format("2006-01-02T15-04-05.000") + ".jsonl"
}

// TestJournalRotationNamesNeverGoBack: after the clock steps back, a
// rotated file is named after the last one, so the files keep the order
// of their lines and MaxBackups keeps the newest lines; after a restart,
// the names go on after the newest rotated file, but not after one named
// in the future (planted, or rotated while the clock ran ahead).
func TestJournalRotationNamesNeverGoBack(t *testing.T) {
	t0 := time.Date(2030, 5, 6, 7, 8, 9, 123e6, time.UTC)
	var clock fakeClock
	clock.set(t0)
	defer export.SetJournalClock(clock.now)()
	dir := t.TempDir()

	j := openJournal(t, export.JournalOptions{Dir: dir, MaxBackups: 2})
	write := func(j *export.Journal, i int) {
		_, err := j.Write(numbered(i, 1, 40))
		require.NoError(t, err)
	}
	write(j, 0)
	require.NoError(t, j.Rotate())
	clock.set(t0.Add(-time.Hour)) // the clock steps back
	write(j, 1)
	require.NoError(t, j.Rotate())
	write(j, 2)
	require.NoError(t, j.Rotate())
	write(j, 3)
	require.NoError(t, j.Close())
	export.Housekeep(j) // Close stops housekeeping; finish its pass
	require.Equal(t, []string{nameAt(t0.Add(time.Millisecond)), nameAt(t0.Add(2 * time.Millisecond))}, rotatedNames(t, dir),
		"named after the last rotation; MaxBackups kept the two newest")
	require.Equal(t, splitLines(numbered(1, 3, 40)), readJournal(t, dir), "the newest lines are kept, in order")

	// Restarted at the same millisecond: the next name is after the newest.
	clock.set(t0.Add(2 * time.Millisecond))
	j = openJournal(t, export.JournalOptions{Dir: dir})
	write(j, 4)
	require.NoError(t, j.Rotate())
	require.NoError(t, j.Close())
	require.Equal(t, nameAt(t0.Add(3*time.Millisecond)), rotatedNames(t, dir)[2])

	// A file named in the future is not taken as the last rotation.
	planted := filepath.Join(dir, nameAt(t0.Add(24*time.Hour)))
	require.NoError(t, os.WriteFile(planted, []byte("{}\n"), 0o600))
	clock.set(t0.Add(time.Minute))
	j = openJournal(t, export.JournalOptions{Dir: dir})
	write(j, 5)
	require.NoError(t, j.Rotate())
	require.NoError(t, j.Close())
	require.Equal(t, []string{
		nameAt(t0.Add(time.Millisecond)), nameAt(t0.Add(2 * time.Millisecond)), nameAt(t0.Add(3 * time.Millisecond)),
		nameAt(t0.Add(time.Minute)), nameAt(t0.Add(24 * time.Hour)),
	}, rotatedNames(t, dir))
}
