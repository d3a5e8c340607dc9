//go:build unix

package export_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/export"
)

// plantVictim creates a file outside any journal folder, with a last line
// that has no newline (which OpenJournal would cut from a journal file),
// and returns its path and a check that it is byte for byte, and mode
// for mode, as it was.
func plantVictim(t *testing.T) (string, func()) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "victim")
	const content = "root:x:0:0:root:/root:/bin/sh\nlast line without newline"
	require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
	require.NoError(t, os.Chmod(path, 0o644))
	return path, func() {
		t.Helper()
		b, err := os.ReadFile(path)
		require.NoError(t, err)
		require.Equal(t, content, string(b), "the file outside the folder is unchanged")
		requireMode(t, path, 0o644)
	}
}

// errorsSeen collects what a journal reports through OnError.
type errorsSeen struct {
	mu   sync.Mutex
	errs []error
}

func (e *errorsSeen) add(err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.errs = append(e.errs, err)
}

func (e *errorsSeen) all() []error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]error(nil), e.errs...)
}

func TestJournalRefusesSymlinkedFile(t *testing.T) {
	victim, unchanged := plantVictim(t)
	dir := t.TempDir()
	path := filepath.Join(dir, export.JournalName)
	require.NoError(t, os.Symlink(victim, path))

	_, _, err := export.OpenJournal(export.JournalOptions{Dir: dir})
	require.ErrorIs(t, err, export.ErrNotRegular)
	require.Contains(t, err.Error(), path)
	unchanged()
}

func TestJournalRefusesHardLinkedFile(t *testing.T) {
	victim, unchanged := plantVictim(t)
	dir := t.TempDir()
	path := filepath.Join(dir, export.JournalName)
	require.NoError(t, os.Link(victim, path))

	_, _, err := export.OpenJournal(export.JournalOptions{Dir: dir})
	require.ErrorIs(t, err, export.ErrHardLinked)
	require.Contains(t, err.Error(), path)
	unchanged()
}

func TestJournalRefusesWhatIsPlantedWhileOpen(t *testing.T) {
	victim, unchanged := plantVictim(t)
	for _, tc := range []struct {
		name  string
		plant func(path string) error
	}{
		{"symlink", func(p string) error { return os.Symlink(victim, p) }},
		{"FIFO", func(p string) error { return syscall.Mkfifo(p, 0o600) }},
		{"hard link", func(p string) error { return os.Link(victim, p) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, export.JournalName)
			j := openJournal(t, export.JournalOptions{Dir: dir})
			_, err := j.Write(numbered(1, 2, 40))
			require.NoError(t, err)

			// Someone with write access to the folder replaces the
			// current file.
			require.NoError(t, os.Remove(path))
			require.NoError(t, tc.plant(path))
			refused := func(err error) bool {
				return errors.Is(err, export.ErrNotRegular) || errors.Is(err, export.ErrHardLinked)
			}
			for range 3 {
				_, err = j.Write(numbered(3, 1, 40))
				require.True(t, refused(err), "%v", err)
				require.Contains(t, err.Error(), path)
			}
			require.True(t, refused(j.Rotate()))
			require.True(t, refused(j.Sync()))
			unchanged()

			// Once it is gone, the journal starts a new file.
			require.NoError(t, os.Remove(path))
			_, err = j.Write(numbered(3, 1, 40))
			require.NoError(t, err)
			require.NoError(t, j.Close())
			require.Equal(t, splitLines(numbered(3, 1, 40)), readJournal(t, dir))
			unchanged()
		})
	}
}

func TestJournalRefusesFIFO(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, export.JournalName)
	require.NoError(t, syscall.Mkfifo(path, 0o600))
	_, _, err := export.OpenJournal(export.JournalOptions{Dir: dir})
	require.ErrorIs(t, err, export.ErrNotRegular)
	require.Contains(t, err.Error(), path)
	require.Contains(t, err.Error(), "FIFO")
}

