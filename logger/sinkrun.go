package logger

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// sinkRunner is the goroutine of one sink and its state. With a journal
// it follows the journal from its cursor (see follower); without one,
// and for the Mirror, it takes events from a bounded buffer the applier
// fills.
type sinkRunner struct {
	l      *Logger
	name   string
	sink   Sink         // nil for the Mirror
	mirror slog.Handler // the Mirror's handler
	wake   chan struct{}

	// With a journal: owned by the goroutine, but acked.
	cur   *cursorFile
	pos   cursor
	fol   *follower
	acked atomic.Uint64 // pos.seq, for retention's Keep

	inWrite atomic.Bool // in the sink's Write, for Close's report

	mu       sync.Mutex
	buf      []queued // without a journal: the events waiting, oldest first
	head     int      // buf[head:] are waiting
	inFlight int      // events taken from buf, in a Write
	pushed   uint64   // the seq of the last event pushed or dropped
	handled  uint64   // every seq up to it is acknowledged or given up
	done     bool     // the goroutine has returned
	progress chan struct{}
	oldest   time.Time // Time of the first event being handed over, zero when none
	st       SinkStats
}

// queued is an event waiting in a sink's buffer, with the context of its
// Log call for the Mirror.
type queued struct {
	ev  Event
	ctx context.Context
}

func (l *Logger) newRunner(name string, s Sink, mirror slog.Handler) *sinkRunner {
	return &sinkRunner{l: l, name: name, sink: s, mirror: mirror, wake: make(chan struct{}, 1),
		progress: make(chan struct{}), st: SinkStats{Name: name}}
}

// poke wakes the goroutine, without waiting.
func (r *sinkRunner) poke() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// push queues evs (whose records are ps) without waiting: what does not
// fit in the buffer is dropped and counted.
func (r *sinkRunner) push(evs []Event, ps []pendingRecord) {
	limit := r.l.opts.Delivery.BufferSize
	dropped := 0
	r.mu.Lock()
	if r.head > 0 && len(r.buf)+len(evs) > cap(r.buf) {
		r.buf = r.buf[:copy(r.buf, r.buf[r.head:])]
		r.head = 0
	}
	for i := range evs {
		if len(r.buf)-r.head+r.inFlight >= limit {
			dropped++
			continue
		}
		r.buf = append(r.buf, queued{ev: evs[i], ctx: ps[i].ctx})
	}
	r.pushed = ps[len(ps)-1].seq
	if dropped > 0 {
		r.st.Dropped += int64(dropped)
		if len(r.buf) == r.head && r.inFlight == 0 {
			r.advance(r.pushed)
		}
	}
	r.mu.Unlock()
	if dropped > 0 {
		r.l.report(fmt.Errorf("auditlog: sink %q: buffer of %d events full: %d events dropped for this sink", r.name, limit, dropped))
	}
	r.poke()
}

// advance records that every seq up to seq is handled; r.mu is held.
func (r *sinkRunner) advance(seq uint64) {
	if seq > r.handled {
		r.handled = seq
		close(r.progress)
		r.progress = make(chan struct{})
	}
}

