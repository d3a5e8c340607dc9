package file

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/auditlog/auditlog/export"
	"github.com/auditlog/auditlog/logger"
)

// DeleteBefore removes every event whose Time is before t, and returns
// how many it removed. The date partitions entirely before t's UTC date
// are removed whole; in the partitions of t's date, each segment that
// holds older events is rewritten without them: written to a temporary
// file (a name starting with ".tmp-", which engines skip), fsynced, and
// renamed over the segment, so that a reader or a crash sees the old
// segment or the new one. On an error it returns how many it removed
// before it.
func (s *Store) DeleteBefore(ctx context.Context, t time.Time) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("store/file: %w", err)
	}
	s.life.RLock()
	defer s.life.RUnlock()
	if s.closed {
		return 0, ErrClosed
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if err := s.acquire(); err != nil {
		return 0, err
	}
	t = t.UTC()
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	parts, err := s.partitions(nil)
	if err != nil {
		return 0, err
	}
	// Folders and files are removed and replaced through root, so that
	// a partition folder made a link meanwhile is not followed out of
	// the store's folder.
	root, err := os.OpenRoot(s.root)
	if err != nil {
		return 0, fmt.Errorf("store/file: %w", err)
	}
	defer root.Close()
	open := make(map[string][]string, len(s.segs)) // the partitions with a segment, by their name in lower case
	for rel := range s.segs {
		k := strings.ToLower(rel)
		open[k] = append(open[k], rel)
	}
	removed := 0
	lr := lineReaders.Get().(*export.LineReader)
	defer lineReaders.Put(lr)
	for _, p := range parts {
		if err := ctx.Err(); err != nil {
			return removed, fmt.Errorf("store/file: %w", err)
		}
		if p.day.After(day) {
			continue
		}
		// The segments this Store appends to there are rewritten or
		// removed: the next Write to the partition starts a new one. On a
		// file system that ignores case, "alice" and "Alice" write to one
		// folder, under two names here.
		for _, rel := range open[strings.ToLower(p.rel)] {
			// No fsync: it is removed, or rewritten and fsynced anew.
			if seg := s.segs[rel]; seg != nil { // not closed for a partition before
				if err := s.closeSegment(rel, seg, false); err != nil {
					return removed, err
				}
			}
		}
		segs, err := segments(p.path)
		if err != nil {
			return removed, err
		}
		if p.day.Before(day) {
			for _, seg := range segs {
				n, err := countEvents(lr, seg)
				if err != nil {
					return removed, err
				}
				removed += n
			}
			if err := root.RemoveAll(p.rel); err != nil {
				return removed, fmt.Errorf("store/file: removing %s: %w", p.path, err)
			}
			s.removeEmpty(root, p.rel)
			continue
		}
		for _, seg := range segs {
			n, err := rewriteSegment(lr, root, filepath.Join(p.rel, filepath.Base(seg)), seg, t)
			removed += n
			if err != nil {
				return removed, err
			}
		}
		s.removeEmpty(root, p.rel)
	}
	return removed, nil
}

// removeEmpty removes the partition folder rel (relative to root), if
// it is there and empty, and then the key's folder above it, if that is
// empty too. Removing a folder that holds anything fails, as it should.
func (s *Store) removeEmpty(root *os.Root, rel string) {
	_ = root.Remove(rel)
	if s.key != "" {
		_ = root.Remove(filepath.Dir(rel))
	}
}

// countEvents counts the events of a segment: its lines but a torn last
// one.
func countEvents(lr *export.LineReader, path string) (int, error) {
	n := 0
	var last []byte
	err := readLines(lr, path, func(l export.Line) error {
		if !l.Torn {
			n++
			last = append(last[:0], l.Data...)
		}
		return nil
	})
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("store/file: %w", err)
	}
	if n > 0 && !isEvent(last) {
		n-- // a torn last line, newline and all
	}
	return n, nil
}

// rewriteSegment removes from the segment path, rel in root, the events
// before t, and returns how many it removed. It leaves a segment with
// none alone, removes one left with no events, and replaces any other
// atomically.
func rewriteSegment(lr *export.LineReader, root *os.Root, rel, path string, t time.Time) (int, error) {
	var keep []byte
	removed, dropped := 0, false
	var bad error
	err := readLines(lr, path, func(l export.Line) error {
		if bad != nil {
			return bad
		}
		if l.Torn {
			dropped = true
			return nil
		}
		var ev logger.Event
		if err := ev.UnmarshalJSON(l.Data); err != nil {
			bad = fmt.Errorf("%w: %s: line %d: %w", ErrCorrupt, path, l.Num, err)
			return nil
		}
		if ev.Time.Before(t) {
			removed++
			return nil
		}
		keep = append(keep, l.Data...)
		keep = append(keep, '\n')
		return nil
	})
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		if !errors.Is(err, ErrCorrupt) {
			err = fmt.Errorf("store/file: %w", err)
		}
		return 0, err
	}
	if bad != nil {
		dropped = true // the last line, torn
	}
	switch {
	case removed == 0 && !dropped:
		return 0, nil
	case len(keep) == 0:
		if err := root.Remove(rel); err != nil {
			return 0, fmt.Errorf("store/file: removing %s: %w", path, err)
		}
		return removed, nil
	}
	if err := replaceFile(root, rel, path, keep); err != nil {
		return 0, err
	}
	return removed, nil
}

// replaceFile replaces the content of path, rel in root, with data,
// atomically: a temporary file beside it, new (an existing one, or a
// link, in its place is an error naming it), fsynced, renamed over it,
// the folder fsynced.
func replaceFile(root *os.Root, rel, path string, data []byte) error {
	dir := filepath.Dir(path)
	tmp := filepath.Join(filepath.Dir(rel), tempPrefix+filepath.Base(rel))
	f, err := root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("store/file: rewriting %s: %w", path, err)
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = root.Rename(tmp, rel)
	}
	if err != nil {
		_ = root.Remove(tmp)
		return fmt.Errorf("store/file: rewriting %s: %w", path, err)
	}
	if err := export.SyncDir(dir); err != nil {
		return fmt.Errorf("store/file: rewriting %s: %w", path, err)
	}
	return nil
}
