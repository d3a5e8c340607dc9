package compare_test

import (
	"testing"

	"github.com/auditlog/auditlog/bench/compare"
)

// TestHeapPerEvent checks that the measure sees the events held: some
// hundreds of bytes each, not nothing and not the whole process.
func TestHeapPerEvent(t *testing.T) {
	n := min(numEvents(), 100_000)
	per, err := compare.HeapPerEvent(n)
	if err != nil {
		t.Fatal(err)
	}
	if per < 50 || per > 5000 {
		t.Errorf("%.0f bytes per event over %d events", per, n)
	}
	t.Logf("%.0f bytes per event over %d events", per, n)
}
