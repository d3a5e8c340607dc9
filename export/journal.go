package export

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"gopkg.in/natefinch/lumberjack.v2"

	"github.com/auditlog/auditlog/internal/failpoint"
)

// Defaults of JournalOptions.
const (
	// DefaultMaxSizeMB is the size at which the current file is rotated
	// when JournalOptions.MaxSizeMB is 0.
	DefaultMaxSizeMB = 100
)

// Failpoint names of the journal's file operations, for fault-injection
// tests (see internal/failpoint).
const (
	FailWrite  = "export/journal/write"
	FailRotate = "export/journal/rotate"
	FailSync   = "export/journal/sync"
)

// JournalOptions configure a Journal. The zero value (with Dir set) is a
// journal of 100 MB files, kept forever, uncompressed, rotated by size
// only.
type JournalOptions struct {
	// Dir is the journal's folder, created 0700 when missing (an existing
	// folder keeps its mode). Required.
	Dir string
	// MaxSizeMB is the size in megabytes (2^20 bytes) at which the
	// current file is rotated. Default DefaultMaxSizeMB.
	MaxSizeMB int
	// MaxBackups is how many rotated files to keep; 0 keeps them all
	// (unless MaxAge removes them).
	MaxBackups int
	// MaxAge removes rotated files older than this, by the time in their
	// names. lumberjack counts in whole days, so it is rounded up to
	// days. 0 keeps them regardless of age.
	MaxAge time.Duration
	// Compress gzips rotated files, in a goroutine of the journal's own
	// that writes the .gz file, fsyncs it and only then removes the plain
	// file.
	Compress bool
	// RotateEvery rotates the current file when it is this old and not
	// empty, besides rotating by size. 0 rotates by size only.
	RotateEvery time.Duration
	// OnError hears of failures in the background: compressing a rotated
	// file. It may be nil.
	OnError func(error)
}

// Journal appends lines to audit.jsonl in a folder through a
// lumberjack.Logger, and works around lumberjack's traps:
//
//   - lumberjack never fsyncs: Sync fsyncs the current file (through a
//     descriptor of the journal's own) and, after a rotation, the folder;
//     a file is fsynced before it is rotated;
//   - it refuses a write longer than the file size whole: Write splits
//     its input into chunks of whole lines that fit;
//   - two rotations in one millisecond give the same backup name, and the
//     second overwrites the first: Rotate waits for the next millisecond,
//     and for a name no file has;
//   - a failed write may leave part of a line in the file: Write cuts the
//     file back to its last whole line before returning the error, so the
//     caller can retry the same bytes;
//   - it creates a new file with the mode of the old one and the folder
//     0755: Open creates the folder 0700 and the file 0600 first;
//   - its compression does not fsync before removing the plain file, so
//     the journal compresses rotated files itself.
//
// lumberjack starts a goroutine per Logger that is never stopped; a
// Journal has exactly one Logger.
//
// A Journal is not safe for concurrent use: one goroutine (the logger's
// writer) owns it.
type Journal struct {
	opts       JournalOptions
	path       string
	lj         *lumberjack.Logger
	f          *os.File // the current file, for fsync
	size       int64    // bytes in the current file, all whole lines
	max        int64
	opened     time.Time // when the current file was started (or opened)
	lastRot    time.Time // the last rotation, to the millisecond
	dirty      bool      // written since the last fsync
	dirDirty   bool      // rotated since the last folder fsync
	ljClosed   bool      // lumberjack has no file open: it opens one on the next write
	createdDir bool      // the journal created its folder (so keeps it 0700)

	compress chan struct{}
	wg       sync.WaitGroup
	closed   bool
}

