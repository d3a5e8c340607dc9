package logger

import (
	"context"
	"fmt"
	"math"
	"sync"
	"sync/atomic"

	"github.com/auditlog/auditlog/index"
	"github.com/auditlog/auditlog/stats"
)

// Logger is an asynchronous audit logger. Log hands an event to a bounded
// queue and returns; one writer goroutine, started by New, assigns its
// sequence number and ID, encodes it once, and applies it to the ring,
// the indexes and the statistics.
//
// Every method may be called from many goroutines at once. Close stops the
// writer; after it, Log returns ErrClosed and the read methods keep
// answering from the events in memory.
type Logger struct {
	opts     Options
	ch       chan item
	closing  chan struct{} // closed by Close, for a writer that waits for room
	kick     chan struct{} // Sync asks a failing journal to be retried at once
	done     chan struct{} // closed when the writer has stopped
	closeErr error         // set by the writer before done closes

	free, toApply chan *stage   // stages between the writer and the applier
	applierDone   chan struct{} // closed when the applier has stopped
	sinkBuf       []Event       // the applier's: events for the sinks without a journal
	appliedSeq    atomic.Uint64 // the seq of the last event applied
	written       atomic.Uint64 // the seq of the last event written to the journal
	delivery      deliveryState

	closeOnce sync.Once
	closeMu   sync.RWMutex // held shared while sending on ch, exclusively to close it
	closed    bool

	sent     atomic.Int64 // events accepted by Log and LogBatch, or being accepted
	applied  atomic.Int64 // events the writer has applied
	dropped  atomic.Int64
	rejected atomic.Int64
	refused  refusals // the drops and rejections of the last Options.Health.Window

	health        atomic.Pointer[health] // the journal's state
	journalErrors atomic.Int64
	unwritten     atomic.Int64 // applied events not yet in the journal

	mu       sync.RWMutex // guards the state below; held by the writer once per batch
	ring     ring
	ix       indexes
	late     *index.Ordered // (time, seq) of records that arrived after a later-dated one
	maxT     int64          // the largest event time applied
	counters *stats.Counters[Operation, Status]
	evicted  int64
	failed   int64
	foreign  int   // records in the ring whose Source is not Options.Source
	strs     arena // the applier's, for records' entry ids

	w writerState // owned by the writer goroutine

	importMu sync.Mutex // held by Import, so that imports take turns
}

// indexes are the secondary indexes, one per field Filter can select on.
//
// Fields with few distinct values, each carried by many records, keep a
// posting list per value (index.Keyed); fields whose values are mostly
// carried by one record or a few keep (value, seq) pairs (index.Pairs).
type indexes struct {
	user, op, status, category, resType index.Keyed
	session, resID, run, entry          *index.Pairs
}

func newIndexes() indexes {
	return indexes{session: index.NewPairs(), resID: index.NewPairs(), run: index.NewPairs(), entry: index.NewPairs()}
}

// item is one element of the queue: an event, a batch, a barrier
// (closed once the events before it are applied) or a Flush or Sync call.
type item struct {
	ev    Event
	ctx   context.Context // Log's, for the Mirror
	batch []Event
	flush chan struct{}
	wait  *waiter
}

