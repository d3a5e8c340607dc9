package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/auditlog/auditlog/export"
	"github.com/auditlog/auditlog/internal/fsafe"
	"github.com/auditlog/auditlog/logger"
)

func newTail(a *app) *cobra.Command {
	var sel selectFlags
	var format string
	var lines int
	var interval time.Duration
	cmd := &cobra.Command{
		Use:   "tail DIR",
		Short: "Follow a journal as it grows, across rotations",
		Long: `Print the last events of the journal in DIR that match the filters (-n,
default 10), then every new matching event as the journal grows, until
interrupted (Ctrl-C, exit status 0). Rotated files are followed: the file
being read is finished after its rotation, then the new one is read, and any
file rotated in between, gzipped or not.

The folder is polled every --interval. A line is printed once whole (a line
being written waits for its newline); a line is printed once, even when it
is met again under a rotated name. On a terminal each event is a row; piped,
a JSON line. --format chooses: table or jsonl.`,
		Example: examplesOf("tail"),
		Args:    exactArgs(1, "one journal folder"),
		RunE: a.runE(func(_ *cobra.Command, args []string) error {
			f, err := sel.filter(a.now)
			if err != nil {
				return err
			}
			if format == "" {
				format = fmtJSONL
				if a.stdoutTTY {
					format = fmtTable
				}
			}
			if err := checkFormat(format, []string{fmtTable, fmtJSONL}); err != nil {
				return err
			}
			if lines < 0 {
				return usageErrorf("invalid -n %d: want 0 or more", lines)
			}
			if interval < time.Millisecond {
				return usageErrorf("invalid --interval %s: want 1ms or more", interval)
			}
			if err := checkDir(args[0]); err != nil {
				return err
			}
			return a.tail(args[0], f, format, lines, interval)
		}),
	}
	sel.add(cmd.Flags(), false)
	cmd.Flags().IntVarP(&lines, "lines", "n", 10, "print the last N matching events first")
	cmd.Flags().DurationVar(&interval, "interval", 500*time.Millisecond, "how often to look for new lines")
	cmd.Flags().StringVar(&format, "format", "", "table or jsonl (default: table on a terminal, jsonl otherwise)")
	return cmd
}

// checkDir reports a path that is not a folder.
func checkDir(dir string) error {
	fi, err := os.Stat(dir)
	if errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("%s: no such folder", dir)
	}
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return fmt.Errorf("%s is not a folder: give the journal's folder", dir)
	}
	return nil
}

// tail prints the backlog, then follows.
func (a *app) tail(dir string, f logger.Filter, format string, n int, interval time.Duration) error {
	fl := &follower{dir: dir, consumed: map[time.Time]bool{}}
	print := func(ev *logger.Event) error {
		if format == fmtJSONL {
			b, _ := ev.MarshalJSON() // never fails
			a.stdout.Write(b)
			return a.stdout.WriteByte('\n')
		}
		_, err := fmt.Fprintln(a.stdout, strings.Join(tailRow(ev), " "))
		return err
	}
	if format == fmtTable {
		fmt.Fprintln(a.stdout, strings.Join(tailRow(nil), " "))
	}

	// The backlog: the newest n matches of what is there now.
	back := newSelector(logger.Filter{Limit: n})
	err := fl.start(n > 0, func(ev *logger.Event, l export.Line) error {
		if n > 0 && f.Matches(ev) {
			back.add([]match{{ev: *ev, raw: append([]byte(nil), l.Data...), file: l.File, line: l.Num}})
		}
		return nil
	})
	if err != nil {
		return err
	}
	ms := back.result()
	for i := len(ms) - 1; i >= 0; i-- {
		ev, err := ms[i].decode()
		if err != nil {
			return err
		}
		if err := print(&ev); err != nil {
			return err
		}
	}
	if err := a.stdout.Flush(); err != nil {
		return err
	}

	follow := func(ev *logger.Event, l export.Line) error {
		if !f.Matches(ev) {
			return nil
		}
		k := kept{raw: l.Data, file: l.File, line: l.Num}
		full, err := k.decode()
		if err != nil {
			return err
		}
		return print(&full)
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-a.ctx.Done():
			return nil
		case <-t.C:
		}
		if err := fl.poll(follow); err != nil {
			return err
		}
		if err := a.stdout.Flush(); err != nil {
			return err
		}
	}
}

// tailRow is a row of tail's table, in fixed columns (no row waits for
// the next to be aligned); nil gives the header.
func tailRow(ev *logger.Event) []string {
	row := tableHeader
	if ev != nil {
		row = tableRow(ev)
	}
	widths := []int{24, 8, 10, 8, 16, 24, 10, 0}
	out := make([]string, len(row))
	for i, c := range row {
		if i == len(row)-1 {
			out[i] = c
			continue
		}
		out[i] = fmt.Sprintf("%-*s", widths[i], c)
	}
	return out
}

// follower reads a journal folder as it grows. It holds the current file
// open, and remembers how far it read it (whole lines only), the rotated
// files it has read (by their rotation time), and the seq of the last
// line it handed over, so that a line met again is skipped.
type follower struct {
	dir      string
	consumed map[time.Time]bool // rotated files read or skipped
	cur      *os.File           // the current file, as opened
	curName  string
	off      int64  // bytes of cur read, whole lines
	num      int    // lines of cur read
	first    []byte // the first line of cur, to know it again under a rotated name
	lastSeq  uint64
	in       interner
}

