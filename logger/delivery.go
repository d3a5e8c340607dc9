package logger

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/auditlog/auditlog/export"
)

// Defaults of DeliveryOptions.
const (
	// DefaultSinkBatch is how many events a sink's Write gets at most.
	DefaultSinkBatch = 512
	// DefaultSinkBuffer is how many events each sink's buffer holds
	// without a journal.
	DefaultSinkBuffer = 10_000
	// DefaultMinBackoff and DefaultMaxBackoff bound the delay before a
	// failed Write is tried again.
	DefaultMinBackoff = 100 * time.Millisecond
	DefaultMaxBackoff = 30 * time.Second
	// DefaultSinkCloseTimeout is how long Close waits for the sinks.
	DefaultSinkCloseTimeout = 5 * time.Second
)

// MirrorSinkName is the name under which Stats reports Options.Mirror.
const MirrorSinkName = "mirror"

// DeliveryOptions tune how the sinks (Options.Sinks, Options.Stores and
// Options.Mirror) receive events. The zero value is the default.
type DeliveryOptions struct {
	// BatchSize is how many events one Write gets at most. Default
	// DefaultSinkBatch.
	BatchSize int

	// BufferSize is, without a journal, how many events wait for each
	// sink; when a sink's buffer is full, the events that do not fit are
	// dropped for that sink alone and counted in its SinkStats.Dropped.
	// With a journal, the journal is the buffer and nothing is dropped.
	// The Mirror always has a buffer. Default DefaultSinkBuffer.
	BufferSize int

	// MinBackoff and MaxBackoff bound the wait before a failed Write is
	// tried again with the same events: it starts at MinBackoff and
	// doubles up to MaxBackoff, each wait drawn at random between half
	// and all of it. Defaults DefaultMinBackoff and DefaultMaxBackoff.
	MinBackoff, MaxBackoff time.Duration

	// CloseTimeout is how long Close waits for the sinks to take what
	// they have not yet taken. Then it cancels the context their Write
	// got, waits at most one more second for them to return, and returns.
	// With a journal, what a sink did not take is delivered after the
	// next New; without one, it is counted in Stats.Failed. Default
	// DefaultSinkCloseTimeout; negative: do not wait.
	CloseTimeout time.Duration

	// KeepUndelivered keeps, with a journal, a rotated file that holds
	// events a sink has not acknowledged: retention (MaxBackups, MaxAge)
	// removes it only once every sink has read past it. A sink that
	// fails for good then keeps the whole journal from the first event
	// it did not take. Without it, retention removes such a file, and
	// the sink counts the events it lost in SinkStats.Dropped.
	KeepUndelivered bool
}

func (o *DeliveryOptions) withDefaults() error {
	if o.BatchSize < 0 || o.BufferSize < 0 || o.MinBackoff < 0 || o.MaxBackoff < 0 {
		return fmt.Errorf("%w: Delivery.BatchSize, BufferSize, MinBackoff and MaxBackoff must not be negative", ErrInvalidOptions)
	}
	if o.BatchSize == 0 {
		o.BatchSize = DefaultSinkBatch
	}
	if o.BufferSize == 0 {
		o.BufferSize = DefaultSinkBuffer
	}
	if o.BatchSize > 1<<20 || o.BufferSize > 1<<26 {
		return fmt.Errorf("%w: Delivery.BatchSize %d or BufferSize %d too large", ErrInvalidOptions, o.BatchSize, o.BufferSize)
	}
	if o.MinBackoff == 0 {
		o.MinBackoff = DefaultMinBackoff
	}
	if o.MaxBackoff == 0 {
		o.MaxBackoff = max(DefaultMaxBackoff, o.MinBackoff)
	}
	if o.MaxBackoff < o.MinBackoff {
		return fmt.Errorf("%w: Delivery.MaxBackoff %v is below MinBackoff %v", ErrInvalidOptions, o.MaxBackoff, o.MinBackoff)
	}
	if o.CloseTimeout == 0 {
		o.CloseTimeout = DefaultSinkCloseTimeout
	}
	return nil
}

// checkSinkName reports why name cannot name a sink: it names the
// sink's cursor file in the journal's folder.
func checkSinkName(name string) error {
	if name == "" || len(name) > 64 || name[0] == '.' || name[0] == '-' {
		return fmt.Errorf("%w: sink name %q: 1 to 64 letters, digits, '.', '_' or '-', not starting with '.' or '-'", ErrInvalidOptions, name)
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-') {
			return fmt.Errorf("%w: sink name %q: 1 to 64 letters, digits, '.', '_' or '-', not starting with '.' or '-'", ErrInvalidOptions, name)
		}
	}
	return nil
}

