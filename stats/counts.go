package stats

// counts counts string keys. The first fewKeys distinct keys live in a
// slice searched in order, which costs less than hashing the key when
// there are few of them (the operations and statuses of an audit trail:
// the logger passes the same string each time, so most comparisons end
// at the pointer); any further keys go to a map.
//
// The zero value is empty and ready to use.
type counts[K ~string] struct {
	few  []keyCount[K]
	many map[K]int64
}

type keyCount[K ~string] struct {
	key K
	n   int64
}

const fewKeys = 16

// add counts one more k.
func (c *counts[K]) add(k K) {
	for i := range c.few {
		if c.few[i].key == k {
			c.few[i].n++
			return
		}
	}
	if len(c.few) < fewKeys {
		c.few = append(c.few, keyCount[K]{k, 1})
		return
	}
	if c.many == nil {
		c.many = make(map[K]int64)
	}
	c.many[k]++
}

// clone returns the counts as a new map, never nil.
func (c *counts[K]) clone() map[K]int64 {
	m := make(map[K]int64, len(c.few)+len(c.many))
	for _, kc := range c.few {
		m[kc.key] = kc.n
	}
	for k, n := range c.many {
		m[k] = n
	}
	return m
}
