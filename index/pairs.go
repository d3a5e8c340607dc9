package index

import (
	"hash/maphash"
	"strings"
	"unsafe"
)

// Pairs indexes string keys carried by one record or a few (entry ids,
// resource ids, sessions, runs): for each key, the sequence numbers of the
// records that carry it.
//
// It is a list of segments, each covering a run of consecutive sequence
// numbers with a hash table of its own. A key carried by one record of a
// segment costs one slot holding that record's sequence number; a key
// carried by several gets [Postings]. New pairs go to the newest segment,
// whose table is small and stays in cache. Records that leave in the order
// they came (a ring) leave through [Pairs.Trim], which costs nothing per
// pair: a segment wholly below the trim point is dropped whole, and
// lookups skip what lies below it in the segment that straddles it. A
// lookup asks every segment, hashing the key once; there are a few dozen
// at most, as a segment grows with the index.
//
// Pairs answers point lookups only ([Pairs.AppendSeqs]); it keeps no
// order among keys.
//
// Make one with [NewPairs]. A Pairs is not safe for concurrent use: see
// the package documentation.
type Pairs struct {
	segs  []*pairSeg // ascending by lo
	n     int        // pairs held in segs, trimmed ones included
	floor uint64     // pairs with a lower seq are trimmed
	spare *pairSeg   // a dropped segment, whose table the next may reuse
	seed  maphash.Seed
	strs  strArena
}

// pairSeg holds the pairs whose seq is in [lo, the next segment's lo).
type pairSeg struct {
	lo, hi uint64   // the lowest and the highest seq added
	n      int      // pairs held
	t      strTable // key → seq, or many|i for lists[i]
	lists  []*Postings
	free   []uint64 // unused indexes in lists
}

const (
	// many marks a value of a segment's table as an index into its lists.
	// Sequence numbers stay below it.
	many = (maxTableVal + 1) / 2
	// A new segment's table has room for max(segMin, pairs held/segParts)
	// keys, rounded up to fill a power of two of slots; the segment takes
	// new pairs until its table would grow. So an index keeps about
	// segParts segments, or fewer when it is small.
	segMin   = 4096
	segParts = 16
)

// NewPairs returns an empty index.
func NewPairs() *Pairs {
	return &Pairs{seed: maphash.MakeSeed()}
}

func (x *Pairs) hash(key string) uint64 { return maphash.String(x.seed, key) }

// segKeys is how many keys a new segment's table should have room for.
func (x *Pairs) segKeys() int { return max(segMin, x.n/segParts) }

