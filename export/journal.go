package export

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/auditlog/auditlog/internal/failpoint"
	"github.com/auditlog/auditlog/internal/fsafe"
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
	// FailTidy is evaluated by the housekeeper before it removes or
	// compresses each rotated file; an error leaves the file as it is and
	// is reported to OnError.
	FailTidy = "export/journal/tidy"
)

// JournalOptions configure a Journal. The zero value (with Dir set) is a
// journal of 100 MB files, kept forever, uncompressed, rotated by size
// only.
type JournalOptions struct {
	// Dir is the journal's folder, created 0700 when missing. An existing
	// folder keeps its mode, but one that is writable by its group or by
	// others is refused with an error wrapping ErrUnsafeDir that names it
	// (anyone who can write into it could plant files there): chmod go-w
	// it, or choose another folder. Required.
	Dir string
	// MaxSizeMB is the size in megabytes (2^20 bytes) at which the
	// current file is rotated. Default DefaultMaxSizeMB.
	MaxSizeMB int
	// MaxBackups is how many rotated files to keep, the newest by the
	// times in their names; 0 keeps them all (unless MaxAge removes
	// them). A rotated file named after the current time (planted, or
	// rotated while the clock ran ahead) is neither counted nor removed,
	// and is reported to OnError.
	MaxBackups int
	// MaxAge removes rotated files older than this, by the time in their
	// names. 0 keeps them regardless of age.
	MaxAge time.Duration
	// Compress gzips rotated files, in a goroutine of the journal's own
	// that writes the .gz file, fsyncs it and only then removes the plain
	// file.
	Compress bool
	// RotateEvery rotates the current file when it is this old and not
	// empty, besides rotating by size. 0 rotates by size only.
	RotateEvery time.Duration
	// Keep, if set, is asked before retention removes a rotated file, with
	// the file: a file it keeps stays, and is asked about again at the
	// next pass. It is called from the housekeeping goroutine.
	Keep func(JournalFile) bool
	// OnWrite, when set, is called with each run of whole lines (each
	// ending with '\n') once it is in the current file, in the goroutine
	// that calls Write, in the order of the files: every line of the
	// journal is given to it once (a line written again after a failure
	// is given once, when written). lines is valid only during the call.
	// It is how a Merkle tree of the lines (see Tree) is kept.
	OnWrite func(lines []byte)
	// OnRotate, when set, is called by Rotate, in the goroutine that
	// calls it, once the current file has been fsynced and renamed, with
	// the rotated file's name (audit-<UTC time>.jsonl, before any
	// compression): every line given to OnWrite before is in that file
	// or an older one, every line after in a newer.
	OnRotate func(name string)
	// OnError hears of what goes wrong in the background: compressing or
	// removing a rotated file, an entry of a journal file's name that is
	// not a regular file (left alone), a rotated file named after the
	// current time (kept). It may be nil.
	OnError func(error)
}

// Journal appends lines to audit.jsonl in a folder and rotates it to
// audit-<UTC time>.jsonl, the names lumberjack gives its files. It opens,
// creates, renames and removes each of its files itself, so that nothing
// planted in the folder can lead it to another file:
//
//   - a file is opened without following a symbolic link and must be a
//     regular file: a link, a FIFO or a device at audit.jsonl is refused
//     with an error wrapping ErrNotRegular that names it, and a file of
//     more than one name (a hard link) with ErrHardLinked; a folder
//     writable by others is refused (see JournalOptions.Dir);
//   - a rotation fsyncs the file, renames it to a name no file has, later
//     than the name of the last rotation even when the clock stepped
//     back (the files keep the order of their lines), and creates the
//     new audit.jsonl 0600 with O_EXCL; Sync fsyncs the folder after it;
//   - Write splits its input into chunks of whole lines that fit in a
//     file, and rotates before a file would reach its size;
//   - a failed write may leave part of a line in the file: Write cuts the
//     file back to its last whole line before returning the error, so the
//     caller can retry the same bytes;
//   - a file removed or replaced while open is noticed after each write,
//     and the lines reported as not written, to be written again to a new
//     file;
//   - compression writes the .gz through a temporary file it creates with
//     O_EXCL, fsyncs it, and only then removes the plain file;
//   - retention (MaxBackups, MaxAge) goes by the times in the names, and
//     never removes a file named after the current time;
//   - housekeeping (retention, compression) starts at StartHousekeeping
//     or the first Write, not at OpenJournal, and Close stops it between
//     two files.
//
// A Journal is not safe for concurrent use: one goroutine (the logger's
// writer) owns it.
type Journal struct {
	opts     JournalOptions
	path     string
	f        *os.File // the current file, opened for appending; nil once lost, until made again
	size     int64    // bytes in the current file, all whole lines
	max      int64
	opened   time.Time    // when the current file was started (or opened)
	lastRot  time.Time    // the last rotation, to the millisecond
	newest   atomic.Int64 // lastRot in Unix milliseconds, for the housekeeper
	dirty    bool         // written since the last fsync
	dirDirty bool         // rotated since the last folder fsync
	tornSize int64        // bytes of torn last lines cut off

	now func() time.Time // the clock: journalClock, read at open

	tidy    chan struct{} // wakes the housekeeper (retention, compression)
	stop    atomic.Bool   // set by Close: the housekeeper stops between files
	started bool          // StartHousekeeping was called
	wg      sync.WaitGroup
	closed  bool
}

