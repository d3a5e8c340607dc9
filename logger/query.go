package logger

import (
	"cmp"
	"math"
	"slices"
	"sort"
	"strings"
	"time"
	"unsafe"

	"github.com/google/uuid"

	"github.com/auditlog/auditlog/index"
)

// Query returns the events in memory that match f, ordered by time (ties
// by Source, then Seq: see CompareEvents), newest first unless f.Ascending, after skipping f.Offset and
// keeping at most f.Limit (0: all). See Filter for the matching rules;
// a negative Limit or Offset counts as 0.
//
// Query sees every event whose Log returned before it was called. It
// starts from the most selective index that f names and walks the others
// alongside, so its cost follows the size of the smallest posting list,
// not the number of events held. The events returned are the caller's
// own: changing one changes nothing else. (The events of one result share
// a few blocks of memory, for their IDs and entry ids, so keeping one of
// them keeps those blocks.)
func (l *Logger) Query(f Filter) []Event {
	l.barrier()
	l.mu.RLock()
	sel := l.selectSeqs(&f)
	first, n, step := window(sel.len(), &f)
	recs := make([]record, n)
	seqs := make([]uint64, n)
	for i := range n {
		seq := sel.at(first + i*step)
		seqs[i], recs[i] = seq, *l.ring.at(seq)
	}
	l.mu.RUnlock()
	if n == 0 {
		return nil
	}
	// Decoding happens outside the lock: records are immutable.
	out := make([]Event, n)
	m := materializer{cache: newDecodeCache()}
	for i := range recs {
		m.size(&recs[i])
	}
	for i := range recs {
		l.materialize(&out[i], seqs[i], &recs[i], &m)
	}
	return out
}

// Count returns how many events in memory match f, ignoring f.Limit and
// f.Offset. It costs what Query costs without decoding any event.
func (l *Logger) Count(f Filter) int {
	l.barrier()
	l.mu.RLock()
	defer l.mu.RUnlock()
	sel := l.selectSeqs(&f)
	return sel.len()
}

// EntityHistory returns the events in memory about one resource, newest
// first, at most limit of them (0: all).
func (l *Logger) EntityHistory(resourceType, resourceID string, limit int) []Event {
	if resourceType == "" && resourceID == "" {
		return nil
	}
	return l.Query(Filter{ResourceType: resourceType, ResourceID: resourceID, Limit: limit})
}

// UserActivity returns the events in memory of one user from the last
// since (0: all of them), newest first, at most limit of them (0: all).
func (l *Logger) UserActivity(userID string, since time.Duration, limit int) []Event {
	if userID == "" {
		return nil
	}
	f := Filter{UserID: userID, Limit: limit}
	if since > 0 {
		f.Since = l.opts.Now().Add(-since)
	}
	return l.Query(f)
}

// window turns f's order, offset and limit into positions in a selection
// of total seqs: start at first, take n, moving by step.
func window(total int, f *Filter) (first, n, step int) {
	off := max(f.Offset, 0)
	if off >= total {
		return 0, 0, 1
	}
	n = total - off
	if f.Limit > 0 && f.Limit < n {
		n = f.Limit
	}
	if f.Ascending {
		return off, n, 1
	}
	return total - 1 - off, n, -1
}

// selection is a set of seqs in (time, seq) order: either a list, or every
// seq of a span.
type selection struct {
	seqs   []uint64
	lo, hi uint64
	span   bool
}

func (s *selection) len() int {
	if s.span {
		if s.hi < s.lo {
			return 0
		}
		return int(s.hi - s.lo + 1)
	}
	return len(s.seqs)
}

func (s *selection) at(i int) uint64 {
	if s.span {
		return s.lo + uint64(i)
	}
	return s.seqs[i]
}

// unixNano converts t for comparison with record times, clamping what
// lies outside the int64 range.
func unixNano(t time.Time) int64 {
	switch {
	case t.Before(minTime):
		return math.MinInt64
	case t.After(maxTime):
		return math.MaxInt64
	}
	return t.UnixNano()
}

