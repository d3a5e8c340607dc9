package logger

import (
	"fmt"
	"slices"
	"time"
)

// HealthState is how well the logger is doing: HealthOK, HealthDegraded
// or HealthFailing, in that order of gravity.
type HealthState int

// The states of Health, from best to worst.
const (
	// HealthOK: nothing to report.
	HealthOK HealthState = iota
	// HealthDegraded: the logger records every event it accepts, but
	// something needs attention: a sink lagging, the queue nearly full,
	// events dropped or rejected in the window.
	HealthDegraded
	// HealthFailing: accepted events are not being made durable, or no
	// more are accepted: the journal cannot be written, or the logger is
	// closed.
	HealthFailing
)

var healthStates = [...]string{HealthOK: "ok", HealthDegraded: "degraded", HealthFailing: "failing"}

// String returns "ok", "degraded" or "failing".
func (s HealthState) String() string {
	if s < 0 || int(s) >= len(healthStates) {
		return fmt.Sprintf("HealthState(%d)", int(s))
	}
	return healthStates[s]
}

// MarshalText returns the state's name, as String does.
func (s HealthState) MarshalText() ([]byte, error) {
	if s < 0 || int(s) >= len(healthStates) {
		return nil, fmt.Errorf("auditlog: unknown health state %d", int(s))
	}
	return []byte(healthStates[s]), nil
}

// UnmarshalText reads a state's name, as MarshalText writes it.
func (s *HealthState) UnmarshalText(b []byte) error {
	for i, name := range healthStates {
		if string(b) == name {
			*s = HealthState(i)
			return nil
		}
	}
	return fmt.Errorf("auditlog: unknown health state %q", b)
}

// HealthKind names what a HealthReason is about.
type HealthKind string

// The kinds of HealthReason, with the state each gives the logger and the
// figures each fills in.
const (
	// HealthClosed (failing): Close has been called; Log refuses every
	// event.
	HealthClosed HealthKind = "closed"
	// HealthJournalFailing (failing): the journal cannot be written;
	// accepted events wait in memory and are retried. Figures: Since,
	// Err, Unwritten.
	HealthJournalFailing HealthKind = "journal_failing"
	// HealthSinkLagging (degraded): a sink has at least
	// HealthOptions.SinkLagEvents events yet to acknowledge, or is being
	// handed an event at least HealthOptions.SinkLagAge old. Figures:
	// Sink, LagEvents, LagSeconds.
	HealthSinkLagging HealthKind = "sink_lagging"
	// HealthQueueFull (degraded): the queue holds at least
	// HealthOptions.QueueFullRatio of its capacity; Log is about to wait
	// for room (or to drop, with Options.DropWhenFull). Figures:
	// QueueDepth, QueueCapacity.
	HealthQueueFull HealthKind = "queue_full"
	// HealthDropped (degraded): Log or LogBatch returned ErrDropped in
	// the last HealthOptions.Window. Figures: Count, Window.
	HealthDropped HealthKind = "dropped"
	// HealthRejected (degraded): Log or LogBatch refused events
	// otherwise (invalid, ErrFull, ErrClosed, context ended) in the last
	// HealthOptions.Window. Figures: Count, Window.
	HealthRejected HealthKind = "rejected"
)

// HealthReason is one thing Health reports: its kind, the state it gives
// the logger, and its figures (each kind fills in those its doc names;
// the others are zero). String says it in words.
type HealthReason struct {
	Kind  HealthKind
	State HealthState

	// Since is when the journal began to fail (by Options.Now), and Err
	// its last error (wrapping ErrJournal); Unwritten is how many
	// accepted events wait to be written to it.
	Since     time.Time
	Err       error
	Unwritten int64

	// Sink names the lagging sink; LagEvents and LagSeconds are its
	// SinkStats' figures, LagSeconds measured with Options.Now.
	Sink       string
	LagEvents  int64
	LagSeconds float64

	// QueueDepth is how many items wait in the queue, of QueueCapacity
	// (Options.QueueSize).
	QueueDepth    int64
	QueueCapacity int64

	// Count is how many events were dropped or rejected in the last
	// Window.
	Count  int64
	Window time.Duration
}

