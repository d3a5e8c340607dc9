package stats_test

import (
	"strconv"
	"testing"

	"github.com/auditlog/auditlog/stats"
)

func benchSamples() []sample {
	ops := []op{"login", "logout", "read", "write", "delete", "create", "update", "admin"}
	sts := []status{"ok", "denied", "error", "timeout", "pending"}
	out := make([]sample, 1024)
	for i := range out {
		out[i] = sample{
			Operation: ops[i%len(ops)],
			Status:    sts[i%len(sts)],
			User:      "user-" + strconv.Itoa(i%100),
			UnixNano:  int64(i) * 1000,
			Duration:  int64(i%7) * 12345, // some zero
			Success:   i%5 == 0,
			Failure:   i%5 != 0,
		}
	}
	return out
}

func BenchmarkCountersAdd(b *testing.B) {
	samples := benchSamples()
	c := stats.NewCounters[op, status]()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		c.Add(samples[i%len(samples)])
		i++
	}
}

var summarySink stats.Summary[op, status]

func BenchmarkSummary(b *testing.B) {
	samples := benchSamples()
	c := stats.NewCounters[op, status]()
	for i := 0; i < 10_000; i++ {
		c.Add(samples[i%len(samples)])
	}
	b.ReportAllocs()
	for b.Loop() {
		summarySink = c.Summary()
	}
}
