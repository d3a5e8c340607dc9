package otlp_test

import (
	"context"
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/auditlog/auditlog/logger"
	"github.com/auditlog/auditlog/sink/otlp"
)

// TestHostileValues checks that values a caller of Write can put in an
// event (a cycle, a channel, a struct, numbers of every Go type) are
// sent or replaced, and that Write neither fails nor recurses without
// bound.
func TestHostileValues(t *testing.T) {
	r := newReceiver(t)
	s := newSink(t, r, otlp.Options{})
	cycle := map[string]any{}
	cycle["self"] = cycle
	ev := fullEvent()
	ev.Metadata = map[string]any{
		"cycle":   cycle,
		"chan":    make(chan int),
		"struct":  struct{ A int }{1},
		"int":     -7,
		"uint8":   uint8(200),
		"uint64":  uint64(math.MaxUint64),
		"float32": float32(0.5),
		"number":  json.Number("12"),
		"bignum":  json.Number("1e400"),
		"bytes":   []byte{1, 2},
		"strings": []string{"a", "b"},
		"time":    t0.In(time.FixedZone("X", 3600)),
		"nil":     nil,
	}
	if err := s.Write(context.Background(), []logger.Event{ev}); err != nil {
		t.Fatalf("Write: %v", err)
	}
	md, ok := r.records()[0].Attributes().Get("auditlog.metadata")
	if !ok {
		t.Fatal("no auditlog.metadata")
	}
	got := md.Map().AsRaw()
	want := map[string]any{
		"int":     int64(-7),
		"uint8":   int64(200),
		"uint64":  float64(math.MaxUint64),
		"float32": 0.5,
		"number":  int64(12),
		"bignum":  "1e400",
		"bytes":   []byte{1, 2},
		"strings": []any{"a", "b"},
		"time":    "2026-03-14T15:09:26.535897932Z",
		"nil":     nil,
	}
	for k, w := range want {
		if g := got[k]; !reflect.DeepEqual(g, w) {
			t.Errorf("metadata %s = %#v, want %#v", k, g, w)
		}
	}
	for _, k := range []string{"chan", "struct"} {
		if g, _ := got[k].(string); !strings.HasPrefix(g, "!BADVALUE(") {
			t.Errorf("metadata %s = %#v, want a !BADVALUE string", k, got[k])
		}
	}
	depth := 0
	var v any = got["cycle"]
	for {
		m, ok := v.(map[string]any)
		if !ok {
			break
		}
		depth++
		v = m["self"]
	}
	if s, _ := v.(string); !strings.Contains(s, "nested too deep") || depth > 32 {
		t.Errorf("the cycle was sent %d levels deep, then %#v", depth, v)
	}
}
