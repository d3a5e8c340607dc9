package file

import (
	"container/list"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/auditlog/auditlog/export"
	"github.com/auditlog/auditlog/internal/fsafe"
	"github.com/auditlog/auditlog/logger"
)

// DefaultSegmentBytes is the size at which a partition's segment is
// rotated when Options.SegmentBytes is 0: 64 MiB.
const DefaultSegmentBytes = 64 << 20

// MaxOpenSegments is how many segments a Store keeps open for appending
// at most, one per partition written: a Write to one more partition
// closes the least recently written segment, which the next Write to its
// partition opens again.
const MaxOpenSegments = 128

var (
	// ErrClosed is returned by every method of a Store after Close.
	ErrClosed = errors.New("store/file: store is closed")

	// ErrLocked is returned, wrapped, by Write and DeleteBefore when
	// another Store, in this process or another, is writing the same
	// folder: a folder has one writer at a time.
	ErrLocked = errors.New("store/file: the folder is being written by another Store")

	// ErrCorrupt is returned, wrapped with the file and line, by Query,
	// Count and DeleteBefore for a line that is not an event and is not
	// the last line of its segment.
	ErrCorrupt = errors.New("store/file: corrupt segment")
)

// Options configure a Store. The zero value is the default layout.
type Options struct {
	// PartitionBy names, by its JSON key, the event field whose value
	// keys the partitions before the date: "resource_name" lays events
	// out as resource_name=<value>/date=YYYY-MM-DD/. It must be one of
	// the string fields resource_name, resource_type, resource_id,
	// user_id, operation, category, run_id, session_id, status. Empty
	// (the default): date=YYYY-MM-DD/ alone. A folder keeps the layout
	// it was written with: Open refuses one whose top-level partitions
	// are keyed by another field.
	//
	// On a file system that ignores case (macOS, Windows), values that
	// differ only in case ("alice", "Alice") share the folder the first
	// of them created. The store still answers exactly (it prunes
	// folders ignoring case, then compares each event's own value), but
	// an engine that takes the value from the folder's name sees one
	// value for both: partition by a field whose values differ in more
	// than case there.
	PartitionBy string

	// SegmentBytes is the size past which a partition's current segment
	// is closed and the next Write to that partition starts a new one.
	// Rotation happens between Writes: the lines one Write writes to a
	// partition always go to one segment, which may pass the size. 0
	// means DefaultSegmentBytes (64 MiB).
	SegmentBytes int64

	// Sync makes Write fsync every segment it wrote (and the folders of
	// any segment it created) before it returns. By default (false) Write
	// returns once the lines are handed to the operating system, which
	// keeps them through a crash of the process but not of the machine;
	// Close fsyncs every segment this Store wrote.
	Sync bool
}

// keyField is a field an Options.PartitionBy may name.
type keyField struct {
	get func(*logger.Event) string
	// filter returns the Filter's value for the field, or "" when the
	// Filter does not constrain it.
	filter func(*logger.Filter) string
}

var keyFields = map[string]keyField{
	"resource_name": {get: func(e *logger.Event) string { return e.ResourceName }, filter: func(*logger.Filter) string { return "" }},
	"resource_type": {get: func(e *logger.Event) string { return e.ResourceType }, filter: func(f *logger.Filter) string { return f.ResourceType }},
	"resource_id":   {get: func(e *logger.Event) string { return e.ResourceID }, filter: func(f *logger.Filter) string { return f.ResourceID }},
	"user_id":       {get: func(e *logger.Event) string { return e.UserID }, filter: func(f *logger.Filter) string { return f.UserID }},
	"operation":     {get: func(e *logger.Event) string { return string(e.Operation) }, filter: func(f *logger.Filter) string { return string(f.Operation) }},
	"category":      {get: func(e *logger.Event) string { return e.Category }, filter: func(f *logger.Filter) string { return f.Category }},
	"run_id":        {get: func(e *logger.Event) string { return e.RunID }, filter: func(f *logger.Filter) string { return f.RunID }},
	"session_id":    {get: func(e *logger.Event) string { return e.SessionID }, filter: func(f *logger.Filter) string { return f.SessionID }},
	"status":        {get: func(e *logger.Event) string { return string(e.Status) }, filter: func(f *logger.Filter) string { return string(f.Status) }},
}

// mayHold reports whether a partition whose field holds value may hold
// events that match f: the Filter leaves the field free, or asks for
// that value (an empty status counts as SUCCESS, as Filter.Matches says).
// Case is ignored: on a file system that ignores it, "Alice"'s events
// may be in the folder "alice" made; Filter.Matches then tells them apart.
func (k *keyField) mayHold(key, value string, f *logger.Filter) bool {
	want := k.filter(f)
	if want == "" {
		return true
	}
	if key == "status" && value == "" {
		value = string(logger.StatusSuccess)
	}
	return strings.EqualFold(value, want)
}

