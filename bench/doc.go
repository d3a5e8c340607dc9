// Package bench compares auditlog side by side with what its users would
// pick instead: log/slog, zap and zerolog writing JSON lines to a
// lumberjack file, and SQLite (modernc.org/sqlite). It is a module of its
// own, so that the peers never enter the library's go.mod.
//
// This package holds only benchmarks, one file per measure: caller cost
// (BenchmarkCaller), ingestion (BenchmarkIngest), query (BenchmarkQuery),
// statistics (BenchmarkStatistics) and memory (BenchmarkMemory). The
// contenders themselves are in package compare, which the runner in
// cmd/compare shares.
//
// # Running
//
//	cd bench
//	go test -run XXX -bench . -benchmem              # 1,000,000 events
//	go test -run XXX -bench Query -args -events 100000
//	go run ./cmd/compare                             # every measure, interleaved, into ../BENCHMARKS.md
//
// The -events flag (default 1,000,000) sets the size of the ingestion
// runs and of the dataset behind the query, statistics and memory
// benchmarks; CI passes a small one.
package bench
