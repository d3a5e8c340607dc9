package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/auditlog/auditlog/internal/workload"
	"github.com/auditlog/auditlog/logger"
)

// Ingest is a benchmark body: it logs b.N events of the library's
// benchmark workload (the events of the in-memory benchmarks) through a
// logger whose one sink is s, until FlushSinks says s took them all, and
// reports events/s. The store's throughput with the logger in front. The
// sink's buffer holds b.N events, so that none is dropped however far
// the store falls behind; a failed Write ends the benchmark.
func Ingest(b *testing.B, s logger.Store) {
	g := workload.New(1)
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	var once sync.Once
	l, err := logger.New(logger.Options{
		MaxEvents: 100_000,
		Stores:    []logger.Store{s},
		Delivery:  logger.DeliveryOptions{BufferSize: max(b.N, logger.DefaultSinkBuffer)},
		ErrorHandler: func(err error) {
			once.Do(func() { cancel(err) })
		},
	})
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for i := range b.N {
		if err := l.Log(ctx, g.Event(i)); err != nil {
			b.Fatal(err)
		}
	}
	if err := l.FlushSinks(ctx); err != nil {
		b.Fatal(fmt.Errorf("%w: %w", err, context.Cause(ctx)))
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "events/s")
	if st := l.Statistics().Sinks[0]; st.DeliveredEvents != int64(b.N) {
		b.Fatalf("the store took %d events of %d", st.DeliveredEvents, b.N)
	}
}

// Write is a benchmark body: it writes b.N events of the library's
// benchmark workload (seed 42, as the in-memory benchmarks), as a logger
// hands them to a store (Seq, ID and Source set), to s in batches of
// 512, the logger's batch, and reports events/s; ns/op is per event.
func Write(b *testing.B, s logger.Store) {
	const batchSize = 512
	g := workload.New(42)
	ctx := context.Background()
	batch := make([]logger.Event, 0, batchSize)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; {
		b.StopTimer()
		batch = batch[:0]
		for ; i < b.N && len(batch) < batchSize; i++ {
			batch = append(batch, g.Stored(i))
		}
		b.StartTimer()
		if err := s.Write(ctx, batch); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}
