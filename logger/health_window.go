package logger

import (
	"math"
	"sync/atomic"
	"time"
)

// countSlots is how many slots a slidingCount has: each covers
// 1/countSlots of its window.
const countSlots = 60

// slidingCount counts events over a sliding window of time, without a
// lock and without a goroutine: a ring of countSlots slots of width ns each.
// A slot holds, in one word, the number of its period (the time divided
// by width, its low 32 bits) and its count (saturating at 2^32-1), so
// that adding to a slot of an earlier period starts it again in one
// compare-and-swap, and a reader never adds a stale count.
//
// An event counts while its period is one of the countSlots last: for
// between (countSlots-1)/countSlots of the window and all of it. Periods
// are told apart by their low 32 bits, so a slot left untouched for 2^32
// periods (over two years at the smallest width HealthOptions allows)
// could be taken for a current one.
type slidingCount struct {
	width int64        // ns per slot, at least 1
	last  atomic.Int64 // the latest period counted in, so that sum skips the slots when it is out of the window
	slots [countSlots]atomic.Uint64
}

// period returns the number of the slot period t falls in.
func (w *slidingCount) period(t time.Time) int64 {
	ns := t.UnixNano()
	p := ns / w.width
	if ns%w.width < 0 {
		p-- // floor, for times before 1970
	}
	return p
}

// add counts n events at time t.
func (w *slidingCount) add(t time.Time, n int64) {
	if n <= 0 {
		return
	}
	p := w.period(t)
	stamp := uint64(uint32(p)) << 32
	s := &w.slots[(p%countSlots+countSlots)%countSlots]
	for {
		v := s.Load()
		c := uint64(0)
		if v&^math.MaxUint32 == stamp {
			c = v & math.MaxUint32
		}
		c = min(c+uint64(min(n, math.MaxUint32)), math.MaxUint32)
		if s.CompareAndSwap(v, stamp|c) {
			break
		}
	}
	for {
		last := w.last.Load()
		if last >= p || w.last.CompareAndSwap(last, p) {
			return
		}
	}
}

// sum returns how many events were counted in the window that ends at
// now. A slot dated after now (the clock went back) is not counted.
func (w *slidingCount) sum(now time.Time) int64 {
	p := w.period(now)
	if p-w.last.Load() >= countSlots {
		return 0 // nothing counted in the window: the usual case, in two loads
	}
	cur := uint32(p)
	var total int64
	for i := range w.slots {
		v := w.slots[i].Load()
		if cur-uint32(v>>32) < countSlots {
			total += int64(v & math.MaxUint32)
		}
	}
	return total
}

// refusals are the events Log and LogBatch refused, by time: drops
// (ErrDropped) and every other refusal, as Stats counts them.
type refusals struct {
	dropped, rejected slidingCount
}

// init sizes both windows to span d.
func (r *refusals) init(d time.Duration) {
	width := max(int64(d)/countSlots, 1)
	r.dropped.width, r.rejected.width = width, width
}

// drop counts n events refused with ErrDropped, in Stats and in Health.
func (l *Logger) drop(n int64) {
	l.dropped.Add(n)
	l.refused.dropped.add(l.opts.Now(), n)
}

// reject counts n events refused otherwise, in Stats and in Health.
func (l *Logger) reject(n int64) {
	l.rejected.Add(n)
	l.refused.rejected.add(l.opts.Now(), n)
}
