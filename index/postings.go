package index

// Postings is the ascending list of sequence numbers that carry one key.
//
// The first sequence number is stored inline, so a key carried by a single
// record (an entry id, say) costs one small allocation. The list is
// trimmed at its front by moving a head; when it must grow and half of it
// is trimmed, it slides down instead, so a list that keeps a steady
// length allocates nothing.
type Postings struct {
	key  string
	buf  []uint64 // the live list is buf[head:]
	head int
	one  [1]uint64
}

// Key returns the key the list belongs to.
func (p *Postings) Key() string { return p.key }

// Len reports how many sequence numbers the list holds.
func (p *Postings) Len() int { return len(p.buf) - p.head }

// Seqs returns the list, ascending. The slice is the index's own: read it,
// do not change or keep it past the next change to the index.
func (p *Postings) Seqs() []uint64 { return p.buf[p.head:] }

// push appends seq, which must be greater than every seq in the list.
func (p *Postings) push(seq uint64) {
	switch {
	case p.buf == nil:
		p.one[0] = seq
		p.buf = p.one[:1:1]
		return
	case len(p.buf) == cap(p.buf) && p.head >= len(p.buf)/2 && p.head > 0:
		n := copy(p.buf, p.buf[p.head:])
		p.buf, p.head = p.buf[:n], 0
	}
	p.buf = append(p.buf, seq)
}

// insert adds seq where it belongs in the list, for the rare caller that
// adds out of order. A seq already present is not added twice; insert
// reports whether seq was added.
func (p *Postings) insert(seq uint64) bool {
	seqs := p.Seqs()
	i, ok := Seek(seqs, 0, seq)
	if ok {
		return false
	}
	p.push(seq) // room at the end, and a max that moves up by one
	seqs = p.Seqs()
	copy(seqs[i+1:], seqs[i:])
	seqs[i] = seq
	return true
}

// remove deletes seq. It is O(1) when seq is the first in the list, as it
// is when records leave in the order they came; otherwise it searches.
// It reports whether seq was found.
func (p *Postings) remove(seq uint64) bool {
	seqs := p.Seqs()
	if len(seqs) == 0 {
		return false
	}
	if seqs[0] == seq {
		p.head++
		if p.head == len(p.buf) {
			p.buf, p.head = p.buf[:0], 0
		}
		return true
	}
	i, ok := Seek(seqs, 0, seq)
	if !ok {
		return false
	}
	copy(seqs[i:], seqs[i+1:])
	p.buf = p.buf[:len(p.buf)-1]
	return true
}
