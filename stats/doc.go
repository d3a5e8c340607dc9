// Package stats keeps the audit logger's running statistics: totals, counts
// by operation and by status, per-user counters, and a duration histogram
// for percentiles.
//
// Every update is O(1) (amortized: see below) and reading costs no walk
// over events: the numbers are kept, not computed. Percentiles come from
// a fixed-size [Histogram] with log-linear buckets (16 per power of two,
// so any reported percentile is within 1/32 of the true value, and exact
// when every sample is equal), never from stored samples.
//
// The per-user counters are bounded, however many distinct users the
// samples name: past a limit, the least active users without a recent
// sample are folded into the totals (see [UserLimit]), so that a stream
// of made-up names cannot grow them without end. The totals stay exact.
//
// The package knows nothing of events: the caller describes each one as a
// [Sample].
//
// # Concurrency
//
// Nothing here locks. The logger's writer goroutine changes the counters
// under its write lock; readers hold its read lock.
package stats