// namedSinks returns the sinks of o by name: Sinks, and each Stores[i]
// as "store-<i>".
func (o *Options) namedSinks() ([]string, map[string]Sink, error) {
	all := make(map[string]Sink, len(o.Sinks)+len(o.Stores))
	for name, s := range o.Sinks {
		if err := checkSinkName(name); err != nil {
			return nil, nil, err
		}
		if s == nil {
			return nil, nil, fmt.Errorf("%w: Sinks[%q] is nil", ErrInvalidOptions, name)
		}
		if name == MirrorSinkName {
			return nil, nil, fmt.Errorf("%w: the sink name %q is the Mirror's", ErrInvalidOptions, name)
		}
		all[name] = s
	}
	for i, s := range o.Stores {
		if s == nil {
			return nil, nil, fmt.Errorf("%w: Stores[%d] is nil", ErrInvalidOptions, i)
		}
		name := "store-" + strconv.Itoa(i)
		if _, dup := all[name]; dup {
			return nil, nil, fmt.Errorf("%w: Sinks[%q] has the name of Stores[%d]", ErrInvalidOptions, name, i)
		}
		all[name] = s
	}
	names := make([]string, 0, len(all))
	for name := range all {
		names = append(names, name)
	}
	slices.Sort(names)
	return names, all, nil
}

// SinkStats are one sink's delivery figures, in Stats.Sinks.
type SinkStats struct {
	// Name is the sink's name in Options.Sinks, "store-<i>" for
	// Options.Stores[i], or MirrorSinkName.
	Name string
	// Delivered is the seq of the last event the sink is done with: it
	// acknowledged it (its Write returned nil) or refused it for good (see
	// ErrUndeliverable); with a journal, the cursor kept on disk.
	Delivered uint64
	// DeliveredEvents counts the events the sink acknowledged since New.
	DeliveredEvents int64
	// LagEvents is how many events the sink has yet to acknowledge: with
	// a journal, those written to it after Delivered; without, those
	// waiting in the sink's buffer or in a Write.
	LagEvents int64
	// LagSeconds is how old, by its Time, the oldest event the sink is
	// being handed is; 0 when the sink has taken everything.
	LagSeconds float64
	// Errors counts the sink's failed Writes (errors and panics), each
	// tried again.
	Errors int64
	// Dropped counts the events this sink will never get: without a
	// journal, those its full buffer could not take and those it had not
	// taken when Close stopped waiting; with a journal, those missing
	// from the journal when the sink came to them (removed by retention
	// before it read them, or never written); and the batches the sink
	// refused for good (ErrUndeliverable).
	Dropped int64
	// LastError is the last failure's message, and LastErrorTime when it
	// happened; empty and zero if none.
	LastError     string
	LastErrorTime time.Time
}

// deliveryState is the logger's side of its sinks.
type deliveryState struct {
	runners []*sinkRunner
	journal []*sinkRunner // the runners that follow the journal
	memory  []*sinkRunner // the runners fed by the applier
	ctx     context.Context
	cancel  context.CancelFunc
	stop    chan struct{} // closed by Close: runners leave once they have taken everything
	wg      sync.WaitGroup
	once    sync.Once
	closed  bool // set by stopSinks
}

// startSinks makes a runner per sink. With a journal, each opens its
// cursor; the writer's first seq is then put above every cursor, so that
// a seq a sink already took (from lines a machine crash cut from the
// journal) is never given to another event.
func (l *Logger) startSinks() error {
	names, sinks, err := l.opts.namedSinks()
	if err != nil {
		return err
	}
	d := &l.delivery
	d.ctx, d.cancel = context.WithCancel(context.Background())
	d.stop = make(chan struct{})
	for _, name := range names {
		r := l.newRunner(name, sinks[name], nil)
		if l.opts.Journal != nil {
			cf, pos, err := openCursor(l.opts.Journal.Dir, name)
			if err != nil {
				l.closeRunners()
				return err
			}
			r.cur, r.pos, r.fol = cf, pos, newFollower(l.opts.Journal.Dir)
			r.acked.Store(pos.seq)
			r.st.Delivered, r.handled = pos.seq, pos.seq
			if last := l.w.nextSeq - 1; pos.seq > last {
				l.report(fmt.Errorf("auditlog: sink %q: acknowledged events up to seq %d, above the journal's last line %d: the journal lost its last lines (a machine crash before they were fsynced); new events go on above seq %d", name, pos.seq, last, pos.seq))
				l.w.nextSeq, l.w.written = pos.seq+1, pos.seq
			}
			d.journal = append(d.journal, r)
		} else {
			d.memory = append(d.memory, r)
		}
		d.runners = append(d.runners, r)
	}
	if l.opts.Mirror != nil {
		r := l.newRunner(MirrorSinkName, nil, l.opts.Mirror.Handler())
		d.memory = append(d.memory, r)
		d.runners = append(d.runners, r)
	}
	l.written.Store(l.w.written)
	for _, r := range d.runners {
		d.wg.Add(1)
		go r.run()
	}
	return nil
}

