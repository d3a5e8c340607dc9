package stats_test

import (
	"runtime"
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

// BenchmarkCountersAddDistinct gives every sample a new user, as a flood
// of guessed names would: the cost of Add with the folds it triggers
// (MaxUsers 10,000, Recent 10,000, as a logger with the defaults).
func BenchmarkCountersAddDistinct(b *testing.B) {
	c := stats.NewCountersWithLimit[op, status](stats.UserLimit{Recent: 10_000})
	ids := make([]string, 1<<20)
	for i := range ids {
		ids[i] = "guess-" + strconv.Itoa(i)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		c.Add(sample{Operation: "login", Status: "denied", User: ids[i%len(ids)], Failure: true})
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

var countersSink *stats.Counters[op, status]

// BenchmarkUserMemory reports the heap each tracked user costs the
// counters (bytes/user), the id's own bytes aside: 10,000 distinct users,
// each with samples of 1 or 4 operations.
func BenchmarkUserMemory(b *testing.B) {
	const users = stats.DefaultMaxUsers
	ops := []op{"login", "read", "update", "logout"}
	ids := make([]string, users)
	for i := range ids {
		ids[i] = "user-" + strconv.Itoa(i)
	}
	for _, nops := range []int{1, 4} {
		b.Run(strconv.Itoa(nops)+"ops", func(b *testing.B) {
			var grown uint64
			for b.Loop() {
				before := heapAlloc()
				c := stats.NewCounters[op, status]()
				for _, id := range ids {
					for _, o := range ops[:nops] {
						c.Add(sample{User: id, Operation: o, Status: "ok", Success: true})
					}
				}
				countersSink = c
				grown += heapAlloc() - before
				countersSink = nil
			}
			b.ReportMetric(float64(grown)/float64(b.N)/users, "bytes/user")
		})
	}
}

func heapAlloc() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
