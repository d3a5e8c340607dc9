package index

// Postings is the ascending list of sequence numbers that carry one key.
//
// The first sequence number is stored inline, so a key carried by a single
// record (an entry id, say) costs one small allocation.
type Postings struct {
	key  string
	seqs []uint64
	one  [1]uint64
}

// Key returns the key the list belongs to.
func (p *Postings) Key() string { return p.key }

// Len reports how many sequence numbers the list holds.
func (p *Postings) Len() int { return len(p.seqs) }

// Seqs returns the list, ascending. The slice is the index's own: read it,
// do not change or keep it past the next change to the index.
func (p *Postings) Seqs() []uint64 { return p.seqs }

// push appends seq, which must be greater than every seq in the list.
func (p *Postings) push(seq uint64) {
	if p.seqs == nil {
		p.one[0] = seq
		p.seqs = p.one[:1:1]
		return
	}
	p.seqs = append(p.seqs, seq)
}

// insert adds seq where it belongs in the list, for the rare caller that
// adds out of order. A seq already present is not added twice; insert
// reports whether seq was added.
func (p *Postings) insert(seq uint64) bool {
	i, ok := Seek(p.seqs, 0, seq)
	if ok {
		return false
	}
	p.seqs = append(p.seqs, 0)
	copy(p.seqs[i+1:], p.seqs[i:])
	p.seqs[i] = seq
	return true
}

// remove deletes seq. It is O(1) when seq is the first in the list, as it
// is when records leave in the order they came; otherwise it searches.
// It reports whether seq was found.
func (p *Postings) remove(seq uint64) bool {
	if len(p.seqs) == 0 {
		return false
	}
	if p.seqs[0] == seq {
		p.seqs = p.seqs[1:]
		return true
	}
	i, ok := Seek(p.seqs, 0, seq)
	if !ok {
		return false
	}
	p.seqs = append(p.seqs[:i], p.seqs[i+1:]...)
	return true
}
