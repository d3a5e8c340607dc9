// Command compare runs every contender of package compare side by side
// and writes one table of the results into BENCHMARKS.md.
//
//	cd bench && go run ./cmd/compare [-events 1000000] [-rounds 5] [-nowrite] [-out ../BENCHMARKS.md]
//
// # Method
//
// The contenders run interleaved: round 1 runs every contender of a
// measure once in turn, then round 2, and so on, each round starting one
// contender further along the list. On a shared, noisy machine the noise
// then falls on every contender alike. The table gives, for each
// contender, the median over the rounds and the range; each ratio
// against auditlog is computed within a round, and its median taken.
//
// It runs in two passes. The first (caller cost, ingestion, live heap)
// runs with a small heap, as a program logging would; the second (query,
// statistics) needs the dataset of -events events held in every form
// (a slice, a logger, a SQLite database, the slog files), built once
// after the first pass and checked first: every query contender must
// return the same events and both statistics the same figures, or the
// command stops.
//
// Per-call costs (caller cost, query, statistics) come from
// testing.Benchmark (one second each); ingestion and memory are one run
// per round.
//
// # Output
//
// The table goes to standard output and, unless -nowrite, into the file
// named by -out between the lines <!-- compare:begin --> and
// <!-- compare:end -->, with the machine (cores, CPU model, memory, Go
// version, OS and architecture), the date and the command.
package main
