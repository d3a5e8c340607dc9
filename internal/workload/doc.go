// Package workload generates the benchmark workload shared by the
// library's benchmarks and the comparison module in bench/: the same
// events, from a fixed seed, for every contender.
//
// The mix: 1,000 users, the six memory operations, 90% SUCCESS, 8%
// FAILURE, 2% PARTIAL, two entry ids, a metadata map of two or three
// small values, and a duration between 1 and 50 ms. Event i is dated
// Start + i µs, so a million events span one second.
package workload
