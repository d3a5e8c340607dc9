package export_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/export"
	"github.com/auditlog/auditlog/internal/failpoint"
)

const mib = 1 << 20

func requireMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	fi, err := os.Stat(path)
	require.NoError(t, err)
	require.Equal(t, want, fi.Mode().Perm(), "%s", path)
}

func TestJournalModes(t *testing.T) {
	t.Run("new folder and file", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "a", "journal")
		openJournal(t, export.JournalOptions{Dir: dir})
		requireMode(t, dir, 0o700)
		requireMode(t, filepath.Dir(dir), 0o700)
		requireMode(t, filepath.Join(dir, export.JournalName), 0o600)
	})
	t.Run("existing file 0644", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, export.JournalName)
		require.NoError(t, os.WriteFile(path, []byte("{}\n"), 0o644))
		require.NoError(t, os.Chmod(path, 0o644))
		openJournal(t, export.JournalOptions{Dir: dir})
		requireMode(t, path, 0o600)
	})
	t.Run("rotated and new files", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, export.JournalName)
		require.NoError(t, os.WriteFile(path, []byte("{}\n"), 0o644))
		require.NoError(t, os.Chmod(path, 0o644))
		j := openJournal(t, export.JournalOptions{Dir: dir})
		for i := range 3 {
			_, err := j.Write(numbered(i, 1, 50))
			require.NoError(t, err)
			require.NoError(t, j.Rotate())
		}
		files := journalFiles(t, dir)
		require.Len(t, files, 4)
		for _, f := range files {
			requireMode(t, f, 0o600)
		}
	})
}

func TestJournalRotatesBySize(t *testing.T) {
	dir := t.TempDir()
	j := openJournal(t, export.JournalOptions{Dir: dir, MaxSizeMB: 1})
	var want []string
	seq := 0
	write := func(p []byte) {
		n, err := j.Write(p)
		require.NoError(t, err)
		require.Equal(t, len(p), n)
		want = append(want, splitLines(p)...)
	}
	// One line at a time, of varied sizes.
	for i := range 3000 {
		write(numbered(seq, 1, 100+i%900))
		seq++
	}
	// Batches of several MiB, split by Write into whole-line chunks.
	for _, size := range []int{1000, 4096, 333} {
		p := numbered(seq, 2*mib/size+7, size)
		seq += 2*mib/size + 7
		write(p)
	}
	// A batch of exactly one file's worth of one line less than 1 MiB.
	write(numbered(seq, 1, mib-1))
	seq++
	write(numbered(seq, 1, 10))
	require.NoError(t, j.Close())

	files := journalFiles(t, dir)
	require.GreaterOrEqual(t, len(files), 8)
	for _, f := range files {
		fi, err := os.Stat(f)
		require.NoError(t, err)
		require.LessOrEqual(t, fi.Size(), int64(mib), "%s", f)
		require.Positive(t, fi.Size(), "%s: no empty file is rotated", f)
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		require.True(t, bytes.HasSuffix(b, []byte("\n")), "%s ends with a whole line", f)
	}
	require.Equal(t, want, readJournal(t, dir))
}

func TestJournalLineTooLong(t *testing.T) {
	for _, tc := range []struct {
		name   string
		before int // bytes of good lines before the long one
		long   int // length of the long line, newline included
	}{
		{"alone, file size plus one", 0, mib + 1},
		{"alone, file size", 0, mib},
		{"alone, much longer", 0, 3 * mib},
		{"after lines", 5000, mib},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			j := openJournal(t, export.JournalOptions{Dir: dir, MaxSizeMB: 1})
			var p []byte
			if tc.before > 0 {
				p = numbered(0, 50, tc.before/50)
			}
			good := len(p)
			p = append(p, numbered(100, 1, tc.long)...)
			p = append(p, numbered(200, 3, 20)...)
			n, err := j.Write(p)
			require.Error(t, err)
			require.Equal(t, good, n)
			require.NoError(t, j.Close())
			got, err := os.ReadFile(filepath.Join(dir, export.JournalName))
			require.NoError(t, err)
			require.Equal(t, string(p[:good]), string(got))
			require.Equal(t, []string{export.JournalName}, dirNames(t, dir))
		})
	}
	t.Run("longest line that fits", func(t *testing.T) {
		dir := t.TempDir()
		j := openJournal(t, export.JournalOptions{Dir: dir, MaxSizeMB: 1})
		p := append(numbered(0, 1, mib-1), numbered(1, 1, mib-1)...)
		n, err := j.Write(p)
		require.NoError(t, err)
		require.Equal(t, len(p), n)
		require.NoError(t, j.Close())
		require.Len(t, journalFiles(t, dir), 2)
		require.Equal(t, splitLines(p), readJournal(t, dir))
	})
}

