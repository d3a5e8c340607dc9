package sqlite_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/auditlog/auditlog/internal/workload"
	"github.com/auditlog/auditlog/logger"
	"github.com/auditlog/auditlog/store/sqlite"
	"github.com/auditlog/auditlog/store/storetest"
)

// Benchmarks of the store on the workload of internal/workload, the one
// logger/bench_test.go uses, so that the figures compare with the ring's.
//
// AUDITLOG_BENCH_EVENTS sets the size of the store BenchmarkQuery and
// BenchmarkCount read (default 1,000,000). The store is built once per
// test process, into a temporary folder removed at the end; with
// AUDITLOG_BENCH_EVENTS=20000 and -benchtime 1x the benchmarks take a few
// seconds.

const (
	benchSeed  = 42  // as logger/bench_test.go
	benchBatch = 512 // the logger writer's batch
)

// benchEvents returns the size of the store to query.
func benchEvents(b *testing.B) int {
	b.Helper()
	s := os.Getenv("AUDITLOG_BENCH_EVENTS")
	if s == "" {
		return 1_000_000
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 10 {
		b.Fatalf("AUDITLOG_BENCH_EVENTS=%q: want a number of events, at least 10", s)
	}
	return n
}

// fillStore saves events [from, to) of the workload to s in batches of
// benchBatch.
func fillStore(ctx context.Context, s *sqlite.Store, g *workload.Gen, from, to int, batch []logger.Event) error {
	for i := from; i < to; {
		batch = batch[:0]
		for ; i < to && len(batch) < benchBatch; i++ {
			batch = append(batch, g.Stored(i))
		}
		if err := s.Write(ctx, batch); err != nil {
			return err
		}
	}
	return nil
}

// BenchmarkWrite saves the workload in batches of 512 events, as the
// logger's writer hands them over, to a new store: ns/op is per event,
// and events/s the throughput.
func BenchmarkWrite(b *testing.B) {
	for _, sync := range []sqlite.Synchronous{sqlite.SyncNormal, sqlite.SyncFull} {
		b.Run(string(sync), func(b *testing.B) {
			s, err := sqlite.Open(filepath.Join(b.TempDir(), "audit.db"), sqlite.Options{Synchronous: sync})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			storetest.Write(b, s)
		})
	}
}

var (
	built    sync.Once
	builtDB  string // the file of the shared store
	builtErr error
	builtDir string // removed by TestMain
)

// queryStore opens the shared store of n workload events, building it on
// first use.
func queryStore(b *testing.B, n int) *sqlite.Store {
	b.Helper()
	built.Do(func() {
		builtDir, builtErr = os.MkdirTemp("", "auditlog-sqlite-bench-")
		if builtErr != nil {
			return
		}
		builtDB = filepath.Join(builtDir, "audit.db")
		var s *sqlite.Store
		if s, builtErr = sqlite.Open(builtDB, sqlite.Options{}); builtErr != nil {
			return
		}
		start := time.Now()
		builtErr = fillStore(context.Background(), s, workload.New(benchSeed), 0, n, make([]logger.Event, 0, benchBatch))
		if err := s.Close(); builtErr == nil {
			builtErr = err
		}
		d := time.Since(start)
		b.Logf("built a store of %d events in %v: %.0f events/s", n, d.Round(time.Millisecond), float64(n)/d.Seconds())
	})
	if builtErr != nil {
		b.Fatal(builtErr)
	}
	s, err := sqlite.Open(builtDB, sqlite.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = s.Close() })
	return s
}

// BenchmarkQuery runs the benchmark query over the stored workload
// (1,000,000 events by default), decoding every event it returns.
func BenchmarkQuery(b *testing.B) {
	n := benchEvents(b)
	s := queryStore(b, n)
	f := workload.QueryFilter(workload.New(benchSeed), n)
	ctx := context.Background()
	got, err := s.Query(ctx, f)
	if err != nil {
		b.Fatal(err)
	}
	if len(got) == 0 && n >= 100_000 {
		// (a small store, for a quick run, may well have none)
		b.Fatal("the benchmark query matches nothing")
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := s.Query(ctx, f); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(got)), "events/query")
}

// BenchmarkCount runs the benchmark query as a Count: the index work
// alone, without reading or decoding events.
func BenchmarkCount(b *testing.B) {
	n := benchEvents(b)
	s := queryStore(b, n)
	f := workload.QueryFilter(workload.New(benchSeed), n)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := s.Count(ctx, f); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkIngestWithLogger measures events/s through the logger into
// the store, as store/file's benchmark of the same name: Log until
// FlushSinks says the store took the events.
func BenchmarkIngestWithLogger(b *testing.B) {
	s, err := sqlite.Open(filepath.Join(b.TempDir(), "audit.db"), sqlite.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	storetest.Ingest(b, s)
}
