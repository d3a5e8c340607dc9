package stats_test

import (
	"fmt"
	"time"

	"github.com/auditlog/auditlog/stats"
)

func ExampleCounters() {
	type operation string
	type outcome string

	c := stats.NewCounters[operation, outcome]()
	c.Add(stats.Sample[operation, outcome]{Operation: "login", Status: "ok", User: "alice", UnixNano: 10, Duration: int64(2 * time.Millisecond), Success: true})
	c.Add(stats.Sample[operation, outcome]{Operation: "read", Status: "ok", User: "alice", UnixNano: 20, Duration: int64(4 * time.Millisecond), Success: true})
	c.Add(stats.Sample[operation, outcome]{Operation: "read", Status: "denied", User: "bob", UnixNano: 30, Failure: true})

	// Percentiles come from the histogram: P99 is the middle of the bucket
	// holding 4ms, within 1/32 of it.
	s := c.Summary()
	fmt.Println("total", s.Total, "success", s.Success)
	fmt.Println("durations", s.DurationCount, time.Duration(s.DurationSum), "p50", time.Duration(s.P50), "p99", time.Duration(s.P99))
	fmt.Println(s.ByOperation, s.ByStatus)

	u, ok := c.User("alice")
	fmt.Println(ok, u.Total, u.Failures, u.LastUnixNano, u.ByOperation)
	_, ok = c.User("carol")
	fmt.Println(ok, c.Users())
	// Output:
	// total 3 success 2
	// durations 2 6ms p50 2ms p99 3.997695ms
	// map[login:1 read:2] map[denied:1 ok:2]
	// true 2 0 20 map[login:1 read:1]
	// false 2
}

func ExampleHistogram() {
	var h stats.Histogram
	for v := int64(1); v <= 100; v++ {
		h.Add(v)
	}
	// Values below 32 are exact; above, each is the middle of its bucket:
	// the 90th value lies in [88, 91], reported as 89.
	out := make([]int64, 3)
	h.Quantiles([]float64{0.5, 0.9, 1}, out)
	fmt.Println(h.Count(), out)
	// Output:
	// 100 [50 89 100]
}
