package index

import (
	"strings"

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
	own := strings.Clone(key)
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
