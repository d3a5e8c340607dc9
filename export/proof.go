package export

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/proof"
	"golang.org/x/mod/sumdb/note"
)

// InclusionProof shows that one line is leaf LeafIndex of the tree of
// TreeSize lines: the hashes of the subtrees beside the path from the
// leaf to the root, lowest first (RFC 6962, section 2.1.1).
type InclusionProof struct {
	LeafIndex uint64
	TreeSize  uint64
	Hashes    [][]byte
}

// ConsistencyProof shows that the tree of NewSize lines extends the tree
// of OldSize lines: the lines of the older are the first lines of the
// newer, unchanged (RFC 6962, section 2.1.2).
type ConsistencyProof struct {
	OldSize uint64
	NewSize uint64
	Hashes  [][]byte
}

// ProveInclusion returns the first line of the journal in dir that match
// accepts among the checkpoint's cp.Size lines, and the proof that it is
// in the tree of cp. It reads the journal's lines once (see Tree for
// which lines are leaves) and holds O(log n) hashes. Once retention has
// removed the journal's oldest files, it goes on from the tree's state
// that the checkpoint signed at the rotation of the last of them
// records (see CheckpointInfo): the lines kept can still be proved, the
// lines removed cannot.
//
// It returns an error wrapping ErrNoSuchLine when no line matches,
// ErrJournalMismatch when the journal has fewer lines than cp.Size or
// its first cp.Size lines do not hash to cp.Root (lines were cut from
// the end, changed, or the files removed: the proof could not be
// checked), and the errors of ReadJournal.
func ProveInclusion(dir string, match func(line []byte) bool, cp Checkpoint) (Line, InclusionProof, error) {
	if err := cp.check(); err != nil {
		return Line{}, InclusionProof{}, err
	}
	if cp.Size == 0 {
		return Line{}, InclusionProof{}, fmt.Errorf("%w: the checkpoint is of an empty tree", ErrNoSuchLine)
	}
	var (
		found bool
		line  Line
		index uint64
		nodes proof.Nodes
	)
	w, err := newTreeWalk(dir)
	if err != nil {
		return Line{}, InclusionProof{}, err
	}
	err = w.walk(cp, func(i uint64, l Line) {
		if !found && match(l.Data) {
			found, index = true, i
			line = Line{File: l.File, Num: l.Num, Data: bytes.Clone(l.Data)}
			nodes, _ = proof.Inclusion(i, cp.Size) // i < cp.Size: cannot fail
			w.want(nodes.IDs)
		}
	})
	if err != nil {
		return Line{}, InclusionProof{}, err
	}
	if !found {
		return Line{}, InclusionProof{}, fmt.Errorf("%w: none of the %d lines of the checkpoint matches", ErrNoSuchLine, cp.Size)
	}
	hashes, err := w.proof(nodes)
	if err != nil {
		return Line{}, InclusionProof{}, err
	}
	p := InclusionProof{LeafIndex: index, TreeSize: cp.Size, Hashes: hashes}
	if err := verifyInclusion(line.Data, p, cp); err != nil {
		return Line{}, InclusionProof{}, fmt.Errorf("auditlog: export: the proof made does not verify: %w", err)
	}
	return line, p, nil
}

// ProveConsistency returns the proof that the tree of the checkpoint
// newer extends the tree of older, from the journal in dir: it reads the
// first newer.Size lines once, and checks that they hash to both roots.
// It returns an error wrapping ErrWrongOrigin when the checkpoints are of
// two logs, ErrJournalMismatch when the journal does not hold either tree
// (see ProveInclusion), and an error when older is the larger.
func ProveConsistency(dir string, older, newer Checkpoint) (ConsistencyProof, error) {
	for _, c := range []Checkpoint{older, newer} {
		if err := c.check(); err != nil {
			return ConsistencyProof{}, err
		}
	}
	if older.Origin != newer.Origin {
		return ConsistencyProof{}, fmt.Errorf("%w: %q and %q", ErrWrongOrigin, older.Origin, newer.Origin)
	}
	if older.Size > newer.Size {
		return ConsistencyProof{}, fmt.Errorf("auditlog: export: the older checkpoint has more lines (%d) than the newer (%d)", older.Size, newer.Size)
	}
	nodes, _ := proof.Consistency(older.Size, newer.Size) // sizes in order: cannot fail
	w, err := newTreeWalk(dir)
	if err != nil {
		return ConsistencyProof{}, err
	}
	if older.Size < w.first {
		return ConsistencyProof{}, fmt.Errorf("%w: the older checkpoint holds %d lines, and the journal starts at line %d: retention removed the lines it ends with", ErrJournalMismatch, older.Size, w.first+1)
	}
	w.want(nodes.IDs)
	var oldRoot []byte
	if older.Size == w.first {
		oldRoot = w.root()
	}
	err = w.walk(newer, func(i uint64, _ Line) {
		if i == older.Size {
			oldRoot = w.root()
		}
	})
	if err != nil {
		return ConsistencyProof{}, err
	}
	if older.Size == newer.Size {
		oldRoot = w.root()
	}
	if !bytes.Equal(oldRoot, older.Root) {
		return ConsistencyProof{}, fmt.Errorf("%w: the first %d lines hash to %s, the older checkpoint says %s", ErrJournalMismatch, older.Size, b64(oldRoot), b64(older.Root))
	}
	hashes, err := w.proof(nodes)
	if err != nil {
		return ConsistencyProof{}, err
	}
	return ConsistencyProof{OldSize: older.Size, NewSize: newer.Size, Hashes: hashes}, nil
}