func TestJournalRotateTightLoop(t *testing.T) {
	// Two rotations in one millisecond would give the same backup name,
	// the second overwriting the first.
	const n = 50
	dir := t.TempDir()
	j := openJournal(t, export.JournalOptions{Dir: dir})
	var want []string
	for i := range n {
		p := numbered(i, 1, 30)
		_, err := j.Write(p)
		require.NoError(t, err)
		want = append(want, splitLines(p)...)
		require.NoError(t, j.Rotate())
		require.NoError(t, j.Rotate(), "an empty file is not rotated")
	}
	p := numbered(n, 1, 30)
	_, err := j.Write(p)
	require.NoError(t, err)
	want = append(want, splitLines(p)...)
	require.NoError(t, j.Close())
	require.Len(t, journalFiles(t, dir), n+1)
	require.Len(t, dirNames(t, dir), n+1)
	require.Equal(t, want, readJournal(t, dir))
}

func TestJournalRotateEvery(t *testing.T) {
	dir := t.TempDir()
	j := openJournal(t, export.JournalOptions{Dir: dir, RotateEvery: time.Millisecond})
	require.False(t, j.RotateDue(time.Now().Add(time.Hour)), "an empty file is never due")
	_, err := j.Write(numbered(1, 1, 30))
	require.NoError(t, err)
	require.False(t, j.RotateDue(time.Now().Add(-time.Hour)))
	for !j.RotateDue(time.Now()) {
		runtime.Gosched()
	}
	_, err = j.Write(numbered(2, 1, 30))
	require.NoError(t, err)
	require.Len(t, journalFiles(t, dir), 2, "Write rotated the file that was due")
	require.False(t, j.RotateDue(time.Now().Add(-time.Hour)))
	require.NoError(t, j.Close())
	require.Equal(t, splitLines(numbered(1, 2, 30)), readJournal(t, dir))

	j = openJournal(t, export.JournalOptions{Dir: t.TempDir()})
	_, err = j.Write(numbered(1, 1, 30))
	require.NoError(t, err)
	require.False(t, j.RotateDue(time.Now().Add(24*time.Hour)), "RotateEvery 0 never rotates by age")
}

func TestJournalCompress(t *testing.T) {
	dir := t.TempDir()
	var bgErr atomic.Value
	opts := export.JournalOptions{Dir: dir, Compress: true, OnError: func(err error) { bgErr.Store(err) }}
	j := openJournal(t, opts)
	var want []string
	for i := range 5 {
		p := numbered(i*10, 10, 200)
		_, err := j.Write(p)
		require.NoError(t, err)
		want = append(want, splitLines(p)...)
		require.NoError(t, j.Rotate())
	}
	p := numbered(50, 3, 200)
	_, err := j.Write(p)
	require.NoError(t, err)
	want = append(want, splitLines(p)...)
	require.NoError(t, j.Close())
	export.Housekeep(j) // Close stops housekeeping; finish its pass
	require.Nil(t, bgErr.Load())

	requireCompressed := func(t *testing.T, rotated int) {
		t.Helper()
		names := dirNames(t, dir)
		require.Len(t, names, rotated+1, "%v", names)
		for _, name := range names {
			require.NotContains(t, name, ".tmp")
			if name == export.JournalName {
				continue
			}
			require.True(t, strings.HasSuffix(name, ".jsonl.gz"), name)
			requireMode(t, filepath.Join(dir, name), 0o600)
		}
		files, err := export.JournalFiles(dir)
		require.NoError(t, err)
		for _, f := range files[:len(files)-1] {
			require.True(t, f.Gzip, f.Path)
		}
	}
	requireCompressed(t, 5)
	require.Equal(t, want, readJournal(t, dir))

	t.Run("left by a crash", func(t *testing.T) {
		// A plain rotated file older than the others, which a crash kept
		// from being compressed.
		old := numbered(-10, 10, 100)
		require.NoError(t, os.WriteFile(backupPath(dir, "2001-02-03T04-05-06.789"), old, 0o600))
		j, torn, err := export.OpenJournal(opts)
		require.NoError(t, err)
		require.Empty(t, torn)
		require.NoError(t, j.Close())
		export.Housekeep(j) // Close stops housekeeping; finish its pass
		require.Nil(t, bgErr.Load())
		requireCompressed(t, 6)
		require.FileExists(t, backupPath(dir, "2001-02-03T04-05-06.789")+".gz")
		require.Equal(t, append(splitLines(old), want...), readJournal(t, dir))
	})
}

