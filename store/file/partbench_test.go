package file

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/auditlog/auditlog/internal/workload"
	"github.com/auditlog/auditlog/logger"
)

var (
	partMu   sync.Mutex
	partDirs = map[string]string{} // "n/parts" -> folder
)

// partitionedData returns a folder of n workload events partitioned by
// user_id over parts users (event i is user i mod parts's), one date: as
// many segments as users that have events. Built once per process.
func partitionedData(b *testing.B, n, parts int) string {
	b.Helper()
	partMu.Lock()
	defer partMu.Unlock()
	key := fmt.Sprintf("%d/%d", n, parts)
	if dir, ok := partDirs[key]; ok {
		return dir
	}
	start := time.Now()
	dir, err := os.MkdirTemp("", "auditlog-file-bench-parts-")
	if err != nil {
		b.Fatal(err)
	}
	partDirs[key] = dir
	s, err := Open(dir, Options{PartitionBy: "user_id"})
	if err != nil {
		b.Fatal(err)
	}
	g := workload.New(benchSeed)
	evs := make([]logger.Event, 0, 512)
	for i := range n {
		ev := benchEvent(g, i)
		ev.UserID = g.User(i % parts)
		evs = append(evs, ev)
		if len(evs) == cap(evs) || i == n-1 {
			if err := s.Write(context.Background(), evs); err != nil {
				_ = s.Close()
				b.Fatal(err)
			}
			evs = evs[:0]
		}
	}
	if err := s.Close(); err != nil {
		b.Fatal(err)
	}
	fmt.Fprintf(os.Stderr, "store/file benchmarks: %d events in %d partitions saved in %v\n", n, parts, time.Since(start).Round(time.Millisecond))
	return dir
}

// removePartitionedData removes the folders of partitionedData.
func removePartitionedData() {
	partMu.Lock()
	defer partMu.Unlock()
	for k, dir := range partDirs {
		_ = os.RemoveAll(dir)
		delete(partDirs, k)
	}
}

// BenchmarkPartitions measures Count and Query over 5,000 and 100,000
// events kept in 1, 100 and 1,000 partitions (user_id), with filters
// that do not name the partition key, so that every segment is read:
//   - Count of a source no event has: the cost of reading the lines,
//     none of which is decoded;
//   - Query of one operation over the last tenth of the time range, as
//     the benchmark query (workload.QueryFilter) without its user: about
//     one event in sixty of that tenth is decoded and returned.
//
// Allocation beyond what a query returns should not grow with the
// number of segments.
func BenchmarkPartitions(b *testing.B) {
	for _, n := range []int{5_000, 100_000} {
		for _, parts := range []int{1, 100, 1000} {
			since := workload.Start.Add(time.Duration(n-n/10) * workload.Step)
			b.Run(fmt.Sprintf("events=%d/parts=%d/op=Count", n, parts), func(b *testing.B) {
				s, err := Open(partitionedData(b, n, parts), Options{PartitionBy: "user_id"})
				if err != nil {
					b.Fatal(err)
				}
				defer s.Close()
				f := logger.Filter{Source: "nobody"}
				ctx := context.Background()
				b.ReportAllocs()
				b.ResetTimer()
				for range b.N {
					if got, err := s.Count(ctx, f); err != nil || got != 0 {
						b.Fatal(got, err)
					}
				}
			})
			b.Run(fmt.Sprintf("events=%d/parts=%d/op=Query", n, parts), func(b *testing.B) {
				s, err := Open(partitionedData(b, n, parts), Options{PartitionBy: "user_id"})
				if err != nil {
					b.Fatal(err)
				}
				defer s.Close()
				f := logger.Filter{Operation: logger.OpStore, Since: since}
				ctx := context.Background()
				got, err := s.Query(ctx, f)
				if err != nil || len(got) == 0 {
					b.Fatal(len(got), err)
				}
				b.ReportAllocs()
				b.ResetTimer()
				for range b.N {
					if _, err := s.Query(ctx, f); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(len(got)), "events/query")
			})
		}
	}
}
