package compare

import (
	"errors"
	"testing"
)

// errNoRun is returned by measure when a benchmark failed without saying
// why.
var errNoRun = errors.New("compare: the benchmark did not run")

// measure runs fn with testing.Benchmark and returns its result, or the
// error that stopped it (testing.Benchmark alone drops the message).
func measure(fn func(b *testing.B) error) (testing.BenchmarkResult, error) {
	var err error
	r := testing.Benchmark(func(b *testing.B) {
		if e := fn(b); e != nil {
			err = e
			b.FailNow()
		}
	})
	if err == nil && r.N == 0 {
		err = errNoRun
	}
	return r, err
}

// bench runs fn as a benchmark, failing b with its error.
func bench(b *testing.B, fn func(b *testing.B) error) {
	b.Helper()
	if err := fn(b); err != nil {
		b.Fatal(err)
	}
}

// NsPerOp is r's time per op in nanoseconds, without rounding.
func NsPerOp(r testing.BenchmarkResult) float64 {
	if r.N == 0 {
		return 0
	}
	return float64(r.T.Nanoseconds()) / float64(r.N)
}
