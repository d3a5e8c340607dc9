package index

// strTable maps non-empty strings to uint64 values: open addressing with
// linear probing, and deletion by backward shift, so that it keeps no
// tombstones. (Go's map leaves a tombstone for most deletions; under the
// steady insert-and-delete of a ring, tombstones pile up until lookups
// probe long runs of them.) Callers pass each key's hash, so that one hash
// serves several tables.
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
	val uint64
}

const strTableMin = 16

// find returns the slot of key, whose hash is h, or -1.
func (t *strTable) find(key string, h uint64) int {
	if t.n == 0 || key == "" {
		return -1
	}
	mask := len(t.slots) - 1
	for i := int(h) & mask; ; i = (i + 1) & mask {
		switch t.slots[i].key {
		case key:
			return i
		case "":
			return -1
		}
	}
}

// get returns the value of key.
func (t *strTable) get(key string, h uint64) (uint64, bool) {
	if i := t.find(key, h); i >= 0 {
		return t.slots[i].val, true
	}
	return 0, false
}

// set sets the value of key, which must not be empty.
func (t *strTable) set(key string, h, val uint64) {
	s, _ := t.slot(key, h)
	*s = strSlot{key, val}
}

// slot returns the slot of key, whose hash is h, and true; or, when key
// is absent, an empty slot where it belongs and false. The caller must
// fill that slot with key (the table counts it as taken).
func (t *strTable) slot(key string, h uint64) (*strSlot, bool) {
	if i := t.find(key, h); i >= 0 {
		return &t.slots[i], true
	}
	if t.full() {
		t.resize(max(2*len(t.slots), strTableMin))
	}
	mask := len(t.slots) - 1
	i := int(h) & mask
	for t.slots[i].key != "" {
		i = (i + 1) & mask
	}
	t.n++
	return &t.slots[i], false
}

// full reports whether one more key would make the table grow: it holds
// three keys for every four slots.
func (t *strTable) full() bool { return (t.n+1)*4 > len(t.slots)*3 }

// put places a key known to be absent; there must be room.
func (t *strTable) put(key string, h, val uint64) {
	mask := len(t.slots) - 1
	i := int(h) & mask
	for t.slots[i].key != "" {
		i = (i + 1) & mask
	}
	t.slots[i] = strSlot{key, val}
}

// del removes key, whose hash is h, and reports whether it was present.
func (t *strTable) del(key string, h uint64) bool {
	i := t.find(key, h)
	if i < 0 {
		return false
	}
	// Backward shift: move a later key of the run into the hole when the
	// hole lies between that key's home slot and its slot.
	mask := len(t.slots) - 1
	for j := (i + 1) & mask; t.slots[j].key != ""; j = (j + 1) & mask {
		home := int(t.hash(t.slots[j].key)) & mask
		if (j-home)&mask >= (j-i)&mask {
			t.slots[i] = t.slots[j]
			i = j
		}
	}
	t.slots[i] = strSlot{}
	t.n--
	return true
}

// sized returns an empty table with room for n keys before it grows.
func sized(n int, hash func(string) uint64) strTable {
	size := strTableMin
	for size*3 < n*4 {
		size *= 2
	}
	return strTable{slots: make([]strSlot, size), hash: hash}
}

func (t *strTable) resize(size int) {
	old := t.slots
	t.slots = make([]strSlot, size)
	for _, s := range old {
		if s.key != "" {
			t.put(s.key, t.hash(s.key), s.val)
		}
	}
}
