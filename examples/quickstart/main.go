// Quickstart shows the audit logger at work in a memory store: four
// goroutines log 4,000 STORE, RECALL, FORGET and COMPACT events at once,
// then the program queries them by user, operation, status and time
// window, and prints the statistics.
//
// Events are generated from a fixed seed and dated from a fixed start,
// one every 250 ms, so every run prints the same figures. Run it with
//
//	go run ./examples/quickstart
package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"sync"
	"time"

	"github.com/auditlog/auditlog/logger"
)

const (
	workers   = 4
	perWorker = 1000
	step      = 250 * time.Millisecond // between two consecutive events
)

var start = time.Date(2024, 6, 1, 9, 0, 0, 0, time.UTC)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

func run() error {
	l, err := logger.New(logger.Options{MaxEvents: 10_000})
	if err != nil {
		return err
	}
	defer l.Close() // on an early return; the Close at the end reports errors, and a second Close is a no-op

	// Log waits while the queue is full; the context bounds that wait.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	var wg sync.WaitGroup
	errs := make([]error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[w] = logEvents(ctx, l, w)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	// Query would wait for the writer by itself; Flush makes the point.
	if err := l.Flush(ctx); err != nil {
		return err
	}
	fmt.Printf("logged %d events from %d goroutines\n\n", workers*perWorker, workers)

	show("user-03, newest first", l, logger.Filter{UserID: "user-03"})
	show("FORGET", l, logger.Filter{Operation: logger.OpForget})
	show("FAILURE", l, logger.Filter{Status: logger.StatusFailure})
	since, until := start.Add(10*time.Minute), start.Add(11*time.Minute) // both inclusive
	window := logger.Filter{Since: since, Until: until, Ascending: true}
	show("09:10:00 to 09:11:00, oldest first", l, window)
	fmt.Printf("  success rate in that window: %.1f%%\n\n", 100*l.StatisticsFor(window).SuccessRate)

	s := l.Statistics()
	fmt.Printf("statistics: %d events (%d in memory of %d), success rate %.1f%%\n",
		s.TotalEvents, s.EventsInMemory, s.MaxEvents, 100*s.SuccessRate)
	fmt.Printf("  duration: avg %.1f ms, p50 %.1f ms, p95 %.1f ms, p99 %.1f ms\n",
		s.AvgDurationMs, s.P50DurationMs, s.P95DurationMs, s.P99DurationMs)
	fmt.Println("  by operation:", s.ByOperation)
	fmt.Println("  by status:   ", s.ByStatus)

	u := l.UserStatistics("user-03")
	fmt.Printf("\n%s: %d operations, %d failures, mostly %s, last active %s\n",
		u.UserID, u.TotalOperations, u.Failures, u.MostCommonOperation, u.LastActivity.Format(time.TimeOnly))
	fmt.Println("  by operation:", u.ByOperation)

	return l.Close()
}

// logEvents logs worker w's share of the events: event k of worker w is
// dated start + (k*workers + w) * step.
func logEvents(ctx context.Context, l *logger.Logger, w int) error {
	rng := rand.New(rand.NewPCG(2024, uint64(w)))
	for k := range perWorker {
		ev := logger.Event{
			Time:         start.Add(time.Duration(k*workers+w) * step),
			Category:     "DATA",
			UserID:       fmt.Sprintf("user-%02d", rng.IntN(8)),
			SessionID:    fmt.Sprintf("sess-%d-%d", w, k/50),
			ResourceType: "memory",
			ResourceID:   fmt.Sprintf("mem-%04d", rng.IntN(500)),
			EntryIDs:     []string{fmt.Sprintf("entry-%05d", rng.IntN(20_000))},
			Metadata:     map[string]any{"source": "api", "worker": w},
		}
		switch p := rng.IntN(100); {
		case p < 50:
			ev.Operation, ev.Duration = logger.OpRecall, jitter(rng, 8*time.Millisecond)
		case p < 85:
			ev.Operation, ev.Duration = logger.OpStore, jitter(rng, 3*time.Millisecond)
		case p < 97:
			ev.Operation, ev.Duration = logger.OpForget, jitter(rng, 2*time.Millisecond)
		default:
			ev.Operation, ev.Duration = logger.OpCompact, jitter(rng, 120*time.Millisecond)
		}
		switch p := rng.IntN(100); {
		case p < 5:
			ev.Status, ev.ErrorMessage = logger.StatusFailure, "vector store timeout"
		case p < 8:
			ev.Status, ev.Description = logger.StatusPartial, "some entries skipped"
		default:
			ev.Status = logger.StatusSuccess
		}
		if err := l.Log(ctx, ev); err != nil {
			return fmt.Errorf("worker %d, event %d: %w", w, k, err)
		}
	}
	return nil
}

// jitter returns a duration around mean, exponentially distributed.
func jitter(rng *rand.Rand, mean time.Duration) time.Duration {
	return time.Duration(rng.ExpFloat64()*float64(mean)) + time.Millisecond/10
}

// show prints how many events match f and the first three of them.
func show(title string, l *logger.Logger, f logger.Filter) {
	fmt.Printf("%s: %d events\n", title, l.Count(f))
	f.Limit = 3
	for _, ev := range l.Query(f) {
		line := fmt.Sprintf("  %s %-7s %-7s %s %s/%s %5.1f ms", ev.Time.Format("15:04:05.000"), ev.Operation, ev.Status,
			ev.UserID, ev.ResourceType, ev.ResourceID, float64(ev.Duration)/1e6)
		if ev.ErrorMessage != "" {
			line += ": " + ev.ErrorMessage
		}
		fmt.Println(line)
	}
}
