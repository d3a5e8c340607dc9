package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"regexp"
	"runtime"
	"sync"

	"github.com/auditlog/auditlog/export"
	"github.com/auditlog/auditlog/logger"
	"github.com/auditlog/auditlog/store"
)

// A source is where events come from: a journal folder (its current and
// rotated files, gzipped or not), an exported file in any format the
// library writes, or a store named by URL.
type source struct {
	arg   string               // as given on the command line
	url   string               // a store's URL
	file  string               // an exported file
	files []export.JournalFile // a journal folder's files, oldest first
}

// storeURL tells a store URL from a path: a scheme of two letters or more
// followed by "://", or the file: and sqlite: schemes of store.Open.
var storeURL = regexp.MustCompile(`^([a-zA-Z][a-zA-Z0-9+.-]+://|(file|sqlite):)`)

// openSource looks at arg and says what it is; a path that does not
// exist, or is neither a folder nor a regular file, is an error. A path
// the user gives may be a symbolic link, which the user chose: it is
// followed, and must lead to a folder or a regular file (a FIFO or a
// device is refused, and is never opened: see export.ReadFileFunc). The
// files found inside a journal folder are another matter: a link or a
// FIFO planted there is refused (see fsafe).
func openSource(arg string) (*source, error) {
	if storeURL.MatchString(arg) {
		// A store is opened to be read: one that is not there is a
		// mistyped URL, not a store to create.
		if u, err := url.Parse(arg); err == nil && (u.Scheme == "file" || u.Scheme == "sqlite") {
			if p, err := store.Path(u); err == nil {
				if _, err := os.Stat(p); errors.Is(err, fs.ErrNotExist) {
					return nil, fmt.Errorf("%s: no such store (%s does not exist)", arg, p)
				}
			}
		}
		return &source{arg: arg, url: arg}, nil
	}
	fi, err := os.Stat(arg)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%s: no such file or folder", arg)
		}
		return nil, err
	}
	switch {
	case fi.IsDir():
		files, err := export.JournalFiles(arg)
		if err != nil {
			return nil, err
		}
		if len(files) == 0 {
			return nil, fmt.Errorf("%s: no journal files in this folder (%s, audit-<time>.jsonl[.gz])", arg, export.JournalName)
		}
		return &source{arg: arg, files: files}, nil
	case fi.Mode().IsRegular():
		return &source{arg: arg, file: arg}, nil
	}
	return nil, fmt.Errorf("%s: not a folder nor a regular file", arg)
}

func openSources(args []string) ([]*source, error) {
	srcs := make([]*source, 0, len(args))
	for _, a := range args {
		s, err := openSource(a)
		if err != nil {
			return nil, err
		}
		srcs = append(srcs, s)
	}
	return srcs, nil
}

// match is one event that a filter selected, on its way from a reader to
// the consumer. From a journal line it holds the fields scanLine reads,
// and the line itself (when asked) for decoding in full later; from a
// file or a store, the full event.
type match struct {
	ev   logger.Event
	raw  []byte // the journal line, nil when ev is complete
	file string // where raw comes from, for errors
	line int
}

// lineError names a line of a file in err.
func lineError(file string, line int, err error) error {
	return fmt.Errorf("%s: line %d: %w", file, line, err)
}

// scan reads the events of srcs that match f and hands them to fn in
// batches, from the calling goroutine. Journal files are read by up to
// GOMAXPROCS goroutines at once, so batches come in no particular order.
// With keepRaw, matches from a journal keep their line, for decode;
// without it they hold only the fields scanLine reads. A store is asked
// for at most limit events of f's selection (0: all), as f orders them.
//
// Warnings (a torn last line skipped) go to warn. The first error stops
// the reading and is returned: a file that cannot be read, a corrupt
// gzip stream, a line that is not an event (named by file and line), an
// error of fn.
func scan(ctx context.Context, srcs []*source, f logger.Filter, limit int, keepRaw bool, prog *progress, warn func(string), fn func([]match) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var tasks []func(b *batcher) error
	for _, s := range srcs {
		switch {
		case s.url != "":
			tasks = append(tasks, func(b *batcher) error { return scanStore(ctx, s.url, f, limit, b) })
		case s.file != "":
			tasks = append(tasks, func(b *batcher) error {
				defer prog.addFile(s.file)
				return scanFile(s.file, &f, b)
			})
		default:
			for _, jf := range s.files {
				tasks = append(tasks, func(b *batcher) error {
					return scanJournalFile(jf, &f, keepRaw, prog, warn, b)
				})
			}
		}
	}

	b := &batcher{ctx: ctx, full: make(chan []match, 4), free: make(chan []match, 8)}
	errc := make(chan error, 1)
	setErr := func(err error) {
		select {
		case errc <- err:
		default:
		}
		cancel()
	}
	next := make(chan func(*batcher) error)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(tasks)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for task := range next {
				if err := task(b); err != nil {
					setErr(err)
				}
			}
		}()
	}
	go func() {
		defer func() {
			close(next)
			wg.Wait()
			close(b.full)
		}()
		for _, t := range tasks {
			select {
			case next <- t:
			case <-ctx.Done():
				return
			}
		}
	}()
	for ms := range b.full {
		if ctx.Err() != nil {
			continue // drain, so that the workers end
		}
		if err := fn(ms); err != nil {
			setErr(err)
		}
		clear(ms)
		select {
		case b.free <- ms[:0]:
		default:
		}
	}
	select {
	case err := <-errc:
		return err
	default:
	}
	return ctx.Err()
}

