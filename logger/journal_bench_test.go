package logger_test

import (
	"compress/gzip"
	"context"
	"crypto/ed25519"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"
	"gopkg.in/natefinch/lumberjack.v2"

	"github.com/auditlog/auditlog/export"
	"github.com/auditlog/auditlog/internal/workload"
	"github.com/auditlog/auditlog/logger"
)

// journalBenchEvents is how many events one op of the journal benchmarks
// ingests.
const journalBenchEvents = 200_000

// BenchmarkJournalIngest measures sustained ingestion, one goroutine
// logging journalBenchEvents events of the workload per op until they are
// applied and (where there is a file) handed to the operating system,
// without fsync on either side (lumberjack never fsyncs):
//
//   - memory: the logger without a journal, ring of 100,000;
//   - journal: the same with the journal (SHA-256 chain, 100 MB files);
//   - journal+checkpoints: the same with signed checkpoints at their
//     defaults (the Merkle tree over every line, a checkpoint every
//     100,000 lines, fsynced);
//   - slog+lumberjack: log/slog's JSON handler writing the same fields to
//     a lumberjack file, with a UUIDv7 per event, synchronously.
//
// It reports events/s (until every event is applied and written), the
// process's CPU time per event until the logger is closed (every
// goroutine: with checkpoints, the tree's hashing runs in one of its own),
// and, with a file, the bytes per event on disk, and after gzip (as the
// journal's Compress stores rotated files).
func BenchmarkJournalIngest(b *testing.B) {
	b.Run("memory", func(b *testing.B) { benchIngest(b, nil) })
	b.Run("journal", func(b *testing.B) { benchIngest(b, &logger.JournalOptions{}) })
	b.Run("journal+checkpoints", func(b *testing.B) {
		priv := ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize))
		s, err := export.Ed25519Signer("example.com/bench", priv)
		if err != nil {
			b.Fatal(err)
		}
		benchIngest(b, &logger.JournalOptions{Checkpoints: logger.CheckpointOptions{Signer: s}})
	})
	b.Run("slog+lumberjack", benchSlogLumberjack)
}

// journalBenchWorkload returns the events every contender ingests.
func journalBenchWorkload() []logger.Event {
	g := workload.New(benchSeed)
	events := make([]logger.Event, journalBenchEvents)
	for i := range events {
		events[i] = g.Event(i)
	}
	return events
}

func benchIngest(b *testing.B, jo *logger.JournalOptions) {
	ctx := context.Background()
	events := journalBenchWorkload()
	b.ReportAllocs()
	var elapsed, cpu time.Duration
	var dir string
	for range b.N {
		b.StopTimer()
		opts := logger.Options{MaxEvents: 100_000}
		if jo != nil {
			dir = b.TempDir()
			j := *jo
			j.Dir = dir
			opts.Journal = &j
		}
		l, err := logger.New(opts)
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
		b.StopTimer()
		if err := l.Close(); err != nil {
			b.Fatal(err)
		}
		cpu += cpuTime(b) - cpu0
		b.StartTimer()
	}
	b.StopTimer() // measuring the files is not part of the op
	b.ReportMetric(float64(journalBenchEvents*b.N)/elapsed.Seconds(), "events/s")
	b.ReportMetric(float64(cpu.Microseconds())/float64(journalBenchEvents*b.N), "cpu-µs/event")
	if dir != "" {
		reportDiskBytes(b, filepath.Join(dir, export.JournalName))
	}
}

func benchSlogLumberjack(b *testing.B) {
	ctx := context.Background()
	events := journalBenchWorkload()
	b.ReportAllocs()
	var elapsed time.Duration
	var path string
	for range b.N {
		b.StopTimer()
		path = filepath.Join(b.TempDir(), "audit.log")
		lj := &lumberjack.Logger{Filename: path, MaxSize: 100}
		log := slog.New(slog.NewJSONHandler(lj, nil))
		b.StartTimer()
		start := time.Now()
		for i := range events {
			ev := &events[i]
			log.LogAttrs(ctx, slog.LevelInfo, "audit",
				slog.String("event_id", uuid.Must(uuid.NewV7()).String()),
				slog.Time("timestamp", ev.Time),
				slog.String("operation", string(ev.Operation)),
				slog.String("status", string(ev.Status)),
				slog.String("user_id", ev.UserID),
				slog.String("session_id", ev.SessionID),
				slog.Any("entry_ids", ev.EntryIDs),
				slog.Any("metadata", ev.Metadata),
				slog.Float64("duration_ms", float64(ev.Duration)/1e6),
			)
		}
		elapsed += time.Since(start)
		b.StopTimer()
		if err := lj.Close(); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.StopTimer() // measuring the file is not part of the op
	b.ReportMetric(float64(journalBenchEvents*b.N)/elapsed.Seconds(), "events/s")
	reportDiskBytes(b, path)
}

// reportDiskBytes reports the size per event of the file at path, plain
// and gzipped.
func reportDiskBytes(b *testing.B, path string) {
	b.Helper()
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		b.Fatal(err)
	}
	var cw countWriter
	zw := gzip.NewWriter(&cw)
	if _, err := io.Copy(zw, f); err != nil {
		b.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(fi.Size())/journalBenchEvents, "disk-B/event")
	b.ReportMetric(float64(cw)/journalBenchEvents, "gzip-B/event")
}

type countWriter int64

func (c *countWriter) Write(p []byte) (int, error) {
	*c += countWriter(len(p))
	return len(p), nil
}