// waitFor waits until every seq up to target is handled.
func (r *sinkRunner) waitFor(ctx context.Context, target uint64) error {
	for {
		r.mu.Lock()
		handled, done, ch := r.handled, r.done, r.progress
		r.mu.Unlock()
		if handled >= target {
			return nil
		}
		if done {
			return ErrClosed
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// stats returns the sink's figures; written is the writer's last seq
// in the journal.
func (r *sinkRunner) stats(written uint64) SinkStats { return r.statsAt(written, time.Now()) }

// statsAt is stats with LagSeconds measured to now.
func (r *sinkRunner) statsAt(written uint64, now time.Time) SinkStats {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.st
	if r.cur != nil {
		if written > s.Delivered {
			s.LagEvents = int64(written - s.Delivered)
		}
	} else {
		s.LagEvents = int64(len(r.buf) - r.head + r.inFlight)
	}
	if !r.oldest.IsZero() && s.LagEvents > 0 {
		s.LagSeconds = max(0, now.Sub(r.oldest).Seconds())
	}
	return s
}

// run is the sink's goroutine.
func (r *sinkRunner) run() {
	d := &r.l.delivery
	defer d.wg.Done()
	defer func() {
		r.mu.Lock()
		r.done = true
		close(r.progress)
		r.progress = make(chan struct{})
		r.mu.Unlock()
	}()
	if r.cur != nil {
		defer r.cur.close()
		defer r.fol.close()
		r.follow()
		return
	}
	r.drain()
}

// stopping reports whether Close has asked the sinks to finish.
func (r *sinkRunner) stopping() bool {
	select {
	case <-r.l.delivery.stop:
		return true
	default:
		return false
	}
}

// idle waits for more work, or Close.
func (r *sinkRunner) idle() {
	select {
	case <-r.wake:
	case <-r.l.delivery.stop:
	}
}

// drain hands the buffer's events to the sink until Close.
func (r *sinkRunner) drain() {
	batchSize := r.l.opts.Delivery.BatchSize
	batch := make([]queued, 0, min(batchSize, 64))
	evs := make([]Event, 0, cap(batch))
	for {
		r.mu.Lock()
		n := min(len(r.buf)-r.head, batchSize)
		batch = append(batch[:0], r.buf[r.head:r.head+n]...)
		clear(r.buf[r.head : r.head+n])
		r.head += n
		if r.head == len(r.buf) {
			r.buf, r.head = r.buf[:0], 0
		}
		r.inFlight = n
		if n > 0 {
			r.oldest = batch[0].ev.Time
		}
		r.mu.Unlock()
		if n == 0 {
			if r.stopping() {
				return // everything taken, and Close asked
			}
			r.idle()
			continue
		}
		out := taken
		if r.mirror != nil {
			r.mirrorBatch(batch)
		} else {
			evs = evs[:0]
			for i := range batch {
				evs = append(evs, batch[i].ev)
			}
			out = r.deliver(evs)
			clear(evs)
		}
		last := batch[n-1].ev.Seq
		clear(batch)
		r.mu.Lock()
		r.inFlight = 0
		r.oldest = time.Time{}
		switch out {
		case taken:
			r.st.Delivered = last
			r.st.DeliveredEvents += int64(n)
		case cancelled:
			r.st.Dropped += int64(n)
		}
		ok := out != cancelled
		if len(r.buf) == r.head {
			r.advance(r.pushed)
		} else {
			r.advance(last)
		}
		r.mu.Unlock()
		if !ok {
			r.giveUp(n, "not taken when Close stopped waiting")
		}
	}
}

// giveUp counts n events the sink will not get, in Stats.Failed, and
// reports them.
func (r *sinkRunner) giveUp(n int, why string) {
	r.l.mu.Lock()
	r.l.failed += int64(n)
	r.l.mu.Unlock()
	r.l.report(fmt.Errorf("auditlog: sink %q: %d events %s", r.name, n, why))
}

// outcome is how a batch left a sink.
type outcome int

const (
	taken     outcome = iota // Write returned nil
	refused                  // Write refused it for good (ErrUndeliverable): counted in Dropped
	cancelled                // Close cancelled the sinks' context first
)

// deliver hands evs to the sink until it takes them, waiting between
// tries, or until the sink refuses them for good, or Close cancels the
// sinks' context. A refused batch is counted in the sink's Dropped and
// reported.
func (r *sinkRunner) deliver(evs []Event) outcome {
	opts := &r.l.opts.Delivery
	ctx := r.l.delivery.ctx
	wait := opts.MinBackoff
	for {
		if ctx.Err() != nil {
			return cancelled
		}
		err := r.write(ctx, evs)
		if err == nil {
			return taken
		}
		if ctx.Err() != nil {
			return cancelled
		}
		now := time.Now()
		r.mu.Lock()
		r.st.Errors++
		r.st.LastError, r.st.LastErrorTime = err.Error(), now
		if errors.Is(err, ErrUndeliverable) {
			r.st.Dropped += int64(len(evs))
		}
		r.mu.Unlock()
		if errors.Is(err, ErrUndeliverable) {
			r.l.report(fmt.Errorf("auditlog: sink %q: a batch of %d events (seq %d to %d) refused for good, given up: %w",
				r.name, len(evs), evs[0].Seq, evs[len(evs)-1].Seq, err))
			return refused
		}
		r.l.report(fmt.Errorf("auditlog: sink %q: a batch of %d events (seq %d to %d) not taken, tried again in %v: %w",
			r.name, len(evs), evs[0].Seq, evs[len(evs)-1].Seq, wait, err))
		t := time.NewTimer(wait/2 + rand.N(wait/2+1))
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return cancelled
		}
		wait = min(2*wait, opts.MaxBackoff)
	}
}

// write calls the sink's Write, containing its panic.
func (r *sinkRunner) write(ctx context.Context, evs []Event) (err error) {
	r.inWrite.Store(true)
	defer r.inWrite.Store(false)
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("panic: %v", v)
		}
	}()
	return r.sink.Write(ctx, evs)
}

