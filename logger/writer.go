package logger

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/google/uuid"

	"github.com/auditlog/auditlog/export"
	"github.com/auditlog/auditlog/stats"
)

// writerState is what only the writer goroutine touches.
type writerState struct {
	nextSeq uint64
	ids     idGen
	enc     valueEncoder
	arena   arena           // for the encoded cold fields
	pending []pendingRecord // of the stage being prepared
	waiters []waiter
	held    item // taken from the queue, waiting for room in the ring, when hasHeld
	hasHeld bool

	maxEventBytes int

	// The journal, when configured.
	j         *export.Journal
	chain     *export.Chain // nil with NoChain
	cp        *checkpointer // nil without checkpoints
	obj       []byte        // the line being encoded
	out       []byte        // lines not yet in the journal
	outEnds   []int         // the end in out of each of those lines
	written   uint64        // seq of the last event in the journal
	dirty     bool          // written since the last fsync
	lastSync  time.Time
	syncEvery time.Duration // < 0: after every batch
	tickEvery time.Duration
	retryIn   time.Duration // the current retry delay, 0 when healthy
	retryAt   time.Time
}

// waiter is a Flush or Sync call waiting for the events before it to be
// written (and fsynced).
type waiter struct {
	seq  uint64 // the last event accepted before the call
	sync bool
	done chan error
}

// pendingRecord is an event prepared outside the lock, waiting to be
// inserted: its record, and the raw values to index.
type pendingRecord struct {
	seq uint64
	rec record
	ev  *Event
	ctx context.Context // Log's, for the Mirror
}

// events is how many events it carries.
func (it *item) events() int {
	switch {
	case it.batch != nil:
		return len(it.batch)
	case it.flush != nil, it.wait != nil:
		return 0
	}
	return 1
}

// unwritten is how many applied events are not yet in the journal.
func (w *writerState) unwritten() int { return int(w.nextSeq - 1 - w.written) }

// room is how many events the ring can take without evicting one that is
// not yet in the journal.
func (l *Logger) room() int {
	if l.w.j == nil {
		return math.MaxInt
	}
	return l.opts.MaxEvents - l.w.unwritten()
}

// fits reports whether it can be applied now: without a journal always;
// with one, when the ring has room for its events, or when nothing is
// waiting to be written (an item larger than the ring is then applied
// whole, as without a journal).
func (l *Logger) fits(it *item) bool {
	return l.w.j == nil || it.events() <= l.room() || l.w.unwritten() == 0
}

// run is the writer goroutine: it takes what is queued, a batch at a
// time, and applies it. With a journal it also retries a failed write,
// fsyncs and rotates on time; and while events not yet written fill the
// ring, it stops taking from the queue, so that Log waits (or drops).
func (l *Logger) run() {
	defer close(l.done)
	w := &l.w
	var tick <-chan time.Time
	if w.j != nil {
		t := time.NewTicker(w.tickEvery)
		defer t.Stop()
		tick = t.C
	}
	for {
		if w.hasHeld && l.fits(&w.held) {
			it := w.held
			w.held, w.hasHeld = item{}, false
			l.take(&it)
			continue
		}
		recv, closing := l.ch, (<-chan struct{})(nil)
		if w.hasHeld || l.room() <= 0 {
			recv, closing = nil, l.closing
		}
		var retry <-chan time.Time
		if len(w.outEnds) > 0 && w.retryIn > 0 {
			retry = time.After(time.Until(w.retryAt))
		}
		select {
		case it, ok := <-recv:
			if !ok {
				l.shutdown()
				return
			}
			l.take(&it)
		case <-retry:
			l.writeOut()
			l.releaseWaiters()
		case now := <-tick:
			l.tick(now)
			l.releaseWaiters()
		case <-l.kick:
			l.retryNow()
		case <-closing:
			l.shutdown()
			return
		}
	}
}

// take applies it and whatever else is queued, up to maxBatch items or
// events and to the room in the ring; an item that does not fit is held
// until it does.
func (l *Logger) take(it *item) {
	w := &l.w
	if !l.fits(it) {
		w.held, w.hasHeld = *it, true
		return
	}
	st := <-l.free
	st.items = append(st.items, *it)
	n := it.events()
fill:
	for len(st.items) < maxBatch && n < maxBatch && n < l.room() {
		select {
		case it, ok := <-l.ch:
			if !ok {
				break fill // run sees the closed queue next
			}
			if w.j != nil && n+it.events() > l.room() {
				w.held, w.hasHeld = it, true
				break fill
			}
			st.items = append(st.items, it)
			n += it.events()
		default:
			break fill
		}
	}
	l.apply(st)
}