// batcher carries batches of matches from the readers to the consumer,
// and the emptied ones back, so that reading a million matches does not
// allocate a million matches.
type batcher struct {
	ctx  context.Context
	full chan []match
	free chan []match
}

// get returns an empty batch.
func (b *batcher) get() []match {
	select {
	case ms := <-b.free:
		return ms
	default:
		return make([]match, 0, batchSize)
	}
}

// send hands a batch to the consumer; false means the scan has stopped.
func (b *batcher) send(ms []match) bool {
	if len(ms) == 0 {
		return true
	}
	select {
	case b.full <- ms:
		return true
	case <-b.ctx.Done():
		return false
	}
}

// filler fills batches of one reader's matches and hands each on to b
// when it is full.
type filler struct {
	b     *batcher
	batch []match
}

// add adds m; false means the scan has stopped.
func (f *filler) add(m match) bool {
	if f.batch == nil {
		f.batch = f.b.get()
	}
	f.batch = append(f.batch, m)
	if len(f.batch) < cap(f.batch) {
		return true
	}
	ok := f.b.send(f.batch)
	f.batch = nil
	return ok
}

// flush hands on the last batch.
func (f *filler) flush() { f.b.send(f.batch) }

// batchSize is how many matches a reader hands over at once.
const batchSize = 512

// errStopped ends the reading of a file once the scan has stopped.
var errStopped = errors.New("stopped")

// scanJournalFile reads one journal file.
func scanJournalFile(jf export.JournalFile, f *logger.Filter, keepRaw bool, prog *progress, warn func(string), b *batcher) error {
	var in interner
	fill := filler{b: b}
	tracker := prog.file(jf)
	defer tracker.done()
	// A line that is not an event, in a gzipped file, may be the doing of
	// a corrupt stream, which gzip tells only at its end: read on to
	// report that rather than the line.
	var lineErr error
	var badLine int
	err := export.ReadJournalFile(jf, func(l export.Line) error {
		tracker.add(len(l.Data) + 1)
		if lineErr != nil {
			return nil
		}
		var ev logger.Event
		if err := decodeLine(l.Data, &ev, &in); err != nil {
			if l.Torn {
				warn(fmt.Sprintf("%s: line %d: skipped a last line without its newline (still being written, or cut short by a crash)", l.File, l.Num))
				return nil
			}
			lineErr, badLine = lineError(l.File, l.Num, err), l.Num
			if !jf.Gzip {
				return lineErr
			}
			return nil
		}
		if !f.Matches(&ev) {
			return nil
		}
		m := match{ev: ev, file: l.File, line: l.Num}
		if keepRaw {
			m.raw = append([]byte(nil), l.Data...)
		}
		if !fill.add(m) {
			return errStopped
		}
		return nil
	})
	switch {
	case errors.Is(err, errStopped):
		return nil
	case err != nil && lineErr != nil && jf.Gzip:
		return fmt.Errorf("%w (which garbled its line %d)", err, badLine)
	case err != nil:
		return err
	case lineErr != nil:
		return lineErr
	}
	fill.flush()
	return nil
}

// scanFile reads an exported file an event at a time, and hands on the
// events f selects in batches: what it holds is a batch, however large
// the file or however much it inflates.
func scanFile(path string, f *logger.Filter, b *batcher) error {
	fill := filler{b: b}
	err := logger.ReadEventsFunc(path, func(ev logger.Event) error {
		if !f.Matches(&ev) || fill.add(match{ev: ev, file: path}) {
			return nil
		}
		return errStopped
	})
	switch {
	case errors.Is(err, errStopped):
		return nil
	case err != nil:
		return err
	}
	fill.flush()
	return nil
}

// scanStore asks a store for its events of f's selection.
func scanStore(ctx context.Context, url string, f logger.Filter, limit int, b *batcher) error {
	s, err := store.Open(url)
	if err != nil {
		return err
	}
	f.Limit, f.Offset = limit, 0
	events, err := s.Query(ctx, f)
	cerr := s.Close()
	if err != nil {
		return fmt.Errorf("%s: %w", store.Redacted(url), err)
	}
	if cerr != nil {
		return fmt.Errorf("%s: %w", store.Redacted(url), cerr)
	}
	batch := make([]match, len(events))
	for i := range events {
		batch[i] = match{ev: events[i], file: url}
	}
	b.send(batch)
	return nil
}
