package logger

import (
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/auditlog/auditlog/export"
	"github.com/auditlog/auditlog/internal/fsafe"
)

// A sink's cursor is the seq and hash of the last journal line the sink
// acknowledged, kept in sink-<name>.cursor in the journal's folder. The
// file holds two slots, at offsets 0 and cursorSlotGap (separate pages,
// as bbolt keeps its two meta pages), each a line of text with a
// generation number and a CRC-32: a save writes the older slot in place
// and fsyncs it, so a crash in the middle of a save leaves the other slot
// whole, and a reader takes the valid slot of the highest generation.
const (
	cursorPrefix  = "sink-"
	cursorExt     = ".cursor"
	cursorSlot    = 256
	cursorSlotGap = 4096
	cursorMagic   = "auditlog-cursor-v1"
)

// cursor is a sink's position in the journal.
type cursor struct {
	seq  uint64
	hash string // the chain's hash of line seq; "" without a chain
}

// cursorFile is an open cursor file; the sink's goroutine owns it.
type cursorFile struct {
	f   *os.File
	gen uint64
	buf [cursorSlot]byte
}

// cursorPath returns the path of the cursor of the sink named name.
func cursorPath(dir, name string) string {
	return filepath.Join(dir, cursorPrefix+name+cursorExt)
}

// openCursor opens the cursor of sink name in dir, creating it (0600,
// never following a link) when missing, and returns it with the position
// it holds (zero for a new file). A file whose slots are both damaged is
// an error: the sink's position is unknown, and starting over from the
// oldest event would deliver everything again.
func openCursor(dir, name string) (*cursorFile, cursor, error) {
	path := cursorPath(dir, name)
	f, err := fsafe.OpenFile(path, os.O_RDWR, 0)
	if errors.Is(err, fs.ErrNotExist) {
		f, err = fsafe.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
		if err == nil {
			if err = export.SyncDir(dir); err != nil {
				f.Close()
			}
		}
		if err != nil {
			return nil, cursor{}, fmt.Errorf("auditlog: sink %q: cursor: %w", name, err)
		}
		return &cursorFile{f: f}, cursor{}, nil
	}
	if err != nil {
		return nil, cursor{}, fmt.Errorf("auditlog: sink %q: cursor: %w", name, err)
	}
	if err := fsafe.SingleLink(f); err != nil {
		f.Close()
		return nil, cursor{}, fmt.Errorf("auditlog: sink %q: cursor: %w", name, err)
	}
	cf := &cursorFile{f: f}
	var best cursor
	found, empty := false, true
	for _, off := range []int64{0, cursorSlotGap} {
		n, _ := f.ReadAt(cf.buf[:], off)
		if n > 0 {
			empty = false
		}
		gen, c, ok := parseCursorSlot(cf.buf[:n])
		if ok && (!found || gen > cf.gen) {
			cf.gen, best, found = gen, c, true
		}
	}
	if !found && !empty {
		f.Close()
		return nil, cursor{}, fmt.Errorf("auditlog: sink %q: cursor %s is damaged: neither of its slots can be read (remove it to deliver the whole journal again)", name, path)
	}
	return cf, best, nil
}

// parseCursorSlot reads one slot.
func parseCursorSlot(b []byte) (gen uint64, c cursor, ok bool) {
	line, _, found := strings.Cut(string(b), "\n")
	if !found {
		return 0, cursor{}, false
	}
	body, sum, found := strings.Cut(strings.TrimRight(line, " "), " crc=")
	if !found {
		return 0, cursor{}, false
	}
	want, err := strconv.ParseUint(sum, 16, 32)
	if err != nil || crc32.ChecksumIEEE([]byte(body)) != uint32(want) {
		return 0, cursor{}, false
	}
	f := strings.Fields(body)
	if len(f) != 4 || f[0] != cursorMagic {
		return 0, cursor{}, false
	}
	g, err1 := strconv.ParseUint(strings.TrimPrefix(f[1], "gen="), 10, 64)
	s, err2 := strconv.ParseUint(strings.TrimPrefix(f[2], "seq="), 10, 64)
	h := strings.TrimPrefix(f[3], "hash=")
	if err1 != nil || err2 != nil || !strings.HasPrefix(f[1], "gen=") || !strings.HasPrefix(f[2], "seq=") ||
		!strings.HasPrefix(f[3], "hash=") || h != "-" && !isHash(h) {
		return 0, cursor{}, false
	}
	if h == "-" {
		h = ""
	}
	return g, cursor{seq: s, hash: h}, true
}

// save writes c to the older slot and fsyncs it.
func (cf *cursorFile) save(c cursor) error {
	cf.gen++
	h := c.hash
	if h == "" {
		h = "-"
	}
	body := fmt.Sprintf("%s gen=%d seq=%d hash=%s", cursorMagic, cf.gen, c.seq, h)
	line := fmt.Sprintf("%s crc=%08x", body, crc32.ChecksumIEEE([]byte(body)))
	b := cf.buf[:]
	n := copy(b, line)
	for i := n; i < len(b)-1; i++ {
		b[i] = ' '
	}
	b[len(b)-1] = '\n'
	off := int64(0)
	if cf.gen%2 == 0 {
		off = cursorSlotGap
	}
	if _, err := cf.f.WriteAt(b, off); err != nil {
		return err
	}
	return cf.f.Sync()
}

func (cf *cursorFile) close() error { return cf.f.Close() }
