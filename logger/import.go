package logger

import (
	"context"
	"fmt"

	"github.com/google/uuid"
)

// ImportResult says what Import did with the events of a file.
type ImportResult struct {
	// New is how many events Import logged.
	New int

	// Existing is how many it passed over: events whose ID the logger
	// already held in memory, or that an earlier event of the same file
	// carried. New+Existing is the number of events in the file.
	Existing int
}

// Import reads the events of the file path with ReadEvents and logs, as
// one batch (LogBatch: all or none), those this logger does not hold
// yet. It returns how many it logged (New) and how many it passed over
// (Existing).
//
// An event is passed over when its event ID is that of an event the
// logger holds in memory (what Query sees: the last Options.MaxEvents
// events, including those Recover reloaded), or that of an earlier event
// of the file. Importing a file twice, or two exports that overlap, so
// logs each event once. IDs are compared exactly, as strings: the same
// UUID in upper case is another ID. An event of the file without an ID
// is always new: it gets a new UUIDv7, as Log gives it. Events older than
// what memory holds are not looked for: with a journal, an event evicted
// from memory and imported again is logged again, and the journal holds
// it twice. The lookup walks the events in memory once per call, a few
// thousand at a time so that Log is never held up for long.
//
// Imports into one logger take turns, so two of the same file at once
// log its events once; an event with the same ID that Log or LogBatch
// logs while Import runs is not looked for.
//
// Each event logged keeps its event_id and its timestamp (an event
// without a timestamp gets the time of Options.Now, as Log gives it); its
// Seq is reassigned by this logger, which numbers every event it logs,
// imported or not, in the order it logs them. Errors are those of
// ReadEvents (wrapping export.ErrCorrupt; the file is named) and of
// LogBatch (ErrClosed, ErrFull, ErrDropped, the context's), with nothing
// logged.
//
// Being one batch, the file's events are all in memory at once. To import
// a file larger than memory, read it with ReadEventsFunc and log it in
// parts (a LogBatch each), giving up all or none across the parts.
func (l *Logger) Import(ctx context.Context, path string) (ImportResult, error) {
	events, err := ReadEvents(path)
	if err != nil {
		return ImportResult{}, err
	}
	l.importMu.Lock()
	defer l.importMu.Unlock()
	fresh := l.unheld(events)
	res := ImportResult{New: len(fresh), Existing: len(events) - len(fresh)}
	if len(fresh) == 0 {
		return res, nil
	}
	for i := range fresh {
		fresh[i].Seq = 0 // reassigned: Log ignores it
	}
	if err := l.LogBatch(ctx, fresh); err != nil {
		return ImportResult{}, fmt.Errorf("auditlog: importing %s: %w", path, err)
	}
	return res, nil
}

// unheld returns the events of evs, in their order, whose ID is neither
// held in memory nor carried by an earlier event of evs; events without
// an ID are kept. It reuses evs's array.
func (l *Logger) unheld(evs []Event) []Event {
	ids := make(map[string]bool, len(evs)) // an ID of evs: true once found held
	for i := range evs {
		if evs[i].ID != "" {
			ids[evs[i].ID] = false
		}
	}
	if len(ids) > 0 {
		l.findHeld(ids)
	}
	seen := make(map[string]bool, len(ids))
	out := evs[:0]
	for _, ev := range evs {
		if ev.ID != "" {
			if ids[ev.ID] || seen[ev.ID] {
				continue
			}
			seen[ev.ID] = true
		}
		out = append(out, ev)
	}
	return out
}

// heldWalk is how many records findHeld looks at per hold of the read
// lock.
const heldWalk = 4096

// findHeld sets ids[id] for each id of ids that an event in memory
// carries. It walks the ring oldest first, heldWalk records per hold of
// the read lock; the IDs that are not UUIDs in the form the logger keeps
// as such are in the records' encoded fields, decoded outside the lock.
func (l *Logger) findHeld(ids map[string]bool) {
	uuids := map[uuid.UUID]string{}
	custom := 0
	for id := range ids {
		if isCanonicalUUID(id) {
			uuids[uuid.MustParse(id)] = id
		} else {
			custom++
		}
	}
	l.barrier()
	var cold [][]byte
	var next, stop uint64
	started := false
	for {
		cold = cold[:0]
		l.mu.RLock()
		r := &l.ring
		if r.n == 0 {
			l.mu.RUnlock()
			break
		}
		last := r.first + uint64(r.n) - 1
		if !started {
			// What was logged before the walk began, not what is logged
			// while it runs, which could keep it going.
			next, stop, started = r.first, last, true
		}
		next = max(next, r.first) // evicted meanwhile: go on from the oldest
		end := min(stop, last, next+heldWalk-1)
		if next > end {
			l.mu.RUnlock()
			break // what was to be walked is gone
		}
		for seq := next; seq <= end; seq++ {
			rec := r.at(seq)
			switch {
			case rec.hasID:
				if id, ok := uuids[rec.id]; ok {
					ids[id] = true
				}
			case custom > 0 && len(rec.cold) > 0:
				cold = append(cold, rec.cold) // immutable: read after the lock
			}
		}
		l.mu.RUnlock()
		next = end + 1
		if len(cold) > 0 {
			cache := newDecodeCache()
			for _, b := range cold {
				var ev Event
				if decodeCold(b, &ev, cache) == nil {
					if _, ok := ids[ev.ID]; ok {
						ids[ev.ID] = true
					}
				}
			}
		}
		if end == stop {
			break
		}
	}
}
