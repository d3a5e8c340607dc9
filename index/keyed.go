package index

import (
	"slices"
	"strings"

	"github.com/tidwall/btree"
)

// Keyed maps string keys to their [Postings], ordered by key in a B-tree.
// It suits fields with few distinct values and many records each (users,
// operations, statuses): one lookup, then an O(1) append or trim. Point
// lookups go through a hash map beside the tree, which costs a pointer per
// key and saves the string comparisons of a tree descent; the tree serves
// ordered walks.
// For fields where most keys are carried by one record, [Pairs] costs
// less.
//
// The zero value is an empty index ready to use. A Keyed is not safe for
// concurrent use: see the package documentation.
type Keyed struct {
	tree   btree.Map[string, *Postings]
	byName map[string]*Postings // the same postings, for point lookups
	few    []*Postings          // the same again while there are at most fewKeys keys
	many   bool                 // there were ever more than fewKeys keys: few is unused
	refs   int
}

// fewKeys is how many keys Keyed looks up by a scan rather than by hashing:
// operations and statuses, which come as the same strings each time, so
// that most comparisons end at the pointer.
const fewKeys = 8

// lookup returns the postings of key, nil when no record carries it.
func (k *Keyed) lookup(key string) *Postings {
	if !k.many {
		for _, p := range k.few {
			if p.key == key {
				return p
			}
		}
		return nil
	}
	return k.byName[key]
}

// Add records that the record seq carries key, and returns the postings of
// key, whose Key is the index's own copy of key (see Interning in the
// package documentation). A caller that keeps the postings can later
// remove seq with [Keyed.RemoveFrom], without a lookup. seq should be
// greater than every seq already added under key; an older seq is put in
// its place all the same, at a cost. Adding a pair twice indexes it once.
// An empty key is not indexed: Add returns nil and changes nothing.
func (k *Keyed) Add(key string, seq uint64) *Postings {
	if key == "" {
		return nil
	}
	if p := k.lookup(key); p != nil {
		seqs := p.Seqs()
		n := len(seqs)
		switch {
		case n > 0 && seqs[n-1] == seq:
			// The record carries key twice: index it once.
		case n > 0 && seqs[n-1] > seq:
			if p.insert(seq) {
				k.refs++
			}
		default:
			p.push(seq)
			k.refs++
		}
		return p
	}
	p := &Postings{key: strings.Clone(key)}
	p.push(seq)
	k.tree.Set(p.key, p)
	if k.byName == nil {
		k.byName = make(map[string]*Postings)
	}
	k.byName[p.key] = p
	if !k.many {
		k.few = append(k.few, p)
		if len(k.few) > fewKeys {
			k.few, k.many = nil, true
		}
	}
	k.refs++
	return p
}

// Remove deletes seq from the postings of key, and the key itself when no
// record carries it any more. It is O(1) after the tree lookup when seq
// is the oldest record carrying key. It reports whether the pair was
// present.
func (k *Keyed) Remove(key string, seq uint64) bool {
	if key == "" {
		return false
	}
	return k.RemoveFrom(k.lookup(key), seq)
}

// RemoveFrom is Remove for a caller that holds the postings Add returned:
// when seq is the oldest record carrying the key, it costs no lookup. p
// may be nil (an empty key), and then RemoveFrom does nothing.
func (k *Keyed) RemoveFrom(p *Postings, seq uint64) bool {
	if p == nil || !p.remove(seq) {
		return false
	}
	k.refs--
	if p.Len() == 0 {
		k.tree.Delete(p.key)
		delete(k.byName, p.key)
		if i := slices.Index(k.few, p); i >= 0 {
			k.few = slices.Delete(k.few, i, i+1)
		}
	}
	return true
}

// Get returns the postings of key, nil when no record carries it.
func (k *Keyed) Get(key string) *Postings {
	return k.lookup(key)
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