// shutdown applies everything still queued, stops the applier, gives a
// failing journal a last few tries, closes it, and answers every waiter.
func (l *Logger) shutdown() {
	w := &l.w
	var st *stage
	if w.hasHeld {
		st = <-l.free
		st.items = append(st.items, w.held)
		w.held, w.hasHeld = item{}, false
	}
	for it := range l.ch {
		if st == nil {
			st = <-l.free
		}
		st.items = append(st.items, it)
		if len(st.items) == maxBatch {
			l.apply(st)
			st = nil
		}
	}
	if st != nil {
		l.apply(st)
	}
	close(l.toApply)
	<-l.applierDone
	if w.j == nil {
		return
	}
	deadline := time.Now().Add(closeRetry)
	for len(w.outEnds) > 0 && time.Now().Before(deadline) {
		time.Sleep(min(w.retryIn, time.Until(deadline)))
		l.writeOutNow()
	}
	var err error
	if n := len(w.outEnds); n > 0 {
		err = fmt.Errorf("%w: %d events lost at Close: %w", ErrJournal, n, l.health.Load().err)
		l.mu.Lock()
		l.failed += int64(n)
		l.mu.Unlock()
		l.report(err)
	}
	l.checkpoint(time.Now(), true)
	l.stopCheckpointer()
	if cerr := w.j.Close(); cerr != nil && err == nil {
		err = fmt.Errorf("%w: %w", ErrJournal, cerr)
		l.report(err)
	}
	l.closeCheckpoints()
	l.closeErr = err
	for _, wt := range w.waiters {
		wt.done <- err
	}
	w.waiters = nil
}

// closeRetry is how long Close keeps retrying a failing journal.
const closeRetry = 2 * time.Second

// apply prepares every event of st, writes them to the journal, hands st
// to the applier, then answers the waiters it can.
func (l *Logger) apply(st *stage) {
	w := &l.w
	w.pending = st.pending[:0]
	w.ids.stamp(time.Now())
	for i := range st.items {
		it := &st.items[i]
		switch {
		case it.flush != nil:
			st.barriers = append(st.barriers, it.flush)
		case it.wait != nil:
			it.wait.seq = w.nextSeq - 1
			w.waiters = append(w.waiters, *it.wait)
		case it.batch != nil:
			for j := range it.batch {
				l.prepare(&it.batch[j])
				w.pending[len(w.pending)-1].ctx = it.ctx
			}
		default:
			l.prepare(&it.ev)
			w.pending[len(w.pending)-1].ctx = it.ctx
		}
	}
	if w.j != nil && len(w.pending) == 0 && len(w.waiters) > 0 && len(w.outEnds) > 0 && l.health.Load().err != nil {
		l.retryJournal() // a Sync or Flush on a failing journal: try again now
	} else {
		l.writeOut()
	}
	st.pending, w.pending = w.pending, nil
	l.toApply <- st // never waits: there is room for every stage
	l.releaseWaiters()
}

// releaseWaiters answers the Flush and Sync calls whose events are all
// written (and, for Sync, fsynced), and the Sync calls that cannot be
// while the journal fails.
func (l *Logger) releaseWaiters() {
	w := &l.w
	if len(w.waiters) == 0 {
		return
	}
	l.settle() // what a waiter waits for must be applied too
	failing := l.health.Load().err
	needSync := false
	for _, wt := range w.waiters {
		if wt.sync && wt.seq <= w.written {
			needSync = true
		}
	}
	var syncErr error
	if needSync {
		syncErr = l.syncJournal()
	}
	kept := w.waiters[:0]
	for _, wt := range w.waiters {
		switch {
		case wt.seq <= w.written && !wt.sync:
			wt.done <- nil
		case wt.seq <= w.written:
			wt.done <- syncErr
		case wt.sync && failing != nil:
			wt.done <- failing // retried just before, by retryNow or apply
		default:
			kept = append(kept, wt)
		}
	}
	clear(w.waiters[len(kept):])
	w.waiters = kept
}

