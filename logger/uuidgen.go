package logger

import (
	crand "crypto/rand"
	"time"

	"github.com/google/uuid"
)

// idGen makes the writer's event IDs: UUIDv7 (RFC 9562, section 5.7),
// 48 bits of Unix milliseconds, then a 12-bit counter within the
// millisecond (the RFC's method 1), then 62 random bits. IDs it makes
// only grow, even when the clock steps back, so they sort in the order
// the writer assigned them; a counter that runs out borrows the next
// millisecond, as the RFC allows.
//
// Random bytes come from crypto/rand a buffer at a time, so an ID costs
// a copy rather than a system call, and nothing escapes to the heap
// (google/uuid's reader-based constructors allocate once per ID).
type idGen struct {
	ms   int64  // the millisecond of the last ID
	ctr  uint16 // the counter of the last ID
	n    int    // unused bytes at the end of rnd
	rnd  [4096]byte
	read func([]byte) (int, error) // crypto/rand.Read; tests replace it
}

// stamp sets the time of the IDs that follow: the writer calls it once
// per batch, so a batch shares a clock reading.
func (g *idGen) stamp(now time.Time) {
	if ms := now.UnixMilli(); ms > g.ms {
		g.ms, g.ctr = ms, 0
	}
}

// next returns a new ID. Should crypto/rand fail (it does not on
// supported platforms), next returns the error with an ID whose random
// bits are zero, still unique within this writer by its time and counter,
// and tries crypto/rand again on the next call.
func (g *idGen) next() (uuid.UUID, error) {
	g.ctr++
	if g.ctr > 0xfff {
		g.ms, g.ctr = g.ms+1, 0
	}
	var id uuid.UUID
	ms := uint64(g.ms)
	id[0], id[1], id[2] = byte(ms>>40), byte(ms>>32), byte(ms>>24)
	id[3], id[4], id[5] = byte(ms>>16), byte(ms>>8), byte(ms)
	id[6], id[7] = 0x70|byte(g.ctr>>8), byte(g.ctr)
	id[8] = 0x80 // variant 10
	if g.n < 8 {
		read := g.read
		if read == nil {
			read = crand.Read
		}
		if _, err := read(g.rnd[:]); err != nil {
			return id, err
		}
		g.n = len(g.rnd)
	}
	copy(id[8:], g.rnd[len(g.rnd)-g.n:])
	g.n -= 8
	id[8] = 0x80 | id[8]&0x3f
	return id, nil
}