func TestJournalRefusesFolderWritableByOthers(t *testing.T) {
	for _, mode := range []os.FileMode{0o777, 0o770, os.ModeSticky | 0o777} {
		t.Run(mode.String(), func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "journal")
			require.NoError(t, os.Mkdir(dir, 0o700))
			require.NoError(t, os.Chmod(dir, mode))
			_, _, err := export.OpenJournal(export.JournalOptions{Dir: dir})
			require.ErrorIs(t, err, export.ErrUnsafeDir)
			require.Contains(t, err.Error(), dir)
			fi, err := os.Stat(dir)
			require.NoError(t, err)
			require.Equal(t, mode, fi.Mode()&(os.ModePerm|os.ModeSticky), "refused, not changed")
			require.Empty(t, dirNames(t, dir), "nothing created in it")
		})
	}
}

func TestJournalCompressNeverFollowsPlantedLinks(t *testing.T) {
	victim, unchanged := plantVictim(t)
	dir := t.TempDir()
	var seen errorsSeen
	opts := export.JournalOptions{Dir: dir, Compress: true, OnError: seen.add}

	// A rotated file a crash left uncompressed, with links planted at its
	// temporary and compressed names.
	old := backupPath(dir, "2001-02-03T04-05-06.789")
	require.NoError(t, os.WriteFile(old, numbered(1, 3, 50), 0o600))
	require.NoError(t, os.Symlink(victim, old+".gz.tmp"))
	// A rotated file's name on a link to the victim: not compressed (which
	// would read the victim into the folder), not removed.
	linked := backupPath(dir, "2002-02-03T04-05-06.789")
	require.NoError(t, os.Symlink(victim, linked))

	j, _, err := export.OpenJournal(opts)
	require.NoError(t, err)
	// Links planted for the names the coming rotations may take.
	now := time.Now().UTC().Truncate(time.Millisecond)
	for ms := range 200 {
		p := backupPath(dir, now.Add(time.Duration(ms)*time.Millisecond).Format("2006-01-02T15-04-05.000")) + ".gz.tmp"
		require.NoError(t, os.Symlink(victim, p))
	}
	for i := range 3 {
		_, err := j.Write(numbered(10+i, 1, 50))
		require.NoError(t, err)
		require.NoError(t, j.Rotate())
	}
	require.NoError(t, j.Close())
	export.Housekeep(j) // Close stops housekeeping; finish its pass
	unchanged()

	require.FileExists(t, old+".gz")
	require.NoFileExists(t, old)
	require.Equal(t, string(numbered(1, 3, 50)), string(readFile(t, old+".gz")))
	fi, err := os.Lstat(linked)
	require.NoError(t, err)
	require.NotZero(t, fi.Mode()&os.ModeSymlink, "the planted link is left where it is")
	require.NoFileExists(t, linked+".gz")
	var named bool
	for _, err := range seen.all() {
		if errors.Is(err, export.ErrNotRegular) && strings.Contains(err.Error(), linked) {
			named = true
		}
	}
	require.True(t, named, "the link is reported: %v", seen.all())
}

func TestJournalFilesRefusesPlantedEntries(t *testing.T) {
	victim, unchanged := plantVictim(t)
	for _, tc := range []struct {
		name  string
		plant func(path string) error
		kind  string
	}{
		{"symlink", func(p string) error { return os.Symlink(victim, p) }, "symbolic link"},
		{"FIFO", func(p string) error { return syscall.Mkfifo(p, 0o600) }, "FIFO"},
	} {
		for _, name := range []string{"audit-2001-02-03T04-05-06.789.jsonl", "audit-2001-02-03T04-05-06.789.jsonl.gz", export.JournalName} {
			t.Run(tc.name+"/"+name, func(t *testing.T) {
				dir := t.TempDir()
				require.NoError(t, os.WriteFile(backupPath(dir, "2000-01-01T00-00-00.000"), []byte("{}\n"), 0o600))
				path := filepath.Join(dir, name)
				require.NoError(t, tc.plant(path))
				_, err := export.JournalFiles(dir)
				require.ErrorIs(t, err, export.ErrNotRegular)
				require.Contains(t, err.Error(), path)
				require.Contains(t, err.Error(), tc.kind)
				err = export.ReadJournal(dir, func(export.Line) error { return nil })
				require.ErrorIs(t, err, export.ErrNotRegular)
				_, err = export.LastLine(dir)
				require.ErrorIs(t, err, export.ErrNotRegular)
				// Listed before the link was planted: still not followed.
				err = export.ReadJournalFile(export.JournalFile{Path: path}, func(export.Line) error { return nil })
				require.ErrorIs(t, err, export.ErrNotRegular)
				unchanged()
			})
		}
	}
}

