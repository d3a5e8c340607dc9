package compare

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"gopkg.in/natefinch/lumberjack.v2"

	"github.com/auditlog/auditlog/logger"
)

// callerRound is how many events BenchLog logs before pausing the timer
// to let the writer catch up, and the queue's size: Log then never waits
// for room, and the figure is the caller's cost, not the writer's.
const callerRound = 8192

// Caller is a contender for the caller's cost: what one call recording an
// event costs the goroutine that makes it, in time and allocations.
type Caller struct {
	// Name names the contender: "auditlog-memory", "zap-file", ...
	Name string
	run  func(b *testing.B) error
}

// Bench runs the contender as a benchmark: b.N calls, one event each.
func (c Caller) Bench(b *testing.B) {
	b.ReportAllocs()
	bench(b, c.run)
}

// Measure runs the contender with testing.Benchmark.
func (c Caller) Measure() (testing.BenchmarkResult, error) {
	return measure(func(b *testing.B) error {
		b.ReportAllocs()
		return c.run(b)
	})
}

// Callers returns the contenders for the caller's cost, with their files
// in folders made under dir (and removed after each run):
//
//   - auditlog-memory: Logger.Log with a ring of 100,000, no journal;
//   - auditlog-journal: the same with Options.Journal;
//   - slog-file, zap-file, zerolog-file: each Peer writing to a lumberjack
//     file (100 MB files), synchronously;
//   - slog-discard, zap-discard, zerolog-discard: each Peer writing to
//     io.Discard, the cost of encoding alone.
//
// For auditlog the timer stops every 8,192 events while the writer
// empties the queue (as in the library's BenchmarkLog); the peers need no
// pause, since their calls do all the work.
func Callers(dir string) []Caller {
	cs := []Caller{
		{Name: "auditlog-memory", run: func(b *testing.B) error { return benchLog(b, "") }},
		{Name: "auditlog-journal", run: func(b *testing.B) error { return benchLog(b, dir) }},
	}
	for _, p := range Peers {
		cs = append(cs, Caller{Name: p.Name + "-file", run: func(b *testing.B) error { return benchPeerFile(b, p, dir) }})
	}
	for _, p := range Peers {
		cs = append(cs, Caller{Name: p.Name + "-discard", run: func(b *testing.B) error { return benchPeer(b, p.New(io.Discard)) }})
	}
	return cs
}

// benchLog times Logger.Log; with dir set, the logger writes a journal in
// a folder made under dir.
func benchLog(b *testing.B, dir string) (err error) {
	opts := logger.Options{MaxEvents: 100_000, QueueSize: callerRound}
	if dir != "" {
		d, err := os.MkdirTemp(dir, "journal-")
		if err != nil {
			return err
		}
		defer removeAll(d, &err)
		opts.Journal = &logger.JournalOptions{Dir: d}
	}
	events := Events(callerRound)
	l, err := logger.New(opts)
	if err != nil {
		return err
	}
	defer closeLogger(l, &err)
	ctx := context.Background()
	b.ResetTimer()
	for done := 0; done < b.N; {
		n := min(callerRound, b.N-done)
		for i := range n {
			if err := l.Log(ctx, events[i]); err != nil {
				return err
			}
		}
		done += n
		b.StopTimer()
		if err := l.Flush(ctx); err != nil {
			return err
		}
		b.StartTimer()
	}
	b.StopTimer()
	return nil
}

// benchPeerFile times p writing to a lumberjack file in a folder made
// under dir.
func benchPeerFile(b *testing.B, p Peer, dir string) (err error) {
	d, err := os.MkdirTemp(dir, p.Name+"-")
	if err != nil {
		return err
	}
	defer removeAll(d, &err)
	lj := &lumberjack.Logger{Filename: filepath.Join(d, "audit.log"), MaxSize: 100}
	if err := benchPeer(b, p.New(lj)); err != nil {
		_ = lj.Close()
		return err
	}
	if err := lj.Close(); err != nil {
		return fmt.Errorf("compare: %s: %w", p.Name, err)
	}
	return nil
}

// benchPeer times b.N calls of log.
func benchPeer(b *testing.B, log func(ev *logger.Event)) error {
	events := Events(callerRound)
	b.ResetTimer()
	for i := range b.N {
		log(&events[i%callerRound])
	}
	b.StopTimer()
	return nil
}

// closeLogger closes l, keeping the first error in *err.
func closeLogger(l *logger.Logger, err *error) {
	if e := l.Close(); e != nil && *err == nil {
		*err = e
	}
}

// removeAll removes dir, keeping the first error in *err.
func removeAll(dir string, err *error) {
	if e := os.RemoveAll(dir); e != nil && *err == nil {
		*err = e
	}
}