// Names in the store's folder.
const (
	datePrefix    = "date="
	dateLayout    = "2006-01-02"
	segmentPrefix = "part-"
	segmentExt    = ".jsonl"
	tempPrefix    = ".tmp-"
	lockName      = ".auditlog-lock"
	// longValues is the partition of the events whose value of the
	// partition key is too long for a folder name (over 255 bytes
	// escaped); their lines hold the value. Engines reading the folders
	// see this name as the key's value for them. The literal value of the
	// same name is escaped apart (escapeValue).
	longValues   = "__AUDITLOG_LONG_VALUE__"
	maxNameBytes = 255 // a path element, on every common file system
)

// Store is a logger.Store that keeps events as JSON Lines in a folder of
// Hive partitions; see the package documentation for the layout. It is
// safe for concurrent use.
type Store struct {
	root string
	key  string // Options.PartitionBy
	kf   *keyField
	opts Options

	// life is held for reading by every method while it runs and for
	// writing by Close, which so waits for them.
	life   sync.RWMutex
	closed bool

	// wmu serialises the writers, Write and DeleteBefore, and guards the
	// fields below.
	wmu      sync.Mutex
	lock     *os.File // the lock file, held from the first write to Close
	segs     map[string]*segment
	open     list.List       // the segments with an open file, least recently written first
	unsynced map[string]bool // segments closed without fsync, for Close
	closeErr []error         // closing a segment to bound the open files failed: Close reports it
	repaired int             // segments whose torn tail a recovery cut (for tests)
}

// segment is the current segment of a partition, the one Write appends to.
type segment struct {
	path string
	f    *os.File // nil when closed to bound the open files
	size int64
	elem *list.Element // in Store.open while f is open
}

// Hooks for the package's tests: openHook sees every segment a read
// opens, beforeWrite runs in Write after the lines are encoded and before
// the first of them is written.
var (
	openHook    func(path string)
	beforeWrite func()
)

// Open opens the store kept in the folder dir, creating the folder (mode
// 0700, with its parents) when it does not exist. It fails when dir is
// not a folder, when opts are invalid, and when dir holds partitions of
// another layout. When the last Store that wrote dir stopped without
// Close (a crash), Open first cuts the torn last line, if any, of every
// segment, so that the files are whole JSON Lines again for other
// readers; it leaves them alone while another Store writes dir.
//
// Open refuses, with an error naming it, a folder that its group or
// others may write into, and leaves its mode as it is: whoever can write
// there could plant links for the store to write through (chmod go-w it,
// or choose another folder). Write checks each partition folder the same
// way when it first writes to it. Where the store's own files go, a
// link, a FIFO or anything but a regular file (or a folder, for a
// partition) is never followed or opened: Open refuses such a lock file
// and Write such a partition folder, naming it, and reads, the repair and
// DeleteBefore pass over them; see "Planted files" in the package
// documentation.
func Open(dir string, opts Options) (*Store, error) {
	s := &Store{root: filepath.Clean(dir), key: opts.PartitionBy, opts: opts, segs: map[string]*segment{}, unsynced: map[string]bool{}}
	if s.key != "" {
		kf, ok := keyFields[s.key]
		if !ok {
			return nil, fmt.Errorf("store/file: PartitionBy %q is not one of %s", s.key, strings.Join(partitionKeys(), ", "))
		}
		s.kf = &kf
	}
	if opts.SegmentBytes < 0 {
		return nil, fmt.Errorf("store/file: SegmentBytes %d is negative", opts.SegmentBytes)
	}
	if opts.SegmentBytes == 0 {
		s.opts.SegmentBytes = DefaultSegmentBytes
	}
	if fi, err := os.Stat(s.root); err == nil && !fi.IsDir() {
		return nil, fmt.Errorf("store/file: %s is not a folder", s.root)
	}
	if _, err := fsafe.Dir(s.root); err != nil {
		return nil, fmt.Errorf("store/file: %w", err)
	}
	if err := s.checkLayout(); err != nil {
		return nil, err
	}
	if err := s.recoverIdle(); err != nil {
		return nil, err
	}
	return s, nil
}

