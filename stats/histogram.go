package stats

import "math/bits"

const (
	subBits    = 4
	subBuckets = 1 << subBits // buckets per power of two
	// numBuckets covers every non-negative int64: values below subBuckets
	// have a bucket each, then subBuckets per power of two up to 2^63.
	numBuckets = subBuckets * (64 - subBits + 1)
)

// Histogram counts non-negative int64 samples (durations in nanoseconds)
// in log-linear buckets. Its size is fixed, whatever the number of
// samples. The zero value is empty and ready to use.
type Histogram struct {
	counts   [numBuckets]int64
	n        int64
	min, max int64
	lo, hi   int // lowest and highest bucket in use
}

func bucketOf(v int64) int {
	if v < subBuckets {
		return int(v)
	}
	u := uint64(v)
	exp := bits.Len64(u) - subBits - 1 // shift that leaves subBits+1 bits
	return subBuckets*(exp+1) + int((u>>uint(exp))&(subBuckets-1))
}

// bucketRange returns the smallest and largest value that fall in bucket b.
func bucketRange(b int) (lo, hi int64) {
	if b < subBuckets {
		return int64(b), int64(b)
	}
	exp := b/subBuckets - 1
	sub := uint64(b % subBuckets)
	l := (subBuckets | sub) << uint(exp)
	h := l + (1 << uint(exp)) - 1
	return int64(l), int64(h)
}

// Add counts v; a negative v counts as 0.
func (h *Histogram) Add(v int64) {
	if v < 0 {
		v = 0
	}
	b := bucketOf(v)
	if h.n == 0 {
		h.min, h.max, h.lo, h.hi = v, v, b, b
	} else {
		h.min, h.max = min(h.min, v), max(h.max, v)
		h.lo, h.hi = min(h.lo, b), max(h.hi, b)
	}
	h.counts[b]++
	h.n++
}

// Count reports how many samples were added.
func (h *Histogram) Count() int64 { return h.n }

// Quantiles fills out[i] with the qs[i] quantile (0 < q ≤ 1) by nearest
// rank, in one pass over the buckets in use. qs must be ascending. Each
// value is the middle of its bucket, clamped to the smallest and largest
// sample, so it is exact when every sample is equal. With no samples, every
// value is 0.
func (h *Histogram) Quantiles(qs []float64, out []int64) {
	if h.n == 0 {
		clear(out[:len(qs)])
		return
	}
	var cum int64
	qi := 0
	for b := h.lo; b <= h.hi && qi < len(qs); b++ {
		cum += h.counts[b]
		for qi < len(qs) && cum >= rank(qs[qi], h.n) {
			lo, hi := bucketRange(b)
			out[qi] = min(max(lo+(hi-lo)/2, h.min), h.max)
			qi++
		}
	}
	for ; qi < len(qs); qi++ {
		out[qi] = h.max
	}
}

// rank is the 1-based nearest rank of quantile q among n samples.
func rank(q float64, n int64) int64 {
	r := int64(q*float64(n) + 0.9999999)
	return min(max(r, 1), n)
}