// mirrorBatch writes batch to the Mirror's handler, each record with the
// context of its Log call, without its cancellation. A handler's error
// or panic is reported, not tried again: the Mirror is a console.
func (r *sinkRunner) mirrorBatch(batch []queued) {
	h := r.mirror
	for i := range batch {
		ev := &batch[i].ev
		ctx := batch[i].ctx
		if ctx == nil {
			ctx = context.Background()
		} else {
			ctx = context.WithoutCancel(ctx)
		}
		level := slog.LevelInfo
		if ev.Status != StatusSuccess {
			level = slog.LevelWarn
		}
		if !h.Enabled(ctx, level) {
			continue
		}
		rec := slog.NewRecord(ev.Time, level, MirrorMessage, 0)
		rec.AddAttrs(eventAttrs(ev)...)
		r.l.handle(ctx, h, rec)
	}
}

// follow hands the sink the journal's lines from its cursor until Close,
// saving the cursor after each batch the sink takes.
func (r *sinkRunner) follow() {
	l := r.l
	d := &l.delivery
	batchSize := l.opts.Delivery.BatchSize
	evs := make([]Event, 0, min(batchSize, 64))
	var lastHash string
	var readErr error
	cache := newDecodeCache()
	wait := l.opts.Delivery.MinBackoff // before reading again after an error or a short read
	for {
		written := l.written.Load()
		if r.pos.seq >= written {
			if r.stopping() {
				return
			}
			r.idle()
			continue
		}
		evs = evs[:0]
		lastHash = r.pos.hash
		var gaps []string // the ranges of seqs missing from the journal
		missing := int64(0)
		_, err := r.fol.read(r.pos.seq, written, batchSize, func(fl followLine) error {
			if fl.seq == 0 {
				l.report(fmt.Errorf("auditlog: sink %q: %s: a journal line whose seq cannot be read: skipped", r.name, fl.where(r.fol)))
				return nil
			}
			if fl.seq == r.pos.seq {
				if h := lineHash(fl.data); r.pos.hash != "" && h != "" && h != r.pos.hash {
					l.report(fmt.Errorf("auditlog: sink %q: the journal's line of seq %d is not the line the sink acknowledged (its hash differs): the journal was changed", r.name, fl.seq))
				}
				return nil
			}
			prev := r.pos.seq
			if len(evs) > 0 {
				prev = evs[len(evs)-1].Seq
			}
			if fl.seq > prev+1 {
				missing += int64(fl.seq - prev - 1)
				if len(gaps) < 10 {
					gaps = append(gaps, fmt.Sprintf("%d to %d", prev+1, fl.seq-1))
				}
			}
			var ev Event
			err := decodeLine(fl.data, &ev, cache)
			if err == nil {
				err = ev.check()
			}
			if len(cache.keys) >= maxCached || len(cache.vals) >= maxCached {
				cache = newDecodeCache() // full: start again, so that new keys are shared too
			}
			if err != nil {
				l.report(fmt.Errorf("auditlog: sink %q: %s: journal line of seq %d cannot be read: skipped: %w", r.name, fl.where(r.fol), fl.seq, err))
				ev = Event{}
			}
			ev.Seq = fl.seq
			evs = append(evs, ev)
			lastHash = lineHash(fl.data)
			return nil
		})
		if err != nil {
			if readErr == nil || readErr.Error() != err.Error() {
				l.report(fmt.Errorf("auditlog: sink %q: reading the journal: %w", r.name, err))
			}
			readErr = err
			r.fol.close()
			if r.stopping() {
				return // the journal keeps what the sink did not take
			}
			if !r.pause(wait) {
				return
			}
			wait = min(2*wait, l.opts.Delivery.MaxBackoff)
			continue
		}
		readErr = nil
		if len(evs) == 0 {
			if r.stopping() {
				return // the journal holds nothing more to read
			}
			// Behind, yet nothing new on disk: a file may have gone or
			// come between two listings. Look again after a while, not
			// only at the writer's next write, so that a quiet logger's
			// sink still catches up.
			if !r.pause(wait) {
				return
			}
			wait = min(2*wait, l.opts.Delivery.MaxBackoff)
			continue
		}
		wait = l.opts.Delivery.MinBackoff
		if missing > 0 {
			r.mu.Lock()
			r.st.Dropped += missing
			r.mu.Unlock()
			l.report(fmt.Errorf("auditlog: sink %q: %d events are not in the journal (removed by retention before the sink read them, or never written), seqs %s: not delivered", r.name, missing, strings.Join(gaps, ", ")))
		}
		// Skip what could not be read: it is reported.
		good := evs[:0]
		for _, ev := range evs {
			if ev.Operation != "" {
				good = append(good, ev)
			}
		}
		last := evs[len(evs)-1].Seq
		r.mu.Lock()
		if len(good) > 0 {
			r.oldest = good[0].Time
		}
		r.mu.Unlock()
		out := taken
		if len(good) > 0 {
			out = r.deliver(good)
		}
		if out == cancelled {
			return // Close stopped waiting: the journal keeps them for the next start
		}
		r.pos = cursor{seq: last, hash: lastHash}
		if err := r.cur.save(r.pos); err != nil {
			l.report(fmt.Errorf("auditlog: sink %q: saving its cursor at seq %d: %w (events after the last saved cursor will be delivered again after a restart)", r.name, last, err))
		}
		r.acked.Store(last)
		r.mu.Lock()
		r.oldest = time.Time{}
		r.st.Delivered = last
		if out == taken {
			r.st.DeliveredEvents += int64(len(good))
		}
		r.advance(last)
		r.mu.Unlock()
		clear(evs)
		if d.ctx.Err() != nil {
			return
		}
	}
}

// pause waits for d, the writer's next write, Close's request to finish,
// or the end of the sinks' context; it reports false then.
func (r *sinkRunner) pause(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-r.wake:
	case <-r.l.delivery.stop:
	case <-r.l.delivery.ctx.Done():
		return false
	}
	return true
}

// where names the file a followed line came from.
func (fl followLine) where(fo *follower) string { return fo.file.Path }

// lineHash returns the chain's hash of a journal line, "" when it has
// none.
func lineHash(line []byte) string {
	const key = `"hash":"`
	n := len(line)
	if n > 64+len(key)+2 && line[n-1] == '}' && line[n-2] == '"' && string(line[n-2-64-len(key):n-2-64]) == key {
		if h := string(line[n-2-64 : n-2]); isHash(h) {
			return h
		}
	}
	var t lineTail
	if readTail(line, &t) == nil && isHash(t.Hash) {
		return t.Hash
	}
	return ""
}