// New starts a Logger with opts. It returns an error wrapping
// ErrInvalidOptions when opts cannot be honoured, and the error of the
// journal when it cannot be opened.
//
// With a journal, New reads the seqs on disk and goes on above the
// highest, so that no seq in the journal is ever used twice, and
// continues the hash chain from the line that carries it; it cuts off a
// torn last line (reported to ErrorHandler). With Journal.Recover it
// reads every line of every file; without, every line of the current
// file and the last line of each rotated one, which the journal wrote
// above every seq before it (a rotated file whose last line gives no seq,
// or cannot be read, is read whole). A line whose seq cannot be read, or
// is not above every seq before it (a line copied back, a file restored,
// two loggers in one folder), and a file that cannot be read are
// reported to ErrorHandler and counted in Stats.Failed; they do not stop
// New. What does stop it, with an error that names the entry: a folder
// that cannot be listed, and a symbolic link, FIFO, device or socket
// under a journal file's name (put there by someone else, it is neither
// followed nor skipped: without every file, no seq is known to be free).
// With Journal.Recover it also reads the events back: the newest run of
// consecutive seqs that ends at the highest, at most MaxEvents events,
// refills the ring, and the statistics (totals, by
// operation and status, per user, durations) are rebuilt from every event
// in the files still on disk. Not restored: events in files that
// retention removed, and the counters of the process that wrote them
// (Dropped, Rejected, Evicted, Failed).
func New(opts Options) (*Logger, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	mask, err := newMasker(opts.Mask)
	if err != nil {
		return nil, err
	}
	l := &Logger{
		opts:     opts,
		ch:       make(chan item, opts.QueueSize),
		closing:  make(chan struct{}),
		kick:     make(chan struct{}, 1),
		done:     make(chan struct{}),
		ix:       newIndexes(),
		late:     index.NewOrdered(),
		maxT:     math.MinInt64,
		counters: newCounters(opts),
	}
	l.health.Store(&health{next: make(chan struct{})})
	l.refused.init(opts.Health.Window)
	l.ring.max = opts.MaxEvents
	l.w = writerState{nextSeq: 1, maxEventBytes: opts.MaxEventBytes, enc: newEncoder(mask, opts.MaxEventBytes)}
	if opts.Journal != nil {
		if err := l.openJournal(); err != nil {
			return nil, err
		}
	}
	if err := l.startSinks(); err != nil {
		if l.w.j != nil {
			_ = l.w.j.Close() // the sinks' error is the one to return
		}
		return nil, err
	}
	if l.w.j != nil {
		l.w.j.StartHousekeeping() // read back: retention may remove files now
	}
	l.free, l.toApply = newStages()
	l.applierDone = make(chan struct{})
	go l.applier()
	go l.run()
	return l, nil
}

// Log queues ev and returns nil, or tells why it did not:
//   - ErrInvalidEvent (wrapped with the reason) for an event it cannot
//     accept: see Operation and Status for the names it takes;
//   - ErrClosed after Close;
//   - ErrDropped in drop mode when the queue is full;
//   - ErrFull in no-rotation mode when the ring has no room left;
//   - the context's error when ctx ends while Log waits for room.
//
// Log stamps a zero Time with the clock, and fills the empty actor and
// run fields from ctx (see WithActor and WithRun); everything else (sequence
// number, ID, encoding, indexing) happens in the writer goroutine. An
// event whose Log returned nil is visible to every read method called
// after. See Event for what Log keeps of ev.
func (l *Logger) Log(ctx context.Context, ev Event) error {
	if ev.Time.IsZero() {
		ev.Time = l.opts.Now()
	}
	if info := infoFrom(ctx); info != nil {
		info.fill(&ev)
	}
	if err := ev.check(); err != nil {
		l.reject(1)
		return err
	}
	it := item{ev: ev}
	if l.opts.Mirror != nil {
		it.ctx = ctx
	}
	return l.enqueue(ctx, &it, 1)
}

// LogBatch queues events as one unit: either every event is accepted,
// and they are applied in order with nothing in between, or none is and
// the error says why (as for Log; an invalid event is named by its
// index). The slice is copied; its events' maps and slices are kept.
func (l *Logger) LogBatch(ctx context.Context, events []Event) error {
	if len(events) == 0 {
		return nil
	}
	batch := make([]Event, len(events))
	copy(batch, events)
	now := l.opts.Now()
	info := infoFrom(ctx)
	for i := range batch {
		if batch[i].Time.IsZero() {
			batch[i].Time = now
		}
		if info != nil {
			info.fill(&batch[i])
		}
		if err := batch[i].check(); err != nil {
			l.reject(int64(len(batch)))
			return fmt.Errorf("event %d: %w", i, err)
		}
	}
	it := item{batch: batch}
	if l.opts.Mirror != nil {
		it.ctx = ctx
	}
	return l.enqueue(ctx, &it, int64(len(batch)))
}

// enqueue sends it, which carries n events, to the writer.
func (l *Logger) enqueue(ctx context.Context, it *item, n int64) error {
	l.closeMu.RLock()
	defer l.closeMu.RUnlock()
	if l.closed {
		l.reject(n)
		return ErrClosed
	}
	if l.opts.NoRotation {
		// Reserve room in the ring now: the decision belongs to Log.
		for {
			cur := l.sent.Load()
			if cur+n > int64(l.opts.MaxEvents) {
				l.reject(n)
				return ErrFull
			}
			if l.sent.CompareAndSwap(cur, cur+n) {
				break
			}
		}
	} else {
		l.sent.Add(n)
	}
	select {
	case l.ch <- *it:
		return nil
	default:
	}
	if l.opts.DropWhenFull {
		l.sent.Add(-n)
		l.drop(n)
		return ErrDropped
	}
	if ctx == nil {
		ctx = context.Background()
	}
	select {
	case l.ch <- *it:
		return nil
	case <-ctx.Done():
		l.sent.Add(-n)
		l.reject(n)
		return ctx.Err()
	case <-l.closing:
		// Close has begun while Log waited for room: refuse, so that
		// Close can take closeMu even while the writer cannot make room.
		l.sent.Add(-n)
		l.reject(n)
		return ErrClosed
	}
}

