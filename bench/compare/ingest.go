package compare

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/auditlog/auditlog/logger"
)

// Ingested is what one ingestion run did.
type Ingested struct {
	// Events is how many events the run was given; Stored how many the
	// store holds or wrote afterwards (events applied, lines in the
	// files, rows in the table).
	Events, Stored int64
	// Elapsed is the time from the first event handed over to the last
	// one applied and, where there is a file, written.
	Elapsed time.Duration
	// DiskBytes is the size of the files written (after a checkpoint for
	// SQLite), 0 for a store in memory.
	DiskBytes int64
}

// PerSecond is the events ingested per second.
func (r Ingested) PerSecond() float64 { return float64(r.Events) / r.Elapsed.Seconds() }

// Ingester is a contender for ingestion: n events of the workload, one
// goroutine handing them over one by one, until every event is applied
// and (where there is a file) written, not fsynced.
type Ingester struct {
	// Name names the contender: "auditlog-memory", "sqlite", ...
	Name string
	run  func(n int, dir string) (Ingested, error)
}

// Run ingests the first n events of the workload into a fresh store
// whose files go into dir, an empty folder. Only the ingestion is timed:
// not opening the store, closing it, nor counting what it stored.
func (in Ingester) Run(n int, dir string) (Ingested, error) {
	r, err := in.run(n, dir)
	if err != nil {
		return r, fmt.Errorf("compare: %s: %w", in.Name, err)
	}
	return r, nil
}

// Bench runs the contender as a benchmark, n events per op, in a fresh
// folder each time, and reports events/s and the bytes per event on
// disk. ns/op is the time of the ingestion alone, one op being n events.
func (in Ingester) Bench(b *testing.B, n int) {
	var elapsed time.Duration
	var last Ingested
	for range b.N {
		r, err := in.Run(n, b.TempDir())
		if err != nil {
			b.Fatal(err)
		}
		if r.Stored != int64(n) {
			b.Fatalf("%s stored %d events of %d", in.Name, r.Stored, n)
		}
		elapsed += r.Elapsed
		last = r
	}
	b.ReportMetric(float64(elapsed.Nanoseconds())/float64(b.N), "ns/op")
	b.ReportMetric(float64(n*b.N)/elapsed.Seconds(), "events/s")
	b.ReportMetric(float64(last.DiskBytes)/float64(n), "disk-B/event")
}

// Ingesters returns the contenders for ingestion:
//
//   - auditlog-memory: Logger.Log, ring of 100,000, every index, then
//     Flush;
//   - auditlog-journal: the same with Options.Journal (SHA-256 chain,
//     100 MB files): Flush returns once every line is handed to the
//     operating system;
//   - slog+lumberjack: the slog Peer writing to a lumberjack file (100 MB
//     files), synchronously;
//   - sqlite: SQLite alone (see SQLite), transactions of SQLiteBatch
//     events through a prepared statement, the table's five indexes
//     made before the first insert.
func Ingesters() []Ingester {
	return []Ingester{
		{Name: "auditlog-memory", run: func(n int, _ string) (Ingested, error) { return ingestLogger(n, "") }},
		{Name: "auditlog-journal", run: ingestLogger},
		{Name: "slog+lumberjack", run: ingestSlog},
		{Name: "sqlite", run: ingestSQLite},
		// Issue 6: auditlog with its own SQLite store goes here, beside
		// the journal, once the library has one.
	}
}

// ingestLogger logs n events into a logger with a ring of 100,000; with
// dir set, with a journal in dir.
func ingestLogger(n int, dir string) (r Ingested, err error) {
	opts := logger.Options{MaxEvents: 100_000}
	if dir != "" {
		opts.Journal = &logger.JournalOptions{Dir: dir}
	}
	l, err := logger.New(opts)
	if err != nil {
		return r, err
	}
	ctx := context.Background()
	start := time.Now()
	for i := range n {
		if err := l.Log(ctx, Event(i)); err != nil {
			_ = l.Close()
			return r, err
		}
	}
	if err := l.Flush(ctx); err != nil {
		_ = l.Close()
		return r, err
	}
	r = Ingested{Events: int64(n), Elapsed: time.Since(start), Stored: l.Statistics().TotalEvents}
	if err := l.Close(); err != nil {
		return r, err
	}
	if dir != "" {
		r.Stored, r.DiskBytes, err = countLines(dir, "*.jsonl")
	}
	return r, err
}

// ingestSlog writes n events with the slog Peer to a lumberjack file in
// dir.
func ingestSlog(n int, dir string) (r Ingested, err error) {
	start := time.Now()
	if err := WriteSlog(dir, Event, n); err != nil {
		return r, err
	}
	r = Ingested{Events: int64(n), Elapsed: time.Since(start)}
	r.Stored, r.DiskBytes, err = countLines(dir, "*.log")
	return r, err
}

// ingestSQLite inserts n events into a fresh SQLite database in dir, in
// transactions of SQLiteBatch events.
func ingestSQLite(n int, dir string) (r Ingested, err error) {
	s, err := OpenSQLite(filepath.Join(dir, "audit.db"))
	if err != nil {
		return r, err
	}
	defer func() {
		if e := s.Close(); e != nil && err == nil {
			err = e
		}
	}()
	batch := make([]logger.Event, 0, SQLiteBatch)
	start := time.Now()
	for i := range n {
		batch = append(batch, Event(i))
		if len(batch) == SQLiteBatch || i == n-1 {
			if err := s.Insert(batch); err != nil {
				return r, err
			}
			batch = batch[:0]
		}
	}
	r = Ingested{Events: int64(n), Elapsed: time.Since(start)}
	if r.Stored, err = s.Count(); err != nil {
		return r, err
	}
	if err := s.Checkpoint(); err != nil {
		return r, err
	}
	r.DiskBytes, err = s.Size()
	return r, err
}

// countLines returns the number of lines and of bytes in the files of dir
// whose names match pattern.
func countLines(dir, pattern string) (lines, size int64, err error) {
	names, err := filepath.Glob(filepath.Join(dir, pattern))
	if err != nil {
		return 0, 0, err
	}
	buf := make([]byte, 1<<20)
	for _, name := range names {
		f, err := os.Open(name)
		if err != nil {
			return 0, 0, err
		}
		for {
			k, rerr := f.Read(buf)
			lines += int64(bytes.Count(buf[:k], []byte{'\n'}))
			size += int64(k)
			if rerr == io.EOF {
				break
			}
			if rerr != nil {
				_ = f.Close()
				return 0, 0, rerr
			}
		}
		if err := f.Close(); err != nil {
			return 0, 0, err
		}
	}
	return lines, size, nil
}
