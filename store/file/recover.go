package file

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/auditlog/auditlog/export"
	"github.com/auditlog/auditlog/internal/fsafe"
	"github.com/auditlog/auditlog/logger"
)

// The lock file, .auditlog-lock in the store's folder, marks a folder
// being written. A Store locks it (flock, where the platform has it)
// before its first write and holds it until Close, so that one Store at
// a time writes a folder, and writes a note in it; Close empties it
// after every segment is fsynced. A lock file that is not empty and not
// locked is the mark of a writer that stopped without Close: the next
// Store to open or write the folder first repairs the segments, cutting
// any torn last line, and removes temporary files a DeleteBefore left.

const dirtyNote = "a Store is writing this folder, or stopped without Close\n"

// acquire makes this Store the folder's writer, repairing the segments
// first when the last writer stopped without Close. Called with wmu
// held.
func (s *Store) acquire() error {
	if s.lock != nil {
		return nil
	}
	path := filepath.Join(s.root, lockName)
	f, err := fsafe.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("store/file: %w", err)
	}
	ok, err := tryLock(f)
	if err != nil || !ok {
		_ = f.Close()
		if err != nil {
			return fmt.Errorf("store/file: locking %s: %w", path, err)
		}
		return fmt.Errorf("%w: %s", ErrLocked, s.root)
	}
	err = s.repairIfDirty(f)
	if err == nil {
		err = writeNote(f, dirtyNote)
	}
	if err == nil {
		err = export.SyncDir(s.root)
	}
	if err != nil {
		_ = unlock(f)
		_ = f.Close()
		return fmt.Errorf("store/file: %s: %w", path, err)
	}
	s.lock = f
	return nil
}

// unlockWriter marks the folder clean and releases it. Called by Close
// with wmu held, after every segment is fsynced and closed.
func (s *Store) unlockWriter() error {
	f := s.lock
	s.lock = nil
	err := writeNote(f, "")
	if uerr := unlock(f); err == nil {
		err = uerr
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("store/file: releasing %s: %w", f.Name(), err)
	}
	return nil
}

// writeNote replaces the content of the lock file and fsyncs it.
func writeNote(f *os.File, note string) error {
	if err := f.Truncate(0); err != nil {
		return err
	}
	if _, err := f.WriteAt([]byte(note), 0); err != nil {
		return err
	}
	return f.Sync()
}

// recoverIdle repairs the folder at Open when its last writer stopped
// without Close and no Store writes it now. It refuses a lock file that
// is not a regular file: a link, a FIFO.
func (s *Store) recoverIdle() error {
	path := filepath.Join(s.root, lockName)
	if err := fsafe.Regular(path); errors.Is(err, fs.ErrNotExist) {
		return nil // never written
	} else if err != nil {
		return fmt.Errorf("store/file: %w", err)
	}
	if fi, err := os.Lstat(path); err != nil || fi.Size() == 0 {
		return nil // closed cleanly, or removed meanwhile
	}
	f, err := fsafe.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("store/file: %w", err)
	}
	defer f.Close()
	ok, err := tryLock(f)
	if err != nil {
		return fmt.Errorf("store/file: locking %s: %w", path, err)
	}
	if !ok {
		return nil // a live writer: readers skip torn lines meanwhile
	}
	defer func() { _ = unlock(f) }() // closing would release it anyway
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if err := s.repairIfDirty(f); err != nil {
		return fmt.Errorf("store/file: %w", err)
	}
	if err := writeNote(f, ""); err != nil {
		return fmt.Errorf("store/file: %s: %w", path, err)
	}
	return nil
}

// repairIfDirty repairs every segment when the lock file f, locked, is
// not empty.
func (s *Store) repairIfDirty(f *os.File) error {
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if fi.Size() == 0 {
		return nil
	}
	return filepath.WalkDir(s.root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		switch {
		case d.IsDir() || !d.Type().IsRegular():
			return nil
		case strings.HasPrefix(name, tempPrefix):
			return os.Remove(path)
		case strings.HasPrefix(name, segmentPrefix) && strings.HasSuffix(name, segmentExt):
			cut, err := cutTornTail(path)
			if cut {
				s.repaired++
			}
			return err
		}
		return nil
	})
}

// cutTornTail truncates the segment path before its last line when that
// line has no newline or is not an event: the part of a write that a
// crash cut short. It reports whether it cut.
func cutTornTail(path string) (bool, error) {
	f, err := fsafe.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return false, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return false, err
	}
	size := fi.Size()
	if size == 0 {
		return false, nil
	}
	var last [1]byte
	if _, err := f.ReadAt(last[:], size-1); err != nil {
		return false, err
	}
	end := size // where the last line ends, its newline excluded
	if last[0] == '\n' {
		end--
	}
	start, err := lastNewline(f, end)
	if err != nil {
		return false, err
	}
	start++ // the last line's first byte
	if end == size-1 {
		line := make([]byte, end-start)
		if _, err := f.ReadAt(line, start); err != nil {
			return false, err
		}
		if isEvent(line) {
			return false, nil
		}
	}
	if err := f.Truncate(start); err != nil {
		return false, err
	}
	return true, f.Sync()
}

// lastNewline returns the offset of the last '\n' before end in f, or
// -1.
func lastNewline(f *os.File, end int64) (int64, error) {
	buf := make([]byte, 64<<10)
	for end > 0 {
		n := min(int64(len(buf)), end)
		if _, err := f.ReadAt(buf[:n], end-n); err != nil && !errors.Is(err, io.EOF) {
			return 0, err
		}
		if i := bytes.LastIndexByte(buf[:n], '\n'); i >= 0 {
			return end - n + int64(i), nil
		}
		end -= n
	}
	return -1, nil
}

// isEvent reports whether line decodes as an event.
func isEvent(line []byte) bool {
	var ev logger.Event
	return ev.UnmarshalJSON(line) == nil
}
