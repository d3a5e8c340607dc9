package logger_test

import (
	"context"
	"testing"

	"github.com/auditlog/auditlog/logger"
)

// Benchmarks of Track and Span beside a bare call of the same function:
// the overhead an audited operation adds to its caller. As BenchmarkLog,
// they measure the caller's cost while the queue has room: the timer stops
// every trackRound operations while the writer applies what was queued, so
// the writer never pushes back (the default blocking mode is never
// entered). BENCHMARKS.md holds the figures.

const trackRound = 8192

// trackCalls counts the calls of trackWork, so that the bare call has an
// effect and is not optimised away.
var trackCalls int

// trackWork is the operation audited: trivial, called through a variable
// so that the bare call is not inlined away.
var trackWork = func(context.Context) error {
	trackCalls++
	return nil
}

// trackRounds runs op b.N times in rounds of trackRound, flushing l with
// the timer stopped between rounds, then checks that l holds events
// events per op (0 or 1).
func trackRounds(b *testing.B, l *logger.Logger, events int, op func()) {
	b.Helper()
	b.ReportAllocs()
	b.ResetTimer()
	for done := 0; done < b.N; {
		n := min(trackRound, b.N-done)
		for range n {
			op()
		}
		done += n
		b.StopTimer()
		flush(b, l)
		b.StartTimer()
	}
	b.StopTimer()
	if got, want := l.Statistics().TotalEvents, int64(events*b.N); got != want {
		b.Fatalf("%d events logged, want %d", got, want)
	}
}

// BenchmarkTrack measures, from one goroutine:
//   - bare: the function called directly;
//   - Track: the same function through Logger.Track;
//   - Track+options: with WithResource and WithEntryIDs;
//   - Track+actor: with an actor in the context (logger.WithActor), which
//     Log copies into the event;
//   - Span: Begin, SetResource, the function, End(nil).
func BenchmarkTrack(b *testing.B) {
	bg := context.Background()
	actorCtx := logger.WithActor(bg, logger.Actor{UserID: "user-7", SessionID: "sess-1", IPAddress: "192.0.2.1"})
	opts := logger.Options{MaxEvents: 100_000, QueueSize: trackRound}

	b.Run("bare", func(b *testing.B) {
		l := newBenchLogger(b, opts)
		ctx := bg
		trackRounds(b, l, 0, func() {
			if err := trackWork(ctx); err != nil {
				b.Fatal(err)
			}
		})
	})
	b.Run("Track", func(b *testing.B) {
		l := newBenchLogger(b, opts)
		ctx := bg
		trackRounds(b, l, 1, func() {
			if err := l.Track(ctx, logger.OpRecall, trackWork); err != nil {
				b.Fatal(err)
			}
		})
	})
	b.Run("Track+options", func(b *testing.B) {
		l := newBenchLogger(b, opts)
		ctx := bg
		trackRounds(b, l, 1, func() {
			err := l.Track(ctx, logger.OpRecall, trackWork,
				logger.WithResource("memory", "mem-42", "notes"),
				logger.WithEntryIDs("mem-42"))
			if err != nil {
				b.Fatal(err)
			}
		})
	})
	b.Run("Track+actor", func(b *testing.B) {
		l := newBenchLogger(b, opts)
		ctx := actorCtx
		trackRounds(b, l, 1, func() {
			if err := l.Track(ctx, logger.OpRecall, trackWork); err != nil {
				b.Fatal(err)
			}
		})
	})
	b.Run("Span", func(b *testing.B) {
		l := newBenchLogger(b, opts)
		ctx := bg
		trackRounds(b, l, 1, func() {
			s := l.Begin(ctx, logger.OpRecall)
			s.SetResource("memory", "mem-42", "notes")
			err := trackWork(ctx)
			if err := s.End(err); err != nil {
				b.Fatal(err)
			}
		})
	})
	if trackCalls == 0 {
		b.Fatal("trackWork never ran")
	}
}