// selectSeqs plans and runs f over the ring; l.mu is held.
//
// Source has no index: the ring holds the events of one instance, but
// for the few a caller logged with another Source (imported events),
// which records keep apart. Those records are counted, and while there
// are any, a selection is filtered and ordered by source as it is by
// time; while there are none, a Source filter selects everything or
// nothing.
func (l *Logger) selectSeqs(f *Filter) selection {
	sel := l.selectIndexed(f)
	if l.foreign == 0 {
		if f.Source != "" && f.Source != l.opts.Source {
			return selection{}
		}
		return sel
	}
	r := &l.ring
	seqs := make([]uint64, 0, sel.len())
	for i := range sel.len() {
		seq := sel.at(i)
		if f.Source == "" || l.sourceOf(r.at(seq)) == f.Source {
			seqs = append(seqs, seq)
		}
	}
	slices.SortStableFunc(seqs, func(a, b uint64) int {
		ra, rb := r.at(a), r.at(b)
		if ra.t != rb.t {
			return cmp.Compare(ra.t, rb.t)
		}
		return strings.Compare(l.sourceOf(ra), l.sourceOf(rb))
	})
	return selection{seqs: seqs}
}

// sourceOf returns the Source of r.
func (l *Logger) sourceOf(r *record) string {
	if r.ext != nil && r.ext.source != "" {
		return r.ext.source
	}
	return l.opts.Source
}

// selectIndexed runs f, but for its Source, over the ring.
//
// Every field of Filter but Source has an index, so matching is an intersection of
// posting lists (the shortest one drives, the others are walked with
// galloping cursors) within a span of seqs. Time needs no list of its
// own: records are kept with the running maximum of their times, which
// never decreases along the ring, so a binary search turns [Since, Until]
// into a span of seqs. Records that arrived after a later-dated one
// ("late" records, rare) are also kept in a B-tree by time and merged in.
func (l *Logger) selectIndexed(f *Filter) selection {
	r := &l.ring
	if r.n == 0 {
		return selection{}
	}
	since, until := int64(math.MinInt64), int64(math.MaxInt64)
	timed := !f.Since.IsZero() || !f.Until.IsZero()
	if !f.Since.IsZero() {
		since = unixNano(f.Since)
	}
	if !f.Until.IsZero() {
		until = unixNano(f.Until)
	}
	if since > until {
		return selection{}
	}

	var arr [10][]uint64
	lists := arr[:0]
	ok := true
	keyed := func(ix *index.Keyed, key string) {
		if key == "" || !ok {
			return
		}
		p := ix.Get(key)
		if p == nil {
			ok = false
			return
		}
		lists = append(lists, p.Seqs())
	}
	// pairs selects the events that carry any of keys; no keys, no
	// constraint. (A Filter's single fields pass none when they are "".
	// The index holds no empty key, so EntryIDs: []string{""} selects
	// nothing, as Filter.Matches says.)
	pairs := func(ix *index.Pairs, keys ...string) {
		if len(keys) == 0 || !ok {
			return
		}
		var seqs []uint64
		for _, k := range keys {
			seqs = ix.AppendSeqs(seqs, k)
		}
		if len(seqs) == 0 {
			ok = false
			return
		}
		if len(keys) > 1 {
			seqs = index.SortUnique(seqs) // several keys
		}
		lists = append(lists, seqs)
	}
	ix := &l.ix
	keyed(&ix.user, f.UserID)
	keyed(&ix.op, string(f.Operation))
	keyed(&ix.status, string(f.Status))
	keyed(&ix.category, f.Category)
	keyed(&ix.resType, f.ResourceType)
	for _, p := range [...]struct {
		ix  *index.Pairs
		key string
	}{{ix.session, f.SessionID}, {ix.resID, f.ResourceID}, {ix.run, f.RunID}} {
		if p.key != "" {
			pairs(p.ix, p.key)
		}
	}
	pairs(ix.entry, f.EntryIDs...)
	if !ok {
		return selection{}
	}

	lo, hi := r.first, r.last()
	if timed {
		lo, hi = l.span(since, until)
	}
	sel := intersect(lists, lo, hi)
	if l.late.Len() == 0 {
		return sel // in seq order, which is time order
	}

	// Some records are late: their time is not their place in the ring.
	seqs := make([]uint64, 0, sel.len())
	for i := range sel.len() {
		seq := sel.at(i)
		if rec := r.at(seq); !rec.late() || rec.t >= since && rec.t <= until {
			seqs = append(seqs, seq)
		}
	}
	if timed {
		// Late records dated in range but placed outside the span.
		l.late.Range(since, until, func(it index.Item) bool {
			if (it.Seq < lo || it.Seq > hi) && inAll(lists, it.Seq) {
				seqs = append(seqs, it.Seq)
			}
			return true
		})
	}
	slices.SortFunc(seqs, func(a, b uint64) int {
		ta, tb := r.at(a).t, r.at(b).t
		switch {
		case ta < tb:
			return -1
		case ta > tb:
			return 1
		case a < b:
			return -1
		case a > b:
			return 1
		}
		return 0
	})
	return selection{seqs: seqs}
}

