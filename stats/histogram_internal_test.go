package stats

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// bucketValues are the values TestBucketOf maps: small ones, every power of
// two and its neighbours, the extremes.
func bucketValues() []int64 {
	var vs []int64
	for v := int64(0); v <= 40; v++ {
		vs = append(vs, v)
	}
	for e := 1; e < 63; e++ {
		p := int64(1) << e
		vs = append(vs, p-1, p, p+1)
	}
	vs = append(vs, 1000, 999_999, 1_000_000, 1_000_001, math.MaxInt64/2, math.MaxInt64-1, math.MaxInt64)
	r := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		vs = append(vs, r.Int64N(math.MaxInt64)>>r.IntN(63))
	}
	return vs
}

func TestBucketOfContainsValue(t *testing.T) {
	for _, v := range bucketValues() {
		b := bucketOf(v)
		require.GreaterOrEqual(t, b, 0, "v=%d", v)
		require.Less(t, b, numBuckets, "v=%d", v)
		lo, hi := bucketRange(b)
		require.LessOrEqual(t, lo, v, "v=%d bucket %d [%d, %d]", v, b, lo, hi)
		require.GreaterOrEqual(t, hi, v, "v=%d bucket %d [%d, %d]", v, b, lo, hi)
	}
}

func TestBucketOfTable(t *testing.T) {
	tests := []struct {
		v      int64
		lo, hi int64
	}{
		{0, 0, 0},
		{1, 1, 1},
		{15, 15, 15},
		{16, 16, 16},
		{17, 17, 17},
		{31, 31, 31},
		{32, 32, 33},
		{33, 32, 33},
		{34, 34, 35},
		{63, 62, 63},
		{64, 64, 67},
		{1000, 992, 1023},
		{1024, 1024, 1087},
		{math.MaxInt64, math.MaxInt64 - (1<<58 - 1), math.MaxInt64},
	}
	for _, tt := range tests {
		t.Run("", func(t *testing.T) {
			lo, hi := bucketRange(bucketOf(tt.v))
			require.Equal(t, tt.lo, lo, "v=%d", tt.v)
			require.Equal(t, tt.hi, hi, "v=%d", tt.v)
		})
	}
}

// TestBucketsTile checks the buckets in use cover [0, MaxInt64] without gap
// or overlap, each narrow enough for the 1/32 error bound, and that
// bucketOf maps both ends of every bucket back to it.
func TestBucketsTile(t *testing.T) {
	last := bucketOf(math.MaxInt64)
	require.Less(t, last, numBuckets)
	next := int64(0)
	for b := 0; b <= last; b++ {
		lo, hi := bucketRange(b)
		require.Equal(t, next, lo, "bucket %d starts where bucket %d ended", b, b-1)
		require.LessOrEqual(t, lo, hi, "bucket %d", b)
		if lo >= subBuckets {
			// width ≤ lo/16: the middle is within lo/32 of any value in it.
			require.LessOrEqual(t, hi-lo+1, lo/subBuckets, "bucket %d [%d, %d] too wide", b, lo, hi)
		} else {
			require.Equal(t, lo, hi, "small values are exact")
		}
		require.Equal(t, b, bucketOf(lo), "bucket %d low end", b)
		require.Equal(t, b, bucketOf(hi), "bucket %d high end", b)
		if b == last {
			require.Equal(t, int64(math.MaxInt64), hi)
		} else {
			next = hi + 1
		}
	}
}
