package bench

import (
	"testing"

	"github.com/auditlog/auditlog/bench/compare"
)

// BenchmarkIngest measures sustained ingestion of -events events per op,
// until every one is applied and, where there is a file, written
// (events/s, and bytes per event on disk): auditlog in memory and with
// the journal, slog with lumberjack, SQLite. See compare.Ingesters.
func BenchmarkIngest(b *testing.B) {
	for _, in := range compare.Ingesters() {
		b.Run(in.Name, func(b *testing.B) { in.Bench(b, *eventsFlag) })
	}
}