// partitionKeys returns the keys Options.PartitionBy takes, sorted.
func partitionKeys() []string {
	keys := make([]string, 0, len(keyFields))
	for k := range keyFields {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// checkLayout refuses a folder whose top-level partitions are keyed by
// another field than this Store's.
func (s *Store) checkLayout() error {
	entries, err := os.ReadDir(s.root)
	if err != nil {
		return fmt.Errorf("store/file: %w", err)
	}
	want := strings.TrimSuffix(datePrefix, "=")
	if s.key != "" {
		want = s.key
	}
	for _, e := range entries {
		k, _, ok := strings.Cut(e.Name(), "=")
		if !ok || !e.IsDir() || k == want {
			continue
		}
		layout := "date=YYYY-MM-DD/ (no PartitionBy)"
		if k+"=" != datePrefix {
			layout = k + "=<value>/date=YYYY-MM-DD/ (PartitionBy " + k + ")"
		}
		return fmt.Errorf("store/file: %s is laid out as %s, not as this Store's %s", s.root, layout, s.layout())
	}
	return nil
}

// layout describes the Store's partitions, for messages.
func (s *Store) layout() string {
	if s.key == "" {
		return "date=YYYY-MM-DD/"
	}
	return s.key + "=<value>/date=YYYY-MM-DD/"
}

// Dir returns the folder of the store.
func (s *Store) Dir() string { return s.root }

// Write appends the events to the current segment of each partition they
// fall in: one write per partition, of whole lines, each the event's
// JSON (logger.Event.MarshalJSON). It refuses the whole batch, writing
// nothing, when an event cannot be stored so as to be read back: one
// that Log would refuse (logger.Event.Validate: no Time, a Time outside
// the years 1678 to 2262, a negative Duration, ...), with an error
// wrapping logger.ErrInvalidEvent, or a line over 64 MiB. (A partition
// value whose escaped folder name would be over 255 bytes puts its event
// in the folder key=__AUDITLOG_LONG_VALUE__.) A failed write is cut back
// off its segment, so a segment holds whole lines only; the partitions
// written before it keep their lines. Write does not look for the events
// in the folder: one handed over again is appended again (see
// "Redelivery" in the package documentation).
func (s *Store) Write(ctx context.Context, events []logger.Event) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("store/file: Write: %w", err)
	}
	s.life.RLock()
	defer s.life.RUnlock()
	if s.closed {
		return ErrClosed
	}
	if len(events) == 0 {
		return nil
	}
	bufs := map[string][]byte{}
	var dirs []string
	// The date folder of the event before, kept while the next events
	// fall on the same UTC date.
	var (
		year, day int
		month     time.Month
		date      string
	)
	for i := range events {
		ev := &events[i]
		if err := ev.Validate(); err != nil {
			return fmt.Errorf("store/file: Write: event %d: %w", i, err)
		}
		t := ev.Time.UTC()
		if y, m, d := t.Date(); date == "" || d != day || m != month || y != year {
			year, month, day, date = y, m, d, t.Format(dateLayout)
		}
		dir := datePrefix + date
		if s.key != "" {
			v := escapeValue(s.kf.get(ev))
			if len(s.key)+1+len(v) > maxNameBytes {
				// Too long for a folder name: the event goes to the folder
				// of long values, and its line keeps the value. One long
				// value must not cost the rest of the batch.
				v = longValues
			}
			dir = s.key + "=" + v + string(filepath.Separator) + dir
		}
		line, _ := ev.MarshalJSON() // never fails
		if len(line) > export.MaxLineBytes {
			return fmt.Errorf("store/file: Write: event %d (%q): %d bytes of JSON, over the limit of %d", i, ev.ID, len(line), export.MaxLineBytes)
		}
		buf, ok := bufs[dir]
		if !ok {
			dirs = append(dirs, dir)
		}
		buf = append(buf, line...)
		bufs[dir] = append(buf, '\n')
	}
	slices.Sort(dirs)

	s.wmu.Lock()
	defer s.wmu.Unlock()
	if err := s.acquire(); err != nil {
		return err
	}
	if beforeWrite != nil {
		beforeWrite()
	}
	for _, dir := range dirs {
		if err := s.append(dir, bufs[dir]); err != nil {
			return err
		}
	}
	return nil
}

// append writes buf, whole lines, to the current segment of the
// partition dir (relative to the root), starting a segment when there is
// none or the current one is full. Called with wmu held.
func (s *Store) append(dir string, buf []byte) error {
	seg := s.segs[dir]
	if seg != nil && seg.size > 0 && seg.size+int64(len(buf)) > s.opts.SegmentBytes {
		if err := s.closeSegment(dir, seg, true); err != nil {
			return err
		}
		seg = nil
	}
	if seg == nil {
		var err error
		if seg, err = s.newSegment(dir); err != nil {
			return err
		}
	} else if seg.f == nil {
		f, err := fsafe.OpenFile(seg.path, os.O_WRONLY|os.O_APPEND, 0)
		if err != nil {
			return fmt.Errorf("store/file: %w", err)
		}
		s.opened(seg, f)
	}
	s.open.MoveToBack(seg.elem)
	n, err := seg.f.Write(buf)
	if err != nil {
		if n > 0 {
			// Leave whole lines only: the next Write appends after them.
			if terr := seg.f.Truncate(seg.size); terr != nil {
				return fmt.Errorf("store/file: writing %s: %w (and cutting the partial write back: %v)", seg.path, err, terr)
			}
		}
		return fmt.Errorf("store/file: writing %s: %w", seg.path, err)
	}
	seg.size += int64(n)
	if s.opts.Sync {
		if err := seg.f.Sync(); err != nil {
			return fmt.Errorf("store/file: syncing %s: %w", seg.path, err)
		}
	}
	return nil
}

