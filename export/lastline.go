package export

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/auditlog/auditlog/internal/fsafe"
)

// lastLineField is the id of the subfield (RFC 1952, 2.3.1.1) of a
// compressed journal file's gzip header that carries a copy of its last
// line, so that the line can be read without inflating the file.
var lastLineField = [2]byte{'A', 'L'}

// maxHeaderLine bounds the line a gzip header carries: the extra field
// holds at most 65,535 bytes, four of them the subfield's id and length.
const maxHeaderLine = 1<<16 - 1 - 4

// FileLastLine returns a copy of the last whole line of the journal file
// f, skipping a torn line and blank lines, or nil when it has none. It
// reads no more than it must: a plain file is read back from its end; a
// compressed file written by the journal carries its last line in its
// gzip header; only a compressed file without one is inflated whole. It
// opens f as ReadJournalFile does, and a line longer than MaxLineBytes is
// an error wrapping ErrCorrupt.
//
// The line in a gzip header is the one compression read at the end of
// the plain file; a compressed file changed by hand since may say
// otherwise: Verify reads the lines themselves.
func FileLastLine(f JournalFile) ([]byte, error) {
	file, err := fsafe.Open(f.Path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) && !f.Rotated.IsZero() && !f.Gzip {
			// Compressed since it was listed.
			return FileLastLine(JournalFile{Path: f.Path + gzipExt, Rotated: f.Rotated, Gzip: true})
		}
		return nil, fmt.Errorf("auditlog: journal: %w", err)
	}
	defer file.Close()
	if !f.Gzip {
		fi, err := file.Stat()
		if err != nil {
			return nil, fmt.Errorf("auditlog: journal: %w", err)
		}
		line, err := tailLine(file, fi.Size())
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %w", ErrCorrupt, f.Path, err)
		}
		return line, nil
	}
	zr, err := gzip.NewReader(bufio.NewReader(file))
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrCorrupt, f.Path, err)
	}
	defer zr.Close()
	if line, ok := headerLine(zr.Extra); ok {
		return line, nil
	}
	var last []byte
	err = readLines(f.Path, zr, func(l Line) error {
		if !l.Torn {
			last = append(last[:0], l.Data...)
		}
		return nil
	})
	return last, err
}

// tailLine returns the last whole line of the size bytes of r that is
// not blank, reading back from the end in windows that double, so that
// a line costs at most twice its length to find.
func tailLine(r io.ReaderAt, size int64) ([]byte, error) {
	end := size // the bytes from end on are done with
	for window := int64(64 << 10); end > 0; window *= 2 {
		n := min(window, end)
		buf := make([]byte, n)
		if _, err := r.ReadAt(buf, end-n); err != nil && err != io.EOF {
			return nil, err
		}
		for {
			nl := bytes.LastIndexByte(buf, '\n')
			if nl < 0 {
				if n == end {
					return nil, nil // no newline left: a torn line or nothing
				}
				break // read a larger window
			}
			buf = buf[:nl] // a torn line after the newline is dropped
			prev := bytes.LastIndexByte(buf, '\n')
			if prev < 0 && n < end {
				break // the line may start before the window
			}
			line := buf[prev+1:]
			if len(line) > MaxLineBytes {
				return nil, fmt.Errorf("last line: longer than %d bytes", MaxLineBytes)
			}
			if len(bytes.TrimSpace(line)) > 0 {
				return bytes.Clone(bytes.TrimSuffix(line, []byte{'\r'})), nil
			}
			end -= n - int64(prev+1) // a blank line: look before it
			n, buf = int64(prev+1), buf[:prev+1]
		}
		if n > MaxLineBytes+1 {
			return nil, fmt.Errorf("last line: longer than %d bytes", MaxLineBytes)
		}
	}
	return nil, nil
}

// lineHeader returns the gzip extra field that carries line, or nil when
// the line does not fit in one.
func lineHeader(line []byte) []byte {
	if len(line) == 0 || len(line) > maxHeaderLine {
		return nil
	}
	extra := make([]byte, 4, 4+len(line))
	extra[0], extra[1] = lastLineField[0], lastLineField[1]
	binary.LittleEndian.PutUint16(extra[2:], uint16(len(line)))
	return append(extra, line...)
}

// headerLine finds the line of lineHeader among the subfields of a gzip
// extra field.
func headerLine(extra []byte) ([]byte, bool) {
	for len(extra) >= 4 {
		n := int(binary.LittleEndian.Uint16(extra[2:]))
		if len(extra) < 4+n {
			return nil, false
		}
		if extra[0] == lastLineField[0] && extra[1] == lastLineField[1] && n > 0 {
			return bytes.Clone(extra[4 : 4+n]), true
		}
		extra = extra[4+n:]
	}
	return nil, false
}
