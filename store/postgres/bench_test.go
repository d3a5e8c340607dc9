//go:build postgres

package postgres_test

import (
	"testing"

	"github.com/auditlog/auditlog/store/storetest"
)

// Benchmarks of the store on the workload of internal/workload, as
// store/sqlite's of the same names, so that the figures compare: run both
// on one machine,
//
//	go test -tags postgres -run '^$' -bench 'Write|Ingest' ./store/postgres/
//	go test -run '^$' -bench 'Write/NORMAL|Ingest' ./store/sqlite/

// BenchmarkWrite writes the workload in batches of 512 events, as the
// logger's writer hands them over, to a new table: ns/op is per event,
// and events/s the throughput.
func BenchmarkWrite(b *testing.B) {
	s := openSchema(b, "bench_write")
	storetest.Write(b, s)
}

// BenchmarkIngestWithLogger measures events/s through the logger into
// the store, as store/sqlite's and store/file's benchmarks of the same
// name: Log until FlushSinks says the store took the events.
func BenchmarkIngestWithLogger(b *testing.B) {
	storetest.Ingest(b, openSchema(b, "bench_ingest"))
}
