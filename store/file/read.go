package file

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/auditlog/auditlog/export"
	"github.com/auditlog/auditlog/logger"
	"github.com/auditlog/auditlog/store"
)

// Query returns the stored events that match f, ordered and windowed as
// logger.Store says. It reads only the partitions that may hold matches:
// the dates in [f.Since, f.Until], and, when f constrains the
// PartitionBy field, that value's folder.
func (s *Store) Query(ctx context.Context, f logger.Filter) ([]logger.Event, error) {
	if err := store.CheckFilter(&f); err != nil {
		return nil, err
	}
	evs, _, err := s.scan(ctx, &f, true)
	if err != nil {
		return nil, err
	}
	return store.Select(evs, f), nil
}

// Count returns how many stored events match f, ignoring its Limit and
// Offset. It reads what Query reads.
func (s *Store) Count(ctx context.Context, f logger.Filter) (int, error) {
	_, n, err := s.scan(ctx, &f, false)
	return n, err
}

// scan reads the segments that may hold events matching f, a few at a
// time (one per CPU), and returns how many match and, if keep, which.
func (s *Store) scan(ctx context.Context, f *logger.Filter, keep bool) ([]logger.Event, int, error) {
	if err := ctx.Err(); err != nil {
		return nil, 0, fmt.Errorf("store/file: %w", err)
	}
	s.life.RLock()
	defer s.life.RUnlock()
	if s.closed {
		return nil, 0, ErrClosed
	}
	parts, err := s.partitions(f)
	if err != nil {
		return nil, 0, err
	}
	var paths []string
	for _, p := range parts {
		segs, err := segments(p.path)
		if err != nil {
			return nil, 0, err
		}
		paths = append(paths, segs...)
	}
	pre := newPrefilter(f)

	type result struct {
		evs []logger.Event
		n   int
		err error
	}
	workers := min(runtime.GOMAXPROCS(0), len(paths))
	results := make([]result, workers)
	parent := ctx
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	jobs := make(chan string)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := &results[w]
			lr := lineReaders.Get().(*export.LineReader)
			defer lineReaders.Put(lr)
			for path := range jobs {
				if r.err != nil {
					continue // drain
				}
				r.err = readSegment(ctx, lr, path, pre, func(ev *logger.Event) {
					if f.Matches(ev) {
						r.n++
						if keep {
							r.evs = append(r.evs, *ev)
						}
					}
				})
				if r.err != nil {
					cancel(r.err)
				}
			}
		}()
	}
	for _, path := range paths {
		if ctx.Err() != nil {
			break
		}
		jobs <- path
	}
	close(jobs)
	wg.Wait()
	if err := parent.Err(); err != nil {
		return nil, 0, fmt.Errorf("store/file: %w", err)
	}
	if err := context.Cause(ctx); err != nil {
		return nil, 0, err // the first segment that failed
	}
	var evs []logger.Event
	n := 0
	for _, r := range results {
		n += r.n
		evs = append(evs, r.evs...)
	}
	return evs, n, nil
}

// partition is one date folder of the store.
type partition struct {
	path string    // the folder
	rel  string    // relative to the root: the key of Store.segs
	day  time.Time // its date, UTC midnight
}

// partitions lists the date folders that may hold events matching f
// (nil: every one), in the order of their names.
func (s *Store) partitions(f *logger.Filter) ([]partition, error) {
	parents := []string{""}
	if s.key != "" {
		names, err := readDirNames(s.root)
		if err != nil {
			return nil, err
		}
		parents = parents[:0]
		for _, name := range names {
			v, ok := strings.CutPrefix(name, s.key+"=")
			if !ok {
				continue
			}
			if f == nil || v == longValues || s.kf.mayHold(s.key, unescapeValue(v), f) {
				parents = append(parents, name)
			}
		}
	}
	var parts []partition
	for _, parent := range parents {
		names, err := readDirNames(filepath.Join(s.root, parent))
		if err != nil {
			return nil, err
		}
		for _, name := range names {
			ds, ok := strings.CutPrefix(name, datePrefix)
			if !ok {
				continue
			}
			day, err := time.Parse(dateLayout, ds)
			if err != nil {
				continue // not a folder of this store
			}
			if f != nil && (!f.Since.IsZero() && !day.AddDate(0, 0, 1).After(f.Since) || !f.Until.IsZero() && day.After(f.Until)) {
				continue // every event in it is before Since or after Until
			}
			// parent and name are single elements: path ends with rel.
			path := filepath.Join(s.root, parent, name)
			rel := path[len(path)-len(name):]
			if parent != "" {
				rel = path[len(path)-len(parent)-1-len(name):]
			}
			parts = append(parts, partition{path: path, rel: rel, day: day})
		}
	}
	return parts, nil
}

