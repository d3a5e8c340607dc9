package logger

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/auditlog/auditlog/export"
	"github.com/auditlog/auditlog/stats"
)

// openJournal opens the journal, continues the seq and the chain after
// the highest seq in it, and with Recover refills the ring and the
// statistics.
func (l *Logger) openJournal() error {
	jo := l.opts.Journal
	var keep func(export.JournalFile) bool
	sinks, signed := l.opts.Delivery.KeepUndelivered, jo.Checkpoints.Signer != nil
	if sinks || signed {
		keep = func(f export.JournalFile) bool {
			if sinks && l.keepForSinks(f) {
				return true
			}
			return signed && l.recordRemoval(f)
		}
	}
	eo := jo.exportOptions(l.report, keep)
	if signed {
		eo.OnWrite, eo.OnRotate = l.linesWritten, l.rotated
	}
	j, torn, err := export.OpenJournal(eo)
	if err != nil {
		return err
	}
	if len(torn) > 0 {
		l.report(fmt.Errorf("auditlog: journal: cut off a torn last line of %d bytes (a write cut short by a crash)", j.TornSize()))
	}
	last, prev, err := l.readJournal(jo.Dir, jo.Recover)
	if err != nil {
		_ = j.Close() // opening failed already; its error is the one to return
		return err
	}
	w := &l.w
	if signed {
		if w.cp, err = l.openCheckpoints(jo.Dir); err != nil {
			_ = j.Close() // opening failed already; its error is the one to return
			return err
		}
	}
	w.j = j
	w.nextSeq, w.written = last+1, last
	if !jo.NoChain {
		w.chain = export.NewChain(jo.HashKey, prev)
	}
	w.syncEvery = jo.SyncInterval
	w.tickEvery = time.Second
	for _, d := range []time.Duration{jo.SyncInterval, jo.RotateEvery, jo.Checkpoints.Interval} {
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
// below 2⁵⁵, indexes every event that follows. A line with a seq above
// it is read as a line whose seq cannot be read.
const maxSeq = 1 << 54

// maxReported bounds the journal lines New reports one by one; a summary
// gives the count of the rest.
const maxReported = 10

// lineTail is what New reads of the journal line with the highest seq
// to continue after it.
type lineTail struct {
	Seq  uint64 `json:"seq"`
	Hash string `json:"hash"`
}

// readSeq reads the seq of a journal line, as json.Unmarshal into
// lineTail reads it. A line as the logger writes it, which starts with
// its event_id and seq, is read without decoding the rest, unless the
// rest could hold another key that encoding/json would take for seq (it
// matches keys without regard to case, and unescapes them, and the last
// one wins): a key ending in q or Q, or an escape. The rest of such a
// line is not checked: a damaged line whose seq is readable still counts,
// so that its seq is not used again.
func readSeq(line []byte) (uint64, error) {
	if n, ok := fastSeq(line); ok {
		return n, nil
	}
	var t lineTail
	if err := readTail(line, &t); err != nil {
		return 0, err
	}
	return t.Seq, nil
}

// lineSeq returns the seq of a journal line, and an error when it cannot
// be read or is outside 1 to maxSeq.
func lineSeq(line []byte) (uint64, error) {
	seq, err := readSeq(line)
	if err == nil && (seq == 0 || seq > maxSeq) {
		err = fmt.Errorf("seq %d outside 1 to %d", seq, uint64(maxSeq))
	}
	return seq, err
}

// fastSeq reads the seq of a line that starts as the logger writes one:
// {"event_id":"<id without escapes>","seq":<digits>,
func fastSeq(line []byte) (uint64, bool) {
	const idKey, seqKey = `{"event_id":"`, `","seq":`
	if !bytes.HasPrefix(line, []byte(idKey)) {
		return 0, false
	}
	rest := line[len(idKey):]
	i := bytes.IndexByte(rest, '"')
	if i < 0 || bytes.IndexByte(rest[:i], '\\') >= 0 || !bytes.HasPrefix(rest[i:], []byte(seqKey)) {
		return 0, false
	}
	rest = rest[i+len(seqKey):]
	d := 0
	for d < len(rest) && d < 19 && '0' <= rest[d] && rest[d] <= '9' {
		d++
	}
	if d == 0 || rest[0] == '0' || d == len(rest) || rest[d] != ',' {
		return 0, false
	}
	tail := rest[d:]
	if bytes.Contains(tail, []byte(`q"`)) || bytes.Contains(tail, []byte(`Q"`)) || bytes.Contains(tail, []byte(`\u`)) {
		return 0, false
	}
	n, err := strconv.ParseUint(string(rest[:d]), 10, 64)
	return n, err == nil
}

// journalReader is what New keeps while it reads the journal back.
type journalReader struct {
	l       *Logger
	recover bool
	topSeq  uint64 // the highest seq so far
	topLine []byte // the line that carries it, and where it is
	topFile string
	topNum  int
	bad     int // lines reported: no readable seq, a seq not above top, an event that cannot be read
	// With recover and a chain: check checks each line's hash; prevHash
	// is the hash of the line before (and altHash that of a line before
	// that did not verify, which the next line may chain to); checked and
	// valid count the chained lines read and those that verified.
	check          *export.Chain
	prevHash       string
	altHash        string
	checked, valid int
	topFailed      bool // the line with the highest seq did not verify (and was reported)
	// With recover: keep[head:] is the newest run of consecutive seqs,
	// the events that go into the ring.
	keep []Event
	head int
}

// readJournal reads the seq of the lines of the journal in dir, oldest
// first, and returns the highest and the hash of the line that carries
// it: new events go on after it, so no seq on disk is ever used again.
// With recover it reads every line; without, every line of the current
// file and the last line of each rotated one (which the journal wrote
// above every seq before it; a compressed file carries that line in its
// header), so that New costs one file and not the whole journal; a
// rotated file whose last line gives no seq (see lineSeq), or cannot be
// read, is read whole. A
// journal whose files cannot be listed (a link or FIFO planted under a
// journal file's name) is an error: New does not start.
// A line whose seq cannot be read (or is outside 1 to maxSeq), or is not
// above the highest before it (a line copied back, a file restored, two
// loggers in one folder), and a file that cannot be read, are reported to
// ErrorHandler and counted in Stats.Failed; they do not stop New, with
// or without recover. With recover it also reads every event back (see
// keepEvent and refill).
func (l *Logger) readJournal(dir string, recover bool) (uint64, string, error) {
	r := &journalReader{l: l, recover: recover}
	jo := l.opts.Journal
	if recover {
		r.keep = make([]Event, 0, min(l.opts.MaxEvents, 1<<16))
		if !jo.NoChain {
			r.check = export.NewChain(jo.HashKey, "")
		}
	}
	files, err := export.JournalFiles(dir)
	if err != nil {
		return 0, "", err // without the files, no seq is known to be free
	}
	for _, f := range files {
		if !recover && !f.Rotated.IsZero() {
			// The journal wrote each rotated file above every seq before
			// it, so its last line carries its highest seq. When that line
			// gives none, or cannot be read, the whole file is read (and
			// what it holds reported): a seq before it may be the highest.
			last, err := export.FileLastLine(f)
			if err == nil && last == nil {
				continue
			}
			if err == nil {
				if _, err = lineSeq(last); err == nil {
					_ = r.line(export.Line{File: f.Path, Data: last})
					continue
				}
			}
		}
		if err := export.ReadJournalFile(f, r.line); err != nil {
			// A file cut short, or a line too long: the lines read before
			// the error count, the rest of the file is skipped.
			r.fail(fmt.Errorf("auditlog: journal: %w", err))
		}
	}
	if err := r.checkKey(); err != nil {
		return 0, "", err
	}
	if r.check != nil && r.checked > 0 && r.valid == 0 && jo.HashKey != nil {
		return 0, "", fmt.Errorf("%w: Journal.HashKey: no line of the journal in %s matches its hash with it: the key is not the journal's, or the journal was written without one",
			ErrInvalidOptions, dir)
	}
	hash := r.topHash()
	if r.bad > maxReported {
		l.report(fmt.Errorf("auditlog: journal: %d lines or files could not be read or were out of order (the first %d reported)", r.bad, maxReported))
	}
	l.failed += int64(r.bad)
	if recover {
		r.refill()
	}
	return r.topSeq, hash, nil
}

// topHash returns the hash of the line with the highest seq, to continue
// the chain from, or "" (a new chain) when that line has none. A line
// whose hash cannot be read, or is not 64 lower-case hex digits (what
// the chain writes), is reported and counted: the hash goes into the
// next line as it is, so it must be one.
func (r *journalReader) topHash() string {
	if r.topLine == nil || r.topFailed {
		return ""
	}
	var t lineTail
	err := readTail(r.topLine, &t)
	if err == nil && (t.Hash == "" || isHash(t.Hash)) {
		return t.Hash
	}
	if err == nil {
		err = fmt.Errorf("hash %.80q is not 64 lower-case hex digits", t.Hash)
	}
	r.fail(fmt.Errorf("auditlog: journal: %w: %s: the chain starts again after it, its hash cannot be read: %w",
		export.ErrCorrupt, lineAt(r.topFile, r.topNum), err))
	return ""
}

// lineAt names a line of a journal file; num is 0 for the last line of
// a rotated file, read alone.
func lineAt(file string, num int) string {
	if num == 0 {
		return file + ", last line"
	}
	return fmt.Sprintf("%s line %d", file, num)
}

// isHash reports whether s is a hash as the chain writes it.
func isHash(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// fail reports a line or a file that could not be used and counts it.
func (r *journalReader) fail(err error) {
	r.bad++
	if r.bad <= maxReported {
		r.l.report(err)
	}
}

// line reads one line of the journal.
func (r *journalReader) line(line export.Line) error {
	if line.Torn {
		return nil // a write cut short by a crash, reported by OpenJournal
	}
	seq, err := lineSeq(line.Data)
	if err != nil {
		r.fail(fmt.Errorf("auditlog: journal: %w: %s: skipped, its seq cannot be read: %w", export.ErrCorrupt, lineAt(line.File, line.Num), err))
		return nil
	}
	chainErr := r.verify(line)
	if seq <= r.topSeq {
		r.fail(fmt.Errorf("auditlog: journal: %w: %s: seq %d is not above %d, the highest before it; new events go on above the highest seq in the journal",
			export.ErrCorrupt, lineAt(line.File, line.Num), seq, r.topSeq))
		if r.recover && chainErr == nil {
			if ev, err := readEvent(line.Data); err == nil {
				r.count(&ev) // an event on disk: it counts, out of the ring
			}
		}
		return nil
	}
	// The seq and the chain go on after this line, read or not.
	r.topSeq, r.topLine = seq, append(r.topLine[:0], line.Data...)
	r.topFile, r.topNum = line.File, line.Num
	r.topFailed = false
	if chainErr != nil {
		// Not an event the logger is known to have written: it goes
		// neither into the ring nor into the statistics.
		r.fail(fmt.Errorf("auditlog: journal: %w: recovery skipped %s: %w", ErrChainBroken, lineAt(line.File, line.Num), chainErr))
		r.topFailed = !isHash(chainHash(line.Data))
		return nil
	}
	if r.recover {
		ev, err := readEvent(line.Data)
		if err != nil {
			r.fail(fmt.Errorf("auditlog: journal: recovery skipped %s line %d: %w", line.File, line.Num, err))
			return nil
		}
		ev.Seq = seq
		r.keepEvent(ev)
	}
	return nil
}

// verify checks the chain at line when Recover reads it: nil when the
// line matches its own hash (with HashKey when set), else why not. A
// line that matches its hash but does not chain to the line before it
// (lines removed, inserted or reordered around it) is reported and
// counted, and recovered: its hash shows the logger wrote it.
func (r *journalReader) verify(line export.Line) error {
	if r.check == nil {
		return nil
	}
	c := r.check.CheckLine(line.Data)
	if !c.Chained {
		return errors.New("not a chained line (no prev_hash and hash at its end), though the journal is chained")
	}
	r.checked++
	alt := r.altHash
	r.altHash = ""
	switch {
	case c.Kind != "" && c.Kind != r.check.Kind():
		r.altHash = c.Hash
		return fmt.Errorf("the line says it is chained with %s, the journal with %s", c.Kind, r.check.Kind())
	case !c.Valid:
		r.altHash = c.Hash
		if r.check.Kind() == export.ChainHMAC {
			return errors.New("its content does not match its hash with Journal.HashKey (altered, or written without the key)")
		}
		return errors.New("its content does not match its hash (altered)")
	}
	r.valid++
	if r.prevHash != "" && c.Prev != r.prevHash && c.Prev != alt {
		r.fail(fmt.Errorf("auditlog: journal: %w: %s: its prev_hash is not the hash of the line before it: lines were removed, inserted or reordered before it",
			ErrChainBroken, lineAt(line.File, line.Num)))
	}
	r.prevHash = c.Hash
	return nil
}

// chainHash returns the hash a line carries at its end, "" when none.
func chainHash(line []byte) string {
	const key = `","hash":"`
	if len(line) < len(key)+64+2 || !bytes.HasSuffix(line, []byte(`"}`)) {
		return ""
	}
	h := line[len(line)-64-2 : len(line)-2]
	if !bytes.HasSuffix(line[:len(line)-64-2], []byte(key)) {
		return ""
	}
	return string(h)
}

// checkKey refuses to go on with a chain of another kind than the
// options say: the line the chain goes on from says it is keyed and
// Journal.HashKey is not set, or the reverse. New chained so would leave
// a journal no single key verifies.
func (r *journalReader) checkKey() error {
	jo := r.l.opts.Journal
	if r.topLine == nil || jo.NoChain {
		return nil
	}
	c := export.NewChain(jo.HashKey, "").CheckLine(r.topLine)
	switch kind := c.Kind; {
	case kind == export.ChainHMAC && jo.HashKey == nil:
		return fmt.Errorf("%w: Journal.HashKey is not set, but the journal in %s is keyed (%s says \"chain\":\"hmac-sha256\"): give its key, or start a new journal in another folder",
			ErrInvalidOptions, jo.Dir, lineAt(r.topFile, r.topNum))
	case kind == export.ChainSHA256 && jo.HashKey != nil:
		return fmt.Errorf("%w: Journal.HashKey is set, but the journal in %s is not keyed (%s says \"chain\":\"sha256\"): leave HashKey out, or start a new journal in another folder",
			ErrInvalidOptions, jo.Dir, lineAt(r.topFile, r.topNum))
	case !r.recover && kind == export.ChainHMAC && !c.Valid:
		// Recover checks every line; without it, the one the chain goes on from.
		r.fail(fmt.Errorf("auditlog: journal: %w: %s does not match its hash with Journal.HashKey: the key is not the journal's, or the line was altered",
			ErrChainBroken, lineAt(r.topFile, r.topNum)))
	}
	return nil
}

// readEvent decodes the event of a journal line.
func readEvent(data []byte) (Event, error) {
	var ev Event
	err := ev.UnmarshalJSON(data)
	if err == nil {
		err = ev.check()
	}
	return ev, err
}

// count adds ev to the statistics only.
func (r *journalReader) count(ev *Event) {
	st := ev.Status
	if st == "" {
		st = StatusSuccess
	}
	r.l.counters.Add(stats.Sample[Operation, Status]{
		Operation: ev.Operation, Status: st, User: ev.UserID,
		UnixNano: ev.Time.UnixNano(), Duration: int64(ev.Duration),
		Success: st == StatusSuccess, Failure: st == StatusFailure,
	})
}

// keepEvent adds ev, whose seq is the highest so far, to the run of
// events for the ring; the events that leave the run count in the
// statistics only.
func (r *journalReader) keepEvent(ev Event) {
	if len(r.keep) > r.head && ev.Seq != r.keep[len(r.keep)-1].Seq+1 {
		r.flush() // a gap: the ring holds consecutive seqs only
	}
	if len(r.keep)-r.head == r.l.opts.MaxEvents {
		r.count(&r.keep[r.head])
		r.keep[r.head] = Event{}
		r.head++
		if r.head >= len(r.keep)/2 && r.head > 1024 {
			r.keep = r.keep[:copy(r.keep, r.keep[r.head:])]
			r.head = 0
		}
	}
	r.keep = append(r.keep, ev)
}

// flush counts the run in the statistics and empties it.
func (r *journalReader) flush() {
	for i := r.head; i < len(r.keep); i++ {
		r.count(&r.keep[i])
	}
	r.keep, r.head = r.keep[:0], 0
}

// refill puts the run into the ring when it ends at the highest seq, the
// one new events follow (the ring holds consecutive seqs); otherwise the
// run counts in the statistics only and the ring starts empty.
func (r *journalReader) refill() {
	l := r.l
	if len(r.keep) > r.head && r.keep[len(r.keep)-1].Seq != r.topSeq {
		r.flush()
	}
	w := &l.w
	w.ids.stamp(time.Now()) // for events recovered without an ID
	for i := r.head; i < len(r.keep); i++ {
		ev := &r.keep[i]
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
}