// closeRunners closes the cursors of runners that were never started.
func (l *Logger) closeRunners() {
	for _, r := range l.delivery.runners {
		if r.cur != nil {
			r.cur.close()
		}
	}
	l.delivery.runners = nil
	l.delivery.cancel()
}

// keepForSinks tells retention whether a rotated file holds an event a
// sink has not acknowledged (DeliveryOptions.KeepUndelivered).
func (l *Logger) keepForSinks(f export.JournalFile) bool {
	last, err := export.FileLastLine(f)
	if err != nil || last == nil {
		return false // nothing a sink could read from it
	}
	seq, err := lineSeq(last)
	if err != nil {
		return false
	}
	for _, r := range l.delivery.journal {
		if r.acked.Load() < seq {
			return true
		}
	}
	return false
}

// wakeSinks tells the journal's sinks that the writer wrote up to seq.
func (l *Logger) wakeSinks(seq uint64) {
	l.written.Store(seq)
	for _, r := range l.delivery.journal {
		r.poke()
	}
}

// feedSinks hands events, as stored, to the sinks without a journal, and
// to the Mirror. The applier calls it once they are in the ring.
func (l *Logger) feedSinks(st *stage) {
	evs := l.sinkBuf[:0]
	m := materializer{cache: newDecodeCache()}
	for i := range st.pending {
		m.size(&st.pending[i].rec)
	}
	for i := range st.pending {
		p := &st.pending[i]
		evs = append(evs, Event{})
		l.materialize(&evs[len(evs)-1], p.seq, &p.rec, &m)
	}
	for _, r := range l.delivery.memory {
		r.push(evs, st.pending)
	}
	clear(evs)
	l.sinkBuf = evs[:0]
	if cap(l.sinkBuf) > 4*maxBatch {
		l.sinkBuf = nil
	}
}

// stopSinks lets the sinks take what they have not taken, within
// DeliveryOptions.CloseTimeout, then cancels their context. Close calls
// it once the writer has stopped.
func (l *Logger) stopSinks() {
	d := &l.delivery
	if len(d.runners) == 0 {
		return
	}
	close(d.stop)
	all := make(chan struct{})
	go func() { d.wg.Wait(); close(all) }()
	if wait := l.opts.Delivery.CloseTimeout; wait > 0 {
		t := time.NewTimer(wait)
		select {
		case <-all:
		case <-t.C:
		}
		t.Stop()
	}
	d.cancel()
	t := time.NewTimer(sinkCancelGrace)
	select {
	case <-all:
	case <-t.C:
		for _, r := range d.runners {
			if r.inWrite.Load() {
				l.report(fmt.Errorf("auditlog: sink %q: Write has not returned %v after Close cancelled its context: left running", r.name, sinkCancelGrace))
			}
		}
	}
	t.Stop()
	l.mu.Lock()
	d.closed = true
	l.mu.Unlock()
}

// sinkCancelGrace is how long Close waits for the sinks to return once it
// has cancelled their context.
const sinkCancelGrace = time.Second

// sinkStats returns the figures of every sink, by name.
func (l *Logger) sinkStats() []SinkStats {
	rs := l.delivery.runners
	if len(rs) == 0 {
		return nil
	}
	out := make([]SinkStats, len(rs))
	written := l.written.Load()
	for i, r := range rs {
		out[i] = r.stats(written)
	}
	return out
}

// FlushSinks waits until the sinks named (every sink when none is) have
// acknowledged every event accepted before the call (or given it up: see
// SinkStats.Dropped), or until ctx ends, and returns ctx's error then. It
// returns ErrClosed when Close has stopped a sink before it took
// everything, and an error wrapping ErrInvalidOptions for a name that is
// no sink's. With a journal that cannot be written, it waits for the
// journal to heal.
//
// Nothing else waits for the sinks: Log, Flush, Query, Count and
// Statistics never do. FlushSinks is for tests, and for a program that
// wants its events in a store before it goes on.
func (l *Logger) FlushSinks(ctx context.Context, names ...string) error {
	runners := l.delivery.runners
	if len(names) > 0 {
		runners = nil
		for _, name := range names {
			i := slices.IndexFunc(l.delivery.runners, func(r *sinkRunner) bool { return r.name == name })
			if i < 0 {
				return fmt.Errorf("%w: no sink is named %q", ErrInvalidOptions, name)
			}
			runners = append(runners, l.delivery.runners[i])
		}
	}
	if err := l.Flush(ctx); err != nil && err != ErrClosed {
		return err
	}
	// With a journal, what is on disk from before New is for the sinks
	// to take too.
	target := max(l.appliedSeq.Load(), l.written.Load())
	for _, r := range runners {
		if err := r.waitFor(ctx, target); err != nil {
			return err
		}
	}
	return nil
}
