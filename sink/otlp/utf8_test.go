package otlp_test

import (
	"context"
	"testing"

	"github.com/auditlog/auditlog/logger"
	"github.com/auditlog/auditlog/sink/otlp"
)

// TestInvalidUTF8 checks that text that is not UTF-8, which protobuf
// refuses in a string, is sent with the bad bytes replaced, in every
// kind of field, rather than making every Write of the batch fail.
func TestInvalidUTF8(t *testing.T) {
	r := newReceiver(t)
	s := newSink(t, r, otlp.Options{})
	ev := fullEvent()
	ev.UserID = "u\xff"
	ev.Description = "d\xfe"
	ev.Tags = []string{"t\xff"}
	ev.Metadata = map[string]any{"k\xff": "v\xff", "list": []any{"x\xff"}}
	ev.Changes = []logger.Change{{Field: "f\xff", Old: "o\xff"}}
	if err := s.Write(context.Background(), []logger.Event{ev}); err != nil {
		t.Fatalf("Write: %v", err)
	}
	lr := r.records()[0]
	if id, _ := lr.Attributes().Get("user.id"); id.AsString() != "u\uFFFD" {
		t.Errorf("user.id = %q, want the bad byte replaced", id.AsString())
	}
	if b := lr.Body().AsString(); b != "d\uFFFD" {
		t.Errorf("body = %q", b)
	}
	md, _ := lr.Attributes().Get("auditlog.metadata")
	if v, ok := md.Map().Get("k\uFFFD"); !ok || v.AsString() != "v\uFFFD" {
		t.Errorf("metadata = %v", md.Map().AsRaw())
	}
}