// OpenJournal opens the journal in opts.Dir for appending, creating the
// folder and the file when missing. When the file's last line has no
// newline (a write cut short by a crash), it cuts the file back to its
// last whole line and returns the bytes it removed in torn, so the next
// line does not run into them.
func OpenJournal(opts JournalOptions) (j *Journal, torn []byte, err error) {
	if opts.Dir == "" {
		return nil, nil, fmt.Errorf("auditlog: journal: no folder given")
	}
	if opts.MaxSizeMB < 0 || opts.MaxBackups < 0 || opts.MaxAge < 0 || opts.RotateEvery < 0 {
		return nil, nil, fmt.Errorf("auditlog: journal: negative MaxSizeMB, MaxBackups, MaxAge or RotateEvery")
	}
	if opts.MaxSizeMB == 0 {
		opts.MaxSizeMB = DefaultMaxSizeMB
	}
	if opts.MaxSizeMB > 1<<20 {
		return nil, nil, fmt.Errorf("auditlog: journal: MaxSizeMB %d is above %d", opts.MaxSizeMB, 1<<20)
	}
	_, statErr := os.Stat(opts.Dir)
	if err := os.MkdirAll(opts.Dir, 0o700); err != nil {
		return nil, nil, fmt.Errorf("auditlog: journal: %w", err)
	}
	path := filepath.Join(opts.Dir, JournalName)
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, nil, fmt.Errorf("auditlog: journal: %w", err)
	}
	ok := false
	defer func() {
		if !ok {
			f.Close()
		}
	}()
	if fi, err := f.Stat(); err != nil {
		return nil, nil, fmt.Errorf("auditlog: journal: %w", err)
	} else if fi.Mode().Perm() != 0o600 {
		// lumberjack gives each new file the mode of the old one.
		if err := f.Chmod(0o600); err != nil {
			return nil, nil, fmt.Errorf("auditlog: journal: %w", err)
		}
	}
	size, torn, err := cutTornTail(f)
	if err != nil {
		return nil, nil, fmt.Errorf("auditlog: journal: %s: %w", path, err)
	}
	maxAgeDays := int((opts.MaxAge + 24*time.Hour - 1) / (24 * time.Hour))
	j = &Journal{
		opts: opts,
		path: path,
		lj: &lumberjack.Logger{
			Filename:   path,
			MaxSize:    opts.MaxSizeMB,
			MaxBackups: opts.MaxBackups,
			MaxAge:     maxAgeDays,
		},
		f:          f,
		size:       size,
		ljClosed:   true, // lumberjack opens its file on the first write
		createdDir: errors.Is(statErr, os.ErrNotExist),
		max:        int64(opts.MaxSizeMB) << 20,
		opened:     time.Now(),
	}
	if opts.Compress {
		j.compress = make(chan struct{}, 1)
		j.wg.Add(1)
		go j.compressor()
		j.compress <- struct{}{} // rotated files a crash left uncompressed
	}
	ok = true
	return j, torn, nil
}

// cutTornTail truncates f after its last newline when its last line has
// none, and returns the size left and the bytes removed.
func cutTornTail(f *os.File) (int64, []byte, error) {
	fi, err := f.Stat()
	if err != nil {
		return 0, nil, err
	}
	size := fi.Size()
	if size == 0 {
		return 0, nil, nil
	}
	// Read back from the end, a block at a time, to the last newline.
	var tail []byte
	end := size
	for end > 0 {
		n := min(int64(64<<10), end)
		buf := make([]byte, n)
		if _, err := f.ReadAt(buf, end-n); err != nil && err != io.EOF {
			return 0, nil, err
		}
		if len(tail) == 0 && buf[n-1] == '\n' {
			return size, nil, nil
		}
		if i := bytes.LastIndexByte(buf, '\n'); i >= 0 {
			tail = append(buf[i+1:], tail...)
			end = end - n + int64(i) + 1
			break
		}
		tail = append(buf, tail...)
		end -= n
	}
	if err := f.Truncate(end); err != nil {
		return 0, nil, err
	}
	if err := f.Sync(); err != nil {
		return 0, nil, err
	}
	return end, tail, nil
}

// Write appends p, which must be whole lines, each ending with '\n', and
// returns how many bytes of it are in the file: always a whole number of
// lines. On error the file holds exactly those lines (a line cut short is
// removed), so the caller may retry p[n:]. A line as long as the file
// size or longer (newline included) is refused with an error and nothing
// after it is written.
func (j *Journal) Write(p []byte) (int, error) {
	if j.closed {
		return 0, errJournalClosed
	}
	written := 0
	for written < len(p) {
		chunk := p[written:]
		if int64(len(chunk)) >= j.max {
			// At most max-1 bytes: lumberjack, opening the file, rotates it
			// itself (behind the journal's back, even when empty) for a
			// write that takes it to max.
			chunk = chunk[:j.max-1]
			i := bytes.LastIndexByte(chunk, '\n')
			if i < 0 {
				return written, fmt.Errorf("auditlog: journal: a line of %d bytes or more does not fit in a file", j.max)
			}
			chunk = chunk[:i+1]
		}
		if err := j.maybeRotate(len(chunk)); err != nil {
			return written, err
		}
		if err := j.write(chunk); err != nil {
			return written, err
		}
		written += len(chunk)
	}
	return written, nil
}

