package stats_test

import (
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/auditlog/auditlog/stats"
	"github.com/stretchr/testify/require"
)

func testSeed(t testing.TB) uint64 {
	t.Helper()
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("AUDITLOG_SEED"); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		require.NoError(t, err, "AUDITLOG_SEED must be an unsigned integer")
		seed = v
	}
	t.Logf("seed %d (replay with AUDITLOG_SEED=%d)", seed, seed)
	return seed
}

func quantiles(h *stats.Histogram, qs ...float64) []int64 {
	out := make([]int64, len(qs))
	h.Quantiles(qs, out)
	return out
}

func TestHistogramNoSamples(t *testing.T) {
	var h stats.Histogram
	require.Equal(t, int64(0), h.Count())
	out := []int64{7, 8, 9}
	h.Quantiles([]float64{0.5, 0.95, 0.99}, out)
	require.Equal(t, []int64{0, 0, 0}, out, "stale values are cleared")
}

func TestHistogramNearestRank(t *testing.T) {
	// Values below 32 have a bucket each, so these are exact.
	var h stats.Histogram
	for v := int64(10); v >= 1; v-- { // order does not matter
		h.Add(v)
	}
	require.Equal(t, int64(10), h.Count())
	tests := []struct {
		q    float64
		want int64
	}{
		{0.01, 1}, {0.1, 1}, {0.11, 2}, {0.5, 5}, {0.51, 6}, {0.9, 9}, {0.91, 10}, {0.95, 10}, {0.99, 10}, {1, 10},
	}
	for _, tt := range tests {
		t.Run(strconv.FormatFloat(tt.q, 'g', -1, 64), func(t *testing.T) {
			require.Equal(t, []int64{tt.want}, quantiles(&h, tt.q))
		})
	}
	t.Run("several at once", func(t *testing.T) {
		require.Equal(t, []int64{1, 5, 9, 10}, quantiles(&h, 0.1, 0.5, 0.9, 1))
	})
}

func TestHistogramAllEqualIsExact(t *testing.T) {
	qs := []float64{0.01, 0.5, 0.95, 0.99, 1}
	for _, v := range []int64{0, 1, 15, 16, 17, 33, 1000, 1023, 123_456_789, 1<<40 + 12345, math.MaxInt64 - 1, math.MaxInt64} {
		for _, n := range []int{1, 2, 7, 1000} {
			t.Run(strconv.FormatInt(v, 10)+"x"+strconv.Itoa(n), func(t *testing.T) {
				var h stats.Histogram
				for range n {
					h.Add(v)
				}
				require.Equal(t, int64(n), h.Count())
				for i, got := range quantiles(&h, qs...) {
					require.Equal(t, v, got, "q=%v", qs[i])
				}
			})
		}
	}
}

func TestHistogramNegativeCountsAsZero(t *testing.T) {
	var h stats.Histogram
	h.Add(-1)
	h.Add(math.MinInt64)
	require.Equal(t, int64(2), h.Count())
	require.Equal(t, []int64{0, 0}, quantiles(&h, 0.5, 1))

	h.Add(20)
	h.Add(21)
	require.Equal(t, int64(4), h.Count())
	require.Equal(t, []int64{0, 0, 20, 21}, quantiles(&h, 0.25, 0.5, 0.75, 1))
}

// exactRank is the 1-based nearest rank ⌈q·n⌉ of q = num/1000, in integers.
func exactRank(num, n int) int {
	return max((num*n+999)/1000, 1)
}

func TestHistogramQuantilesRandom(t *testing.T) {
	seed := testSeed(t)
	r := rand.New(rand.NewPCG(seed, 6))
	perMille := []int{1, 10, 100, 250, 500, 750, 900, 950, 990, 999, 1000}
	qs := make([]float64, len(perMille))
	for i, m := range perMille {
		qs[i] = float64(m) / 1000
	}

	dists := []struct {
		name string
		gen  func() int64
	}{
		{"small", func() int64 { return r.Int64N(100) }},
		{"uniform", func() int64 { return r.Int64N(1_000_000) }},
		{"log-uniform", func() int64 { return int64(math.Exp(r.Float64() * math.Log(1e12))) }},
		{"latency-like", func() int64 { return int64(r.ExpFloat64()*2e6) + 50_000 }},
		{"huge", func() int64 { return math.MaxInt64 - r.Int64N(math.MaxInt64/4) }},
		{"few distinct", func() int64 { return []int64{17, 1000, 1001, 5e9}[r.IntN(4)] }},
	}
	for _, d := range dists {
		t.Run(d.name, func(t *testing.T) {
			for iter := 0; iter < 40; iter++ {
				n := 1 + r.IntN(3000)
				samples := make([]int64, n)
				var h stats.Histogram
				for i := range samples {
					samples[i] = d.gen()
					h.Add(samples[i])
				}
				require.Equal(t, int64(n), h.Count())
				slices.Sort(samples)
				got := quantiles(&h, qs...)
				for i, m := range perMille {
					want := samples[exactRank(m, n)-1]
					diff := got[i] - want
					if diff < 0 {
						diff = -diff
					}
					// |got-want| ≤ want/32, in integers without overflow.
					require.LessOrEqual(t, diff, want/32,
						"n=%d q=%v: got %d, exact %d", n, qs[i], got[i], want)
					require.GreaterOrEqual(t, got[i], samples[0], "never below the smallest sample")
					require.LessOrEqual(t, got[i], samples[n-1], "never above the largest sample")
					if i > 0 {
						require.GreaterOrEqual(t, got[i], got[i-1], "quantiles ascend")
					}
				}
			}
		})
	}
}