// readDirNames returns the names of the folders in dir, sorted; none when
// dir is gone (removed by a DeleteBefore meanwhile).
func readDirNames(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("store/file: %w", err)
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		if e.IsDir() {
			names = append(names, e.Name())
		}
	}
	return names, nil
}

// segments returns the paths of the segments in the partition folder
// dir, oldest first.
func segments(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("store/file: %w", err)
	}
	paths := make([]string, 0, len(entries))
	for _, e := range entries {
		name := e.Name()
		if e.Type().IsRegular() && strings.HasPrefix(name, segmentPrefix) && strings.HasSuffix(name, segmentExt) {
			paths = append(paths, filepath.Join(dir, name))
		}
	}
	return paths, nil
}

// readSegment calls fn with each event of the segment path whose line
// passes pre. Only complete lines count: a last line without a newline,
// or one that does not decode, is the torn end of a write (under way, or
// cut by a crash) and is skipped. Any other line that is not an event is
// an error wrapping ErrCorrupt that names the file and the line. A
// segment removed meanwhile (by DeleteBefore) has no events.
func readSegment(ctx context.Context, lr *export.LineReader, path string, pre prefilter, fn func(*logger.Event)) error {
	if openHook != nil {
		openHook(path)
	}
	return eachLine(ctx, lr, path, func(l export.Line) error {
		if !pre.may(l.Data) {
			// Not a match, whatever it holds; a line that is not even
			// shaped as an object is still corruption.
			if d := l.Data; d[0] != '{' || d[len(d)-1] != '}' {
				return fmt.Errorf("%w: %s: line %d: not a JSON object", ErrCorrupt, path, l.Num)
			}
			return nil
		}
		var ev logger.Event
		if err := ev.UnmarshalJSON(l.Data); err != nil {
			return fmt.Errorf("%w: %s: line %d: %w", ErrCorrupt, path, l.Num, err)
		}
		fn(&ev)
		return nil
	})
}

// eachLine calls fn with each whole line of the segment path, checking
// ctx every 4,096 lines. A last line without a newline is skipped, and
// so is the error fn returns for a line (wrapping ErrCorrupt) when no
// line follows it: the last line may be the torn end of a write, under
// way or cut by a crash. A segment removed meanwhile (by DeleteBefore)
// has no lines.
func eachLine(ctx context.Context, lr *export.LineReader, path string, fn func(export.Line) error) error {
	var bad error // the last line read, if fn refused it
	n := 0
	err := readLines(lr, path, func(l export.Line) error {
		if bad != nil {
			return bad // a line after it: it was not the last
		}
		if l.Torn {
			return nil
		}
		if n++; n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("store/file: %w", err)
			}
		}
		bad = fn(l)
		return nil
	})
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil && !errors.Is(err, ErrCorrupt) && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) {
		err = fmt.Errorf("store/file: %w", err)
	}
	return err
}

// readLines calls fn with each line of the segment path, as
// export.ReadJournalFile hands them over. It opens path without following
// a link and refuses what is not a regular file: a link or a FIFO put in
// its place after the segment was listed is an error naming it, neither
// read through nor waited on. (The listing and the open are two steps;
// between them, only who may write into the partition's folder, its
// owner, could swap the file.)
//
// lr is the caller's reader, kept from one segment to the next (one for
// each goroutine of a query, taken from lineReaders): a query over many
// small segments costs what its readers hold, not a buffer each.
func readLines(lr *export.LineReader, path string, fn func(export.Line) error) error {
	return lr.ReadFile(export.JournalFile{Path: path}, fn)
}

// lineReaders holds the export.LineReaders that no query is using.
var lineReaders = sync.Pool{New: func() any { return new(export.LineReader) }}
