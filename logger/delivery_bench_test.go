package logger_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/auditlog/auditlog/logger"
)

// countSink takes every batch and keeps nothing but a count: what the
// delivery benchmarks measure is the logger's side of a sink (following
// the journal, decoding its lines, saving the cursor), not a store's.
type countSink struct{ n atomic.Int64 }

func (s *countSink) Write(_ context.Context, events []logger.Event) error {
	s.n.Add(int64(len(events)))
	return nil
}

func (s *countSink) Close() error { return nil }

// cpuTime returns the CPU time the process has used, user and system:
// the delivery benchmarks report it per event beside the wall-clock
// rates, since it moves less than they do on a shared machine.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// stuckSink is a sink whose Write never returns until its context is
// cancelled: a store that hangs.
type stuckSink struct{}

func (stuckSink) Write(ctx context.Context, _ []logger.Event) error {
	<-ctx.Done()
	return ctx.Err()
}

func (stuckSink) Close() error { return nil }

// BenchmarkDeliveryIngest is BenchmarkJournalIngest's journal contender
// (journalBenchEvents events of the workload per op, one goroutine
// logging, SHA-256 chain, no fsync in the run) with sinks that follow the
// journal: none, one, three, and one whose Write hangs. It reports
//
//   - events/s: the writer's figure, Log of every event until Flush
//     returns (applied, and in the journal), while the sinks read on
//     beside it;
//   - sinks-events/s: until FlushSinks returns, every sink having
//     acknowledged every event (not for the hung sink);
//   - cpu-µs/event: the process's CPU time (every goroutine, the
//     garbage collector's too) from the first Log to FlushSinks (to
//     Flush for the hung sink), per event.
//
// The sinks count what they get, so the difference from "sinks=0" is the
// cost of the delivery itself: each sink reads the journal back and
// decodes every line into an Event, on the same cores as the writer.
func BenchmarkDeliveryIngest(b *testing.B) {
	for _, n := range []int{0, 1, 3} {
		b.Run(fmt.Sprintf("sinks=%d", n), func(b *testing.B) { benchDeliveryIngest(b, n, false) })
	}
	b.Run("sinks=1-hung", func(b *testing.B) { benchDeliveryIngest(b, 1, true) })
}

func benchDeliveryIngest(b *testing.B, nsinks int, hung bool) {
	ctx := context.Background()
	events := journalBenchWorkload()
	b.ReportAllocs()
	b.ResetTimer()
	var elapsed, elapsedSinks, cpu time.Duration
	for range b.N {
		b.StopTimer()
		counts := make([]*countSink, nsinks)
		sinks := make(map[string]logger.Sink, nsinks)
		for i := range counts {
			counts[i] = &countSink{}
			sinks[fmt.Sprintf("sink-%d", i)] = counts[i]
		}
		if hung {
			counts, sinks = nil, map[string]logger.Sink{"hung": stuckSink{}}
		}
		l, err := logger.New(logger.Options{
			MaxEvents: 100_000,
			Journal:   &logger.JournalOptions{Dir: b.TempDir()},
			Sinks:     sinks,
			Delivery:  logger.DeliveryOptions{CloseTimeout: -1},
		})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start, cpu0 := time.Now(), cpuTime(b)
		for i := range events {
			if err := l.Log(ctx, events[i]); err != nil {
				b.Fatal(err)
			}
		}
		flush(b, l)
		elapsed += time.Since(start)
		if !hung {
			if err := l.FlushSinks(ctx); err != nil {
				b.Fatal(err)
			}
			elapsedSinks += time.Since(start)
		}
		cpu += cpuTime(b) - cpu0
		b.StopTimer()
		for i, s := range counts {
			if got := s.n.Load(); got != journalBenchEvents {
				b.Fatalf("sink %d got %d events, want %d", i, got, journalBenchEvents)
			}
		}
		if err := l.Close(); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.StopTimer()
	b.ReportMetric(float64(journalBenchEvents*b.N)/elapsed.Seconds(), "events/s")
	if !hung {
		b.ReportMetric(float64(journalBenchEvents*b.N)/elapsedSinks.Seconds(), "sinks-events/s")
	}
	b.ReportMetric(float64(cpu.Microseconds())/float64(journalBenchEvents*b.N), "cpu-µs/event")
}

// BenchmarkSinkCatchUp measures how fast a sink catches up after an
// outage: a journal of journalBenchEvents events of the workload, written
// once without sinks, then per op a new logger on it with one sink (or
// three) that has never delivered (a new name, so its cursor starts
// before the first line), timed from New until FlushSinks returns. One
// event is logged after New, so that FlushSinks waits for the whole
// journal. events/s is the journal's events divided by that time: the
// rate at which the logger reads its journal back into a sink;
// cpu-µs/event is the process's CPU time in that time, per event.
func BenchmarkSinkCatchUp(b *testing.B) {
	ctx := context.Background()
	dir := b.TempDir()
	l, err := logger.New(logger.Options{MaxEvents: 100_000, Journal: &logger.JournalOptions{Dir: dir}})
	if err != nil {
		b.Fatal(err)
	}
	for _, ev := range journalBenchWorkload() {
		if err := l.Log(ctx, ev); err != nil {
			b.Fatal(err)
		}
	}
	if err := l.Close(); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	round := 0
	for _, n := range []int{1, 3} {
		b.Run(fmt.Sprintf("sinks=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			var elapsed, cpu time.Duration
			for range b.N {
				b.StopTimer()
				round++
				counts := make([]*countSink, n)
				sinks := make(map[string]logger.Sink, n)
				for i := range counts {
					counts[i] = &countSink{}
					sinks[fmt.Sprintf("catchup-%d-%d", round, i)] = counts[i]
				}
				b.StartTimer()
				start, cpu0 := time.Now(), cpuTime(b)
				l, err := logger.New(logger.Options{
					MaxEvents: 1_000,
					Journal:   &logger.JournalOptions{Dir: dir},
					Sinks:     sinks,
				})
				if err != nil {
					b.Fatal(err)
				}
				if err := l.Log(ctx, logger.Event{Operation: logger.OpRead, UserID: "bench"}); err != nil {
					b.Fatal(err)
				}
				if err := l.FlushSinks(ctx); err != nil {
					b.Fatal(err)
				}
				elapsed += time.Since(start)
				cpu += cpuTime(b) - cpu0
				b.StopTimer()
				want := int64(journalBenchEvents + round) // the journal grows by one event per op
				for i, s := range counts {
					if got := s.n.Load(); got != want {
						b.Fatalf("sink %d got %d events, want %d", i, got, want)
					}
				}
				if err := l.Close(); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
			}
			b.StopTimer()
			b.ReportMetric(float64(journalBenchEvents*b.N)/elapsed.Seconds(), "events/s")
			b.ReportMetric(float64(cpu.Microseconds())/float64(journalBenchEvents*b.N), "cpu-µs/event")
		})
	}
}
