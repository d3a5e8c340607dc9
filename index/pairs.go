package index

import (
	"strings"
	"unsafe"

	"github.com/tidwall/btree"
)

// Pairs indexes string keys by storing every (key, seq) pair in one
// B-tree ordered by key, then seq. It suits fields where most keys are
// carried by one record or a few (entry ids, resource ids, sessions,
// runs): adding or removing a pair is one tree operation and one
// allocation-free item, where [Keyed] would need a lookup, a list and an
// insert. Keys that grow in time (sequential or time-ordered ids) are
// inserted at the tree's right edge and evicted at its left, so the paths
// in use stay in cache.
//
// Make one with [NewPairs]. A Pairs is not safe for concurrent use: see
// the package documentation.
type Pairs struct {
	tree            *btree.BTreeG[pair]
	addHint, rmHint btree.PathHint // where the last add and the last remove went
	strs            strArena
}

type pair struct {
	key string
	seq uint64
}

func lessPair(a, b pair) bool {
	if a.key != b.key {
		return a.key < b.key
	}
	return a.seq < b.seq
}

// NewPairs returns an empty index.
func NewPairs() *Pairs {
	return &Pairs{tree: btree.NewBTreeGOptions(lessPair, btree.Options{NoLocks: true})}
}

// Add records that the record seq carries key and returns the index's own
// copy of key. Adding a pair twice indexes it once. An empty key is not
// indexed: Add returns "" and changes nothing.
func (x *Pairs) Add(key string, seq uint64) string {
	if key == "" {
		return ""
	}
	own := x.strs.clone(key)
	x.tree.SetHint(pair{own, seq}, &x.addHint)
	return own
}

// Remove deletes the pair and reports whether it was present.
func (x *Pairs) Remove(key string, seq uint64) bool {
	if key == "" {
		return false
	}
	_, ok := x.tree.DeleteHint(pair{key, seq}, &x.rmHint)
	return ok
}

// AppendSeqs appends the seqs that carry key to dst, ascending.
func (x *Pairs) AppendSeqs(dst []uint64, key string) []uint64 {
	if key == "" {
		return dst
	}
	x.tree.Ascend(pair{key: key}, func(p pair) bool {
		if p.key != key {
			return false
		}
		dst = append(dst, p.seq)
		return true
	})
	return dst
}

// Len reports how many pairs the index holds.
func (x *Pairs) Len() int { return x.tree.Len() }

// strArena copies strings into shared chunks: one allocation per chunk
// rather than one per string. Pairs are removed roughly in the order they
// came, so a chunk is freed soon after its last key goes; a key that stays
// keeps its chunk alive, which bounds the waste to one chunk per such key.
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
