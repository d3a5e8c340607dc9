package main

import (
	"container/heap"
	"slices"

	"github.com/auditlog/auditlog/logger"
)

// selector keeps the events of a selection as store.Select orders and
// windows them: by time, then seq, then ID, newest first unless
// ascending; Offset events skipped, then at most Limit kept. With a limit
// it holds at most Offset+Limit events at any time, in a heap whose top
// is the one that would be dropped first; without one it holds every
// match.
type selector struct {
	asc  bool
	keep int // Offset+Limit; 0: all
	off  int
	h    matchHeap
}

func newSelector(f logger.Filter) *selector {
	s := &selector{asc: f.Ascending, off: f.Offset}
	if f.Limit > 0 {
		s.keep = f.Offset + f.Limit
	}
	s.h.before = s.before
	return s
}

// before reports whether a comes before b in the selection's order.
func (s *selector) before(a, b *match) bool {
	c := logger.CompareEvents(&a.ev, &b.ev)
	if s.asc {
		return c < 0
	}
	return c > 0
}

func (s *selector) add(ms []match) {
	for _, m := range ms {
		switch {
		case s.keep == 0:
			s.h.ms = append(s.h.ms, m)
		case len(s.h.ms) < s.keep:
			heap.Push(&s.h, m)
		case s.before(&m, &s.h.ms[0]):
			s.h.ms[0] = m
			heap.Fix(&s.h, 0)
		}
	}
}

// result returns the selection, in order.
func (s *selector) result() []match {
	ms := s.h.ms
	slices.SortFunc(ms, func(a, b match) int {
		switch {
		case s.before(&a, &b):
			return -1
		case s.before(&b, &a):
			return 1
		}
		return 0
	})
	if s.off >= len(ms) {
		return nil
	}
	return ms[s.off:]
}

// matchHeap has the match that comes last in the order at its top.
type matchHeap struct {
	ms     []match
	before func(a, b *match) bool
}

func (h *matchHeap) Len() int           { return len(h.ms) }
func (h *matchHeap) Less(i, j int) bool { return h.before(&h.ms[j], &h.ms[i]) }
func (h *matchHeap) Swap(i, j int)      { h.ms[i], h.ms[j] = h.ms[j], h.ms[i] }
func (h *matchHeap) Push(x any)         { h.ms = append(h.ms, x.(match)) }
func (h *matchHeap) Pop() any {
	m := h.ms[len(h.ms)-1]
	h.ms = h.ms[:len(h.ms)-1]
	return m
}
