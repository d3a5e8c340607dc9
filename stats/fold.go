package stats

import (
	"maps"
	"math/rand/v2"
)

// fold folds every user that UserLimit does not keep, and sets when to
// fold next. Its cost is linear in the number of tracked users.
func (c *Counters[O, S]) fold() {
	var old []tracked[O] // users without a recent sample
	for id, u := range c.users {
		if u.seen <= c.total-c.recent {
			old = append(old, tracked[O]{id, u})
		}
	}
	if len(old) > c.maxUsers {
		selectFirst(old, c.maxUsers)
		for _, t := range old[c.maxUsers:] {
			c.foldedUsers++
			c.foldedSamples += t.u.total
			c.folded.add(t.id)
			delete(c.users, t.id)
		}
		// A map keeps the room of its largest size: copy what is left.
		c.users = maps.Clone(c.users)
	}
	c.foldAt = 2 * max(len(c.users), c.maxUsers)
}

type tracked[O ~string] struct {
	id string
	u  *user[O]
}

// before orders users from the most active: more samples first, then the
// latest seen. Each sample has its own seen, so no two users are equal.
func (a *tracked[O]) before(b *tracked[O]) bool {
	return a.u.total > b.u.total || a.u.total == b.u.total && a.u.seen > b.u.seen
}

// selectFirst reorders ts so that ts[:k] hold the k users that come first
// by before, in any order; 0 ≤ k < len(ts). Quickselect with a random
// pivot: linear time, whatever the order of ts.
func selectFirst[O ~string](ts []tracked[O], k int) {
	lo, hi := 0, len(ts)-1
	for lo < hi {
		p := lo + rand.IntN(hi-lo+1)
		ts[p], ts[hi] = ts[hi], ts[p]
		i := lo
		for j := lo; j < hi; j++ {
			if ts[j].before(&ts[hi]) {
				ts[i], ts[j] = ts[j], ts[i]
				i++
			}
		}
		ts[i], ts[hi] = ts[hi], ts[i]
		switch {
		case i == k:
			return
		case i < k:
			lo = i + 1
		default:
			hi = i - 1
		}
	}
}
