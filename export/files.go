package export

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
	"sort"
	"strings"
	"time"

	"github.com/auditlog/auditlog/internal/fsafe"
)

// Names of the journal's files in its folder: the current file, and the
// rotated ones, which keep lumberjack's names, audit-<time>.jsonl with the
// UTC time of the rotation to the millisecond, and .gz added once
// compressed.
const (
	JournalName      = "audit.jsonl"
	journalPrefix    = "audit-"
	journalExt       = ".jsonl"
	gzipExt          = ".gz"
	backupTimeFormat = "2006-01-02T15-04-05.000"
)

// MaxLineBytes bounds one line read from a journal file: a longer line
// is reported as corrupt rather than read into memory.
const MaxLineBytes = 64 << 20

// JournalFile is one file of a journal.
type JournalFile struct {
	// Path is the file's path.
	Path string
	// Rotated is when the file was rotated, from its name; zero for the
	// current file.
	Rotated time.Time
	// Gzip reports whether the file is compressed.
	Gzip bool
}

// JournalFiles lists the files of the journal in dir, oldest first: the
// rotated files in the order of the times in their names, then the
// current file. When a rotated file exists both plain and compressed
// (compression was interrupted), the plain one is listed, as the
// compressed one may be incomplete. Files of other names, and folders,
// are ignored. It returns an error when dir cannot be read, and an error
// wrapping ErrNotRegular that names the entry when an entry of a
// journal file's name is a symbolic link, a FIFO, a device or a socket:
// such an entry was put there by someone else, and is neither followed
// nor skipped without a word.
func JournalFiles(dir string) ([]JournalFile, error) {
	all, planted, err := journalEntries(dir)
	if err != nil {
		return nil, err
	}
	if len(planted) > 0 {
		return nil, fmt.Errorf("auditlog: journal: %w", errors.Join(planted...))
	}
	var files []JournalFile
	plain := map[time.Time]bool{}
	for _, f := range all {
		if !f.Rotated.IsZero() && !f.Gzip {
			plain[f.Rotated] = true
		}
	}
	var current *JournalFile
	for _, f := range all {
		switch {
		case f.Rotated.IsZero():
			current = &f
		case f.Gzip && plain[f.Rotated]:
		default:
			files = append(files, f)
		}
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Rotated.Before(files[j].Rotated) })
	if current != nil {
		files = append(files, *current)
	}
	return files, nil
}

// journalEntries lists, unsorted, the regular files of dir that have a
// journal file's name: the current file and the rotated ones, plain and
// compressed both. An entry of such a name that is not a regular file
// (a folder excepted) is left out and named in planted, with an error
// wrapping ErrNotRegular.
func journalEntries(dir string) (files []JournalFile, planted []error, err error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, nil, fmt.Errorf("auditlog: journal: %w", err)
	}
	for _, e := range entries {
		name := e.Name()
		var f JournalFile
		if name == JournalName {
			f = JournalFile{Path: filepath.Join(dir, name)}
		} else if t, gz, ok := parseBackupName(name); ok {
			f = JournalFile{Path: filepath.Join(dir, name), Rotated: t, Gzip: gz}
		} else {
			continue
		}
		// The type comes from the folder's entry, as Lstat sees it: a
		// link is a link, whatever it points to.
		switch typ := e.Type(); {
		case typ.IsRegular():
			files = append(files, f)
		case typ.IsDir():
		default:
			if err := fsafe.Regular(f.Path); err != nil && !errors.Is(err, fs.ErrNotExist) {
				planted = append(planted, err)
			}
		}
	}
	return files, planted, nil
}

// parseBackupName reads the rotation time of a rotated file's name.
func parseBackupName(name string) (t time.Time, gz bool, ok bool) {
	if strings.HasSuffix(name, gzipExt) {
		name, gz = strings.TrimSuffix(name, gzipExt), true
	}
	if !strings.HasPrefix(name, journalPrefix) || !strings.HasSuffix(name, journalExt) {
		return time.Time{}, false, false
	}
	ts := name[len(journalPrefix) : len(name)-len(journalExt)]
	t, err := time.Parse(backupTimeFormat, ts)
	if err != nil {
		return time.Time{}, false, false
	}
	return t, gz, true
}

// backupName is the name lumberjack gives a file rotated at t.
func backupName(t time.Time) string {
	return journalPrefix + t.UTC().Format(backupTimeFormat) + journalExt
}

// Line is one line of a journal file, as ReadJournal hands it over.
type Line struct {
	// File is the path of the file, Num the line's number in it, from 1.
	File string
	Num  int
	// Data is the line without its newline. It is valid only during the
	// call to the callback.
	Data []byte
	// Torn reports that this is the last line of its file and has no
	// newline: a write cut short by a crash.
	Torn bool
}

