package logger

import (
	"github.com/auditlog/auditlog/index"
	"github.com/google/uuid"
)

// record is the in-memory form of an event: the fields that Filter uses
// are kept as pointers to their posting lists, or as strings shared with
// the indexes (one copy per distinct value); everything else is kept as
// the JSON the journal would hold (cold), decoded only when a query
// returns the event.
type record struct {
	t       int64 // event time, Unix nanoseconds
	key     int64 // the largest t seen up to this record: never decreases along the ring
	dur     int64 // nanoseconds
	id      uuid.UUID
	hasID   bool // id holds the event id; otherwise cold holds it
	status  uint8
	op      *index.Postings // its Key is the operation
	user    *index.Postings // nil for no user
	ext     *recordExt      // nil when every field of it is empty
	entries []string
	cold    []byte
}

// recordExt holds the indexed fields that many events leave empty.
type recordExt struct {
	category, resType     *index.Postings
	session, resID, runID string
	source                string // "" for the logger's own Options.Source
}

// keyOf returns the key of p, "" for nil.
func keyOf(p *index.Postings) string {
	if p == nil {
		return ""
	}
	return p.Key()
}

// late reports whether the record came after a record with a later time.
func (r *record) late() bool { return r.t != r.key }

var statusCodes = [...]Status{StatusSuccess, StatusFailure, StatusPartial}

func statusCode(s Status) uint8 {
	switch s {
	case StatusFailure:
		return 1
	case StatusPartial:
		return 2
	}
	return 0
}

// ring is a circular buffer of records with contiguous sequence numbers.
// It grows by doubling up to max, so a large MaxEvents costs memory only
// as events arrive.
type ring struct {
	recs  []record
	head  int    // index in recs of the oldest record
	n     int    // records held
	first uint64 // seq of the oldest record
	max   int
}

// pos returns the index in recs of the i-th oldest record.
func (r *ring) pos(i int) int {
	p := r.head + i
	if p >= len(r.recs) {
		p -= len(r.recs)
	}
	return p
}

// at returns the record of seq, which must be held.
func (r *ring) at(seq uint64) *record { return &r.recs[r.pos(int(seq-r.first))] }

// last returns the seq of the newest record; the ring must not be empty.
func (r *ring) last() uint64 { return r.first + uint64(r.n) - 1 }

func (r *ring) full() bool { return r.n == r.max }

// push appends rec with sequence number seq. The ring must not be full.
func (r *ring) push(seq uint64, rec record) {
	if r.n == len(r.recs) {
		r.grow()
	}
	if r.n == 0 {
		r.first = seq
	}
	r.recs[r.pos(r.n)] = rec
	r.n++
}

func (r *ring) grow() {
	size := min(max(2*len(r.recs), 64), r.max)
	recs := make([]record, size)
	for i := 0; i < r.n; i++ {
		recs[i] = r.recs[r.pos(i)]
	}
	r.recs, r.head = recs, 0
}

// pop removes the oldest record and returns it.
func (r *ring) pop() record {
	rec := r.recs[r.head]
	r.recs[r.head] = record{}
	r.head++
	if r.head == len(r.recs) {
		r.head = 0
	}
	r.n--
	r.first++
	return rec
}

// arena hands out immutable byte and string slices carved from large
// chunks. Records leave the ring in the order they came, so a chunk is
// freed once its last record is evicted; meanwhile there is one allocation
// per chunk instead of one per event.
type arena struct {
	bytes []byte
	strs  []string
}

const (
	arenaBytes   = 32 << 10
	arenaStrings = 2048
)

func (a *arena) copyBytes(b []byte) []byte {
	if len(b) > arenaBytes/8 {
		return append([]byte(nil), b...)
	}
	if cap(a.bytes)-len(a.bytes) < len(b) {
		a.bytes = make([]byte, 0, arenaBytes)
	}
	n := len(a.bytes)
	a.bytes = append(a.bytes, b...)
	return a.bytes[n:len(a.bytes):len(a.bytes)]
}

func (a *arena) copyStrings(s []string) []string {
	if len(s) > arenaStrings/8 {
		return append([]string(nil), s...)
	}
	if cap(a.strs)-len(a.strs) < len(s) {
		a.strs = make([]string, 0, arenaStrings)
	}
	n := len(a.strs)
	a.strs = append(a.strs, s...)
	return a.strs[n:len(a.strs):len(a.strs)]
}
