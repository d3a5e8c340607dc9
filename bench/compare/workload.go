package compare

import (
	"sync"

	"github.com/auditlog/auditlog/internal/workload"
	"github.com/auditlog/auditlog/logger"
)

// Seed is the workload's seed: the one the library's own benchmarks use.
const Seed = 42

var gen = sync.OnceValue(func() *workload.Gen { return workload.New(Seed) })

// Event returns event i of the workload. It allocates nothing: the
// strings, slices and maps come from pools built on the first call.
func Event(i int) logger.Event { return gen().Event(i) }

// Events returns the first n events of the workload.
func Events(n int) []logger.Event {
	events := make([]logger.Event, n)
	for i := range events {
		events[i] = Event(i)
	}
	return events
}

// QueryFilter returns the benchmark query over the first n events: one
// user, STORE, and the last 10% of their time range. The user is
// user-0007, as in the library's own benchmark (about 17 matches at
// 1,000,000 events); when that user has no match, as with a few thousand
// events, it is the user of the newest STORE event, so that the query
// always returns something.
func QueryFilter(n int) logger.Filter {
	f := workload.QueryFilter(gen(), n)
	var newest string
	for i := n - n/10; i < n; i++ {
		ev := Event(i)
		if ev.Operation != f.Operation {
			continue
		}
		if ev.UserID == f.UserID {
			return f
		}
		newest = ev.UserID
	}
	if newest != "" {
		f.UserID = newest
	}
	return f
}
