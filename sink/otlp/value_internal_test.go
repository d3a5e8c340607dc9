package otlp

import (
	"testing"

	"go.opentelemetry.io/otel/attribute"
)

// count returns how many values v holds, itself included.
func count(v attribute.Value) int {
	n := 1
	switch v.Type() {
	case attribute.SLICE:
		for _, e := range v.AsSlice() {
			n += count(e)
		}
	case attribute.MAP:
		for _, kv := range v.AsMap() {
			n += count(kv.Value)
		}
	}
	return n
}

// TestConverterBudget checks that a shared subtree, which a caller can
// build in a few bytes and which would unfold into 2^30 values, costs no
// more than the values budget: the walk stops and what is past the budget
// is replaced.
func TestConverterBudget(t *testing.T) {
	var v any = "leaf"
	for range 30 {
		v = []any{v, v}
	}
	const budget = 1000
	c := converter{left: budget}
	out := c.value(map[string]any{"dag": v}, 0)
	if n := count(out); n > 2*budget+maxDepth {
		t.Errorf("converted %d values with a budget of %d", n, budget)
	}
	if c.left > 0 {
		t.Errorf("budget left %d: the walk did not reach it", c.left)
	}
}