// prepare turns ev into a pending record: sequence number, ID, status,
// and the cold fields encoded to JSON once.
func (l *Logger) prepare(ev *Event) {
	w := &l.w
	p := pendingRecord{seq: w.nextSeq, ev: ev}
	w.nextSeq++
	if ev.Source == "" {
		ev.Source = l.opts.Source
	}
	r := &p.rec
	r.t = ev.Time.UnixNano()
	r.dur = int64(ev.Duration)
	r.status = statusCode(ev.Status)
	var customID string
	switch {
	case ev.ID == "":
		id, err := w.ids.next()
		if err != nil {
			// crypto/rand does not fail on supported platforms; keep the
			// event with a time-only ID rather than lose it.
			l.report(fmt.Errorf("auditlog: event %d: generating ID: %w", p.seq, err))
		}
		r.id, r.hasID = id, true
	case isCanonicalUUID(ev.ID):
		r.id, r.hasID = uuid.MustParse(ev.ID), true
	default:
		customID = ev.ID
	}
	cold, fits := l.encodeCold(p.seq, ev, customID)
	r.cold = cold
	size := overBudget
	if fits {
		size = l.lineSize(&p, ev, customID)
	}
	if size > w.maxEventBytes {
		ev = l.truncate(p.seq, ev, size)
		p.ev = ev
		if customID != "" {
			customID = ev.ID
		}
		if r.cold, fits = l.encodeCold(p.seq, ev, customID); !fits {
			// Cut down, the event still does not fit: keep what says so,
			// and who did what to which resource, each cut to 64 bytes.
			// The ID is cut alike in the event, the ring and the journal.
			l.report(fmt.Errorf("auditlog: event %d: cut down, still above MaxEventBytes %d: dropped everything but its time, operation, status, duration, ID and indexed fields", p.seq, w.maxEventBytes))
			ev = lastResort(ev)
			p.ev = ev
			if customID != "" {
				customID = ev.ID
			}
			r.cold, _ = l.encodeCold(p.seq, ev, customID)
		}
		if w.j != nil {
			l.encodeObj(&p, ev, customID)
		}
	}
	if w.j != nil {
		if w.chain != nil {
			w.out = w.chain.Append(w.out, w.obj)
		} else {
			w.out = append(append(w.out, w.obj...), '\n')
		}
		w.outEnds = append(w.outEnds, len(w.out))
	}
	w.pending = append(w.pending, p)
}

// lastResort returns what is kept of ev when, cut down, it still does
// not fit in MaxEventBytes: its time, operation, status and duration,
// its ID and indexed fields cut to 64 bytes, and a note that everything
// else was dropped.
func lastResort(ev *Event) *Event {
	const n = 64
	return &Event{ID: cutString(ev.ID, n), Time: ev.Time, Operation: ev.Operation, Status: ev.Status,
		Duration: ev.Duration, Category: cutString(ev.Category, n), UserID: cutString(ev.UserID, n),
		SessionID: cutString(ev.SessionID, n), ResourceType: cutString(ev.ResourceType, n),
		ResourceID: cutString(ev.ResourceID, n), RunID: cutString(ev.RunID, n), Source: cutString(ev.Source, n),
		Metadata: map[string]any{"auditlog_truncated": "everything"}}
}

// encodeCold encodes the fields of ev that the record does not keep as
// strings. A value that cannot be encoded is replaced, the event notes it
// in Metadata under "auditlog_encode_errors", and ErrorHandler hears of
// it; the event is kept either way. It reports false, with nothing
// encoded, for an event above the encoder's budget (see valueEncoder):
// the caller cuts it down.
func (l *Logger) encodeCold(seq uint64, ev *Event, customID string) (out []byte, fits bool) {
	if customID == "" && !hasCold(ev) {
		return nil, true
	}
	cold := Event{
		ID: customID, UserName: ev.UserName, UserEmail: ev.UserEmail,
		IPAddress: ev.IPAddress, UserAgent: ev.UserAgent, ResourceName: ev.ResourceName,
		Changes: ev.Changes, PreviousState: ev.PreviousState, NewState: ev.NewState,
		Request: ev.Request, ParentRunID: ev.ParentRunID, Description: ev.Description,
		Tags: ev.Tags, Metadata: ev.Metadata, ErrorMessage: ev.ErrorMessage, ErrorStack: ev.ErrorStack,
	}
	e := &l.w.enc
	defer func() {
		// A String or Error method of the caller's values may panic.
		if r := recover(); r != nil {
			problem := fmt.Sprintf("panic while encoding: %v", r)
			l.report(fmt.Errorf("auditlog: event %d: %s", seq, problem))
			e.reset()
			e.event(&Event{ID: customID, Metadata: map[string]any{"auditlog_encode_errors": problem}})
			out, fits = l.w.arena.copyBytes(e.buf), true
		}
	}()
	e.reset()
	e.event(&cold)
	if e.over {
		return nil, false
	}
	if len(e.problems) > 0 {
		problems := e.problemsNote()
		l.report(fmt.Errorf("auditlog: event %d: values replaced: %s", seq, problems))
		md := make(map[string]any, len(cold.Metadata)+1)
		for k, v := range cold.Metadata {
			md[k] = v
		}
		md["auditlog_encode_errors"] = problems
		cold.Metadata = md
		e.reset()
		e.event(&cold)
		if e.over {
			return nil, false
		}
	}
	return l.w.arena.copyBytes(e.buf), true
}

