package index

import (
	"slices"
	"sort"
)

// Seek returns the first position i ≥ from with seqs[i] ≥ seq, and whether
// seqs[i] == seq. It gallops: the cost grows with the log of the distance
// from from, not with the length of the list, so walking a list forward
// with Seek is cheap. seqs must be ascending.
func Seek(seqs []uint64, from int, seq uint64) (int, bool) {
	n := len(seqs)
	if from >= n {
		return n, false
	}
	if seqs[from] >= seq {
		return from, seqs[from] == seq
	}
	// seqs[lo] < seq; find hi with seqs[hi] >= seq by doubling steps.
	lo, step := from, 1
	hi := lo + step
	for hi < n && seqs[hi] < seq {
		lo = hi
		step <<= 1
		hi = lo + step
	}
	if hi > n {
		hi = n
	}
	// Binary search in (lo, hi].
	i := lo + 1 + sort.Search(hi-lo-1, func(k int) bool { return seqs[lo+1+k] >= seq })
	return i, i < n && seqs[i] == seq
}

// Between returns the part of seqs that lies in [lo, hi], sharing its
// memory. seqs must be ascending.
func Between(seqs []uint64, lo, hi uint64) []uint64 {
	if lo > hi {
		return nil
	}
	i, _ := Seek(seqs, 0, lo)
	j := i + sort.Search(len(seqs)-i, func(k int) bool { return seqs[i+k] > hi })
	return seqs[i:j]
}

// Union merges ascending lists into one ascending list without
// duplicates. With one list it returns that list itself.
func Union(lists ...[]uint64) []uint64 {
	switch len(lists) {
	case 0:
		return nil
	case 1:
		return lists[0]
	}
	n := 0
	for _, l := range lists {
		n += len(l)
	}
	out := make([]uint64, 0, n)
	for _, l := range lists {
		out = append(out, l...)
	}
	return SortUnique(out)
}

// SortUnique sorts seqs in place, drops duplicates, and returns the
// shortened slice.
func SortUnique(seqs []uint64) []uint64 {
	slices.Sort(seqs)
	return slices.Compact(seqs)
}
