package logger

import (
	"fmt"
	"testing"
)

// BenchmarkEncodeEvent measures the writer's encoding of the free-form
// part of a typical event (a small Metadata map, with masking on): the
// cost the encoder's bounds add to every event.
func BenchmarkEncodeEvent(b *testing.B) {
	m, err := newMasker(MaskOptions{})
	if err != nil {
		b.Fatal(err)
	}
	mds := make([]map[string]any, 64)
	for i := range mds {
		mds[i] = map[string]any{"source": "agent", "tokens": i * 7, "model": fmt.Sprintf("model-%d", i%5), "ok": i%2 == 0}
	}
	e := newEncoder(m, DefaultMaxEventBytes)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		ev := Event{UserName: "Ada", Description: "stored a memory", Tags: []string{"a", "b"}, Metadata: mds[i%len(mds)]}
		e.reset()
		e.event(&ev)
	}
}