// VerifyInclusion checks, offline, that line (without its newline) is
// leaf p.LeafIndex of the tree of the checkpoint signedCheckpoint, signed
// by v's key: it needs nothing of the journal. It returns the checkpoint,
// or an error wrapping ErrProofFailed when the proof does not lead from
// the line to the checkpoint's root (the line or the proof was changed,
// or the proof is of another tree), and the errors of OpenCheckpoint.
func VerifyInclusion(line []byte, p InclusionProof, signedCheckpoint []byte, v note.Verifier) (Checkpoint, error) {
	cp, err := OpenCheckpoint(signedCheckpoint, v)
	if err != nil {
		return Checkpoint{}, err
	}
	if err := verifyInclusion(line, p, cp); err != nil {
		return Checkpoint{}, err
	}
	return cp, nil
}

// verifyInclusion checks p against cp.
func verifyInclusion(line []byte, p InclusionProof, cp Checkpoint) error {
	if p.TreeSize != cp.Size {
		return fmt.Errorf("%w: the proof is for a tree of %d lines, the checkpoint has %d", ErrProofFailed, p.TreeSize, cp.Size)
	}
	if p.LeafIndex >= cp.Size {
		return fmt.Errorf("%w: leaf %d is beyond the checkpoint's %d lines", ErrProofFailed, p.LeafIndex, cp.Size)
	}
	if err := proof.VerifyInclusion(hasher, p.LeafIndex, p.TreeSize, LeafHash(line), p.Hashes, cp.Root); err != nil {
		return fmt.Errorf("%w: line %d of %d: %w", ErrProofFailed, p.LeafIndex, p.TreeSize, rootError(err, "the line and the proof"))
	}
	return nil
}

// VerifyConsistency checks, offline, that the tree of the checkpoint
// newer extends the tree of older, both signed by v's key: no line of the
// older was changed, removed or reordered in the newer. It returns an
// error wrapping ErrProofFailed when it does not, and the errors of
// OpenCheckpoint.
func VerifyConsistency(p ConsistencyProof, older, newer []byte, v note.Verifier) error {
	oc, err := OpenCheckpoint(older, v)
	if err != nil {
		return fmt.Errorf("the older checkpoint: %w", err)
	}
	nc, err := OpenCheckpoint(newer, v)
	if err != nil {
		return fmt.Errorf("the newer checkpoint: %w", err)
	}
	if p.OldSize != oc.Size || p.NewSize != nc.Size {
		return fmt.Errorf("%w: the proof is between trees of %d and %d lines, the checkpoints have %d and %d", ErrProofFailed, p.OldSize, p.NewSize, oc.Size, nc.Size)
	}
	if err := proof.VerifyConsistency(hasher, oc.Size, nc.Size, p.Hashes, oc.Root, nc.Root); err != nil {
		return fmt.Errorf("%w: from %d to %d lines: %w", ErrProofFailed, oc.Size, nc.Size, rootError(err, "the proof"))
	}
	return nil
}

// rootError words a root mismatch of package proof on one line; what
// leads to the root computed.
func rootError(err error, what string) error {
	var m proof.RootMismatchError
	if errors.As(err, &m) {
		return fmt.Errorf("%s lead to the root %s, not the checkpoint's %s", what, b64(m.CalculatedRoot), b64(m.ExpectedRoot))
	}
	return err
}

// treeWalk rebuilds a tree from a journal and keeps the hashes of the
// nodes a proof needs.
type treeWalk struct {
	t      *Tree
	r      *compact.Range         // t.r
	ids    map[compact.NodeID]int // node wanted -> its place in hashes
	hashes [][]byte
	files  []JournalFile // to read
	first  uint64        // the leaf index of the first line of files
}