// newSegment creates a segment in the partition dir, creating the
// partition's folders. Each folder, from the top, must be a folder that
// only its owner may write into, not a link.
func (s *Store) newSegment(dir string) (*segment, error) {
	full := s.root
	for elem := range strings.SplitSeq(dir, string(filepath.Separator)) {
		full = filepath.Join(full, elem)
		if _, err := fsafe.SubDir(full); err != nil {
			return nil, fmt.Errorf("store/file: %w", err)
		}
	}
	for {
		path := filepath.Join(full, segmentName(time.Now()))
		f, err := fsafe.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL|os.O_APPEND, 0o600)
		if errors.Is(err, fs.ErrExist) {
			continue // the same instant and random suffix: draw again
		}
		if err != nil {
			return nil, fmt.Errorf("store/file: %w", err)
		}
		if s.opts.Sync {
			// The new name, and the folders above it, must survive too.
			for d := full; ; d = filepath.Dir(d) {
				if err := export.SyncDir(d); err != nil {
					_ = f.Close()
					return nil, fmt.Errorf("store/file: syncing %s: %w", d, err)
				}
				if d == s.root || len(d) <= len(s.root) {
					break
				}
			}
		}
		seg := &segment{path: path}
		s.segs[dir] = seg
		s.opened(seg, f)
		return seg, nil
	}
}

// segmentName names a segment created at t: part-, the UTC time to the
// nanosecond (so names sort by creation), 8 random hex digits (so two
// Stores never collide), .jsonl.
func segmentName(t time.Time) string {
	var r [4]byte
	_, _ = rand.Read(r[:]) // never fails
	return segmentPrefix + t.UTC().Format("20060102T150405.000000000Z") + "-" + hex.EncodeToString(r[:]) + segmentExt
}

// opened records that seg's file is open as f, closing the least
// recently written segment when too many are.
func (s *Store) opened(seg *segment, f *os.File) {
	seg.f = f
	seg.elem = s.open.PushBack(seg)
	for s.open.Len() > MaxOpenSegments {
		lru := s.open.Front().Value.(*segment)
		// Its lines are written: closing can fail only as an fsync
		// would. Close fsyncs it, and reports this error too.
		if err := s.release(lru, false); err != nil {
			s.closeErr = append(s.closeErr, err)
		}
	}
}

// release closes seg's file and keeps seg as the partition's current
// segment. With sync, it fsyncs the file first (unless every Write
// already did); without, Close will.
func (s *Store) release(seg *segment, sync bool) error {
	if seg.f == nil {
		return nil
	}
	var err error
	if !s.opts.Sync {
		if sync {
			err = seg.f.Sync()
			delete(s.unsynced, seg.path)
		} else {
			s.unsynced[seg.path] = true
		}
	}
	if cerr := seg.f.Close(); err == nil {
		err = cerr
	}
	seg.f = nil
	s.open.Remove(seg.elem)
	seg.elem = nil
	if err != nil {
		return fmt.Errorf("store/file: closing %s: %w", seg.path, err)
	}
	return nil
}

// closeSegment closes the current segment of dir, as release does, and
// forgets it: the next Write to dir starts a new one.
func (s *Store) closeSegment(dir string, seg *segment, sync bool) error {
	delete(s.segs, dir)
	return s.release(seg, sync)
}

// Close fsyncs and closes the segments this Store wrote and releases the
// folder to other writers. Every method returns ErrClosed after it;
// closing twice is fine.
func (s *Store) Close() error {
	s.life.Lock()
	defer s.life.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	s.wmu.Lock()
	defer s.wmu.Unlock()
	var errs []error
	for dir, seg := range s.segs {
		errs = append(errs, s.closeSegment(dir, seg, true))
	}
	for path := range s.unsynced {
		errs = append(errs, syncFile(path))
	}
	clear(s.unsynced)
	errs = append(errs, s.closeErr...)
	s.closeErr = nil
	if s.lock != nil {
		errs = append(errs, s.unlockWriter())
	}
	return errors.Join(errs...)
}

// syncFile fsyncs the file path, if it still exists.
func syncFile(path string) error {
	f, err := fsafe.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil // removed by DeleteBefore
	}
	if err == nil {
		err = f.Sync()
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		return fmt.Errorf("store/file: syncing %s: %w", path, err)
	}
	return nil
}
