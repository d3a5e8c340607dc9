package logger_test

import (
	"context"
	"testing"
	"time"

	"github.com/auditlog/auditlog/internal/workload"
	"github.com/auditlog/auditlog/logger"
)

// BenchmarkStuckSink measures, with a journal, what the callers pay while
// a sink is stuck in Write, beside the same logger without a sink: Log's
// cost to the caller (as BenchmarkLog measures it), and Query and
// Statistics over 100,000 events in memory.
func BenchmarkStuckSink(b *testing.B) {
	for _, name := range []string{"no-sink", "stuck-sink"} {
		opts := func(b *testing.B) logger.Options {
			o := logger.Options{MaxEvents: 100_000, QueueSize: logRound,
				Journal:  &logger.JournalOptions{Dir: b.TempDir()},
				Delivery: logger.DeliveryOptions{CloseTimeout: time.Millisecond}}
			if name == "stuck-sink" {
				o.Sinks = map[string]logger.Sink{"stuck": stuckSink{}}
			}
			return o
		}
		b.Run("Log/"+name, func(b *testing.B) { logRounds(b, newBenchLogger(b, opts(b))) })
		filled := func(b *testing.B) (*logger.Logger, logger.Filter) {
			const n = 100_000
			g := workload.New(benchSeed)
			l := newBenchLogger(b, opts(b))
			batch := make([]logger.Event, 0, 1000)
			for i := range n {
				batch = append(batch, g.Event(i))
				if len(batch) == cap(batch) {
					if err := l.LogBatch(context.Background(), batch); err != nil {
						b.Fatal(err)
					}
					batch = batch[:0]
				}
			}
			flush(b, l)
			return l, workload.QueryFilter(g, n)
		}
		b.Run("Query/"+name, func(b *testing.B) {
			l, f := filled(b)
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				_ = l.Query(f)
			}
		})
		b.Run("Statistics/"+name, func(b *testing.B) {
			l, _ := filled(b)
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				_ = l.Statistics()
			}
		})
	}
}
