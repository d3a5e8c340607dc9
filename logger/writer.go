package logger

import (
	"bufio"
	"fmt"
	"strings"

	"github.com/auditlog/auditlog/stats"
	"github.com/google/uuid"
)

// writerState is what only the writer goroutine touches.
type writerState struct {
	nextSeq uint64
	rand    *bufio.Reader // buffered crypto/rand for UUIDv7
	enc     valueEncoder
	arena   arena
	items   []item
	pending []pendingRecord
	flushes []chan struct{}
}

// pendingRecord is an event prepared outside the lock, waiting to be
// inserted: its record, and the raw values to index.
type pendingRecord struct {
	seq uint64
	rec record
	ev  *Event
}

// run is the writer goroutine: it takes what is queued, a batch at a
// time, and applies it.
func (l *Logger) run() {
	defer close(l.done)
	w := &l.w
	w.items = make([]item, 0, maxBatch)
	for {
		it, ok := <-l.ch
		if !ok {
			return
		}
		w.items = append(w.items[:0], it)
	fill:
		for len(w.items) < maxBatch {
			select {
			case it, ok := <-l.ch:
				if !ok {
					break fill
				}
				w.items = append(w.items, it)
			default:
				break fill
			}
		}
		l.apply(w.items)
		clear(w.items) // let the caller's maps go
	}
}

// apply prepares every event of items outside the lock, then inserts them
// under one write lock, then releases the flush waiters.
func (l *Logger) apply(items []item) {
	w := &l.w
	w.pending = w.pending[:0]
	for i := range items {
		it := &items[i]
		switch {
		case it.flush != nil:
			w.flushes = append(w.flushes, it.flush)
		case it.batch != nil:
			for j := range it.batch {
				l.prepare(&it.batch[j])
			}
		default:
			l.prepare(&it.ev)
		}
	}
	if n := len(w.pending); n > 0 {
		l.mu.Lock()
		for i := range w.pending {
			l.insert(&w.pending[i])
		}
		l.mu.Unlock()
		clear(w.pending)
		l.applied.Add(int64(n))
	}
	for i, f := range w.flushes {
		close(f)
		w.flushes[i] = nil
	}
	w.flushes = w.flushes[:0]
}

// prepare turns ev into a pending record: sequence number, ID, status,
// and the cold fields encoded to JSON once.
func (l *Logger) prepare(ev *Event) {
	w := &l.w
	p := pendingRecord{seq: w.nextSeq, ev: ev}
	w.nextSeq++
	r := &p.rec
	r.t = ev.Time.UnixNano()
	r.dur = int64(ev.Duration)
	r.status = statusCode(ev.Status)
	var customID string
	switch {
	case ev.ID == "":
		id, err := uuid.NewV7FromReader(w.rand)
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
	r.cold = l.encodeCold(p.seq, ev, customID)
	w.pending = append(w.pending, p)
}

// encodeCold encodes the fields of ev that the record does not keep as
// strings. A value that cannot be encoded is replaced, the event notes it
// in Metadata under "auditlog_encode_errors", and ErrorHandler hears of
// it; the event is kept either way.
func (l *Logger) encodeCold(seq uint64, ev *Event, customID string) (out []byte) {
	if customID == "" && !hasCold(ev) {
		return nil
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
			out = l.w.arena.copyBytes(e.buf)
		}
	}()
	e.reset()
	e.event(&cold)
	if len(e.problems) > 0 {
		problems := strings.Join(e.problems, "; ")
		l.report(fmt.Errorf("auditlog: event %d: values replaced: %s", seq, problems))
		md := make(map[string]any, len(cold.Metadata)+1)
		for k, v := range cold.Metadata {
			md[k] = v
		}
		md["auditlog_encode_errors"] = problems
		cold.Metadata = md
		e.reset()
		e.event(&cold)
	}
	return l.w.arena.copyBytes(e.buf)
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
	if ev.SessionID != "" || ev.Category != "" || ev.ResourceType != "" || ev.ResourceID != "" || ev.RunID != "" {
		r.ext = &recordExt{
			session:  ix.session.Add(ev.SessionID, seq),
			category: ix.category.Add(ev.Category, seq),
			resType:  ix.resType.Add(ev.ResourceType, seq),
			resID:    ix.resID.Add(ev.ResourceID, seq),
			runID:    ix.run.Add(ev.RunID, seq),
		}
	}
	if len(ev.EntryIDs) > 0 {
		var buf [8]string
		entries := buf[:0]
		for _, id := range ev.EntryIDs {
			entries = append(entries, ix.entry.Add(id, seq))
		}
		r.entries = l.w.arena.copyStrings(entries)
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
		ix.session.Remove(e.session, seq)
		ix.category.RemoveFrom(e.category, seq)
		ix.resType.RemoveFrom(e.resType, seq)
		ix.resID.Remove(e.resID, seq)
		ix.run.Remove(e.runID, seq)
	}
	for _, id := range r.entries {
		ix.entry.Remove(id, seq)
	}
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
