package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/auditlog/auditlog/internal/workload"
	"github.com/auditlog/auditlog/logger"
)

// Ingest is a benchmark body: it logs b.N events of the library's
// benchmark workload (the events of the in-memory benchmarks) through a
// logger whose one store is s, until Flush says they are saved, and
// reports events/s. The store's throughput with the logger in front.
func Ingest(b *testing.B, s logger.Store) {
	g := workload.New(1)
	l, err := logger.New(logger.Options{MaxEvents: 100_000, Stores: []logger.Store{s}})
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for i := range b.N {
		if err := l.Log(ctx, g.Event(i)); err != nil {
			b.Fatal(err)
		}
	}
	if err := l.Flush(ctx); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "events/s")
	if st := l.Statistics(); st.Failed != 0 {
		b.Fatalf("%d events not saved", st.Failed)
	}
}
