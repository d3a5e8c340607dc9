package export

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/mod/sumdb/note"

	"github.com/auditlog/auditlog/internal/fsafe"
)

// CheckpointsName is the name of the file, in the journal's folder,
// that holds the journal's signed checkpoints, oldest first.
//
// Each entry is one signed note exactly as SignCheckpoint returns it
// (the checkpoint's body, a blank line, one or more signature lines
// starting with "— ") followed by one blank line. A checkpoint's body
// has no blank line and no line starting with "— ", so an entry ends at
// the first blank line that follows a signature line, and each entry
// can be given as it is to note.Open or OpenCheckpoint. The file is only
// ever appended to.
const CheckpointsName = "checkpoints"

// SignedCheckpoint is a checkpoint together with the signed note it was
// read from.
type SignedCheckpoint struct {
	Checkpoint
	// Note is the signed note, as SignCheckpoint returned it.
	Note []byte
}

// CheckpointLog appends signed checkpoints to the checkpoints file of a
// journal's folder. Each Append is one write, with O_APPEND, and an
// fsync. A CheckpointLog is not safe for concurrent use.
type CheckpointLog struct {
	f    *os.File
	path string
	size int64 // bytes of whole entries
}

// OpenCheckpointLog opens the checkpoints file in dir for appending,
// creating it 0600 when missing (and dir 0700; a folder writable by
// others is refused, as OpenJournal refuses it). The file is opened
// without following a symbolic link, and refused unless it is a regular
// file of one name. An entry cut short by a crash at the end of the file
// is cut off (it was never acknowledged), and its size returned in torn.
func OpenCheckpointLog(dir string) (l *CheckpointLog, torn int64, err error) {
	created, err := fsafe.Dir(dir)
	if err != nil {
		return nil, 0, fmt.Errorf("auditlog: checkpoints: %w", err)
	}
	path := filepath.Join(dir, CheckpointsName)
	f, err := fsafe.OpenFile(path, os.O_CREATE|os.O_RDWR|os.O_APPEND, 0o600)
	if err != nil {
		return nil, 0, fmt.Errorf("auditlog: checkpoints: %w", err)
	}
	l = &CheckpointLog{f: f, path: path}
	torn, err = l.open(created)
	if err != nil {
		f.Close() // the error says what went wrong
		return nil, 0, err
	}
	return l, torn, nil
}

// open checks the file just opened, cuts a torn last entry and returns
// its size.
func (l *CheckpointLog) open(dirCreated bool) (torn int64, err error) {
	if err := fsafe.SingleLink(l.f); err != nil {
		return 0, fmt.Errorf("auditlog: checkpoints: %w", err)
	}
	fi, err := l.f.Stat()
	if err != nil {
		return 0, fmt.Errorf("auditlog: checkpoints: %w", err)
	}
	end, err := lastEntryEnd(l.f, fi.Size())
	if err != nil {
		return 0, fmt.Errorf("auditlog: checkpoints: %s: %w", l.path, err)
	}
	l.size = end
	if end < fi.Size() {
		if err := l.f.Truncate(end); err != nil {
			return 0, fmt.Errorf("auditlog: checkpoints: cutting a torn entry: %w", err)
		}
		if err := l.f.Sync(); err != nil {
			return 0, fmt.Errorf("auditlog: checkpoints: %w", err)
		}
	}
	if dirCreated || fi.Size() == 0 {
		if err := SyncDir(filepath.Dir(l.path)); err != nil {
			return 0, fmt.Errorf("auditlog: checkpoints: sync folder: %w", err)
		}
	}
	return fi.Size() - end, nil
}

// lastEntryEnd returns the end of the last whole entry of the file f of
// the given size: the size itself when the file ends with one (or is
// empty). It reads at most the last two entries' worth of bytes; when
// they hold no end of an entry, the file is taken for one torn entry if
// it is that short, and for corrupt otherwise.
func lastEntryEnd(f io.ReaderAt, size int64) (int64, error) {
	if size == 0 {
		return 0, nil
	}
	n := min(size, 2*MaxCheckpointBytes+2)
	tail := make([]byte, n)
	if _, err := f.ReadAt(tail, size-n); err != nil {
		return 0, err
	}
	for i := len(tail); ; {
		j := bytes.LastIndex(tail[:i], []byte("\n\n"))
		if j < 0 {
			break
		}
		lineStart := bytes.LastIndexByte(tail[:j], '\n') + 1
		if strings.HasPrefix(string(tail[lineStart:j]), sigPrefix) && (lineStart > 0 || n == size) {
			return size - n + int64(j) + 2, nil
		}
		i = j + 1
	}
	if n == size {
		return 0, nil
	}
	return 0, fmt.Errorf("%w: the last %d bytes hold no whole entry", ErrBadCheckpoint, n)
}

// Append writes signed, a checkpoint signed as SignCheckpoint returns
// it, as the next entry, and fsyncs the file. It refuses, with an error
// wrapping ErrBadCheckpoint, a note whose body is not a checkpoint or
// that has no signature line (it checks no signature: the log holds what
// its writer signed). A failed write leaves the file as it was.
func (l *CheckpointLog) Append(signed []byte) error {
	if l.f == nil {
		return errors.New("auditlog: checkpoints: closed")
	}
	if err := checkFrame(signed); err != nil {
		return err
	}
	entry := append(bytes.Clone(signed), '\n')
	n, err := l.f.Write(entry)
	if err == nil && n != len(entry) {
		err = io.ErrShortWrite
	}
	if err == nil {
		err = l.f.Sync()
	}
	if err != nil {
		if terr := l.f.Truncate(l.size); terr != nil {
			err = fmt.Errorf("%w (and cutting back the partial entry: %w)", err, terr)
		}
		return fmt.Errorf("auditlog: checkpoints: append: %w", err)
	}
	l.size += int64(n)
	return nil
}