// OpenJournal opens the journal in opts.Dir for appending, creating the
// folder and the file when missing. When the file's last line has no
// newline (a write cut short by a crash), it cuts the file back to its
// last whole line, so the next line does not run into it, and returns
// the first TornHeadBytes of the bytes it removed in torn; TornSize
// gives how many it removed. A folder writable by others, or an
// audit.jsonl that is not a regular file, is refused (see Journal).
//
// The journal's files are not removed or compressed until
// StartHousekeeping or the first Write, so that the caller can read the
// journal back first without a file going away under it.
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
	if _, err := fsafe.Dir(opts.Dir); err != nil {
		return nil, nil, fmt.Errorf("auditlog: journal: %w", err)
	}
	j = &Journal{
		opts: opts,
		path: filepath.Join(opts.Dir, JournalName),
		max:  int64(opts.MaxSizeMB) << 20,
		now:  journalClock,
	}
	if torn, err = j.openCurrent(); err != nil {
		return nil, nil, err
	}
	if err := j.seedLastRotation(); err != nil {
		j.f.Close()
		return nil, nil, err
	}
	if opts.Compress || opts.MaxBackups > 0 || opts.MaxAge > 0 {
		j.tidy = make(chan struct{}, 1)
		j.wg.Add(1)
		go j.housekeeper()
	}
	return j, torn, nil
}

// seedLastRotation takes the newest rotated file in the folder that is
// not named after the current time as the last rotation, so that the
// next rotation is named after it. A file named in the future (planted,
// or rotated while the clock ran ahead) is not: retention reports it.
func (j *Journal) seedLastRotation() error {
	files, _, err := journalEntries(j.opts.Dir)
	if err != nil {
		return err
	}
	now := j.now()
	for _, f := range files {
		if f.Rotated.After(j.lastRot) && !f.Rotated.After(now) {
			j.lastRot = f.Rotated
		}
	}
	if !j.lastRot.IsZero() {
		j.newest.Store(j.lastRot.UnixMilli())
	}
	return nil
}

// TornSize returns how many bytes of torn last lines the journal cut off
// its current file when opening it (0 when its last line was whole).
func (j *Journal) TornSize() int64 { return j.tornSize }

// openCurrent opens the current file for appending, creating it 0600 when
// missing, without following a link, and cuts a torn last line off.
func (j *Journal) openCurrent() (torn []byte, err error) {
	f, err := fsafe.OpenFile(j.path, os.O_CREATE|os.O_RDWR|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("auditlog: journal: %w", err)
	}
	// A hard link to a file elsewhere is that file: not written into.
	if err := fsafe.SingleLink(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("auditlog: journal: %w", err)
	}
	size, cut, torn, err := openedFile(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("auditlog: journal: %s: %w", j.path, err)
	}
	j.f, j.size, j.opened = f, size, j.now()
	j.tornSize += cut
	return torn, nil
}

// openedFile makes a current file just opened 0600 (a file made by
// someone else may be readable by others) and cuts its torn tail.
func openedFile(f *os.File) (size, cut int64, head []byte, err error) {
	fi, err := f.Stat()
	if err != nil {
		return 0, 0, nil, err
	}
	if fi.Mode().Perm() != 0o600 {
		if err := f.Chmod(0o600); err != nil {
			return 0, 0, nil, err
		}
	}
	return cutTornTail(f)
}

