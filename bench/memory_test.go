package bench

import (
	"testing"

	"github.com/auditlog/auditlog/bench/compare"
)

// BenchmarkMemory reports what holding -events events costs:
// auditlog-heap is the live heap per event of a logger whose ring holds
// them all (compare.HeapPerEvent), sqlite-file the size per event of the
// SQLite database holding them with its indexes, after a checkpoint.
// The time per op means nothing here.
func BenchmarkMemory(b *testing.B) {
	n := *eventsFlag
	b.Run("auditlog-heap", func(b *testing.B) {
		var per float64
		for range b.N {
			var err error
			if per, err = compare.HeapPerEvent(n); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(per, "bytes/event")
	})
	b.Run("sqlite-file", func(b *testing.B) {
		d := dataset(b)
		var size int64
		for range b.N {
			var err error
			if size, err = d.SQLite.Size(); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(size)/float64(len(d.Events)), "bytes/event")
	})
}
