package index

// strTable maps non-empty strings to values below 2⁵⁶: open addressing
// with linear probing, and deletion by backward shift, so that it keeps
// no tombstones. (Go's map leaves a tombstone for most deletions; under
// the steady insert-and-delete of a ring, tombstones pile up until lookups
// probe long runs of them.) Callers pass each key's hash, so that one hash
// serves several tables.
//
// Each slot keeps the top byte of its key's hash beside the value, so a
// probe compares strings only when that byte matches: about one slot in
// 256 of those it passes.
//
// A table does not shrink: its user drops it whole once it is empty.
//
// The zero value is an empty table ready to use.
type strTable struct {
	slots []strSlot // len is 0 or a power of two
	n     int
	hash  func(string) uint64
}

type strSlot struct {
	key string // "" marks an empty slot
	tv  uint64 // the tag (top byte of the key's hash), then the value
}

const (
	strTableMin = 16
	tagBits     = 0xff << 56
	// maxTableVal is the largest value a table holds.
	maxTableVal = 1<<56 - 1
)

// sized returns an empty table with room for n keys before it grows.
func sized(n int, hash func(string) uint64) strTable {
	size := strTableMin
	for size*3 < n*4 {
		size *= 2
	}
	return strTable{slots: make([]strSlot, size), hash: hash}
}

// full reports whether one more key would make the table grow: it holds
// three keys for every four slots.
func (t *strTable) full() bool { return !t.roomFor(t.n + 1) }

// roomFor reports whether the table's slots can hold n keys without
// growing.
func (t *strTable) roomFor(n int) bool { return n*4 <= len(t.slots)*3 }

// find returns the slot of key, whose hash is h, or -1.
func (t *strTable) find(key string, h uint64) int {
	if t.n == 0 || key == "" {
		return -1
	}
	mask := len(t.slots) - 1
	tag := h & tagBits
	for i := int(h) & mask; ; i = (i + 1) & mask {
		s := &t.slots[i]
		switch {
		case len(s.key) == 0:
			return -1
		case s.tv&tagBits == tag && s.key == key:
			return i
		}
	}
}

// get returns the value of key, whose hash is h.
func (t *strTable) get(key string, h uint64) (uint64, bool) {
	if i := t.find(key, h); i >= 0 {
		return t.slots[i].tv & maxTableVal, true
	}
	return 0, false
}

// at returns the value in slot i.
func (t *strTable) at(i int) uint64 { return t.slots[i].tv & maxTableVal }

// setAt changes the value in slot i, which holds a key.
func (t *strTable) setAt(i int, val uint64) {
	t.slots[i].tv = t.slots[i].tv&tagBits | val
}

// insert adds key, whose hash is h and which must be absent and not
// empty, with val ≤ maxTableVal.
func (t *strTable) insert(key string, h, val uint64) {
	if t.full() {
		t.resize(max(2*len(t.slots), strTableMin))
	}
	t.put(key, h, val)
	t.n++
}

// put places a key known to be absent; there must be room.
func (t *strTable) put(key string, h, val uint64) {
	mask := len(t.slots) - 1
	i := int(h) & mask
	for len(t.slots[i].key) != 0 {
		i = (i + 1) & mask
	}
	t.slots[i] = strSlot{key, h&tagBits | val}
}

// delAt empties slot i, which holds a key.
func (t *strTable) delAt(i int) {
	// Backward shift: move a later key of the run into the hole when the
	// hole lies between that key's home slot and its slot.
	mask := len(t.slots) - 1
	for j := (i + 1) & mask; len(t.slots[j].key) != 0; j = (j + 1) & mask {
		home := int(t.hash(t.slots[j].key)) & mask
		if (j-home)&mask >= (j-i)&mask {
			t.slots[i] = t.slots[j]
			i = j
		}
	}
	t.slots[i] = strSlot{}
	t.n--
}

func (t *strTable) resize(size int) {
	old := t.slots
	t.slots = make([]strSlot, size)
	for _, s := range old {
		if len(s.key) != 0 {
			t.put(s.key, t.hash(s.key), s.tv&maxTableVal)
		}
	}
}
