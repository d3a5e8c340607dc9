package logger_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/auditlog/auditlog/logger"
)

// BenchmarkHealth measures one Health call: "ok" on an idle logger with a
// journal and two sinks (the probe's usual answer: no allocation),
// "degraded" with two reasons to report (events rejected and dropped in
// the window), and "writer-stuck" with three (the queue full besides)
// while the writer goroutine is held still: Health answers without it.
// "clock" is the baseline: one reading of time.Now, which Health makes
// once (through Options.Now).
func BenchmarkHealth(b *testing.B) {
	b.Run("clock", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = time.Now()
		}
	})
	b.Run("ok", func(b *testing.B) {
		l := newBenchLogger(b, logger.Options{Journal: &logger.JournalOptions{Dir: b.TempDir()},
			Sinks: map[string]logger.Sink{"a": &sinkRecorder{}, "b": &sinkRecorder{}}})
		benchHealth(b, l, logger.HealthOK)
	})
	b.Run("degraded", func(b *testing.B) {
		l, gate := newGatedLogger(b, logger.Options{QueueSize: 4, DropWhenFull: true})
		fillAndRefuse(b, l, gate)
		gate.Release()
		if err := l.Flush(context.Background()); err != nil {
			b.Fatal(err)
		}
		benchHealth(b, l, logger.HealthDegraded)
	})
	b.Run("writer-stuck", func(b *testing.B) {
		l, gate := newGatedLogger(b, logger.Options{QueueSize: 4, DropWhenFull: true})
		fillAndRefuse(b, l, gate)
		benchHealth(b, l, logger.HealthDegraded)
	})
}

// fillAndRefuse holds l's writer still, fills its queue, and has one
// event dropped and one rejected.
func fillAndRefuse(b *testing.B, l *logger.Logger, gate *writerGate) {
	gate.Block(b, l)
	ctx := context.Background()
	for l.Log(ctx, logger.Event{Operation: logger.OpRead}) == nil {
	}
	_ = l.Log(ctx, logger.Event{})
}

func benchHealth(b *testing.B, l *logger.Logger, want logger.HealthState) {
	b.ReportAllocs()
	for b.Loop() {
		if h := l.Health(); h.State != want {
			b.Fatalf("state %v, want %v: %v", h.State, want, h.Reasons)
		}
	}
}

// BenchmarkHealthWhileLogging measures Health called from every
// goroutine (GOMAXPROCS of them) while one more goroutine logs events
// as fast as the writer takes them: the probe's cost under load, and
// that it does not wait for the writer.
func BenchmarkHealthWhileLogging(b *testing.B) {
	l := newBenchLogger(b, logger.Options{MaxEvents: 10_000})
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		ctx := context.Background()
		ev := logger.Event{Operation: logger.OpStore, UserID: "u"}
		for {
			select {
			case <-stop:
				return
			default:
			}
			_ = l.Log(ctx, ev)
		}
	}()
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			_ = l.Health()
		}
	})
	b.StopTimer()
	close(stop)
	wg.Wait()
}
