package export

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ProblemKind names what Verify found wrong with a line.
type ProblemKind string

// The kinds of break Verify reports.
const (
	// Modified: the line's content does not match its own hash (a byte
	// changed), it is not a chained line at all, or it is not an event
	// (not a JSON object, or without a seq that is a whole number from
	// 1), which the library never writes, whatever its hash.
	Modified ProblemKind = "modified"
	// Removed: lines are missing before this one: its prev_hash is not
	// the hash of the line before it, and its seq skips ahead.
	Removed ProblemKind = "removed"
	// MissingFile: the first line of a file does not follow the last line
	// of the file before it, and its seq skips ahead: a file in the
	// middle was deleted.
	MissingFile ProblemKind = "missing file"
	// Inserted: the line does not belong between its neighbours: its seq
	// is not above the line before it, or another line carries its seq.
	Inserted ProblemKind = "inserted"
	// Reordered: the line comes before a line it should follow.
	Reordered ProblemKind = "reordered"
)

// Problem is a line where the chain breaks.
type Problem struct {
	Kind ProblemKind
	// File and Line locate the line (Line counts from 1).
	File string
	Line int
	// Seq is the line's seq, 0 when it has none; Expected is the seq the
	// line should have had, from the line before it.
	Seq, Expected uint64
	// Detail says what was seen.
	Detail string
}

// String describes p in one line, with its file and line.
func (p Problem) String() string {
	return fmt.Sprintf("%s line %d: %s: %s", p.File, p.Line, p.Kind, p.Detail)
}

// Report is the result of Verify.
type Report struct {
	// Files are the files checked, oldest first; Lines the lines checked.
	Files []string
	Lines int64
	// Unchained counts the lines without a prev_hash and hash at their
	// end: all of them in a journal written without a chain
	// (JournalOptions.NoChain), which cannot be verified.
	Unchained int64
	// FirstSeq and LastSeq are the seq of the first and last good lines.
	FirstSeq, LastSeq uint64
	// LastHash is the hash of the last good line: record it elsewhere to
	// tell later that no line was cut from the end, which the chain alone
	// cannot show.
	LastHash string
	// FromGenesis reports that the first line starts the chain. When it
	// is false, verification began in the middle of the chain, at
	// FirstSeq: older files were removed (by retention, MaxBackups or
	// MaxAge), which is not tampering.
	FromGenesis bool
	// Problems are the breaks found, first first, at most MaxProblems.
	Problems []Problem
	// Torn is the last line of the newest file when it was cut short
	// (a crash during a write): reported, not counted as a problem.
	Torn *Problem
}

// MaxProblems bounds Report.Problems.
const MaxProblems = 100

// OK reports whether no problem was found. A torn last line does not
// count.
func (r *Report) OK() bool { return len(r.Problems) == 0 }

// First returns the first problem, or nil.
func (r *Report) First() *Problem {
	if len(r.Problems) == 0 {
		return nil
	}
	return &r.Problems[0]
}

// chainLine is what Verify keeps of a line.
type chainLine struct {
	file      string
	num       int
	seq       uint64
	hasSeq    bool
	prev, sum string
	selfOK    bool // the line matches its own hash
	firstFile bool // the line is the first of its file
}

// Verify walks the journal in dir (see ReadJournal) and checks its hash
// chain with key (nil for a SHA-256 chain). It returns an error only when
// the journal cannot be read at all (no folder, an unreadable or corrupt
// gzip file); what it finds wrong with lines is in the report.
func Verify(dir string, key []byte) (*Report, error) {
	files, err := JournalFiles(dir)
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("auditlog: journal: no journal files in %s", dir)
	}
	v := &verifier{c: NewChain(key, ""), r: &Report{}}
	for i, f := range files {
		v.r.Files = append(v.r.Files, f.Path)
		v.fileStart = true
		newest := i == len(files)-1
		err := ReadJournalFile(f, func(l Line) error {
			if l.Torn && newest {
				v.r.Torn = &Problem{File: l.File, Line: l.Num, Detail: fmt.Sprintf("last line cut short after %d bytes (a crash during a write)", len(l.Data))}
				if _, _, _, ok := splitChained(l.Data); !ok {
					return nil
				}
				// A line cut exactly before its newline is whole: check it.
			}
			v.line(l)
			return nil
		})
		if err != nil {
			return v.r, err
		}
	}
	v.finish()
	return v.r, nil
}

type verifier struct {
	c         *Chain
	r         *Report
	fileStart bool
	started   bool
	prevSum   string
	prevSeq   uint64
	noSeq     bool       // the line before was chained but not an event: its seq is unknown
	held      *chainLine // a line whose seq skipped ahead, waiting to tell removal from reordering
}

func (v *verifier) problem(p Problem) {
	if len(v.r.Problems) < MaxProblems {
		v.r.Problems = append(v.r.Problems, p)
	}
}

