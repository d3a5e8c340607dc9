package bench

import (
	"testing"

	"github.com/auditlog/auditlog/bench/compare"
	"github.com/auditlog/auditlog/logger"
)

// BenchmarkQuery measures the benchmark query (one user, STORE, the last
// 10% of the time range of -events events), each contender returning
// the same events: Logger.Query, a linear scan, SQLite through its
// (user_id, time) index, and the slog files read back with a pre-filter;
// plus, as slog-file-naive, the read-back decoding every line. See
// compare.Dataset.Queriers.
func BenchmarkQuery(b *testing.B) {
	d := dataset(b)
	f := compare.QueryFilter(len(d.Events))
	for _, q := range d.Queriers() {
		b.Run(q.Name, func(b *testing.B) { q.Bench(b, f) })
	}
	naive := compare.Querier{Name: "slog-file-naive", Query: func(f logger.Filter) ([]logger.Event, error) {
		return compare.ReadSlogNaive(d.SlogDir, f)
	}}
	b.Run(naive.Name, func(b *testing.B) { naive.Bench(b, f) })
}