// span returns the seqs [lo, hi] of the records whose running maximum of
// time lies in [since, until]: every record dated in range that is not
// late lies there. lo > hi when there is none.
func (l *Logger) span(since, until int64) (lo, hi uint64) {
	r := &l.ring
	i := sort.Search(r.n, func(i int) bool { return r.recs[r.pos(i)].key >= since })
	j := sort.Search(r.n, func(j int) bool { return r.recs[r.pos(j)].key > until })
	if j <= i {
		return 1, 0
	}
	return r.first + uint64(i), r.first + uint64(j-1)
}

// intersect returns the seqs in [lo, hi] present in every list.
func intersect(lists [][]uint64, lo, hi uint64) selection {
	if lo > hi {
		return selection{}
	}
	if len(lists) == 0 {
		return selection{lo: lo, hi: hi, span: true}
	}
	var arr [10][]uint64
	parts := arr[:0]
	driver := -1
	for _, list := range lists {
		part := index.Between(list, lo, hi)
		if len(part) == 0 {
			return selection{}
		}
		if driver < 0 || len(part) < len(parts[driver]) {
			driver = len(parts)
		}
		parts = append(parts, part)
	}
	if len(parts) == 1 {
		return selection{seqs: parts[0]}
	}
	drive := parts[driver]
	parts = slices.Delete(parts, driver, driver+1)
	var cur [10]int
	out := make([]uint64, 0, min(len(drive), 64))
next:
	for _, seq := range drive {
		for k, part := range parts {
			i, found := index.Seek(part, cur[k], seq)
			cur[k] = i
			if i == len(part) {
				break next // this list has nothing at or after seq
			}
			if !found {
				continue next
			}
		}
		out = append(out, seq)
	}
	return selection{seqs: out}
}

// inAll reports whether seq is in every list.
func inAll(lists [][]uint64, seq uint64) bool {
	for _, list := range lists {
		if _, ok := index.Seek(list, 0, seq); !ok {
			return false
		}
	}
	return true
}

// materialize fills ev from the record of seq.
func (l *Logger) materialize(ev *Event, seq uint64, r *record, m *materializer) {
	if len(r.cold) > 0 {
		if err := decodeCold(r.cold, ev, m.cache); err != nil {
			// The writer encoded these bytes; failing to read them back
			// is a bug. Keep what the record holds and say so.
			l.report(err)
			*ev = Event{Metadata: map[string]any{"auditlog_decode_error": err.Error()}}
		}
	}
	if r.hasID {
		ev.ID = m.id(r.id)
	}
	ev.Seq = seq
	ev.Time = time.Unix(0, r.t).UTC()
	ev.Operation = Operation(r.op.Key())
	ev.Status = statusCodes[r.status]
	ev.UserID = keyOf(r.user)
	if e := r.ext; e != nil {
		ev.SessionID, ev.Category = e.session, keyOf(e.category)
		ev.ResourceType, ev.ResourceID, ev.RunID = keyOf(e.resType), e.resID, e.runID
	}
	ev.Source = l.sourceOf(r)
	if len(r.entries) > 0 {
		ev.EntryIDs = m.entries(r.entries)
	}
	ev.Duration = time.Duration(r.dur)
}

// materializer turns the records of one query into events, allocating
// what the events need in a few blocks rather than per event: the IDs'
// text in one, the entry-id slices in another (each capped, so that a
// caller appending to one gets a copy rather than writing over the next).
type materializer struct {
	cache       *decodeCache
	nIDs, nEnts int
	ids         []byte
	ents        []string
}

// size counts what r will need; call it for every record first.
func (m *materializer) size(r *record) {
	if r.hasID {
		m.nIDs++
	}
	m.nEnts += len(r.entries)
}

func (m *materializer) id(id uuid.UUID) string {
	if m.ids == nil {
		m.ids = make([]byte, 0, 36*m.nIDs)
	}
	n := len(m.ids)
	m.ids = appendUUID(m.ids, id)
	return unsafe.String(&m.ids[n], 36)
}

func (m *materializer) entries(ids []string) []string {
	if m.ents == nil {
		m.ents = make([]string, 0, m.nEnts)
	}
	n := len(m.ents)
	m.ents = append(m.ents, ids...)
	return m.ents[n:len(m.ents):len(m.ents)]
}
