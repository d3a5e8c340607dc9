package logger

import (
	"context"
	"fmt"
	"log/slog"
)

// MirrorMessage is the message of the records Options.Mirror receives.
const MirrorMessage = "audit"

// sinks hands the events of st, as stored (masked), to Options.Mirror
// and Options.Stores. The applier calls it once they are in the ring, so
// that Flush returns after they reach the sinks, in sequence order.
func (l *Logger) sinks(st *stage) {
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
	if l.opts.Mirror != nil {
		l.mirror(evs)
	}
	failed := false
	for i, s := range l.opts.Stores {
		if !l.save(i, s, evs) {
			failed = true
		}
	}
	if failed { // each event counted once, however many stores refused it
		l.mu.Lock()
		l.failed += int64(len(evs))
		l.mu.Unlock()
	}
	clear(evs)
	l.sinkBuf = evs[:0]
	if cap(l.sinkBuf) > 4*maxBatch {
		l.sinkBuf = nil
	}
}

// mirror writes evs to Options.Mirror.
func (l *Logger) mirror(evs []Event) {
	h := l.opts.Mirror.Handler()
	for i := range evs {
		ev := &evs[i]
		level := slog.LevelInfo
		if ev.Status != StatusSuccess {
			level = slog.LevelWarn
		}
		if !h.Enabled(context.Background(), level) {
			continue
		}
		r := slog.NewRecord(ev.Time, level, MirrorMessage, 0)
		r.AddAttrs(eventAttrs(ev)...)
		l.handle(h, r)
	}
}

// save hands evs to store i, containing its panics, and reports whether
// the store took them; when it did not, ErrorHandler hears why.
func (l *Logger) save(i int, s Store, evs []Event) bool {
	var err error
	func() {
		defer func() {
			if v := recover(); v != nil {
				err = fmt.Errorf("panic: %v", v)
			}
		}()
		err = s.Write(context.Background(), evs)
	}()
	if err != nil {
		l.report(fmt.Errorf("auditlog: store %d (%T): a batch of %d events not saved (or not all): %w", i, s, len(evs), err))
		return false
	}
	return true
}

// handle passes r to h, reporting its error and containing its panic.
func (l *Logger) handle(h slog.Handler, r slog.Record) {
	defer func() {
		if v := recover(); v != nil {
			l.report(fmt.Errorf("auditlog: Mirror handler panicked: %v", v))
		}
	}()
	if err := h.Handle(context.Background(), r); err != nil {
		l.report(fmt.Errorf("auditlog: Mirror: %w", err))
	}
}

// eventAttrs returns the fields of ev that are set, under the keys of the
// journal format, in its order. The record's time is the event's.
func eventAttrs(ev *Event) []slog.Attr {
	a := make([]slog.Attr, 0, 16)
	str := func(k, v string) {
		if v != "" {
			a = append(a, slog.String(k, v))
		}
	}
	str("event_id", ev.ID)
	a = append(a, slog.Uint64("seq", ev.Seq))
	str("operation", string(ev.Operation))
	str("status", string(ev.Status))
	str("category", ev.Category)
	str("user_id", ev.UserID)
	str("user_name", ev.UserName)
	str("user_email", ev.UserEmail)
	str("session_id", ev.SessionID)
	str("ip_address", ev.IPAddress)
	str("user_agent", ev.UserAgent)
	str("resource_type", ev.ResourceType)
	str("resource_id", ev.ResourceID)
	str("resource_name", ev.ResourceName)
	if len(ev.EntryIDs) > 0 {
		a = append(a, slog.Any("entry_ids", ev.EntryIDs))
	}
	if len(ev.Changes) > 0 {
		a = append(a, slog.Any("changes", ev.Changes))
	}
	if len(ev.PreviousState) > 0 {
		a = append(a, slog.Any("previous_state", ev.PreviousState))
	}
	if len(ev.NewState) > 0 {
		a = append(a, slog.Any("new_state", ev.NewState))
	}
	if r := ev.Request; r != nil {
		var g []any
		if r.Method != "" {
			g = append(g, slog.String("method", r.Method))
		}
		if r.Path != "" {
			g = append(g, slog.String("path", r.Path))
		}
		if r.StatusCode != 0 {
			g = append(g, slog.Int("status_code", r.StatusCode))
		}
		a = append(a, slog.Group("request", g...))
	}
	str("run_id", ev.RunID)
	str("parent_run_id", ev.ParentRunID)
	str("description", ev.Description)
	if len(ev.Tags) > 0 {
		a = append(a, slog.Any("tags", ev.Tags))
	}
	if len(ev.Metadata) > 0 {
		a = append(a, slog.Any("metadata", ev.Metadata))
	}
	if ev.Duration != 0 {
		a = append(a, slog.Float64("duration_ms", float64(ev.Duration)/1e6))
	}
	str("error_message", ev.ErrorMessage)
	str("error_stack", ev.ErrorStack)
	str("source", ev.Source)
	return a
}
