package index

import "github.com/tidwall/btree"

// Ordered maps int64 keys (a time in Unix nanoseconds, say) to the
// sequence numbers that carry them, in a B-tree ordered by (key, seq), so
// ranges of keys can be walked in order.
//
// The zero value is not ready: make one with [NewOrdered]. An Ordered is
// not safe for concurrent use: see the package documentation.
type Ordered struct {
	tree *btree.BTreeG[Item]
}

// Item is one (key, seq) pair of an [Ordered] index.
type Item struct {
	Key int64
	Seq uint64
}

func lessItem(a, b Item) bool {
	if a.Key != b.Key {
		return a.Key < b.Key
	}
	return a.Seq < b.Seq
}

// NewOrdered returns an empty index.
func NewOrdered() *Ordered {
	return &Ordered{tree: btree.NewBTreeGOptions(lessItem, btree.Options{NoLocks: true})}
}

// Add records that seq carries key.
func (o *Ordered) Add(key int64, seq uint64) { o.tree.Set(Item{key, seq}) }

// Remove deletes the pair and reports whether it was present.
func (o *Ordered) Remove(key int64, seq uint64) bool {
	_, ok := o.tree.Delete(Item{key, seq})
	return ok
}

// Len reports how many pairs the index holds.
func (o *Ordered) Len() int { return o.tree.Len() }

// Range calls fn for every pair with lo ≤ key ≤ hi, in (key, seq) order,
// until fn returns false.
func (o *Ordered) Range(lo, hi int64, fn func(Item) bool) {
	o.tree.Ascend(Item{Key: lo}, func(it Item) bool {
		if it.Key > hi {
			return false
		}
		return fn(it)
	})
}
