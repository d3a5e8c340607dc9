package otlp_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/auditlog/auditlog/logger"
	"github.com/auditlog/auditlog/sink/otlp"
)

// bigEvents returns n events, each with a value of size bytes.
func bigEvents(n, size int) []logger.Event {
	evs := make([]logger.Event, n)
	for i := range evs {
		evs[i] = logger.Event{ID: fmt.Sprint(i), Seq: uint64(i + 1), Time: t0, Operation: logger.OpStore,
			Metadata: map[string]any{"blob": strings.Repeat("x", size)}}
	}
	return evs
}

// checkOrder fails the test unless r holds exactly the events 0 to n-1,
// in order.
func checkOrder(t *testing.T, r *receiver, n int) {
	t.Helper()
	recs := r.records()
	if len(recs) != n {
		t.Fatalf("receiver got %d records, want %d", len(recs), n)
	}
	for i, lr := range recs {
		id, _ := lr.Attributes().Get("auditlog.event_id")
		if id.AsString() != fmt.Sprint(i) {
			t.Fatalf("record %d is event %s: out of order", i, id.AsString())
		}
	}
}

// TestLargeBatchSplit checks that a batch larger than the request bound
// goes in several requests, none larger than the bound, in order: a
// receiver's size limit (20 MiB for a Collector) never refuses a batch
// of events it would take one by one.
func TestLargeBatchSplit(t *testing.T) {
	r := newReceiver(t)
	s := newSink(t, r, otlp.Options{})
	const n = 24
	if err := s.Write(context.Background(), bigEvents(n, 200<<10)); err != nil {
		t.Fatalf("Write: %v", err)
	}
	sizes := r.requestSizes()
	t.Logf("request sizes: %v", sizes)
	if len(sizes) < 2 {
		t.Errorf("4.8 MB sent in %d request(s), want at least 2", len(sizes))
	}
	for i, size := range sizes {
		if size > otlp.DefaultMaxRequestBytes {
			t.Errorf("request %d has %d bytes, over the bound of %d", i, size, otlp.DefaultMaxRequestBytes)
		}
	}
	checkOrder(t, r, n)
}

// TestEventLargerThanBoundSentAlone checks that an event larger than
// Options.MaxRequestBytes is still sent, alone.
func TestEventLargerThanBoundSentAlone(t *testing.T) {
	r := newReceiver(t)
	s := newSink(t, r, otlp.Options{MaxRequestBytes: 1})
	if err := s.Write(context.Background(), bigEvents(3, 10)); err != nil {
		t.Fatalf("Write: %v", err)
	}
	if r.requestCount() != 3 {
		t.Errorf("%d requests, want one per event", r.requestCount())
	}
	checkOrder(t, r, 3)
}

// TestSplitBatchFailsWhole checks that when a later request of a split
// batch is refused, Write fails and says which events were not taken,
// so that the logger sends the batch again.
func TestSplitBatchFailsWhole(t *testing.T) {
	r := newReceiver(t)
	r.acceptN = 1
	s := newSink(t, r, otlp.Options{MaxRequestBytes: 1})
	err := s.Write(context.Background(), bigEvents(3, 10))
	if !errors.Is(err, otlp.ErrNotAccepted) || !strings.Contains(err.Error(), "events 1 to 1 of 3") {
		t.Fatalf("Write = %v, want ErrNotAccepted naming events 1 to 1 of 3", err)
	}
	if r.requestCount() != 2 {
		t.Errorf("%d requests, want 2: none after the refused one", r.requestCount())
	}
}
