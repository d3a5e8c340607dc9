package file

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/auditlog/auditlog/internal/workload"
	"github.com/auditlog/auditlog/logger"
	"github.com/auditlog/auditlog/store/storetest"
)

// Benchmarks on the workload of internal/workload, as the logger's
// (logger/bench_test.go), so that the figures compare.

const benchSeed = 42

// benchEvents is the size of the queried dataset: AUDITLOG_BENCH_EVENTS,
// 1,000,000 by default.
func benchEvents(b *testing.B) int {
	if v := os.Getenv("AUDITLOG_BENCH_EVENTS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 10 {
			b.Fatalf("AUDITLOG_BENCH_EVENTS=%q: want a number of events, at least 10", v)
		}
		return n
	}
	return 1_000_000
}

// benchEvent is workload event i as the logger hands it to a store: ID
// (36 bytes, as a UUIDv7) and Seq set.
func benchEvent(g *workload.Gen, i int) logger.Event {
	ev := g.Event(i)
	ev.ID = fmt.Sprintf("019b0000-0000-7000-8000-%012d", i)
	ev.Seq = uint64(i + 1)
	return ev
}

// BenchmarkWrite measures Write in batches of 512 workload events, per
// event, into one date partition (the workload spans a second), with and
// without Options.Sync.
func BenchmarkWrite(b *testing.B) {
	const batch, pool = 512, 64 * 512
	g := workload.New(benchSeed)
	evs := make([]logger.Event, pool)
	for i := range evs {
		evs[i] = benchEvent(g, i)
	}
	for _, sync := range []bool{false, true} {
		b.Run(fmt.Sprintf("sync=%v", sync), func(b *testing.B) {
			s, err := Open(b.TempDir(), Options{Sync: sync})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			ctx := context.Background()
			b.ReportAllocs()
			b.ResetTimer()
			for done := 0; done < b.N; {
				n := min(batch, b.N-done)
				j := done % pool / batch * batch
				if err := s.Write(ctx, evs[j:j+n]); err != nil {
					b.Fatal(err)
				}
				done += n
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
		})
	}
}

var (
	benchOnce sync.Once
	benchDir  string
	benchErr  error
)

// benchData returns the folder of the queried dataset: n workload events
// saved in batches of 512, built once per process.
func benchData(b *testing.B, n int) string {
	benchOnce.Do(func() {
		start := time.Now()
		benchDir, benchErr = os.MkdirTemp("", "auditlog-file-bench-")
		if benchErr != nil {
			return
		}
		s, err := Open(benchDir, Options{})
		if err != nil {
			benchErr = err
			return
		}
		g := workload.New(benchSeed)
		evs := make([]logger.Event, 0, 512)
		for i := 0; i < n; i++ {
			evs = append(evs, benchEvent(g, i))
			if len(evs) == cap(evs) || i == n-1 {
				if benchErr = s.Write(context.Background(), evs); benchErr != nil {
					_ = s.Close()
					return
				}
				evs = evs[:0]
			}
		}
		benchErr = s.Close()
		fmt.Fprintf(os.Stderr, "store/file benchmarks: %d events saved in %v\n", n, time.Since(start).Round(time.Millisecond))
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchDir
}

// removeBenchData removes the dataset, from TestMain.
func removeBenchData() {
	if benchDir != "" {
		_ = os.RemoveAll(benchDir)
	}
}

// BenchmarkQuery runs the benchmark query over the stored dataset
// (1,000,000 events by default), decoding every event it returns. The
// dataset is one date partition: only the line pre-check and the decoding
// of candidates make it fast.
func BenchmarkQuery(b *testing.B) {
	n := benchEvents(b)
	s, err := Open(benchData(b, n), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	f := workload.QueryFilter(workload.New(benchSeed), n)
	ctx := context.Background()
	got, err := s.Query(ctx, f)
	if err != nil {
		b.Fatal(err)
	}
	if n >= 1_000_000 && len(got) == 0 {
		b.Fatal("the benchmark query matches nothing")
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := s.Query(ctx, f); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(got)), "events/query") // after ResetTimer, which drops it
}

// BenchmarkCount runs the benchmark query as a Count.
func BenchmarkCount(b *testing.B) {
	n := benchEvents(b)
	s, err := Open(benchData(b, n), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	f := workload.QueryFilter(workload.New(benchSeed), n)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := s.Count(context.Background(), f); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkQueryAll runs a query that the prefilter cannot help, every
// event of the dataset's one partition with a Limit of 100: the cost of
// decoding every stored line.
func BenchmarkQueryAll(b *testing.B) {
	n := benchEvents(b)
	s, err := Open(benchData(b, n), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := s.Query(context.Background(), logger.Filter{Limit: 100}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkIngestWithLogger measures events/s through the logger into
// the store: Log until FlushSinks says the store took the events.
func BenchmarkIngestWithLogger(b *testing.B) {
	s, err := Open(b.TempDir(), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	storetest.Ingest(b, s)
}