// newTreeWalk starts the tree of the journal in dir: empty, or, once
// retention has removed the journal's oldest files, at the state the
// checkpoints file records for the end of the last of them. That state
// is read without checking a signature: what is built on it is checked
// against a signed root.
func newTreeWalk(dir string) (*treeWalk, error) {
	files, err := JournalFiles(dir)
	if err != nil {
		return nil, err
	}
	bounds, _, _ := evidenceOf(unverifiedCheckpoints(dir)) // each was read with Info
	t := treeAt(startFor(bounds, files))
	return &treeWalk{t: t, r: t.r, ids: map[compact.NodeID]int{}, files: files, first: t.Size()}, nil
}

// want asks for the hashes of the nodes ids: those of the nodes already
// built are taken from the compact range, the others as they are built.
func (w *treeWalk) want(ids []compact.NodeID) {
	w.hashes = make([][]byte, len(ids))
	have := compact.RangeNodes(0, w.r.End(), nil)
	for i, id := range ids {
		w.ids[id] = i
		for j, h := range have {
			if h == id {
				w.hashes[i] = w.r.Hashes()[j]
			}
		}
	}
}

func (w *treeWalk) visit(id compact.NodeID, hash []byte) {
	if i, ok := w.ids[id]; ok {
		w.hashes[i] = hash
	}
}

// root returns the root of the lines appended so far.
func (w *treeWalk) root() []byte { return w.t.Root() }

// walk appends the lines of the journal up to cp.Size, calling fn with
// each and its index before appending it, and checks that they hash to
// cp.Root.
func (w *treeWalk) walk(cp Checkpoint, fn func(i uint64, l Line)) error {
	if cp.Size < w.first {
		return fmt.Errorf("%w: the checkpoint holds %d lines, and the journal starts at line %d: retention removed the lines it ends with", ErrJournalMismatch, cp.Size, w.first+1)
	}
	errEnough := errors.New("enough lines")
	var err error
	for _, f := range w.files {
		err = ReadJournalFile(f, func(l Line) error {
			if l.Torn {
				return nil
			}
			i := w.r.End()
			if i == cp.Size {
				return errEnough
			}
			fn(i, l)
			// A range that was only appended to cannot fail.
			_ = w.r.Append(w.t.leafHash(l.Data), w.visit)
			return nil
		})
		if err != nil {
			break
		}
	}
	if err != nil && err != errEnough {
		return err
	}
	if n := w.r.End(); n < cp.Size {
		return fmt.Errorf("%w: the journal has %d lines, the checkpoint %d: lines were cut from the end or files removed", ErrJournalMismatch, n, cp.Size)
	}
	if root := w.root(); !bytes.Equal(root, cp.Root) {
		return fmt.Errorf("%w: its first %d lines hash to %s, the checkpoint says %s: lines were changed, or this is another journal", ErrJournalMismatch, cp.Size, b64(root), b64(cp.Root))
	}
	return nil
}

// proof returns the hashes of the proof of nodes, from the hashes wanted.
func (w *treeWalk) proof(nodes proof.Nodes) ([][]byte, error) {
	for i, h := range w.hashes {
		if h == nil {
			return nil, fmt.Errorf("auditlog: export: no hash for node %d of the proof", i)
		}
	}
	hashes, err := nodes.Rehash(w.hashes, hasher.HashChildren)
	if err != nil {
		return nil, fmt.Errorf("auditlog: export: %w", err)
	}
	return hashes, nil
}

// SeqIs returns a match for ProveInclusion that accepts the line whose
// "seq" is seq.
func SeqIs(seq uint64) func(line []byte) bool {
	want := []byte(`"seq":` + strconv.FormatUint(seq, 10))
	return func(line []byte) bool {
		if !bytes.Contains(line, want) {
			return false
		}
		got, notEvent := eventSeq(line)
		return notEvent == "" && got == seq
	}
}

// EventIDIs returns a match for ProveInclusion that accepts the line
// whose "event_id" is id.
func EventIDIs(id string) func(line []byte) bool {
	// The id as it appears in the line, when JSON writes it unescaped.
	plain := []byte(id)
	if strings.ContainsFunc(id, func(r rune) bool { return r < 0x20 || r > 0x7e || strings.ContainsRune(`"\<>&`, r) }) {
		plain = nil
	}
	return func(line []byte) bool {
		if !bytes.Contains(line, plain) {
			return false
		}
		var ev struct {
			EventID *string `json:"event_id"`
		}
		return json.Unmarshal(line, &ev) == nil && ev.EventID != nil && *ev.EventID == id
	}
}
