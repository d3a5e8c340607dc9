package stats

import "hash/maphash"

// foldedBits is the size of the filter of folded users: 128 KiB, made at
// the first fold.
const foldedBits = 1 << 20

// foldedSet remembers the ids of folded users in a Bloom filter of fixed
// size, three bits per id. It never forgets an id; it may claim one it
// was never given: about once in 40,000 after 10,000 ids, once in 65
// after 100,000, twice in three after 700,000.
type foldedSet struct {
	bits []uint64
	seed maphash.Seed
}

func (s *foldedSet) add(id string) {
	if s.bits == nil {
		s.bits = make([]uint64, foldedBits/64)
		s.seed = maphash.MakeSeed()
	}
	h := maphash.String(s.seed, id)
	for range 3 {
		b := h & (foldedBits - 1)
		s.bits[b/64] |= 1 << (b % 64)
		h >>= 20
	}
}

func (s *foldedSet) has(id string) bool {
	if s.bits == nil {
		return false
	}
	h := maphash.String(s.seed, id)
	for range 3 {
		b := h & (foldedBits - 1)
		if s.bits[b/64]&(1<<(b%64)) == 0 {
			return false
		}
		h >>= 20
	}
	return true
}