func (v *verifier) line(l Line) {
	v.r.Lines++
	cl := chainLine{file: l.File, num: l.Num, firstFile: v.fileStart}
	v.fileStart = false
	afterNoSeq := v.noSeq
	v.noSeq = false
	obj, prev, sum, ok := splitChained(l.Data)
	if ok {
		cl.prev, cl.sum = prev, sum
		cl.selfOK = v.c.hashOf(prev, obj) == sum
	} else {
		obj = l.Data
	}
	seq, notEvent := eventSeq(obj)
	if notEvent == "" {
		cl.seq, cl.hasSeq = seq, true
	}
	if v.held != nil {
		h := v.held
		v.held = nil
		if cl.hasSeq && cl.seq == v.prevSeq+1 && cl.selfOK && cl.prev == v.prevSum {
			// The line that should have come first comes after: swapped.
			v.problem(Problem{Kind: Reordered, File: h.file, Line: h.num, Seq: h.seq, Expected: v.prevSeq + 1,
				Detail: fmt.Sprintf("seq %d comes before seq %d", h.seq, cl.seq)})
			v.accept(&cl)
			v.resync(h)
			return
		}
		v.judgeSkip(h)
		v.resync(h)
	}
	switch {
	case notEvent != "":
		v.problem(Problem{Kind: Modified, File: l.File, Line: l.Num, Expected: v.prevSeq + 1,
			Detail: "not a journal event: " + notEvent})
		if ok {
			// The line after it may chain to it: go on from its hash, and
			// do not blame that line for a seq this one lacks.
			v.prevSum, v.noSeq = cl.sum, true
		}
		return
	case !ok:
		v.r.Unchained++
		v.problem(Problem{Kind: Modified, File: l.File, Line: l.Num, Seq: cl.seq, Expected: v.prevSeq + 1,
			Detail: "not a chained line (no prev_hash and hash at its end)"})
		return
	case !cl.selfOK:
		d := "content does not match its hash"
		if v.r.Lines == 1 {
			d += " (a journal written with a HashKey fails so on every line without the right key)"
		}
		kind := Modified
		if v.started && cl.hasSeq && cl.seq <= v.prevSeq {
			kind = Inserted
		}
		v.problem(Problem{Kind: kind, File: l.File, Line: l.Num, Seq: cl.seq, Expected: v.prevSeq + 1, Detail: d})
		// Trust its seq and hash to go on checking the lines after it.
		v.resync(&cl)
		return
	case !v.started:
		v.r.FromGenesis = cl.prev == GenesisHash
		v.r.FirstSeq = cl.seq
		v.accept(&cl)
		return
	case cl.prev == v.prevSum:
		if !afterNoSeq && cl.seq != v.prevSeq+1 {
			v.problem(Problem{Kind: Modified, File: l.File, Line: l.Num, Seq: cl.seq, Expected: v.prevSeq + 1,
				Detail: "chained correctly but seq does not follow"})
		}
		v.accept(&cl)
		return
	case cl.hasSeq && cl.seq > v.prevSeq+1:
		v.held = &cl // removed lines, or the first of two swapped lines
		return
	default:
		kind := Inserted
		d := fmt.Sprintf("prev_hash is not the hash of line before it, and seq %d is not above %d", cl.seq, v.prevSeq)
		if cl.seq == v.prevSeq+1 {
			d = "prev_hash is not the hash of the line before it"
		}
		v.problem(Problem{Kind: kind, File: l.File, Line: l.Num, Seq: cl.seq, Expected: v.prevSeq + 1, Detail: d})
		if cl.hasSeq && cl.seq <= v.prevSeq {
			// A line from elsewhere (a copy of an earlier one): the next
			// line follows the one before it.
			return
		}
		v.resync(&cl)
	}
}

// maxShownSeq bounds how much of a bad seq a Problem quotes.
const maxShownSeq = 40

// eventSeq reads the seq of a line's object, as every reader of the
// journal does. notEvent is empty when obj is a JSON object with a seq
// that is a whole number from 1, and else says what is wrong.
func eventSeq(obj []byte) (seq uint64, notEvent string) {
	var s struct {
		Seq json.RawMessage `json:"seq"`
	}
	if err := json.Unmarshal(obj, &s); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return 0, "not a JSON object (" + te.Value + ")"
		}
		return 0, "not valid JSON: " + err.Error()
	}
	if s.Seq == nil {
		return 0, "no seq"
	}
	n, err := strconv.ParseUint(string(s.Seq), 10, 64)
	if err != nil || n == 0 {
		shown := string(s.Seq)
		if len(shown) > maxShownSeq {
			shown = shown[:maxShownSeq] + "..."
		}
		return 0, "seq " + shown + " is not a whole number from 1 to 2^64-1"
	}
	return n, ""
}

// judgeSkip reports a line whose seq skipped ahead, once the line after it
// showed it was not swapped.
func (v *verifier) judgeSkip(h *chainLine) {
	kind, what := Removed, "lines"
	if h.firstFile {
		kind, what = MissingFile, "a file"
	}
	v.problem(Problem{Kind: kind, File: h.file, Line: h.num, Seq: h.seq, Expected: v.prevSeq + 1,
		Detail: fmt.Sprintf("%s missing before it: seq %d to %d", what, v.prevSeq+1, h.seq-1)})
}

func (v *verifier) accept(cl *chainLine) {
	v.started = true
	v.prevSum, v.prevSeq = cl.sum, cl.seq
	v.r.LastSeq, v.r.LastHash = cl.seq, cl.sum
}

// resync goes on from a bad line as if it were good, so that one break is
// reported once.
func (v *verifier) resync(cl *chainLine) {
	if !v.started {
		v.r.FirstSeq = cl.seq
	}
	v.started = true
	v.prevSum = cl.sum
	if cl.seq > v.prevSeq {
		v.prevSeq = cl.seq
	}
}

func (v *verifier) finish() {
	if v.held != nil {
		v.judgeSkip(v.held)
		v.resync(v.held)
		v.held = nil
	}
}

// Err returns nil when the report is OK, else an error naming the first
// problem, wrapping ErrTampered.
func (r *Report) Err() error {
	if r.OK() {
		return nil
	}
	var b strings.Builder
	b.WriteString(r.Problems[0].String())
	if n := len(r.Problems); n > 1 {
		fmt.Fprintf(&b, " (and %d more)", n-1)
	}
	return fmt.Errorf("%w: %s", ErrTampered, b.String())
}

// ErrTampered is returned, wrapped, by Report.Err when the chain breaks.
var ErrTampered = errors.New("auditlog: journal: hash chain broken")