// hasCold reports whether ev has a field that the record keeps encoded.
func hasCold(ev *Event) bool {
	return len(ev.Metadata) > 0 || ev.UserName != "" || ev.UserEmail != "" || ev.IPAddress != "" ||
		ev.UserAgent != "" || ev.ResourceName != "" || len(ev.Changes) > 0 ||
		len(ev.PreviousState) > 0 || len(ev.NewState) > 0 ||
		ev.Request != nil && *ev.Request != (Request{}) || ev.ParentRunID != "" ||
		ev.Description != "" || len(ev.Tags) > 0 || ev.ErrorMessage != "" || ev.ErrorStack != ""
}

// isCanonicalUUID reports whether s is a UUID in the lower-case 8-4-4-4-12
// form, the form the logger writes back.
func isCanonicalUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < 36; i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
				return false
			}
		}
	}
	return true
}

// insert applies one prepared record; l.mu is held for writing.
func (l *Logger) insert(p *pendingRecord) {
	if l.ring.full() {
		l.evict()
	}
	r, ev, seq := &p.rec, p.ev, p.seq
	ix := &l.ix
	r.op = ix.op.Add(string(ev.Operation), seq)
	ix.status.Add(string(statusCodes[r.status]), seq)
	r.user = ix.user.Add(ev.UserID, seq)
	foreign := ev.Source != l.opts.Source
	if ev.SessionID != "" || ev.Category != "" || ev.ResourceType != "" || ev.ResourceID != "" || ev.RunID != "" || foreign {
		r.ext = &recordExt{
			session:  ix.session.Add(ev.SessionID, seq),
			category: ix.category.Add(ev.Category, seq),
			resType:  ix.resType.Add(ev.ResourceType, seq),
			resID:    ix.resID.Add(ev.ResourceID, seq),
			runID:    ix.run.Add(ev.RunID, seq),
		}
		if foreign {
			r.ext.source = ev.Source
			l.foreign++
		}
	}
	if len(ev.EntryIDs) > 0 {
		var buf [8]string
		entries := buf[:0]
		for _, id := range ev.EntryIDs {
			entries = append(entries, ix.entry.Add(id, seq))
		}
		r.entries = l.strs.copyStrings(entries)
	}
	r.key = max(r.t, l.maxT)
	l.maxT = r.key
	if r.late() {
		l.late.Add(r.t, seq)
	}
	l.ring.push(seq, *r)
	l.counters.Add(stats.Sample[Operation, Status]{
		Operation: Operation(r.op.Key()),
		Status:    statusCodes[r.status],
		User:      keyOf(r.user),
		UnixNano:  r.t,
		Duration:  r.dur,
		Success:   r.status == 0,
		Failure:   r.status == 1,
	})
}

// evict removes the oldest record from the ring and the indexes.
func (l *Logger) evict() {
	seq := l.ring.first
	r := l.ring.pop()
	ix := &l.ix
	ix.op.RemoveFrom(r.op, seq)
	ix.status.Remove(string(statusCodes[r.status]), seq)
	ix.user.RemoveFrom(r.user, seq)
	if e := r.ext; e != nil {
		ix.category.RemoveFrom(e.category, seq)
		ix.resType.RemoveFrom(e.resType, seq)
		if e.source != "" {
			l.foreign--
		}
	}
	// Records leave in seq order: the pairs indexes drop theirs in bulk.
	ix.session.Trim(seq + 1)
	ix.resID.Trim(seq + 1)
	ix.run.Trim(seq + 1)
	ix.entry.Trim(seq + 1)
	if r.late() {
		l.late.Remove(r.t, seq)
	}
	l.evicted++
}

// report hands err to Options.ErrorHandler, containing its panics.
func (l *Logger) report(err error) {
	h := l.opts.ErrorHandler
	if h == nil {
		return
	}
	defer func() { _ = recover() }() // a panicking handler must not stop the writer
	h(err)
}