// maybeRotate rotates before a write of n bytes that would take the
// current file to its size limit (lumberjack would rotate inside Write,
// where the journal could not fsync the file first), or when the file is
// older than RotateEvery.
func (j *Journal) maybeRotate(n int) error {
	if j.size == 0 {
		return nil
	}
	if j.size+int64(n) >= j.max || j.RotateDue(time.Now()) {
		return j.Rotate()
	}
	return nil
}

// RotateDue reports whether the current file is older than RotateEvery
// at now and not empty.
func (j *Journal) RotateDue(now time.Time) bool {
	return j.opts.RotateEvery > 0 && j.size > 0 && now.Sub(j.opened) >= j.opts.RotateEvery
}

// write hands chunk to lumberjack and cuts back what a failure left.
func (j *Journal) write(chunk []byte) error {
	ljOpens := j.f == nil || j.ljClosed
	if ljOpens {
		// lumberjack opens the file on this write: make sure it is the
		// one the journal holds, created by the journal (folder 0700,
		// file 0600), so that a file removed meanwhile is noticed here
		// and not taken for one lumberjack just wrote to.
		if err := j.ensureCurrent(); err != nil {
			return err
		}
	}
	err := failpoint.Eval(FailWrite)
	var n int
	if err != nil {
		var short *failpoint.ShortWrite
		if errors.As(err, &short) && short.N > 0 {
			n, _ = j.lj.Write(chunk[:min(short.N, len(chunk))])
		}
	} else {
		n, err = j.lj.Write(chunk)
	}
	if err == nil && n == len(chunk) {
		if err := j.checkPresent(ljOpens, n); err != nil {
			return err
		}
		j.size += int64(n)
		j.dirty = true
		return nil
	}
	if err == nil {
		err = io.ErrShortWrite
	}
	// lumberjack reopens the file, and learns its size anew, on the next
	// write, which checks first that it is still the journal's file.
	_ = j.lj.Close() // the write already failed; its error is the one to return
	j.ljClosed = true
	if n > 0 {
		// Part of a line may be in the file: cut it off, so the retry
		// starts on a fresh line.
		if terr := j.f.Truncate(j.size); terr != nil {
			err = fmt.Errorf("%w (and cutting back the partial line: %w)", err, terr)
		}
	}
	return fmt.Errorf("auditlog: journal: write: %w", err)
}

// checkPresent makes sure the file just written to is still the journal's
// current file. When the file or its folder was removed (or replaced),
// writes through an open descriptor still succeed, into a file no one
// will read: the journal then starts a new file, and the lines of the
// last write are reported as not written, to be written again.
//
// When lumberjack opened its file during this write (opened is true), a
// file at the path other than j.f is the one lumberjack just created and
// wrote to, the old one having been removed in between: the journal
// takes it as its current file.
func (j *Journal) checkPresent(opened bool, n int) error {
	pfi, perr := os.Stat(j.path)
	ffi, ferr := j.f.Stat()
	if perr == nil && ferr == nil && os.SameFile(pfi, ffi) {
		return nil
	}
	if opened && perr == nil {
		if f, err := os.OpenFile(j.path, os.O_RDWR, 0); err == nil {
			if nfi, err := f.Stat(); err == nil && os.SameFile(nfi, pfi) {
				_ = j.f.Close() // the removed file
				// The caller adds the chunk's n bytes, which are in f.
				j.f, j.size, j.opened, j.dirDirty = f, nfi.Size()-int64(n), time.Now(), true
				if j.createdDir {
					_ = os.Chmod(j.opts.Dir, 0o700) // lumberjack makes folders 0755
				}
				return nil
			}
			f.Close()
		}
	}
	_ = j.lj.Close() // the file is gone; nothing of it can be saved
	j.ljClosed = true
	_ = j.f.Close()
	j.f = nil
	err := errors.New("the journal file was removed or replaced while open")
	if rerr := j.reopen(); rerr != nil {
		err = fmt.Errorf("%w; starting a new one: %w", err, rerr)
	}
	return fmt.Errorf("auditlog: journal: write: %w", err)
}

// ensureCurrent makes j.f the file at the journal's path, creating it
// (and the folder) when missing.
func (j *Journal) ensureCurrent() error {
	if j.f != nil {
		pfi, perr := os.Stat(j.path)
		ffi, ferr := j.f.Stat()
		if perr == nil && ferr == nil && os.SameFile(pfi, ffi) {
			j.ljClosed = false
			return nil
		}
		_ = j.f.Close() // not the journal's file any more
		j.f = nil
	}
	if err := j.reopen(); err != nil {
		return err
	}
	j.ljClosed = false
	return nil
}