// TornHeadBytes bounds the torn bytes OpenJournal returns: the first
// TornHeadBytes of a torn last line, however long it is.
const TornHeadBytes = 4 << 10

// cutTornTail truncates f after its last newline when its last line has
// none, and returns the size left, the number of bytes removed and the
// first TornHeadBytes of them. It reads back from the end a block at a
// time into one buffer, so a torn tail of any length costs one block of
// memory.
func cutTornTail(f *os.File) (size, cut int64, head []byte, err error) {
	fi, err := f.Stat()
	if err != nil {
		return 0, 0, nil, err
	}
	size = fi.Size()
	buf := make([]byte, min(int64(64<<10), size))
	end := size
	for end > 0 {
		n := min(int64(len(buf)), end)
		b := buf[:n]
		if _, err := f.ReadAt(b, end-n); err != nil && err != io.EOF {
			return 0, 0, nil, err
		}
		if i := bytes.LastIndexByte(b, '\n'); i >= 0 {
			end = end - n + int64(i) + 1
			break
		}
		end -= n
	}
	if end == size {
		return size, 0, nil, nil
	}
	head = make([]byte, min(TornHeadBytes, size-end))
	if _, err := f.ReadAt(head, end); err != nil && err != io.EOF {
		return 0, 0, nil, err
	}
	if err := f.Truncate(end); err != nil {
		return 0, 0, nil, err
	}
	if err := f.Sync(); err != nil {
		return 0, 0, nil, err
	}
	return end, size - end, head, nil
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
	j.StartHousekeeping()
	written := 0
	for written < len(p) {
		chunk := p[written:]
		if int64(len(chunk)) >= j.max {
			// At most max-1 bytes: a file stays below its size.
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
// current file to its size limit, or when the file is older than
// RotateEvery.
func (j *Journal) maybeRotate(n int) error {
	if j.size == 0 {
		return nil
	}
	if j.size+int64(n) >= j.max || j.RotateDue(j.now()) {
		return j.Rotate()
	}
	return nil
}

// RotateDue reports whether the current file is older than RotateEvery
// at now and not empty.
func (j *Journal) RotateDue(now time.Time) bool {
	return j.opts.RotateEvery > 0 && j.size > 0 && now.Sub(j.opened) >= j.opts.RotateEvery
}

// write appends chunk to the current file and cuts back what a failure
// left.
func (j *Journal) write(chunk []byte) error {
	if j.f == nil {
		if err := j.reopen(); err != nil {
			return err
		}
	}
	err := failpoint.Eval(FailWrite)
	var n int
	if err != nil {
		var short *failpoint.ShortWrite
		if errors.As(err, &short) && short.N > 0 {
			n, _ = j.f.Write(chunk[:min(short.N, len(chunk))])
		}
	} else {
		n, err = j.f.Write(chunk)
	}
	if err == nil && n == len(chunk) {
		if err := j.checkPresent(); err != nil {
			return err
		}
		if j.opts.OnWrite != nil {
			j.opts.OnWrite(chunk)
		}
		j.size += int64(n)
		j.dirty = true
		return nil
	}
	if err == nil {
		err = io.ErrShortWrite
	}
	if n > 0 {
		// Part of a line may be in the file: cut it off, so the retry
		// starts on a fresh line (the file is opened for appending).
		if terr := j.f.Truncate(j.size); terr != nil {
			err = fmt.Errorf("%w (and cutting back the partial line: %w)", err, terr)
		}
	}
	return fmt.Errorf("auditlog: journal: write: %w", err)
}

// checkPresent makes sure the file just written to is still the journal's
// current file. When the file or its folder was removed, or something
// else was put at its path, writes through the open descriptor still
// succeed, into a file no one will read: the journal then starts a new
// file (refusing a link or a FIFO put there), and the lines of the last
// write are reported as not written, to be written again.
func (j *Journal) checkPresent() error {
	if j.isCurrent() {
		return nil
	}
	return j.lost("write")
}

// isCurrent reports whether the path of the current file names j.f,
// without following a link.
func (j *Journal) isCurrent() bool {
	pfi, perr := os.Lstat(j.path)
	ffi, ferr := j.f.Stat()
	return perr == nil && ferr == nil && os.SameFile(pfi, ffi)
}

// lost lets go of a current file that is no longer at its path, starts a
// new one, and returns the error to report for op.
func (j *Journal) lost(op string) error {
	_ = j.f.Close() // the file is gone; nothing of it can be saved
	j.f = nil
	err := errors.New("the journal file was removed or replaced while open")
	if rerr := j.reopen(); rerr != nil {
		err = fmt.Errorf("%w; starting a new one: %w", err, rerr)
	}
	return fmt.Errorf("auditlog: journal: %s: %w", op, err)
}

// reopen creates the folder and the current file again after they were
// removed.
func (j *Journal) reopen() error {
	if _, err := fsafe.Dir(j.opts.Dir); err != nil {
		return fmt.Errorf("auditlog: journal: %w", err)
	}
	if _, err := j.openCurrent(); err != nil {
		return err
	}
	j.dirDirty = true
	return nil
}

// Rotate fsyncs the current file and renames it audit-<UTC time>.jsonl,
// then creates a new current file. The name is the later of the current
// time and a millisecond after the last rotation (the newest rotated file
// not named in the future, when the journal opened), and never the name
// of an existing file. An empty current file is not rotated.
func (j *Journal) Rotate() error {
	if j.closed {
		return errJournalClosed
	}
	if j.size == 0 {
		j.opened = j.now()
		return nil
	}
	if err := failpoint.Eval(FailRotate); err != nil {
		return fmt.Errorf("auditlog: journal: rotate: %w", err)
	}
	if j.f == nil {
		if err := j.reopen(); err != nil {
			return err
		}
		if j.size == 0 {
			return nil
		}
	}
	if err := j.syncFile(); err != nil {
		return err
	}
	// Named after the last rotation even when the clock stepped back, so
	// that the names keep the order of the lines, and after any file of
	// that name.
	ms := j.now().UTC().Truncate(time.Millisecond)
	if !ms.After(j.lastRot) {
		ms = j.lastRot.Add(time.Millisecond)
	}
	for j.backupExists(ms) {
		ms = ms.Add(time.Millisecond)
	}
	// Only the journal's own file is moved under a journal name, not a
	// link or a file put at its path.
	if !j.isCurrent() {
		return j.lost("rotate")
	}
	if err := os.Rename(j.path, filepath.Join(j.opts.Dir, backupName(ms))); err != nil {
		return fmt.Errorf("auditlog: journal: rotate: %w", err)
	}
	j.lastRot = ms
	j.newest.Store(ms.UnixMilli())
	if j.opts.OnRotate != nil {
		j.opts.OnRotate(backupName(ms))
	}
	j.f.Close() // fsynced above; nothing of it is lost
	j.f, j.size, j.dirty, j.dirDirty = nil, 0, false, true
	j.wakeHousekeeper()
	// O_EXCL: a file or link put at the path since the rename is not
	// taken for the new file; the next write reopens, refusing a link.
	f, err := fsafe.OpenFile(j.path, os.O_CREATE|os.O_EXCL|os.O_RDWR|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("auditlog: journal: rotate: %w", err)
	}
	j.f, j.opened = f, j.now()
	return nil
}

// StartHousekeeping starts applying MaxBackups, MaxAge and Compress to
// the rotated files, with a pass over the folder for what a crash or a
// Close left uncompressed or past retention, in a goroutine of the
// journal's own; each rotation queues another pass. The first Write
// calls it; a caller that reads the journal back after OpenJournal calls
// it once done reading. Calling it again does nothing.
func (j *Journal) StartHousekeeping() {
	if j.started || j.closed {
		return
	}
	j.started = true
	j.wakeHousekeeper()
}

func (j *Journal) wakeHousekeeper() {
	if j.tidy != nil {
		select {
		case j.tidy <- struct{}{}:
		default:
		}
	}
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

// Close fsyncs the journal and closes its file. It stops housekeeping:
// it waits for the rotated file being removed or compressed, if any, but
// not for the rest of the pass nor a pass queued; the files left are
// compressed or removed by the housekeeping of the next journal opened
// on the folder. It is safe to call twice.
func (j *Journal) Close() error {
	if j.closed {
		return nil
	}
	err := j.Sync()
	j.closed = true
	if j.f == nil {
		// removed and not yet created again
	} else if cerr := j.f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("auditlog: journal: close: %w", cerr)
	}
	if j.tidy != nil {
		j.stop.Store(true)
		close(j.tidy)
		j.wg.Wait()
	}
	return err
}

// journalClock is the clock of the journals opened from then on; tests
// replace it to step the time.
var journalClock = time.Now

var errJournalClosed = errors.New("auditlog: journal: closed")