// start opens the current file, then lists the rotated ones: a rotation
// in between leaves the file opened among them, known by its first line.
// With all, it hands over every line there is, oldest first; without,
// it reads the current file and the rotated ones are taken as read.
func (fl *follower) start(all bool, fn lineFunc) error {
	if err := fl.open(); err != nil {
		return err
	}
	files, err := export.JournalFiles(fl.dir)
	if err != nil {
		return err
	}
	for _, jf := range files {
		if jf.Rotated.IsZero() {
			continue
		}
		if all {
			if err := fl.readRotated(jf, fn); err != nil {
				return err
			}
		}
		fl.consumed[jf.Rotated] = true
	}
	return fl.readCur(fn)
}

// open opens the current file (which may not exist yet).
func (fl *follower) open() error {
	fl.curName = filepath.Join(fl.dir, export.JournalName)
	// Not a link nor a FIFO planted in the folder: see fsafe.
	f, err := fsafe.Open(fl.curName)
	if errors.Is(err, os.ErrNotExist) {
		fl.cur = nil
		return nil
	}
	if err != nil {
		return err
	}
	fl.cur, fl.off, fl.num, fl.first = f, 0, 0, nil
	return nil
}

// poll hands over the lines written since the last poll.
func (fl *follower) poll(fn lineFunc) error {
	if err := checkDir(fl.dir); err != nil {
		return err
	}
	// Was the current file rotated (or removed) since it was opened? Look
	// before reading it to its end: lines written after the look are
	// read at the next poll.
	rotated := fl.cur == nil
	if fl.cur != nil {
		pfi, perr := os.Stat(fl.curName)
		ffi, ferr := fl.cur.Stat()
		rotated = perr != nil || ferr != nil || !os.SameFile(pfi, ffi)
	}
	if fl.cur != nil {
		if err := fl.readCur(fn); err != nil {
			return err
		}
	}
	if !rotated {
		return nil
	}
	if fl.cur != nil {
		fl.cur.Close()
	}
	// Open the new current file before listing the rotated ones: a file
	// rotated in between is then in the list (if the new one rotates too,
	// it is read under its rotated name, and hand drops what comes twice).
	// Listing first would miss a file rotated after the list was made.
	prevFirst := fl.first
	if err := fl.open(); err != nil {
		return err
	}
	files, err := export.JournalFiles(fl.dir)
	if err != nil {
		return err
	}
	for _, jf := range files {
		if jf.Rotated.IsZero() || fl.consumed[jf.Rotated] {
			continue
		}
		fl.consumed[jf.Rotated] = true
		if prevFirst != nil {
			same, err := firstLineIs(jf, prevFirst)
			if err != nil {
				return err
			}
			if same {
				continue // the file just read, under its rotated name
			}
		}
		if err := fl.readRotated(jf, fn); err != nil {
			return err
		}
	}
	if fl.cur == nil {
		return nil
	}
	return fl.readCur(fn)
}

// errFirst stops a read after the first line.
var errFirst = errors.New("first line read")

// firstLineIs reports whether the first line of jf is first.
func firstLineIs(jf export.JournalFile, first []byte) (bool, error) {
	same := false
	err := export.ReadJournalFile(jf, func(l export.Line) error {
		same = bytes.Equal(l.Data, first)
		return errFirst
	})
	if err != nil && !errors.Is(err, errFirst) {
		return false, err
	}
	return same, nil
}

// readRotated hands over the lines of a rotated file not yet seen.
func (fl *follower) readRotated(jf export.JournalFile, fn lineFunc) error {
	return export.ReadJournalFile(jf, func(l export.Line) error {
		if l.Torn {
			return nil // never a whole line: a crash cut it
		}
		return fl.hand(l, fn)
	})
}

// lineFunc takes a line of the journal and its event as scanLine reads
// it (or in full, when scanLine cannot).
type lineFunc func(ev *logger.Event, l export.Line) error

// hand passes a line on, unless its seq shows it was handed over before.
func (fl *follower) hand(l export.Line, fn lineFunc) error {
	var ev logger.Event
	if err := decodeLine(l.Data, &ev, &fl.in); err != nil {
		return lineError(l.File, l.Num, err)
	}
	if ev.Seq != 0 {
		if ev.Seq <= fl.lastSeq {
			return nil
		}
		fl.lastSeq = ev.Seq
	}
	return fn(&ev, l)
}

// readCur reads the whole lines added to the current file.
func (fl *follower) readCur(fn lineFunc) error {
	if fl.cur == nil {
		return nil
	}
	fi, err := fl.cur.Stat()
	if err != nil {
		return err
	}
	if fi.Size() < fl.off {
		// Cut back (a torn line removed when a logger reopened it): go on
		// from its new end.
		fl.off = fi.Size()
	}
	if _, err := fl.cur.Seek(fl.off, io.SeekStart); err != nil {
		return err
	}
	br := bufio.NewReaderSize(fl.cur, 256<<10)
	var long []byte
	for {
		chunk, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			long = append(long, chunk...)
			if len(long) > export.MaxLineBytes {
				return fmt.Errorf("%w: %s: line %d: longer than %d bytes", export.ErrCorrupt, fl.curName, fl.num+1, export.MaxLineBytes)
			}
			continue
		}
		if err == io.EOF {
			return nil // a line not yet whole waits for the next poll
		}
		if err != nil {
			return fmt.Errorf("%s: %w", fl.curName, err)
		}
		line := chunk
		if len(long) > 0 {
			line = append(long, chunk...)
			long = long[:0]
		}
		fl.off += int64(len(line))
		fl.num++
		data := bytes.TrimSuffix(line[:len(line)-1], []byte{'\r'})
		if len(bytes.TrimSpace(data)) == 0 {
			continue
		}
		if fl.first == nil {
			fl.first = append([]byte(nil), data...)
		}
		if err := fl.hand(export.Line{File: fl.curName, Num: fl.num, Data: data}, fn); err != nil {
			return err
		}
	}
}