// reopen creates the folder and the current file again after they were
// removed.
func (j *Journal) reopen() error {
	if err := os.MkdirAll(j.opts.Dir, 0o700); err != nil {
		return fmt.Errorf("auditlog: journal: %w", err)
	}
	f, err := os.OpenFile(j.path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return fmt.Errorf("auditlog: journal: %w", err)
	}
	size, _, err := cutTornTail(f)
	if err != nil {
		f.Close()
		return fmt.Errorf("auditlog: journal: %w", err)
	}
	j.f, j.size, j.opened, j.dirDirty = f, size, time.Now(), true
	return nil
}

// Rotate fsyncs the current file and moves it aside under lumberjack's
// name for it, audit-<UTC time>.jsonl, starting a new current file. It
// never rotates twice in one millisecond, and never onto the name of an
// existing file. An empty current file is not rotated.
func (j *Journal) Rotate() error {
	if j.closed {
		return errJournalClosed
	}
	if j.size == 0 {
		j.opened = time.Now()
		return nil
	}
	if err := failpoint.Eval(FailRotate); err != nil {
		return fmt.Errorf("auditlog: journal: rotate: %w", err)
	}
	if j.f == nil {
		if err := j.reopen(); err != nil {
			return err
		}
	}
	if err := j.syncFile(); err != nil {
		return err
	}
	for {
		now := time.Now().UTC()
		ms := now.Truncate(time.Millisecond)
		// Wait out the millisecond of the last rotation and any name
		// taken; a clock stepped back is not waited for.
		if !ms.Equal(j.lastRot) && !j.backupExists(ms) {
			break
		}
		time.Sleep(ms.Add(time.Millisecond).Sub(now))
	}
	if err := j.lj.Rotate(); err != nil {
		return fmt.Errorf("auditlog: journal: rotate: %w", err)
	}
	now := time.Now()
	j.lastRot = now.UTC().Truncate(time.Millisecond)
	j.opened = now
	f, err := os.OpenFile(j.path, os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("auditlog: journal: rotate: %w", err)
	}
	j.f.Close() // fsynced above; nothing of it is lost
	j.f = f
	j.size = 0
	j.dirty = false
	j.dirDirty = true
	if j.compress != nil {
		select {
		case j.compress <- struct{}{}:
		default:
		}
	}
	return nil
}

// backupExists reports whether a rotated file of the time t exists.
func (j *Journal) backupExists(t time.Time) bool {
	name := filepath.Join(j.opts.Dir, backupName(t))
	for _, p := range []string{name, name + gzipExt} {
		if _, err := os.Lstat(p); err == nil {
			return true
		}
	}
	return false
}

// Sync fsyncs what was written since the last Sync, and the folder after
// a rotation. When it returns nil, every line Write accepted is on disk.
func (j *Journal) Sync() error {
	if j.closed {
		return errJournalClosed
	}
	if err := j.syncFile(); err != nil {
		return err
	}
	if j.dirDirty {
		if err := SyncDir(j.opts.Dir); err != nil {
			return fmt.Errorf("auditlog: journal: sync folder: %w", err)
		}
		j.dirDirty = false
	}
	return nil
}

func (j *Journal) syncFile() error {
	if !j.dirty {
		return nil
	}
	if j.f == nil {
		if err := j.reopen(); err != nil {
			return err
		}
	}
	if err := failpoint.Eval(FailSync); err != nil {
		return fmt.Errorf("auditlog: journal: sync: %w", err)
	}
	if err := j.f.Sync(); err != nil {
		return fmt.Errorf("auditlog: journal: sync: %w", err)
	}
	j.dirty = false
	return nil
}

// Close fsyncs the journal, closes its files and waits for a compression
// in progress. It is safe to call twice.
func (j *Journal) Close() error {
	if j.closed {
		return nil
	}
	err := j.Sync()
	j.closed = true
	if cerr := j.lj.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("auditlog: journal: close: %w", cerr)
	}
	if j.f == nil {
		// removed and not yet created again
	} else if cerr := j.f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("auditlog: journal: close: %w", cerr)
	}
	if j.compress != nil {
		close(j.compress)
		j.wg.Wait()
	}
	return err
}

var errJournalClosed = errors.New("auditlog: journal: closed")