// Flush waits until every event accepted before it has been applied and,
// with a journal, written to it (handed to the operating system, not
// necessarily fsynced: see Sync), or until ctx ends. While the journal
// cannot be written, Flush waits for it to heal. Once Close has begun,
// Flush waits for Close to finish.
func (l *Logger) Flush(ctx context.Context) error {
	_, err := l.wait(ctx, false)
	return err
}

// Sync returns once every event accepted before it is in the journal and
// fsynced to disk; one fsync serves every Sync waiting at the time. It
// returns an error wrapping ErrJournal at once while the journal cannot
// be written (the events stay queued and are retried), and nil without a
// journal, once the events are applied. After Close it returns Close's
// journal error, if any.
func (l *Logger) Sync() error {
	err, _ := l.wait(context.Background(), true)
	return err
}

// wait sends a Flush or Sync marker through the queue and waits for the
// writer's answer: the writer's error first, then the context's. A Sync
// also returns when the journal fails after it began (or fails again,
// when it was failing: the writer then retries at once).
func (l *Logger) wait(ctx context.Context, sync bool) (werr, cerr error) {
	if ctx == nil {
		ctx = context.Background()
	}
	l.closeMu.RLock()
	if l.closed {
		l.closeMu.RUnlock()
		select {
		case <-l.done:
			return l.closeErr, nil
		default:
		}
		select {
		case <-l.done:
			return l.closeErr, nil
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	var failed chan struct{}
	h := l.health.Load()
	if sync {
		failed = h.next
	}
	wt := &waiter{sync: sync, done: make(chan error, 1)}
	select {
	case l.ch <- item{wait: wt}:
	case <-failed:
		l.closeMu.RUnlock()
		return h.cause, nil
	case <-l.closing:
		l.closeMu.RUnlock()
		<-l.done
		return l.closeErr, nil
	case <-ctx.Done():
		l.closeMu.RUnlock()
		return nil, ctx.Err()
	}
	l.closeMu.RUnlock()
	if sync && h.err != nil {
		select {
		case l.kick <- struct{}{}:
		default:
		}
	}
	select {
	case err := <-wt.done:
		return err, nil
	case <-failed:
		return h.cause, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// barrier makes every event accepted so far visible to the caller. When
// the writer has caught up, as it usually has, it costs two atomic loads.
//
// While the journal cannot be written the writer may stop taking events;
// the barrier then does not wait, so that Query and Statistics keep
// answering (from the events applied) during the outage.
func (l *Logger) barrier() {
	s := l.sent.Load()
	if l.applied.Load() >= s {
		return
	}
	h := l.health.Load()
	if h.err != nil {
		return
	}
	l.closeMu.RLock()
	if l.closed {
		l.closeMu.RUnlock()
		<-l.done
		return
	}
	done := make(chan struct{})
	select {
	case l.ch <- item{flush: done}:
	case <-h.next:
		l.closeMu.RUnlock()
		return
	case <-l.closing:
		l.closeMu.RUnlock()
		<-l.done
		return
	}
	l.closeMu.RUnlock()
	select {
	case <-done:
	case <-h.next:
	}
}

// Close stops accepting events, applies every queued one, writes and
// fsyncs the journal, and stops the writer goroutine. It is safe to call
// more than once; calls after the first wait for the first to finish and
// return the same result. While the journal cannot be written, Close
// keeps retrying for a few seconds, then gives up: the events it could
// not write are counted in Stats.Failed and Close returns an error
// wrapping ErrJournal.
func (l *Logger) Close() error {
	// Wake every Log, Flush and read waiting for room in the queue first:
	// they hold closeMu shared.
	l.closeOnce.Do(func() { close(l.closing) })
	l.closeMu.Lock()
	if !l.closed {
		l.closed = true
		close(l.ch)
	}
	l.closeMu.Unlock()
	<-l.done
	l.delivery.once.Do(l.stopSinks)
	return l.closeErr
}