// seg returns the index of the segment that holds seq, or -1 when seq is
// below them all.
func (x *Pairs) seg(seq uint64) int {
	segs := x.segs
	if n := len(segs); n > 0 && seq >= segs[n-1].lo {
		return n - 1
	}
	lo, hi := 0, len(segs) // find the last segment with lo ≤ seq
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if segs[m].lo <= seq {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo - 1
}

// Add records that the record seq carries key and returns the index's own
// copy of key. Adding a pair twice indexes it once. An empty key, a seq
// below the trim point, or a seq of 2⁵⁵ or more is not indexed: Add
// returns "" and changes nothing.
func (x *Pairs) Add(key string, seq uint64) string {
	if key == "" || seq >= many || seq < x.floor {
		return ""
	}
	i := x.seg(seq)
	switch {
	case i < 0 && len(x.segs) > 0:
		i = 0 // older than every segment: the oldest takes it
		x.segs[0].lo = seq
	case i < 0 || i == len(x.segs)-1 && x.segs[i].t.full() && seq > x.segs[i].hi:
		// A new segment starts after the newest seq of the last one, so
		// that the pairs of one record stay together.
		x.segs = append(x.segs, x.newSeg(seq))
		i = len(x.segs) - 1
	}
	s := x.segs[i]
	h := x.hash(key)
	at := s.t.find(key, h)
	var own string
	if at < 0 {
		own = x.strs.clone(key)
		s.t.insert(own, h, seq)
	} else {
		switch v := s.t.at(at); {
		case v&many != 0:
			p := s.lists[v&^many]
			if !p.insert(seq) {
				return p.key
			}
			own = p.key
		case v == seq:
			return s.t.slots[at].key // the same pair again
		default:
			// A second record of the segment carries key: give it a list.
			p := &Postings{key: s.t.slots[at].key}
			p.push(min(v, seq))
			p.push(max(v, seq))
			var li uint64
			if n := len(s.free); n > 0 {
				li, s.free = s.free[n-1], s.free[:n-1]
				s.lists[li] = p
			} else {
				li = uint64(len(s.lists))
				s.lists = append(s.lists, p)
			}
			s.t.setAt(at, many|li)
			own = p.key
		}
	}
	s.hi = max(s.hi, seq)
	s.n++
	x.n++
	return own
}

// Remove deletes the pair and reports whether it was present (a pair below
// the trim point is not). Records that leave in the order they came should
// leave through [Pairs.Trim], which is cheaper.
func (x *Pairs) Remove(key string, seq uint64) bool {
	i := x.seg(seq)
	if key == "" || i < 0 || seq < x.floor {
		return false
	}
	s := x.segs[i]
	at := s.t.find(key, x.hash(key))
	if at < 0 {
		return false
	}
	switch v := s.t.at(at); {
	case v&many == 0:
		if v != seq {
			return false
		}
		s.t.delAt(at)
	default:
		li := v &^ many
		p := s.lists[li]
		if !p.remove(seq) {
			return false
		}
		if p.Len() == 1 {
			s.t.setAt(at, p.Seqs()[0])
			s.lists[li] = nil
			s.free = append(s.free, li)
		}
	}
	s.n--
	x.n--
	if s.n == 0 {
		x.drop(i)
	}
	return true
}

// Trim removes every pair whose seq is below seq. A segment wholly below
// it is dropped; the pairs below it in the segment that straddles it stay
// in memory until that segment is dropped in turn, and lookups skip them.
func (x *Pairs) Trim(seq uint64) {
	if seq <= x.floor {
		return
	}
	x.floor = seq
	for len(x.segs) > 0 && x.segs[0].hi < seq {
		x.drop(0)
	}
}

// newSeg returns an empty segment starting at seq: the spare one when its
// table is large enough, so that a ring at its steady size allocates no
// tables, else a new one.
func (x *Pairs) newSeg(seq uint64) *pairSeg {
	keys := x.segKeys()
	if s := x.spare; s != nil && s.t.roomFor(keys) {
		x.spare = nil
		clear(s.t.slots)
		clear(s.lists)
		*s = pairSeg{lo: seq, hi: seq, t: strTable{slots: s.t.slots, hash: x.hash}, lists: s.lists[:0], free: s.free[:0]}
		return s
	}
	return &pairSeg{lo: seq, hi: seq, t: sized(keys, x.hash)}
}

// drop removes segment i.
func (x *Pairs) drop(i int) {
	s := x.segs[i]
	x.n -= s.n
	if x.spare == nil || len(s.t.slots) > len(x.spare.t.slots) {
		x.spare = s // its table may serve the next segment
	}
	x.segs[i] = nil
	if i == 0 {
		x.segs = x.segs[1:]
	} else {
		x.segs = append(x.segs[:i], x.segs[i+1:]...)
	}
}

// AppendSeqs appends the seqs that carry key to dst, ascending.
func (x *Pairs) AppendSeqs(dst []uint64, key string) []uint64 {
	if key == "" || len(x.segs) == 0 {
		return dst
	}
	h := x.hash(key)
	for _, s := range x.segs {
		v, ok := s.t.get(key, h)
		switch {
		case !ok:
		case v&many == 0:
			if v >= x.floor {
				dst = append(dst, v)
			}
		default:
			seqs := s.lists[v&^many].Seqs()
			i, _ := Seek(seqs, 0, x.floor)
			dst = append(dst, seqs[i:]...)
		}
	}
	return dst
}

// strArena copies strings into shared chunks: one allocation per chunk
// rather than one per string. Pairs leave roughly in the order they came,
// so a chunk is freed soon after its last key goes; a key that stays keeps
// its chunk alive, which bounds the waste to one chunk per such key.
type strArena struct {
	buf []byte
}

const (
	strChunk = 16 << 10
	strLarge = strChunk / 16 // longer keys get an allocation of their own
)

// clone returns a copy of s, which must not be empty, that shares no
// memory with s.
func (a *strArena) clone(s string) string {
	if len(s) > strLarge {
		return strings.Clone(s)
	}
	if cap(a.buf)-len(a.buf) < len(s) {
		a.buf = make([]byte, 0, strChunk)
	}
	n := len(a.buf)
	a.buf = append(a.buf, s...)
	return unsafe.String(&a.buf[n], len(s))
}