// String says what the reason is about, with its figures.
func (r HealthReason) String() string {
	switch r.Kind {
	case HealthClosed:
		return "the logger is closed"
	case HealthJournalFailing:
		return fmt.Sprintf("journal failing since %s, %s unwritten: %v", r.Since.UTC().Format(time.RFC3339), countEvents(r.Unwritten), r.Err)
	case HealthSinkLagging:
		return fmt.Sprintf("sink %q lags %s, %.1fs behind", r.Sink, countEvents(r.LagEvents), r.LagSeconds)
	case HealthQueueFull:
		return fmt.Sprintf("queue holds %d of %d", r.QueueDepth, r.QueueCapacity)
	case HealthDropped:
		return fmt.Sprintf("%s dropped in the last %v", countEvents(r.Count), r.Window)
	case HealthRejected:
		return fmt.Sprintf("%s rejected in the last %v", countEvents(r.Count), r.Window)
	}
	return string(r.Kind)
}

// countEvents says "1 event" or "n events".
func countEvents(n int64) string {
	if n == 1 {
		return "1 event"
	}
	return fmt.Sprintf("%d events", n)
}

// Health is the logger's state at one moment, for a probe or a
// dashboard: the worst State among its Reasons, HealthOK when there are
// none. Unlike the counters of Stats, which only grow, it says how the
// logger is doing now: once a condition ends (the journal is written
// again, the sink catches up, the window passes the last drop), its
// reason goes.
type Health struct {
	State HealthState
	// Time is when the state was read, by Options.Now.
	Time time.Time
	// Reasons are the conditions found, failing ones first; nil when the
	// logger is ok.
	Reasons []HealthReason
}

// Health returns the logger's state now: whether it is closed, whether
// the journal fails (since when, with what error, how many events
// unwritten), which sinks lag and by how much, whether the queue is
// nearly full, and how many events were dropped or rejected in the last
// HealthOptions.Window. The thresholds are HealthOptions'.
//
// Health never waits for the writer or a sink: it reads counters and a
// state the writer publishes, and each sink's figures under a lock that
// is held only for bookkeeping, never during a Write. It allocates
// nothing while the logger is ok. It may be called from any goroutine,
// also after Close.
func (l *Logger) Health() Health {
	now := l.opts.Now()
	var buf [8]HealthReason // on the stack: Reasons is allocated once, to size
	rs := buf[:0]
	select {
	case <-l.closing:
		rs = append(rs, HealthReason{Kind: HealthClosed, State: HealthFailing})
	default:
	}
	if j := l.health.Load(); j.err != nil {
		rs = append(rs, HealthReason{Kind: HealthJournalFailing, State: HealthFailing,
			Since: j.since, Err: j.err, Unwritten: l.unwritten.Load()})
	}
	opts := &l.opts.Health
	if runners := l.delivery.runners; len(runners) > 0 {
		written, age := l.written.Load(), opts.SinkLagAge.Seconds()
		for _, r := range runners {
			s := r.statsAt(written, now)
			if s.LagEvents > 0 && (s.LagEvents >= opts.SinkLagEvents || s.LagSeconds >= age) {
				rs = append(rs, HealthReason{Kind: HealthSinkLagging, State: HealthDegraded,
					Sink: s.Name, LagEvents: s.LagEvents, LagSeconds: s.LagSeconds})
			}
		}
	}
	if depth, capacity := len(l.ch), cap(l.ch); depth > 0 && float64(depth) >= opts.QueueFullRatio*float64(capacity) {
		rs = append(rs, HealthReason{Kind: HealthQueueFull, State: HealthDegraded,
			QueueDepth: int64(depth), QueueCapacity: int64(capacity)})
	}
	if n := l.refused.dropped.sum(now); n > 0 {
		rs = append(rs, HealthReason{Kind: HealthDropped, State: HealthDegraded, Count: n, Window: opts.Window})
	}
	if n := l.refused.rejected.sum(now); n > 0 {
		rs = append(rs, HealthReason{Kind: HealthRejected, State: HealthDegraded, Count: n, Window: opts.Window})
	}
	h := Health{Time: now}
	if len(rs) > 0 {
		h.Reasons = slices.Clone(rs)
		for _, r := range rs {
			h.State = max(h.State, r.State)
		}
	}
	return h
}
