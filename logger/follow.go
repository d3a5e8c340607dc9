package logger

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/auditlog/auditlog/export"
	"github.com/auditlog/auditlog/internal/fsafe"
)

// follower reads a journal's lines in order for one sink, from the files
// on disk: across rotations, into compressed files, and up to the last
// line the writer has handed to the operating system. It holds one file
// open at a time, and finds its place again from the seqs in the files'
// last lines whenever the file it holds has ended (or was rotated away).
type follower struct {
	dir     string
	file    export.JournalFile // the file held; Path "" when none
	f       *os.File
	off     int64 // a plain file: where the next unread line starts
	zr      *gzip.Reader
	br      *bufio.Reader
	long    []byte // a line longer than br's buffer, being put together
	held    []byte // a line read whose seq is above the writer's: next time
	heldSeq uint64
}

// followLine is one line handed to a follower's callback: valid only
// during the call.
type followLine struct {
	seq  uint64
	data []byte
}

// newFollower returns a follower of the journal in dir, holding no file.
func newFollower(dir string) *follower { return &follower{dir: dir} }

// read hands fn, in file order, at most max lines whose seq is above
// after and at most upto (the writer's last written line), and returns
// how many it handed over. It returns 0 and no error when there is
// nothing new on disk yet. A line whose seq cannot be read is handed
// over with seq 0, for the caller to report; fn's error stops read and
// is returned.
func (fo *follower) read(after, upto uint64, limit int, fn func(followLine) error) (int, error) {
	for range 4 {
		if fo.f == nil {
			found, err := fo.locate(after)
			if err != nil || !found {
				return 0, err
			}
		}
		n, full, err := fo.scan(after, upto, limit, fn)
		if err != nil || n > 0 || full {
			return n, err
		}
		// This file has nothing more up to upto.
		if fo.file.Rotated.IsZero() {
			same, err := fo.stillCurrent()
			if err != nil {
				return 0, err
			}
			if same {
				return 0, nil // the writer has not written more yet
			}
			// Rotated away: what was appended before the rotation is in
			// the file held.
			if n, full, err = fo.scan(after, upto, limit, fn); err != nil || n > 0 || full {
				return n, err
			}
		}
		fo.close()
	}
	return 0, nil
}

// scan reads lines of the file held from where it stopped. full reports
// that it stopped at a line above upto (held for the next call) rather
// than at the end of the file.
func (fo *follower) scan(after, upto uint64, limit int, fn func(followLine) error) (n int, full bool, err error) {
	if fo.held != nil {
		if fo.heldSeq > upto {
			return 0, true, nil
		}
		line, seq := fo.held, fo.heldSeq
		fo.held = nil
		if seq > after || seq == 0 {
			if err := fn(followLine{seq: seq, data: line}); err != nil {
				return 0, false, err
			}
			n++
			after = max(after, seq)
		}
	}
	if fo.zr == nil {
		// A plain file may have grown since the last read: read on from
		// the end of the last whole line.
		fo.br.Reset(io.NewSectionReader(fo.f, fo.off, 1<<62))
	}
	for n < limit {
		line, ok, err := fo.line()
		if err != nil || !ok {
			return n, false, err
		}
		seq, serr := lineSeq(line)
		if serr != nil {
			seq = 0
		}
		if seq > upto {
			fo.held, fo.heldSeq = append([]byte(nil), line...), seq
			return n, true, nil
		}
		if seq != 0 && seq <= after {
			if seq == after {
				if err := fn(followLine{seq: seq, data: line}); err != nil { // the cursor's own line, to check
					return n, false, err
				}
			}
			continue
		}
		if err := fn(followLine{seq: seq, data: line}); err != nil {
			return n, false, err
		}
		n++
		if seq != 0 {
			after = seq
		}
	}
	return n, false, nil
}

// line returns the next whole line of the file held, without its
// newline; ok is false at the end of the file, where a plain file's
// partial last line (a write in progress) is left for the next read.
func (fo *follower) line() (line []byte, ok bool, err error) {
	for {
		chunk, err := fo.br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			fo.long = append(fo.long, chunk...)
			if len(fo.long) > export.MaxLineBytes {
				return nil, false, fmt.Errorf("%w: %s: a line longer than %d bytes", export.ErrCorrupt, fo.file.Path, export.MaxLineBytes)
			}
			continue
		}
		if err == io.EOF {
			// A plain file's partial last line is read again next time;
			// a compressed file's torn last line will not grow.
			fo.long = fo.long[:0]
			return nil, false, nil
		}
		if err != nil {
			return nil, false, fmt.Errorf("%w: %s: %w", export.ErrCorrupt, fo.file.Path, err)
		}
		data := chunk
		if len(fo.long) > 0 {
			fo.long = append(fo.long, chunk...)
			data = fo.long
		}
		fo.off += int64(len(data))
		fo.long = fo.long[:0]
		data = bytes.TrimRight(data, "\r\n")
		if len(bytes.TrimSpace(data)) == 0 {
			continue
		}
		return data, true, nil
	}
}

// locate opens the first file of the journal that holds a line above
// after: the oldest rotated file whose last line is above it, or the
// current file. It reports false when there is none.
func (fo *follower) locate(after uint64) (bool, error) {
	files, err := export.JournalFiles(fo.dir)
	if err != nil {
		return false, err
	}
	for i, f := range files {
		if i < len(files)-1 || !f.Rotated.IsZero() {
			last, err := export.FileLastLine(f)
			if err == nil && last == nil {
				continue // empty
			}
			if err == nil {
				if seq, serr := lineSeq(last); serr == nil && seq <= after {
					continue
				}
			}
		}
		err := fo.open(f)
		if errors.Is(err, fs.ErrNotExist) {
			continue // compressed or removed since it was listed
		}
		return err == nil, err
	}
	return false, nil
}

// open opens f for reading from its start.
func (fo *follower) open(f export.JournalFile) error {
	file, err := fsafe.Open(f.Path)
	if errors.Is(err, fs.ErrNotExist) && !f.Rotated.IsZero() && !f.Gzip {
		f.Path, f.Gzip = f.Path+".gz", true // compressed since it was listed
		file, err = fsafe.Open(f.Path)
	}
	if err != nil {
		return err
	}
	fo.file, fo.f, fo.off, fo.held = f, file, 0, nil
	var r io.Reader = file
	if f.Gzip {
		zr, err := gzip.NewReader(bufio.NewReader(file))
		if err != nil {
			file.Close()
			fo.f = nil
			return fmt.Errorf("%w: %s: %w", export.ErrCorrupt, f.Path, err)
		}
		fo.zr, r = zr, zr
	}
	if fo.br == nil {
		fo.br = bufio.NewReaderSize(r, 256<<10)
	} else {
		fo.br.Reset(r)
	}
	return nil
}

// stillCurrent reports whether the file held is still the journal's
// current file, and not rotated away.
func (fo *follower) stillCurrent() (bool, error) {
	held, err := fo.f.Stat()
	if err != nil {
		return false, err
	}
	now, err := os.Lstat(filepath.Join(fo.dir, export.JournalName))
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil // between a rotation's rename and its new file
	}
	if err != nil {
		return false, err
	}
	return os.SameFile(held, now), nil
}

// close lets go of the file held.
func (fo *follower) close() {
	if fo.zr != nil {
		fo.zr.Close()
		fo.zr = nil
	}
	if fo.f != nil {
		fo.f.Close()
		fo.f = nil
	}
	fo.file = export.JournalFile{}
	fo.held = nil
	fo.long = fo.long[:0]
}
