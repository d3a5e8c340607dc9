package index

import (
	"strings"

	"github.com/tidwall/btree"
)

// Keyed maps string keys to their [Postings], ordered by key in a B-tree.
//
// The zero value is an empty index ready to use. A Keyed is not safe for
// concurrent use: see the package documentation.
type Keyed struct {
	tree btree.Map[string, *Postings]
	refs int
}

// Add records that the record seq carries key, and returns the index's own
// copy of key (see Interning in the package documentation). seq must be
// greater than every seq already added under key. An empty key is not
// indexed: Add returns "" and changes nothing.
func (k *Keyed) Add(key string, seq uint64) string {
	if key == "" {
		return ""
	}
	if p, ok := k.tree.GetMut(key); ok {
		n := len(p.seqs)
		if n > 0 && p.seqs[n-1] == seq {
			return p.key // the record carries key twice: index it once
		}
		if n > 0 && p.seqs[n-1] > seq {
			// Out of order: keep the list sorted all the same.
			if p.insert(seq) {
				k.refs++
			}
		} else {
			p.push(seq)
			k.refs++
		}
		return p.key
	}
	k.refs++
	own := strings.Clone(key)
	p := &Postings{key: own}
	p.push(seq)
	k.tree.Set(own, p)
	return own
}

// Remove deletes seq from the postings of key, and the key itself when no
// record carries it any more. It is O(1) when seq is the oldest record
// carrying key. It reports whether the pair was present.
func (k *Keyed) Remove(key string, seq uint64) bool {
	if key == "" {
		return false
	}
	p, ok := k.tree.GetMut(key)
	if !ok || !p.remove(seq) {
		return false
	}
	k.refs--
	if len(p.seqs) == 0 {
		k.tree.Delete(key)
	}
	return true
}

// Get returns the postings of key, nil when no record carries it.
func (k *Keyed) Get(key string) *Postings {
	p, _ := k.tree.Get(key)
	return p
}

// Keys reports how many distinct keys the index holds.
func (k *Keyed) Keys() int { return k.tree.Len() }

// Refs reports how many (key, seq) pairs the index holds.
func (k *Keyed) Refs() int { return k.refs }

// Ascend calls fn for every key from pivot on, in key order, until fn
// returns false.
func (k *Keyed) Ascend(pivot string, fn func(key string, p *Postings) bool) {
	k.tree.Ascend(pivot, fn)
}
