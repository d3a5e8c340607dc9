package main

import (
	"cmp"
	"container/heap"
	"math"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/auditlog/auditlog/logger"
)

// kept is a selected event as the selector holds it: what orders it, and
// its journal line to decode at the end (or the event, from a file or a
// store). It is a fraction of the size of a logger.Event.
type kept struct {
	t      int64 // Time, Unix nanoseconds
	source string
	seq    uint64
	id     string
	raw    []byte
	ev     *logger.Event // nil when raw is set
	file   string        // where raw comes from, for errors
	line   int
}

func keep(m *match) kept {
	k := kept{t: m.ev.Time.UnixNano(), source: m.ev.Source, seq: m.ev.Seq, id: m.ev.ID, raw: m.raw, file: m.file, line: m.line}
	if m.raw == nil {
		ev := m.ev
		k.ev = &ev
	}
	return k
}

// compare orders kept events as logger.CompareEvents orders events.
func compare(a, b *kept) int {
	return cmp.Or(cmp.Compare(a.t, b.t), strings.Compare(a.source, b.source), cmp.Compare(a.seq, b.seq), strings.Compare(a.id, b.id))
}

// decode returns the full event.
func (k *kept) decode() (logger.Event, error) {
	if k.ev != nil {
		return *k.ev, nil
	}
	var ev logger.Event
	if err := ev.UnmarshalJSON(k.raw); err != nil {
		return ev, lineError(k.file, k.line, err)
	}
	return ev, nil
}

// selector keeps the events of a selection as store.Select orders and
// windows them: by time, then source, then seq, then ID, newest first unless
// ascending; Offset events skipped, then at most Limit kept. With a limit
// it holds at most Offset+Limit events at any time, in a heap whose top
// is the one that would be dropped first; without one it holds every
// match.
type selector struct {
	asc  bool
	keep int // Offset+Limit; 0: all
	off  int
	h    keptHeap
}

func newSelector(f logger.Filter) *selector {
	s := &selector{asc: f.Ascending, off: f.Offset}
	if f.Limit > 0 && f.Limit <= math.MaxInt-f.Offset { // past MaxInt: keep all
		s.keep = f.Offset + f.Limit
	}
	s.h.before = s.before
	return s
}

// before reports whether a comes before b in the selection's order.
func (s *selector) before(a, b *kept) bool {
	if s.asc {
		return compare(a, b) < 0
	}
	return compare(a, b) > 0
}

func (s *selector) add(ms []match) {
	for i := range ms {
		k := keep(&ms[i])
		switch {
		case s.keep == 0:
			s.h.ks = append(s.h.ks, k)
		case len(s.h.ks) < s.keep:
			heap.Push(&s.h, k)
		case s.before(&k, &s.h.ks[0]):
			s.h.ks[0] = k
			heap.Fix(&s.h, 0)
		}
	}
}

// result returns the selection, in order.
func (s *selector) result() []kept {
	ks := s.h.ks
	slices.SortFunc(ks, func(a, b kept) int {
		if s.asc {
			return compare(&a, &b)
		}
		return compare(&b, &a)
	})
	if s.off >= len(ks) {
		return nil
	}
	return ks[s.off:]
}

// keptHeap has the event that comes last in the order at its top.
type keptHeap struct {
	ks     []kept
	before func(a, b *kept) bool
}

func (h *keptHeap) Len() int           { return len(h.ks) }
func (h *keptHeap) Less(i, j int) bool { return h.before(&h.ks[j], &h.ks[i]) }
func (h *keptHeap) Swap(i, j int)      { h.ks[i], h.ks[j] = h.ks[j], h.ks[i] }
func (h *keptHeap) Push(x any)         { h.ks = append(h.ks, x.(kept)) }
func (h *keptHeap) Pop() any {
	k := h.ks[len(h.ks)-1]
	h.ks = h.ks[:len(h.ks)-1]
	return k
}

// chunkSize is how many events eachChunk decodes at once.
const chunkSize = 1024

// eachChunk decodes ks in order, chunkSize events at a time, and hands
// each chunk to fn; the chunks of a round, one per GOMAXPROCS, are
// decoded in parallel. A chunk is valid only during the call to fn, and
// the lines of ks are let go as they are decoded: decoding a million
// events holds a few chunks of them at a time.
func eachChunk(ks []kept, fn func([]logger.Event) error) error {
	workers := runtime.GOMAXPROCS(0)
	bufs := make([][]logger.Event, workers)
	errs := make([]error, workers)
	for len(ks) > 0 {
		var wg sync.WaitGroup
		n := 0
		for w := range workers {
			size := min(chunkSize, len(ks))
			if size == 0 {
				break
			}
			chunk := ks[:size]
			ks = ks[size:]
			n++
			wg.Add(1)
			go func() {
				defer wg.Done()
				bufs[w] = bufs[w][:0]
				errs[w] = nil
				for i := range chunk {
					ev, err := chunk[i].decode()
					if err != nil {
						errs[w] = err
						return
					}
					chunk[i] = kept{}
					bufs[w] = append(bufs[w], ev)
				}
			}()
		}
		wg.Wait()
		for w := range n {
			if errs[w] != nil {
				return errs[w]
			}
			if err := fn(bufs[w]); err != nil {
				return err
			}
			clear(bufs[w])
		}
	}
	return nil
}

// decodeAll decodes every event of ks, in order.
func decodeAll(ks []kept) ([]logger.Event, error) {
	events := make([]logger.Event, 0, len(ks))
	err := eachChunk(ks, func(evs []logger.Event) error {
		events = append(events, evs...)
		return nil
	})
	return events, err
}
