package otlp_test

import (
	"context"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/auditlog/auditlog/logger"
	"github.com/auditlog/auditlog/sink/otlp"
)

// TestLoggerOutageLosesNothing runs a logger with a journal and the OTLP
// sink through an outage of the receiver: refused connections, then 503
// answers, then service. Every event logged during the outage arrives,
// once each when copies are told apart by auditlog.event_id, in order.
func TestLoggerOutageLosesNothing(t *testing.T) {
	r := newReceiver(t)
	r.setStatus(http.StatusServiceUnavailable)
	s := &signalling{Sink: newSink(t, r, otlp.Options{}), poke: make(chan struct{}, 1)}
	l, err := logger.New(logger.Options{
		Journal:  &logger.JournalOptions{Dir: t.TempDir()},
		Sinks:    map[string]logger.Sink{"otel": s},
		Delivery: logger.DeliveryOptions{BatchSize: 16, MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	ctx := context.Background()
	logSome := func(from, to int) {
		for i := from; i < to; i++ {
			if err := l.Log(ctx, logger.Event{Operation: logger.OpRead, UserID: fmt.Sprint("u", i)}); err != nil {
				t.Fatalf("Log: %v", err)
			}
		}
	}

	start := r.restart() // down: connections refused
	logSome(0, 100)
	if err := l.Sync(); err != nil {
		t.Fatal(err)
	}
	s.waitFor(t, "three failed Writes", func() bool { return s.failed.Load() >= 3 })

	start() // up, answering 503
	logSome(100, 200)
	s.waitFor(t, "three requests refused", func() bool { return r.requestCount() >= 3 })
	if n := len(r.records()); n != 0 {
		t.Fatalf("the receiver kept %d records while refusing them", n)
	}

	r.setStatus(http.StatusOK)
	logSome(200, 300)
	s.waitFor(t, "every event to arrive", func() bool { return distinct(r) >= 300 })

	seen := map[string]bool{}
	var lastSeq int64
	for _, lr := range r.records() {
		id, _ := lr.Attributes().Get("auditlog.event_id")
		seq, _ := lr.Attributes().Get("auditlog.seq")
		if seen[id.AsString()] {
			continue // a copy of an event sent again
		}
		seen[id.AsString()] = true
		if seq.Int() <= lastSeq {
			t.Fatalf("event seq %d after %d: out of order", seq.Int(), lastSeq)
		}
		lastSeq = seq.Int()
	}
	if len(seen) != 300 || lastSeq != 300 {
		t.Errorf("%d distinct events arrived, the last with seq %d; want 300", len(seen), lastSeq)
	}
	st := l.Statistics().Sinks
	if len(st) != 1 || st[0].Errors < 6 || st[0].LastError == "" {
		t.Errorf("the outage is not in the sink's stats: %+v", st)
	}
}

// signalling is a sink that counts the Writes of the sink it wraps and
// pokes a channel after each, so that a test waits for delivery on a
// signal.
type signalling struct {
	logger.Sink
	failed atomic.Int64
	poke   chan struct{} // capacity 1: pokes that are not taken merge
}

func (s *signalling) Write(ctx context.Context, evs []logger.Event) error {
	err := s.Sink.Write(ctx, evs)
	if err != nil {
		s.failed.Add(1)
	}
	select {
	case s.poke <- struct{}{}:
	default:
	}
	return err
}

// waitFor returns once cond holds, checking it after each Write; it
// fails the test if a minute passes with no Write making it hold.
func (s *signalling) waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for !cond() {
		select {
		case <-s.poke:
		case <-time.After(time.Minute):
			t.Fatalf("waited a minute for %s", what)
		}
	}
}

// distinct returns how many distinct events r accepted.
func distinct(r *receiver) int {
	ids := map[string]bool{}
	for _, lr := range r.records() {
		id, _ := lr.Attributes().Get("auditlog.event_id")
		ids[id.AsString()] = true
	}
	return len(ids)
}

// TestLoggerRestartDuringOutage closes the logger while the receiver is
// down and starts a new one on the same journal once it is back: the
// events the first logger could not deliver arrive from the journal.
func TestLoggerRestartDuringOutage(t *testing.T) {
	r := newReceiver(t)
	r.setStatus(http.StatusServiceUnavailable)
	s := &signalling{Sink: newSink(t, r, otlp.Options{}), poke: make(chan struct{}, 1)}
	dir := t.TempDir()
	opts := logger.Options{
		Journal:  &logger.JournalOptions{Dir: dir},
		Sinks:    map[string]logger.Sink{"otel": s},
		Delivery: logger.DeliveryOptions{MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond, CloseTimeout: -1},
	}
	l, err := logger.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for i := range 50 {
		if err := l.Log(ctx, logger.Event{Operation: logger.OpRead, UserID: fmt.Sprint("u", i)}); err != nil {
			t.Fatalf("Log: %v", err)
		}
	}
	s.waitFor(t, "a refused request", func() bool { return r.requestCount() >= 1 })
	if err := l.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	r.setStatus(http.StatusOK)
	l, err = logger.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	s.waitFor(t, "the journal's events to arrive", func() bool { return distinct(r) >= 50 })
	if n := distinct(r); n != 50 {
		t.Errorf("%d distinct events arrived after the restart, want 50", n)
	}
}
