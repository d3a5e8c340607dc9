package otlp_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/otel/trace"

	"github.com/auditlog/auditlog/logger"
	"github.com/auditlog/auditlog/sink/otlp"
)

var t0 = time.Date(2026, 3, 14, 15, 9, 26, 535897932, time.UTC)

// newSink returns a sink posting to r, closed when the test ends.
func newSink(t *testing.T, r *receiver, opts otlp.Options) *otlp.Sink {
	t.Helper()
	if opts.URL == "" {
		opts.URL = r.url()
	}
	s, err := otlp.New(context.Background(), opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// fullEvent has every field set, as the logger hands it to a sink:
// free-form values as JSON decodes them.
func fullEvent() logger.Event {
	return logger.Event{
		ID:           "0192f3c4-0000-7000-8000-000000000001",
		Seq:          42,
		Source:       "web-1",
		Time:         t0,
		Operation:    logger.OpUpdate,
		Status:       logger.StatusFailure,
		Category:     "DATA",
		UserID:       "u-7",
		UserName:     "ada",
		UserEmail:    "ada@example.com",
		SessionID:    "s-1",
		IPAddress:    "192.0.2.10",
		UserAgent:    "curl/8.5",
		ResourceType: "document",
		ResourceID:   "doc-9",
		ResourceName: "Plan",
		EntryIDs:     []string{"e1", "e2"},
		Changes: []logger.Change{
			{Field: "title", Old: "a", New: "b"},
			{Field: "size", Old: nil, New: float64(3)},
		},
		PreviousState: map[string]any{"title": "a"},
		NewState:      map[string]any{"title": "b", "nested": map[string]any{"ok": true, "list": []any{"x", float64(1)}}},
		Request:       &logger.Request{Method: "PUT", Path: "/docs/9", StatusCode: 409},
		RunID:         "run-1",
		ParentRunID:   "run-0",
		Description:   "title changed",
		Tags:          []string{"t1"},
		Metadata:      map[string]any{"reason": "review", "password": "[REDACTED]"},
		Duration:      1500 * time.Microsecond,
		ErrorMessage:  "conflict",
		ErrorStack:    "main.go:1",
	}
}

// TestWriteMapsEveryField checks, through the collector's decoder, that
// each field of an event reaches the record under the documented name.
func TestWriteMapsEveryField(t *testing.T) {
	r := newReceiver(t)
	s := newSink(t, r, otlp.Options{ServiceName: "billing"})
	ev := fullEvent()
	if err := s.Write(context.Background(), []logger.Event{ev}); err != nil {
		t.Fatalf("Write: %v", err)
	}
	recs := r.records()
	if len(recs) != 1 {
		t.Fatalf("receiver got %d records, want 1", len(recs))
	}
	lr := recs[0]
	if got := lr.EventName(); got != "audit.update" {
		t.Errorf("EventName = %q, want audit.update", got)
	}
	if got := lr.Timestamp().AsTime(); !got.Equal(t0) {
		t.Errorf("Timestamp = %v, want %v", got, t0)
	}
	if lr.ObservedTimestamp() == 0 {
		t.Error("ObservedTimestamp is unset")
	}
	if lr.SeverityNumber() != plog.SeverityNumberWarn || lr.SeverityText() != "WARN" {
		t.Errorf("severity = %v %q, want WARN for a FAILURE", lr.SeverityNumber(), lr.SeverityText())
	}
	if got := lr.Body().AsString(); got != "title changed" {
		t.Errorf("Body = %q, want the description", got)
	}
	if !lr.TraceID().IsEmpty() || !lr.SpanID().IsEmpty() {
		t.Errorf("trace %v span %v, want none", lr.TraceID(), lr.SpanID())
	}
	want := map[string]any{
		"auditlog.event_id":         ev.ID,
		"auditlog.seq":              int64(42),
		"auditlog.source":           "web-1",
		"auditlog.operation":        "UPDATE",
		"auditlog.status":           "FAILURE",
		"auditlog.category":         "DATA",
		"user.id":                   "u-7",
		"user.name":                 "ada",
		"user.email":                "ada@example.com",
		"session.id":                "s-1",
		"client.address":            "192.0.2.10",
		"user_agent.original":       "curl/8.5",
		"http.request.method":       "PUT",
		"url.path":                  "/docs/9",
		"http.response.status_code": int64(409),
		"auditlog.resource.type":    "document",
		"auditlog.resource.id":      "doc-9",
		"auditlog.resource.name":    "Plan",
		"auditlog.entry_ids":        []any{"e1", "e2"},
		"auditlog.run_id":           "run-1",
		"auditlog.parent_run_id":    "run-0",
		"auditlog.tags":             []any{"t1"},
		"auditlog.changes": []any{
			map[string]any{"field": "title", "old": "a", "new": "b"},
			map[string]any{"field": "size", "old": nil, "new": float64(3)},
		},
		"auditlog.previous_state": map[string]any{"title": "a"},
		"auditlog.new_state":      map[string]any{"title": "b", "nested": map[string]any{"ok": true, "list": []any{"x", float64(1)}}},
		"auditlog.metadata":       map[string]any{"reason": "review", "password": "[REDACTED]"},
		"auditlog.duration_ms":    1.5,
		"auditlog.error.message":  "conflict",
		"auditlog.error.stack":    "main.go:1",
	}
	if got := lr.Attributes().AsRaw(); !reflect.DeepEqual(got, want) {
		for k, w := range want {
			if g, ok := got[k]; !ok || !reflect.DeepEqual(g, w) {
				t.Errorf("attribute %s = %#v, want %#v", k, g, w)
			}
		}
		for k, g := range got {
			if _, ok := want[k]; !ok {
				t.Errorf("unexpected attribute %s = %#v", k, g)
			}
		}
	}

	b := r.batches()[0]
	rl := b.ResourceLogs().At(0)
	if v, _ := rl.Resource().Attributes().Get("service.name"); v.AsString() != "billing" {
		t.Errorf("resource service.name = %q, want billing", v.AsString())
	}
	if got := rl.ScopeLogs().At(0).Scope().Name(); got != otlp.ScopeName {
		t.Errorf("scope = %q, want %q", got, otlp.ScopeName)
	}
}

// TestWriteMinimalEvent checks that empty fields are left out and that
// the body and status say what happened when there is no description.
func TestWriteMinimalEvent(t *testing.T) {
	r := newReceiver(t)
	s := newSink(t, r, otlp.Options{})
	ev := logger.Event{ID: "id-1", Seq: 1, Time: t0, Operation: logger.OpLogin}
	if err := s.Write(context.Background(), []logger.Event{ev}); err != nil {
		t.Fatalf("Write: %v", err)
	}
	lr := r.records()[0]
	want := map[string]any{
		"auditlog.event_id":  "id-1",
		"auditlog.seq":       int64(1),
		"auditlog.operation": "LOGIN",
		"auditlog.status":    "SUCCESS",
	}
	if got := lr.Attributes().AsRaw(); !reflect.DeepEqual(got, want) {
		t.Errorf("attributes = %v, want %v", got, want)
	}
	if lr.Body().AsString() != "LOGIN SUCCESS" || lr.EventName() != "audit.login" {
		t.Errorf("body %q, event name %q", lr.Body().AsString(), lr.EventName())
	}
	if lr.SeverityNumber() != plog.SeverityNumberInfo || lr.SeverityText() != "INFO" {
		t.Errorf("severity = %v %q, want INFO for a SUCCESS", lr.SeverityNumber(), lr.SeverityText())
	}
}

// TestSeverityByStatus checks INFO for SUCCESS (and for the empty status,
// which means SUCCESS) and WARN for the others, in one batch, in order.
func TestSeverityByStatus(t *testing.T) {
	r := newReceiver(t)
	s := newSink(t, r, otlp.Options{})
	statuses := []logger.Status{"", logger.StatusSuccess, logger.StatusFailure, logger.StatusPartial}
	want := []plog.SeverityNumber{plog.SeverityNumberInfo, plog.SeverityNumberInfo, plog.SeverityNumberWarn, plog.SeverityNumberWarn}
	var evs []logger.Event
	for i, st := range statuses {
		evs = append(evs, logger.Event{ID: fmt.Sprint(i), Seq: uint64(i + 1), Time: t0, Operation: logger.OpRead, Status: st})
	}
	if err := s.Write(context.Background(), evs); err != nil {
		t.Fatalf("Write: %v", err)
	}
	recs := r.records()
	if len(recs) != len(evs) || r.requestCount() != 1 {
		t.Fatalf("got %d records in %d requests, want %d in 1", len(recs), r.requestCount(), len(evs))
	}
	for i, lr := range recs {
		id, _ := lr.Attributes().Get("auditlog.event_id")
		if id.AsString() != fmt.Sprint(i) || lr.SeverityNumber() != want[i] {
			t.Errorf("record %d: id %s severity %v, want id %d severity %v", i, id.AsString(), lr.SeverityNumber(), i, want[i])
		}
	}
}

// TestGzipAndHeaders checks that Options.Gzip compresses the body and
// that Options.Headers reach the receiver.
func TestGzipAndHeaders(t *testing.T) {
	r := newReceiver(t)
	s := newSink(t, r, otlp.Options{Gzip: true, Headers: map[string]string{"X-Api-Key": "k-123"}})
	if err := s.Write(context.Background(), []logger.Event{fullEvent()}); err != nil {
		t.Fatalf("Write: %v", err)
	}
	h := r.lastHeader()
	if h.Get("Content-Encoding") != "gzip" || h.Get("X-Api-Key") != "k-123" {
		t.Errorf("headers %v: want gzip and the API key", h)
	}
	if n := len(r.records()); n != 1 {
		t.Errorf("receiver decoded %d records, want 1", n)
	}
}

// TestEnvironmentNotRead checks that the OTEL_EXPORTER_OTLP_* variables
// cannot send the events elsewhere, add headers or change the encoding.
func TestEnvironmentNotRead(t *testing.T) {
	r := newReceiver(t)
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:1")
	t.Setenv("OTEL_EXPORTER_OTLP_LOGS_ENDPOINT", "http://127.0.0.1:1/elsewhere")
	t.Setenv("OTEL_EXPORTER_OTLP_HEADERS", "x-planted=1")
	t.Setenv("OTEL_EXPORTER_OTLP_COMPRESSION", "gzip")
	t.Setenv("OTEL_EXPORTER_OTLP_TIMEOUT", "1")
	t.Setenv("OTEL_LOGRECORD_ATTRIBUTE_COUNT_LIMIT", "1")
	s := newSink(t, r, otlp.Options{})
	if err := s.Write(context.Background(), []logger.Event{fullEvent()}); err != nil {
		t.Fatalf("Write: %v", err)
	}
	h := r.lastHeader()
	if h.Get("X-Planted") != "" || h.Get("Content-Encoding") != "" {
		t.Errorf("headers %v: the environment's were used", h)
	}
	recs := r.records()
	if len(recs) != 1 || recs[0].Attributes().Len() < 20 {
		t.Fatalf("the environment's attribute limit cut the record")
	}
}

// TestOutage checks that Write fails while the receiver answers 503 or
// is gone, that the sink itself sends each batch once (the logger
// retries), and that every event arrives once the receiver is back.
func TestOutage(t *testing.T) {
	r := newReceiver(t)
	s := newSink(t, r, otlp.Options{})
	batch := []logger.Event{fullEvent()}
	ctx := context.Background()

	r.setStatus(http.StatusServiceUnavailable)
	err := s.Write(ctx, batch)
	if !errors.Is(err, otlp.ErrNotAccepted) {
		t.Fatalf("Write to a receiver answering 503 = %v, want ErrNotAccepted", err)
	}
	if n := r.requestCount(); n != 1 {
		t.Errorf("%d requests for one Write, want 1: the sink must not retry on its own", n)
	}
	r.setStatus(http.StatusBadRequest)
	if err := s.Write(ctx, batch); !errors.Is(err, otlp.ErrNotAccepted) {
		t.Fatalf("Write to a receiver answering 400 = %v, want ErrNotAccepted", err)
	}

	start := r.restart()
	if err := s.Write(ctx, batch); !errors.Is(err, otlp.ErrNotAccepted) {
		t.Fatalf("Write to a stopped receiver = %v, want ErrNotAccepted", err)
	}
	start()
	r.setStatus(http.StatusOK)
	if err := s.Write(ctx, batch); err != nil {
		t.Fatalf("Write once the receiver is back: %v", err)
	}
	if n := len(r.records()); n != 1 {
		t.Errorf("receiver kept %d records, want 1", n)
	}
}

// TestErrorsKeepSecretsAndAreShort checks that an error names the
// endpoint but neither a header's value nor more than a bounded part of
// the receiver's answer.
func TestErrorsKeepSecretsAndAreShort(t *testing.T) {
	r := newReceiver(t)
	r.setStatus(http.StatusInternalServerError)
	r.answer = strings.Repeat("A", 100_000)
	s := newSink(t, r, otlp.Options{Headers: map[string]string{"Authorization": "Bearer s3cr3t"}})
	err := s.Write(context.Background(), []logger.Event{fullEvent()})
	if !errors.Is(err, otlp.ErrNotAccepted) {
		t.Fatalf("Write = %v, want ErrNotAccepted", err)
	}
	msg := err.Error()
	if strings.Contains(msg, "s3cr3t") {
		t.Errorf("error quotes a header value: %s", msg)
	}
	if len(msg) > 1024 {
		t.Errorf("error of %d bytes: the receiver's answer is repeated at length", len(msg))
	}
	if !strings.Contains(msg, r.url()) {
		t.Errorf("error does not name the endpoint %s: %s", r.url(), msg)
	}
}

// TestContextEndsWrite checks that Write returns when its context is
// cancelled, when Options.Timeout passes, and when the sink is closed,
// while the receiver holds the request.
func TestContextEndsWrite(t *testing.T) {
	cases := []struct {
		name    string
		timeout time.Duration
		end     func(cancel context.CancelFunc, s *otlp.Sink)
		want    error
	}{
		{"cancel", time.Hour, func(cancel context.CancelFunc, _ *otlp.Sink) { cancel() }, context.Canceled},
		{"timeout", 20 * time.Millisecond, func(context.CancelFunc, *otlp.Sink) {}, otlp.ErrNotAccepted},
		{"close", time.Hour, func(_ context.CancelFunc, s *otlp.Sink) { _ = s.Close() }, otlp.ErrClosed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := newReceiver(t)
			r.block = make(chan struct{})
			r.arrived = make(chan struct{}, 1)
			s := newSink(t, r, otlp.Options{Timeout: c.timeout})
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			done := make(chan error, 1)
			go func() { done <- s.Write(ctx, []logger.Event{fullEvent()}) }()
			<-r.arrived
			c.end(cancel, s)
			err := <-done // the receiver never answers: Write returns on its own
			if !errors.Is(err, c.want) {
				t.Errorf("Write = %v, want %v", err, c.want)
			}
		})
	}
}

// TestCallerTraceNotTaken checks that a span in Write's context, the
// delivery goroutine's or a caller's, is not stamped on the events.
func TestCallerTraceNotTaken(t *testing.T) {
	r := newReceiver(t)
	s := newSink(t, r, otlp.Options{})
	sc := trace.NewSpanContext(trace.SpanContextConfig{
		TraceID:    trace.TraceID{1, 2, 3},
		SpanID:     trace.SpanID{4, 5, 6},
		TraceFlags: trace.FlagsSampled,
	})
	ctx := trace.ContextWithSpanContext(context.Background(), sc)
	if err := s.Write(ctx, []logger.Event{fullEvent()}); err != nil {
		t.Fatalf("Write: %v", err)
	}
	lr := r.records()[0]
	if lr.TraceID() != (pcommon.TraceID{}) || lr.SpanID() != (pcommon.SpanID{}) {
		t.Errorf("record carries the caller's trace %v span %v", lr.TraceID(), lr.SpanID())
	}
}

// TestInvalidEventSendsNothing checks that a batch holding an event Log
// would refuse fails with ErrInvalidEvent, naming it, before any request.
func TestInvalidEventSendsNothing(t *testing.T) {
	r := newReceiver(t)
	s := newSink(t, r, otlp.Options{})
	good := fullEvent()
	bad := fullEvent()
	bad.ID = "the-bad-one"
	bad.Time = time.Time{}
	err := s.Write(context.Background(), []logger.Event{good, bad})
	if !errors.Is(err, logger.ErrInvalidEvent) || !strings.Contains(err.Error(), "the-bad-one") {
		t.Fatalf("Write = %v, want ErrInvalidEvent naming the event", err)
	}
	if n := r.requestCount(); n != 0 {
		t.Errorf("%d requests sent, want none", n)
	}
}

// TestClosed checks Write after Close, and Close twice.
func TestClosed(t *testing.T) {
	r := newReceiver(t)
	s := newSink(t, r, otlp.Options{})
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if err := s.Write(context.Background(), []logger.Event{fullEvent()}); !errors.Is(err, otlp.ErrClosed) {
		t.Errorf("Write after Close = %v, want ErrClosed", err)
	}
	if err := s.Write(context.Background(), nil); !errors.Is(err, otlp.ErrClosed) {
		t.Errorf("empty Write after Close = %v, want ErrClosed", err)
	}
}

// TestRedirectNotFollowed checks that a receiver's redirect does not
// carry the headers, an API key, to another host: it is an error.
func TestRedirectNotFollowed(t *testing.T) {
	other := newReceiver(t)
	redirect := httptest.NewServer(http.RedirectHandler(other.url(), http.StatusTemporaryRedirect))
	defer redirect.Close()
	s := newSink(t, other, otlp.Options{URL: redirect.URL + "/v1/logs", Headers: map[string]string{"X-Api-Key": "k"}})
	if err := s.Write(context.Background(), []logger.Event{fullEvent()}); !errors.Is(err, otlp.ErrNotAccepted) {
		t.Errorf("Write to a redirecting receiver = %v, want ErrNotAccepted", err)
	}
	if n := other.requestCount(); n != 0 {
		t.Errorf("the redirect was followed: %d requests reached the other host", n)
	}
}

// TestPartialSuccessIsAnError checks that a receiver that answers 200
// but says it rejected records has not accepted the batch.
func TestPartialSuccessIsAnError(t *testing.T) {
	r := newReceiver(t)
	r.rejected = 1
	s := newSink(t, r, otlp.Options{})
	err := s.Write(context.Background(), []logger.Event{fullEvent(), fullEvent()})
	if !errors.Is(err, otlp.ErrNotAccepted) {
		t.Fatalf("Write with a partial success = %v, want ErrNotAccepted", err)
	}
}

// TestConcurrentWrites checks that Writes called at once each send their
// own batch, whole, in their order.
func TestConcurrentWrites(t *testing.T) {
	r := newReceiver(t)
	s := newSink(t, r, otlp.Options{})
	const writers, perBatch = 8, 50
	errs := make(chan error, writers)
	for w := range writers {
		go func() {
			evs := make([]logger.Event, perBatch)
			for i := range evs {
				evs[i] = logger.Event{ID: fmt.Sprintf("%d-%d", w, i), Seq: uint64(i + 1), Time: t0, Operation: logger.OpRead}
			}
			errs <- s.Write(context.Background(), evs)
		}()
	}
	for range writers {
		if err := <-errs; err != nil {
			t.Fatalf("Write: %v", err)
		}
	}
	batches := r.batches()
	if len(batches) != writers {
		t.Fatalf("%d requests, want %d", len(batches), writers)
	}
	for _, b := range batches {
		lrs := b.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords()
		if lrs.Len() != perBatch {
			t.Fatalf("a request of %d records, want %d", lrs.Len(), perBatch)
		}
		first, _ := lrs.At(0).Attributes().Get("auditlog.event_id")
		w := strings.SplitN(first.AsString(), "-", 2)[0]
		for i := 0; i < lrs.Len(); i++ {
			id, _ := lrs.At(i).Attributes().Get("auditlog.event_id")
			if want := fmt.Sprintf("%s-%d", w, i); id.AsString() != want {
				t.Fatalf("record %d of a request is %s, want %s: batches mixed", i, id.AsString(), want)
			}
		}
	}
}
