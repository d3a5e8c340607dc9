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
	// Problems are the breaks found, first first, at most MaxProblems;
	// ProblemCount counts them all.
	Problems     []Problem
	ProblemCount int64
	// Chain is how the lines say they are chained (their chain key), ""
	// when they do not say (lines written before they did).
	Chain ChainKind
	// Key says whether the chain could be checked with the key given.
	// When it is not KeyFits, no line could be checked: Problems is
	// empty, and KeyProblem says why in one sentence.
	Key KeyStatus
	// Torn is the last line of the newest file when it was cut short
	// (a crash during a write): reported, not counted as a problem.
	Torn *Problem
}

// MaxProblems bounds Report.Problems.
const MaxProblems = 100

// KeyStatus says whether the key given to Verify fits the chain.
type KeyStatus int

// The answers of Report.Key.
const (
	// KeyFits: the chain was checked, with the key for a keyed chain,
	// without one for a SHA-256 chain.
	KeyFits KeyStatus = iota
	// KeyMissing: the chain is keyed (its lines say hmac-sha256, or none
	// matches its SHA-256 hash though each is a chained event) and was
	// checked without a key.
	KeyMissing
	// KeyWrong: a key was given and no line matches its hash with it,
	// though each is a chained event: the key is not the chain's (or
	// every line was altered).
	KeyWrong
	// KeyNotKeyed: a key was given, but the chain is SHA-256: no line
	// matches its hash with the key, and the first matches without. It
	// was written without a key, or replaced by a chain anyone can
	// compute.
	KeyNotKeyed
)

// OK reports whether the chain was checked and no problem was found. A
// torn last line does not count.
func (r *Report) OK() bool { return r.problems() == 0 && r.Key == KeyFits }

// problems counts the problems found: ProblemCount, or the length of
// Problems in a report made by hand.
func (r *Report) problems() int64 { return max(r.ProblemCount, int64(len(r.Problems))) }

// KeyProblem says in one sentence why the chain could not be checked
// with the key given, or returns "" when it could (r.Key is KeyFits).
func (r *Report) KeyProblem() string {
	switch r.Key {
	case KeyMissing, KeyWrong:
		if r.Chain == ChainHMAC {
			return "the chain is keyed (hmac-sha256): the key is missing or wrong"
		}
		return "the chain is keyed: the key is missing or wrong (no line matches its hash, though every line is a chained event)"
	case KeyNotKeyed:
		return "the chain is not keyed (sha256): it was written without a key, or replaced by a chain anyone can recompute"
	}
	return ""
}

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
	v := &verifier{c: NewChain(key, ""), key: key, r: &Report{}}
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
	key       []byte
	r         *Report
	events    int64  // chained lines that are events
	valid     int64  // lines that match their own hash, as their chain key says
	hmacLines int64  // lines whose chain key says hmac-sha256
	first     []byte // the first chained line, to tell a SHA-256 chain checked with a key
	fileStart bool
	started   bool
	prevSum   string
	prevSeq   uint64
	noSeq     bool       // the line before was chained but not an event: its seq is unknown
	held      *chainLine // a line whose seq skipped ahead, waiting to tell removal from reordering
}

func (v *verifier) problem(p Problem) {
	v.r.ProblemCount++
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
	chk := v.c.CheckLine(l.Data)
	ok := chk.Chained
	obj := l.Data
	kindNote := ""
	if ok {
		obj = chk.obj
		cl.prev, cl.sum = chk.Prev, chk.Hash
		cl.selfOK = chk.Valid
		switch chk.Kind {
		case "", v.c.Kind():
		case ChainSHA256, ChainHMAC:
			cl.selfOK = false
			kindNote = fmt.Sprintf(" (the line says it is chained with %s, the check was with %s)", chk.Kind, v.c.Kind())
		default:
			cl.selfOK = false
			kindNote = fmt.Sprintf(" (its chain key %.40q is not one the library writes)", string(chk.Kind))
		}
		if v.r.Chain == "" {
			v.r.Chain = chk.Kind
		}
		if chk.Kind == ChainHMAC {
			v.hmacLines++
		}
		if v.first == nil {
			v.first = append([]byte{}, l.Data...)
		}
	}
	seq, notEvent := eventSeq(obj)
	if notEvent == "" {
		cl.seq, cl.hasSeq = seq, true
		if ok {
			v.events++
		}
	}
	if cl.selfOK {
		v.valid++
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
		d := "content does not match its hash" + kindNote
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
	r := v.r
	switch {
	case v.key == nil && v.hmacLines > 0:
		r.Key = KeyMissing
	case v.valid > 0 || v.events == 0 || v.events != r.Lines:
		return // some line checked, or lines that are not chained events: their problems say it
	case v.key == nil:
		r.Key = KeyMissing
	case NewChain(nil, "").CheckLine(v.first).Valid:
		r.Key = KeyNotKeyed
	default:
		r.Key = KeyWrong
	}
	// Every line failed for want of the key: listing them says nothing more.
	r.Problems, r.ProblemCount = nil, 0
	r.FirstSeq, r.LastSeq, r.LastHash, r.FromGenesis = 0, 0, "", false
}

// Err returns nil when the report is OK, else an error naming the first
// problem, wrapping ErrTampered.
// Err returns nil when the report is OK; else an error wrapping
// ErrKeyMismatch with KeyProblem's sentence when the chain could not be
// checked with the key given, or one wrapping ErrTampered naming the
// first problem and how many more there are.
func (r *Report) Err() error {
	if r.OK() {
		return nil
	}
	if r.Key != KeyFits {
		return fmt.Errorf("%w: %s", ErrKeyMismatch, r.KeyProblem())
	}
	var b strings.Builder
	b.WriteString(r.Problems[0].String())
	if n := r.problems(); n > 1 {
		fmt.Fprintf(&b, " (and %d more)", n-1)
	}
	return fmt.Errorf("%w: %s", ErrTampered, b.String())
}