// ReadJournal calls fn with every line of every file of the journal in
// dir, oldest first (see JournalFiles), decompressing gzipped files.
// Blank lines are skipped. It stops at the first error fn returns and
// returns it. A file that cannot be read, a corrupt gzip stream or a line
// longer than MaxLineBytes gives an error wrapping ErrCorrupt that names
// the file (and line).
func ReadJournal(dir string, fn func(Line) error) error {
	files, err := JournalFiles(dir)
	if err != nil {
		return err
	}
	var lr LineReader
	for _, f := range files {
		if err := lr.ReadFile(f, fn); err != nil {
			return err
		}
	}
	return nil
}

// ReadJournalFile calls fn with every line of one journal file, as
// ReadJournal does. It opens the file without following a symbolic link
// and refuses anything but a regular file (a link, a FIFO) with an error
// wrapping ErrNotRegular that names it.
func ReadJournalFile(f JournalFile, fn func(Line) error) error {
	var lr LineReader
	return lr.ReadFile(f, fn)
}

// LineReader reads journal files as ReadJournalFile does, through one
// buffer that it keeps from one file to the next: reading many small
// files costs what they hold, not a buffer each. The zero value is ready
// to use. A LineReader is for one goroutine at a time; it holds no file
// open between calls.
type LineReader struct {
	br   *bufio.Reader
	long []byte // a line longer than br's buffer, gathered
}

// lineBufBytes is the size of a LineReader's buffer, and keepLongBytes
// the largest gathered line whose room it keeps for the next files.
const (
	lineBufBytes  = 256 << 10
	keepLongBytes = 1 << 20
)

// ReadFile calls fn with every line of the journal file f, as
// ReadJournalFile does.
func (lr *LineReader) ReadFile(f JournalFile, fn func(Line) error) error {
	file, err := fsafe.Open(f.Path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) && !f.Rotated.IsZero() {
			// Compressed or removed by retention since it was listed: try
			// the compressed name once.
			if !f.Gzip {
				return lr.ReadFile(JournalFile{Path: f.Path + gzipExt, Rotated: f.Rotated, Gzip: true}, fn)
			}
		}
		return fmt.Errorf("auditlog: journal: %w", err)
	}
	defer file.Close()
	var r io.Reader = file
	if f.Gzip {
		zr, err := gzip.NewReader(bufio.NewReader(file))
		if err != nil {
			return fmt.Errorf("%w: %s: %w", ErrCorrupt, f.Path, err)
		}
		defer zr.Close()
		r = zr
	}
	return lr.lines(f.Path, r, fn)
}

// readLines splits r into lines for fn.
func readLines(path string, r io.Reader, fn func(Line) error) error {
	var lr LineReader
	return lr.lines(path, r, fn)
}

// lines splits r into lines for fn, through lr's buffer.
func (lr *LineReader) lines(path string, r io.Reader, fn func(Line) error) error {
	if lr.br == nil {
		lr.br = bufio.NewReaderSize(r, lineBufBytes)
	} else {
		lr.br.Reset(r)
	}
	lr.long = lr.long[:0] // a file before may have stopped mid-line
	err := lr.split(path, fn)
	lr.br.Reset(nil) // let go of r
	if cap(lr.long) > keepLongBytes {
		lr.long = nil
	}
	return err
}

// split hands the lines of lr.br to fn.
func (lr *LineReader) split(path string, fn func(Line) error) error {
	br := lr.br
	num := 0
	for {
		chunk, err := br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			lr.long = append(lr.long, chunk...)
			if len(lr.long) > MaxLineBytes {
				return fmt.Errorf("%w: %s: line %d: longer than %d bytes", ErrCorrupt, path, num+1, MaxLineBytes)
			}
			continue
		}
		if err != nil && err != io.EOF {
			// What came before the read error is not a line: do not hand
			// it over.
			return fmt.Errorf("%w: %s: line %d: %w", ErrCorrupt, path, num+1, err)
		}
		data := chunk
		if len(lr.long) > 0 {
			lr.long = append(lr.long, chunk...)
			data = lr.long
		}
		if len(data) > 0 {
			num++
			torn := err == io.EOF
			data = bytes.TrimSuffix(data, []byte{'\n'})
			data = bytes.TrimSuffix(data, []byte{'\r'})
			if len(data) > MaxLineBytes {
				return fmt.Errorf("%w: %s: line %d: longer than %d bytes", ErrCorrupt, path, num, MaxLineBytes)
			}
			if len(bytes.TrimSpace(data)) > 0 {
				if ferr := fn(Line{File: path, Num: num, Data: data, Torn: torn}); ferr != nil {
					return ferr
				}
			}
		}
		lr.long = lr.long[:0]
		if err == io.EOF {
			return nil
		}
	}
}