func TestJournalTornTail(t *testing.T) {
	for _, tc := range []struct {
		name, content, torn, kept string
	}{
		{"empty", "", "", ""},
		{"whole lines", "{\"a\":1}\n{\"a\":2}\n", "", "{\"a\":1}\n{\"a\":2}\n"},
		{"last line torn", "{\"a\":1}\n{\"a\":2}\n{\"a\"", `{"a"`, "{\"a\":1}\n{\"a\":2}\n"},
		{"only a torn line", `{"a":1,"b`, `{"a":1,"b`, ""},
		{"long torn line", "{}\n" + strings.Repeat("y", 200<<10), strings.Repeat("y", 200<<10), "{}\n"},
		{"long torn line alone", strings.Repeat("z", 150<<10), strings.Repeat("z", 150<<10), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, export.JournalName)
			require.NoError(t, os.WriteFile(path, []byte(tc.content), 0o600))
			j, torn, err := export.OpenJournal(export.JournalOptions{Dir: dir})
			require.NoError(t, err)
			defer j.Close()
			require.Equal(t, tc.torn[:min(len(tc.torn), export.TornHeadBytes)], string(torn), "the first TornHeadBytes of the torn line")
			require.Equal(t, int64(len(tc.torn)), j.TornSize())
			got, err := os.ReadFile(path)
			require.NoError(t, err)
			require.Equal(t, tc.kept, string(got))

			_, err = j.Write([]byte("{\"next\":1}\n"))
			require.NoError(t, err)
			require.NoError(t, j.Close())
			got, err = os.ReadFile(path)
			require.NoError(t, err)
			require.Equal(t, tc.kept+"{\"next\":1}\n", string(got))
		})
	}
}

// A torn tail of many megabytes without a newline is cut back reading it
// one block at a time: OpenJournal neither holds nor copies it whole.
func TestJournalTornTailLongBoundsMemory(t *testing.T) {
	const tail = 20 * mib
	dir := t.TempDir()
	path := filepath.Join(dir, export.JournalName)
	f, err := os.Create(path)
	require.NoError(t, err)
	_, err = f.WriteString("{\"a\":1}\n")
	require.NoError(t, err)
	_, err = f.Write(bytes.Repeat([]byte("t"), tail))
	require.NoError(t, err)
	require.NoError(t, f.Close())

	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	j, torn, err := export.OpenJournal(export.JournalOptions{Dir: dir})
	runtime.ReadMemStats(&after)
	require.NoError(t, err)
	defer j.Close()
	require.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(2*mib), "bytes allocated by OpenJournal")
	require.Equal(t, strings.Repeat("t", export.TornHeadBytes), string(torn))
	require.Equal(t, int64(tail), j.TornSize())
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, "{\"a\":1}\n", string(got))
}

func TestJournalFailWrite(t *testing.T) {
	errDisk := errors.New("disk full")
	p := numbered(0, 4000, 600) // about 2.3 MiB: three chunks of a 1 MiB file
	for _, tc := range []struct {
		name string
		fail int // the write (chunk) that fails, from 1
		err  func(chunk int) error
	}{
		{"error", 1, func(int) error { return errDisk }},
		{"error on second chunk", 2, func(int) error { return errDisk }},
		{"short write mid-line", 1, func(int) error { return &failpoint.ShortWrite{N: 1000, Err: errDisk} }},
		{"short write of one byte", 1, func(int) error { return &failpoint.ShortWrite{N: 1, Err: errDisk} }},
		{"short write at a line end", 1, func(int) error { return &failpoint.ShortWrite{N: 1200, Err: errDisk} }},
		{"short write mid-line, second chunk", 2, func(int) error { return &failpoint.ShortWrite{N: 777, Err: errDisk} }},
		{"short write mid-line, third chunk", 3, func(int) error { return &failpoint.ShortWrite{N: 5, Err: errDisk} }},
		{"short write of everything", 1, func(int) error { return &failpoint.ShortWrite{N: 10 * mib, Err: errDisk} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			j := openJournal(t, export.JournalOptions{Dir: dir, MaxSizeMB: 1})
			pre := numbered(-3, 3, 600)
			_, err := j.Write(pre)
			require.NoError(t, err)

			var calls atomic.Int32
			disable := failpoint.Enable(export.FailWrite, func() error {
				if c := int(calls.Add(1)); c == tc.fail {
					return tc.err(c)
				}
				return nil
			})
			defer disable()
			n, err := j.Write(p)
			require.ErrorIs(t, err, errDisk)
			if tc.fail == 1 {
				require.Zero(t, n)
			} else {
				require.Positive(t, n)
			}
			require.Equal(t, byte('\n'), append([]byte("\n"), p[:n]...)[n], "n ends on a whole line")

			// The files hold exactly the lines before n.
			require.NoError(t, j.Sync())
			var onDisk []byte
			for _, f := range journalFiles(t, dir) {
				b, err := os.ReadFile(f)
				require.NoError(t, err)
				onDisk = append(onDisk, b...)
			}
			require.Equal(t, string(pre)+string(p[:n]), string(onDisk))

			disable()
			m, err := j.Write(p[n:])
			require.NoError(t, err)
			require.Equal(t, len(p)-n, m)
			require.NoError(t, j.Close())
			require.Equal(t, splitLines(append(pre, p...)), readJournal(t, dir))
		})
	}
}

