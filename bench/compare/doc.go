// Package compare holds the contenders of the side-by-side comparison of
// auditlog with what its users would pick instead: log/slog, zap and
// zerolog writing JSON lines to a lumberjack file, and SQLite
// (modernc.org/sqlite) as a store. The benchmarks of package bench and
// the runner in cmd/compare share this code, so that both time the same
// work.
//
// # Workload
//
// Every contender takes the events of the library's own benchmark
// workload (internal/workload, seed [Seed]): 1,000 users, the six memory
// operations, 90% SUCCESS, 8% FAILURE, 2% PARTIAL, two entry ids, a
// metadata map of two or three small values and a duration, one event per
// microsecond of event time. [Event] and [Events] return them.
//
// # Measures
//
//   - Caller cost ([Callers]): what one call that records an event costs
//     the goroutine making it. auditlog's [logger.Logger.Log] only queues
//     the event (the writer goroutine does the rest); the peers encode and
//     write it before returning.
//   - Ingestion ([Ingesters]): n events from the first call until every
//     one is applied and, where there is a file, written.
//   - Query ([Dataset.Queriers]): one user, one operation and the last 10%
//     of the time range ([QueryFilter]), answered by [logger.Logger.Query],
//     a linear scan, SQLite and a read-back of the slog file. All return
//     the same events ([SameEvents]).
//   - Statistics ([Dataset.StatsSources]): total, by operation, by
//     status, success rate and average duration ([Figures]), from
//     [logger.Logger.Statistics] and from SQL aggregates.
//   - Memory ([HeapPerEvent]): live heap per event held in memory, beside
//     the SQLite file size per event ([Ingested.DiskBytes]).
//
// # Contenders and benchmarks
//
// A contender runs either as a benchmark function (its Bench method, for
// go test -bench) or measured at once (its Measure method, which uses
// testing.Benchmark and keeps the error a failing run gives).
package compare