// Close closes the file. It is safe to call twice.
func (l *CheckpointLog) Close() error {
	if l.f == nil {
		return nil
	}
	err := l.f.Close()
	l.f = nil
	if err != nil {
		return fmt.Errorf("auditlog: checkpoints: close: %w", err)
	}
	return nil
}

// checkFrame checks that signed is a note that frames as an entry: a
// checkpoint body, a blank line, and signature lines.
func checkFrame(signed []byte) error {
	if len(signed) > MaxCheckpointBytes {
		return fmt.Errorf("%w: longer than %d bytes", ErrBadCheckpoint, MaxCheckpointBytes)
	}
	body, sigs, ok := bytes.Cut(signed, []byte("\n\n"))
	if !ok || len(sigs) == 0 || !bytes.HasSuffix(sigs, []byte{'\n'}) {
		return fmt.Errorf("%w: not a signed note (a body, a blank line, signature lines)", ErrBadCheckpoint)
	}
	if _, err := ParseCheckpoint(append(body, '\n')); err != nil {
		return err
	}
	for _, s := range strings.Split(string(sigs[:len(sigs)-1]), "\n") {
		if !strings.HasPrefix(s, sigPrefix) {
			return fmt.Errorf("%w: a line after the blank line is not a signature line: %.60q", ErrBadCheckpoint, s)
		}
	}
	return nil
}

// ReadCheckpoints returns the checkpoints of the file CheckpointsName in
// dir, oldest first, each opened with v (see OpenCheckpoint). It stops at
// the first entry that is not a checkpoint signed by v's key and returns
// the ones before it with an error that names the file, the entry (from
// 1) and its first line, wrapping ErrNotSigned, ErrWrongOrigin or ErrBadCheckpoint. A
// last entry cut short (no blank line after its signatures) is reported
// as torn, wrapping ErrBadCheckpoint. No file is no checkpoints and no
// error.
func ReadCheckpoints(dir string, v note.Verifier) ([]SignedCheckpoint, error) {
	var out []SignedCheckpoint
	err := eachEntry(dir, func(entry []byte, path string, num, line int) error {
		c, err := OpenCheckpoint(entry, v)
		if err != nil {
			return fmt.Errorf("%w (%s: entry %d, line %d)", err, path, num, line)
		}
		out = append(out, SignedCheckpoint{Checkpoint: c, Note: entry})
		return nil
	})
	return out, err
}

// eachEntry calls fn with each entry of the checkpoints file in dir, as
// splitEntries gives them, and the file's path: none when the file is
// missing. A framing error is returned wrapping ErrBadCheckpoint, naming
// the file; an error of fn as it is.
func eachEntry(dir string, fn func(entry []byte, path string, num, line int) error) error {
	path := filepath.Join(dir, CheckpointsName)
	f, err := fsafe.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("auditlog: checkpoints: %w", err)
	}
	defer f.Close() // read only
	err = splitEntries(f, func(entry []byte, num, line int) error { return fn(entry, path, num, line) })
	var pe *entryError
	if errors.As(err, &pe) {
		return fmt.Errorf("%w: %s: %s", ErrBadCheckpoint, path, pe.msg)
	}
	return err
}

// entryError is a framing error of a checkpoints file.
type entryError struct{ msg string }

func (e *entryError) Error() string { return e.msg }

// splitEntries calls fn with each entry of a checkpoints file read from
// r, without its final blank line, with its number and first line, both
// from 1.
func splitEntries(r io.Reader, fn func(entry []byte, num, line int) error) error {
	br := bufio.NewReaderSize(r, 64<<10)
	var entry []byte
	num, line, first := 0, 0, 1
	lastSig := false // the last line read was a signature line
	for {
		l, err := br.ReadSlice('\n')
		if err == bufio.ErrBufferFull || (err == nil && len(entry)+len(l) > MaxCheckpointBytes+1) {
			return &entryError{fmt.Sprintf("entry %d (line %d): longer than %d bytes", num+1, first, MaxCheckpointBytes)}
		}
		if err == io.EOF {
			if len(entry)+len(l) > 0 {
				return &entryError{fmt.Sprintf("entry %d (line %d): torn: the file ends inside it", num+1, first)}
			}
			return nil
		}
		if err != nil {
			return fmt.Errorf("auditlog: checkpoints: %w", err)
		}
		line++
		if len(l) == 1 && lastSig {
			num++
			if err := fn(bytes.Clone(entry), num, first); err != nil {
				return err
			}
			entry, first, lastSig = entry[:0], line+1, false
			continue
		}
		if len(l) == 1 && len(entry) == 0 {
			return &entryError{fmt.Sprintf("line %d: a blank line where an entry should start", line)}
		}
		entry = append(entry, l...)
		lastSig = bytes.HasPrefix(l, []byte(sigPrefix))
	}
}