func TestJournalFailSync(t *testing.T) {
	dir := t.TempDir()
	j := openJournal(t, export.JournalOptions{Dir: dir})
	_, err := j.Write(numbered(1, 3, 40))
	require.NoError(t, err)
	errIO := errors.New("I/O error")
	disable := failpoint.Enable(export.FailSync, func() error { return errIO })
	require.ErrorIs(t, j.Sync(), errIO)
	require.ErrorIs(t, j.Sync(), errIO, "still not synced")
	disable()
	require.NoError(t, j.Sync())
	require.NoError(t, j.Close())
	require.Equal(t, splitLines(numbered(1, 3, 40)), readJournal(t, dir))
}

func TestJournalFailRotate(t *testing.T) {
	dir := t.TempDir()
	j := openJournal(t, export.JournalOptions{Dir: dir})
	_, err := j.Write(numbered(1, 3, 40))
	require.NoError(t, err)
	errIO := errors.New("rename failed")
	disable := failpoint.Enable(export.FailRotate, func() error { return errIO })
	require.ErrorIs(t, j.Rotate(), errIO)
	_, err = j.Write(numbered(4, 3, 40))
	require.NoError(t, err)
	require.NoError(t, j.Sync())
	require.Len(t, journalFiles(t, dir), 1)
	disable()
	require.NoError(t, j.Rotate())
	_, err = j.Write(numbered(7, 1, 40))
	require.NoError(t, err)
	require.NoError(t, j.Close())
	require.Len(t, journalFiles(t, dir), 2)
	require.Equal(t, splitLines(numbered(1, 7, 40)), readJournal(t, dir))
}

func TestJournalClose(t *testing.T) {
	for _, compress := range []bool{false, true} {
		t.Run(map[bool]string{false: "plain", true: "compress"}[compress], func(t *testing.T) {
			dir := t.TempDir()
			j, _, err := export.OpenJournal(export.JournalOptions{Dir: dir, Compress: compress})
			require.NoError(t, err)
			_, err = j.Write(numbered(1, 1, 40))
			require.NoError(t, err)
			require.NoError(t, j.Close())
			require.NoError(t, j.Close())
			_, err = j.Write(numbered(2, 1, 40))
			require.Error(t, err)
			require.Error(t, j.Rotate())
			require.Error(t, j.Sync())
			require.Equal(t, splitLines(numbered(1, 1, 40)), readJournal(t, dir))
		})
	}
}

func TestJournalSync(t *testing.T) {
	dir := t.TempDir()
	j := openJournal(t, export.JournalOptions{Dir: dir})
	require.NoError(t, j.Sync(), "nothing written")
	var want []byte
	for i := range 3 {
		p := numbered(i, 2, 40)
		_, err := j.Write(p)
		require.NoError(t, err)
		want = append(want, p...)
		require.NoError(t, j.Sync())
		got, err := os.ReadFile(filepath.Join(dir, export.JournalName))
		require.NoError(t, err)
		require.Equal(t, string(want), string(got))
	}
	require.NoError(t, j.Rotate())
	require.NoError(t, j.Sync(), "after a rotation: the folder")
}

func TestOpenJournalOptions(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts export.JournalOptions
	}{
		{"no folder", export.JournalOptions{}},
		{"negative size", export.JournalOptions{Dir: "x", MaxSizeMB: -1}},
		{"negative backups", export.JournalOptions{Dir: "x", MaxBackups: -1}},
		{"negative age", export.JournalOptions{Dir: "x", MaxAge: -time.Hour}},
		{"negative rotate every", export.JournalOptions{Dir: "x", RotateEvery: -time.Hour}},
		{"huge size", export.JournalOptions{Dir: "x", MaxSizeMB: 1<<20 + 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.opts.Dir != "" {
				tc.opts.Dir = filepath.Join(t.TempDir(), tc.opts.Dir)
			}
			_, _, err := export.OpenJournal(tc.opts)
			require.Error(t, err)
		})
	}
	t.Run("folder is a file", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "f")
		require.NoError(t, os.WriteFile(path, nil, 0o600))
		_, _, err := export.OpenJournal(export.JournalOptions{Dir: path})
		require.Error(t, err)
	})
}