// TestJournalRetentionKeepsFutureNames: a rotated file named in the future
// (planted, or rotated while the clock ran ahead) is neither removed nor
// counted against MaxBackups, and is reported; the real rotated files
// are kept as MaxBackups says.
func TestJournalRetentionKeepsFutureNames(t *testing.T) {
	for _, compress := range []bool{false, true} {
		t.Run(map[bool]string{false: "plain", true: "compress"}[compress], func(t *testing.T) {
			dir := t.TempDir()
			var seen errorsSeen
			future := []string{backupPath(dir, "2099-01-01T00-00-00.000"), backupPath(dir, "2098-06-01T00-00-00.000") + ".gz"}
			for _, p := range future {
				require.NoError(t, os.WriteFile(p, []byte("planted\n"), 0o600))
			}
			j := openJournal(t, export.JournalOptions{Dir: dir, MaxBackups: 2, Compress: compress, OnError: seen.add})
			var want []string
			for i := range 5 {
				p := numbered(i, 1, 40)
				_, err := j.Write(p)
				require.NoError(t, err)
				want = append(want, splitLines(p)...)
				require.NoError(t, j.Rotate())
			}
			require.NoError(t, j.Close())
			export.Housekeep(j) // Close stops housekeeping; finish its pass

			files := journalFiles(t, dir)
			require.Len(t, files, 2+len(future)+1, "%v", dirNames(t, dir))
			var lines []string
			for _, f := range files[:2] {
				lines = append(lines, splitLines(readFile(t, f))...)
			}
			require.Equal(t, want[3:], lines, "the two newest rotated files are kept")
			for _, p := range future {
				require.FileExists(t, p)
				var named bool
				for _, err := range seen.all() {
					named = named || strings.Contains(err.Error(), p)
				}
				require.True(t, named, "%s is reported: %v", p, seen.all())
			}
		})
	}
}

func TestJournalRetention(t *testing.T) {
	t.Run("MaxBackups", func(t *testing.T) {
		dir := t.TempDir()
		var seen errorsSeen
		j := openJournal(t, export.JournalOptions{Dir: dir, MaxBackups: 3, OnError: seen.add})
		for i := range 6 {
			_, err := j.Write(numbered(i, 1, 40))
			require.NoError(t, err)
			require.NoError(t, j.Rotate())
		}
		_, err := j.Write(numbered(6, 1, 40))
		require.NoError(t, err)
		require.NoError(t, j.Close())
		export.Housekeep(j) // Close stops housekeeping; finish its pass
		require.Empty(t, seen.all())
		require.Equal(t, splitLines(numbered(3, 4, 40)), readJournal(t, dir))
	})
	t.Run("MaxAge", func(t *testing.T) {
		dir := t.TempDir()
		old := backupPath(dir, time.Now().UTC().Add(-2*time.Hour).Format("2006-01-02T15-04-05.000"))
		recent := backupPath(dir, time.Now().UTC().Add(-30*time.Minute).Format("2006-01-02T15-04-05.000"))
		require.NoError(t, os.WriteFile(old, []byte("{\"a\":1}\n"), 0o600))
		require.NoError(t, os.WriteFile(recent, []byte("{\"a\":2}\n"), 0o600))
		j := openJournal(t, export.JournalOptions{Dir: dir, MaxAge: time.Hour})
		require.NoError(t, j.Close())
		export.Housekeep(j) // Close stops housekeeping; finish its pass
		require.NoFileExists(t, old)
		require.FileExists(t, recent)
	})
}
