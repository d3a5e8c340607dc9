package compare

import (
	"context"
	"errors"
	"runtime"

	"github.com/auditlog/auditlog/logger"
)

// HeapPerEvent returns the live heap, in bytes per event, that a logger
// holds with the first n events of the workload in a ring of n: ring,
// indexes, encoded fields and statistics. It measures as the library's
// BenchmarkMemory does: runtime.GC and the heap in use before the logger
// is made and after it is filled, the logger kept alive in between. The
// workload's pools (users, entry ids, metadata maps) exist before, as a
// program's own strings would.
func HeapPerEvent(n int) (float64, error) {
	Event(0) // build the workload's pools before measuring
	ctx := context.Background()
	batch := make([]logger.Event, 1000)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	l, err := logger.New(logger.Options{MaxEvents: n})
	if err != nil {
		return 0, err
	}
	for i := 0; i < n; i += len(batch) {
		b := batch[:min(len(batch), n-i)]
		for j := range b {
			b[j] = Event(i + j)
		}
		if err := l.LogBatch(ctx, b); err != nil {
			return 0, errors.Join(err, l.Close())
		}
	}
	if err := l.Flush(ctx); err != nil {
		return 0, errors.Join(err, l.Close())
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(l)
	runtime.KeepAlive(batch)
	per := (float64(after.HeapAlloc) - float64(before.HeapAlloc)) / float64(n)
	return per, l.Close()
}
