package compare_test

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/google/uuid"

	"github.com/auditlog/auditlog/bench/compare"
)

// TestPeersWriteTheSameFields checks that slog, zap and zerolog write one
// JSON line per event with the same audit fields and values, and a
// UUIDv7 as event_id.
func TestPeersWriteTheSameFields(t *testing.T) {
	const n = 100
	events := compare.Events(n)
	fields := []string{"timestamp", "operation", "status", "user_id", "session_id", "entry_ids", "metadata", "duration_ms"}
	lines := map[string][][]byte{}
	for _, p := range compare.Peers {
		var buf bytes.Buffer
		log := p.New(&buf)
		for i := range events {
			log(&events[i])
		}
		lines[p.Name] = bytes.Split(bytes.TrimSuffix(buf.Bytes(), []byte("\n")), []byte("\n"))
		if len(lines[p.Name]) != n {
			t.Fatalf("%s wrote %d lines for %d events", p.Name, len(lines[p.Name]), n)
		}
	}
	for i := range n {
		var want map[string]any
		for _, p := range compare.Peers {
			var got map[string]any
			if err := json.Unmarshal(lines[p.Name][i], &got); err != nil {
				t.Fatalf("%s line %d: %v", p.Name, i, err)
			}
			id, _ := got["event_id"].(string)
			if u, err := uuid.Parse(id); err != nil || u.Version() != 7 {
				t.Errorf("%s line %d: event_id %q", p.Name, i, id)
			}
			sub := map[string]any{}
			for _, k := range fields {
				v, ok := got[k]
				if !ok {
					t.Fatalf("%s line %d has no %s: %s", p.Name, i, k, lines[p.Name][i])
				}
				sub[k] = v
			}
			if want == nil {
				want = sub
			} else if !reflect.DeepEqual(want, sub) {
				t.Fatalf("line %d: %s wrote %v, %s wrote %v", i, compare.Peers[0].Name, want, p.Name, sub)
			}
		}
	}
}
