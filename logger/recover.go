package logger

import (
	"fmt"
	"time"

	"github.com/auditlog/auditlog/export"
	"github.com/auditlog/auditlog/stats"
)

// openJournal opens the journal, continues the seq and the chain from
// its last line, and with Recover refills the ring and the statistics.
func (l *Logger) openJournal() error {
	jo := l.opts.Journal
	j, torn, err := export.OpenJournal(jo.exportOptions(l.report))
	if err != nil {
		return err
	}
	if len(torn) > 0 {
		l.report(fmt.Errorf("auditlog: journal: cut off a torn last line of %d bytes (a write cut short by a crash)", len(torn)))
	}
	var last uint64
	var prev string
	if jo.Recover {
		last, prev, err = l.recoverJournal(jo.Dir)
	} else {
		last, prev, err = lastLine(jo.Dir)
	}
	if err != nil {
		_ = j.Close() // opening failed already; its error is the one to return
		return err
	}
	w := &l.w
	w.j = j
	w.nextSeq, w.written = last+1, last
	if !jo.NoChain {
		w.chain = export.NewChain(jo.HashKey, prev)
	}
	w.syncEvery = jo.SyncInterval
	w.tickEvery = time.Second
	for _, d := range []time.Duration{jo.SyncInterval, jo.RotateEvery} {
		if d > 0 && d < w.tickEvery {
			w.tickEvery = max(d, time.Millisecond)
		}
	}
	w.lastSync = time.Now()
	return nil
}

// maxSeq bounds the seq read from a journal, far above any real count
// (570 years at a million events a second), so that the arithmetic on
// sequence numbers cannot overflow and index.Pairs, which takes seqs
// below 2⁵⁵, indexes every event that follows.
const maxSeq = 1 << 54

// lineTail is what New reads of a journal line to continue after it.
type lineTail struct {
	Seq  uint64 `json:"seq"`
	Hash string `json:"hash"`
}

// lastLine returns the seq and hash of the journal's last line.
func lastLine(dir string) (uint64, string, error) {
	line, err := export.LastLine(dir)
	if err != nil || line == nil {
		return 0, "", err
	}
	var t lineTail
	if err := readTail(line, &t); err != nil {
		return 0, "", fmt.Errorf("auditlog: journal: reading its last line: %w: %w", export.ErrCorrupt, err)
	}
	if t.Seq > maxSeq {
		return 0, "", fmt.Errorf("auditlog: journal: %w: last line has seq %d, above %d", export.ErrCorrupt, t.Seq, uint64(maxSeq))
	}
	return t.Seq, t.Hash, nil
}

// recoverJournal reads every line of the journal: the newest run of
// MaxEvents events with consecutive seq refills the ring, every event
// counts in the statistics. It returns the seq and hash of the last line.
func (l *Logger) recoverJournal(dir string) (uint64, string, error) {
	keep := make([]Event, 0, min(l.opts.MaxEvents, 1<<16))
	var last lineTail
	var lastBad error // why the last line's seq and hash could not be read
	skipped := 0
	count := func(ev *Event) {
		st := ev.Status
		if st == "" {
			st = StatusSuccess
		}
		l.counters.Add(stats.Sample[Operation, Status]{
			Operation: ev.Operation, Status: st, User: ev.UserID,
			UnixNano: ev.Time.UnixNano(), Duration: int64(ev.Duration),
			Success: st == StatusSuccess, Failure: st == StatusFailure,
		})
	}
	head := 0 // keep[head:] are the events still to go into the ring
	err := export.ReadJournal(dir, func(line export.Line) error {
		if line.Torn {
			return nil
		}
		var ev Event
		var t lineTail
		terr := readTail(line.Data, &t)
		if terr == nil && (t.Seq == 0 || t.Seq > maxSeq) {
			terr = fmt.Errorf("seq %d outside 1 to %d", t.Seq, uint64(maxSeq))
		}
		if terr == nil && t.Seq <= last.Seq {
			return fmt.Errorf("auditlog: journal: %w: %s line %d: seq %d after %d", export.ErrCorrupt, line.File, line.Num, t.Seq, last.Seq)
		}
		err := terr
		if err == nil {
			err = ev.UnmarshalJSON(line.Data)
		}
		if err == nil {
			err = ev.check()
		}
		if terr == nil {
			last = t // the chain and seq go on after this line, read or not
		}
		lastBad = terr
		if err != nil {
			skipped++
			if skipped <= 10 {
				l.report(fmt.Errorf("auditlog: journal: recovery skipped %s line %d: %w", line.File, line.Num, err))
			}
			return nil
		}
		if len(keep) > head && t.Seq != keep[len(keep)-1].Seq+1 {
			// A gap: the ring holds consecutive seqs only.
			for i := head; i < len(keep); i++ {
				count(&keep[i])
			}
			keep, head = keep[:0], 0
		}
		if len(keep)-head == l.opts.MaxEvents {
			count(&keep[head])
			keep[head] = Event{}
			head++
			if head >= len(keep)/2 && head > 1024 {
				keep = keep[:copy(keep, keep[head:])]
				head = 0
			}
		}
		ev.Seq = t.Seq
		keep = append(keep, ev)
		return nil
	})
	if len(keep) > head && keep[len(keep)-1].Seq != last.Seq {
		// Lines after the newest run were skipped: the ring holds
		// consecutive seqs only, and the next event is last.Seq+1.
		for i := head; i < len(keep); i++ {
			count(&keep[i])
		}
		keep, head = keep[:0], 0
	}
	if err == nil && lastBad != nil {
		// Without the last line's seq and hash the logger cannot go on.
		err = fmt.Errorf("auditlog: journal: reading its last line: %w: %w", export.ErrCorrupt, lastBad)
	}
	if err != nil {
		return 0, "", err
	}
	if skipped > 0 {
		l.failed += int64(skipped)
		l.report(fmt.Errorf("auditlog: journal: recovery skipped %d lines it could not read", skipped))
	}
	w := &l.w
	w.ids.stamp(time.Now()) // for events recovered without an ID
	for i := head; i < len(keep); i++ {
		ev := &keep[i]
		w.nextSeq = ev.Seq
		l.prepare(ev)
	}
	for i := range w.pending {
		l.insert(&w.pending[i])
	}
	clear(w.pending)
	w.pending = w.pending[:0]
	// The recovered events count as accepted: NoRotation's quota includes
	// them, and the read barrier has nothing to wait for.
	l.sent.Store(int64(l.ring.n))
	l.applied.Store(int64(l.ring.n))
	return last.Seq, last.Hash, nil
}
