package export

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"hash"

	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/rfc6962"
)

// hasher is the tree's hash: RFC 6962 over SHA-256.
var hasher = rfc6962.DefaultHasher

// leafPrefix starts the content of a leaf's hash.
var leafPrefix = []byte{0}

// slabHashes is how many hashes a slab holds.
const slabHashes = 64

// slab hands out HashSize-byte slices carved from blocks of slabHashes
// hashes: one allocation for 64 hashes instead of one each. A slice
// handed out is never written again, so a compact range (or a proof
// being built) may keep it; a block lives as long as one of its hashes
// is kept, and a compact range keeps at most 64.
type slab struct{ buf []byte }

// next returns a new slice of HashSize bytes.
func (s *slab) next() []byte {
	if len(s.buf) < HashSize {
		s.buf = make([]byte, slabHashes*HashSize)
	}
	h := s.buf[:HashSize:HashSize]
	s.buf = s.buf[HashSize:]
	return h
}

// newFactory returns a factory of compact ranges whose node hashes are
// hasher.HashChildren, SHA-256(0x01 || left || right), written into
// hashes of s: a journal's writer computes one per line on average.
func newFactory(s *slab) *compact.RangeFactory {
	return &compact.RangeFactory{Hash: func(left, right []byte) []byte {
		if len(left) != HashSize || len(right) != HashSize {
			return hasher.HashChildren(left, right)
		}
		var b [1 + 2*HashSize]byte
		b[0] = 1
		copy(b[1:], left)
		copy(b[1+HashSize:], right)
		sum := sha256.Sum256(b[:])
		h := s.next()
		copy(h, sum[:])
		return h
	}}
}

// HashSize is the size in bytes of a leaf, node and root hash of the tree
// (SHA-256).
const HashSize = 32

// Tree is the RFC 6962 Merkle tree over the lines of a journal, kept as a
// compact range: the roots of its perfect subtrees, at most one per bit
// of its size (64 hashes), so that appending a line costs one leaf hash
// and, on average, one node hash, and the tree never grows in memory.
//
// Leaf i of the tree is line i of the journal, counted from 0 over its
// files oldest first (as ReadJournal hands them over: blank lines and a
// torn last line are not lines), and its content is the line's bytes as
// written, without the '\n' that ends it. Its hash is SHA-256(0x00 ||
// line), a node's SHA-256(0x01 || left || right), and the root of the
// empty tree SHA-256 of nothing: RFC 6962, section 2.1, as Certificate
// Transparency and Go's checksum database compute it. A line's position
// in the journal, its leaf index, is what proofs name; it equals seq-1
// only for a journal that starts at seq 1 and has no gaps.
//
// The zero value is the empty tree. A Tree is not safe for concurrent
// use: one goroutine (the journal's writer) owns it.
type Tree struct {
	r *compact.Range
	h hash.Hash // for the leaves
	s *slab     // where the leaf and node hashes are written
}

// NewTree returns the empty tree.
func NewTree() *Tree {
	t := &Tree{}
	t.init()
	return t
}

// init makes the zero Tree the empty tree.
func (t *Tree) init() {
	if t.r == nil {
		t.s = &slab{}
		t.r, t.h = newFactory(t.s).NewEmptyRange(0), sha256.New()
	}
}

// RestoreTree returns the tree of the journal in dir: every line of it,
// as ReadJournal reads them, appended in order; check it against the
// latest checkpoint. The tree starts at the journal's oldest file: once
// retention has removed files, it is the tree of the lines left, not the
// log's, which goes on from the TreeState of the first line kept. It
// fails as ReadJournal does.
func RestoreTree(dir string) (*Tree, error) {
	t := NewTree()
	err := ReadJournal(dir, func(l Line) error {
		if !l.Torn {
			t.Append(l.Data)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// AppendLines appends each line of lines, whole lines each ending with
// '\n' (as OnWrite of JournalOptions gives them), without its '\n'.
func (t *Tree) AppendLines(lines []byte) {
	for len(lines) > 0 {
		i := bytes.IndexByte(lines, '\n')
		if i < 0 {
			t.Append(lines)
			return
		}
		t.Append(lines[:i])
		lines = lines[i+1:]
	}
}

// LeafHash returns the hash of the leaf whose content is line (without
// its newline): SHA-256(0x00 || line).
func LeafHash(line []byte) []byte { return hasher.HashLeaf(line) }

// Append adds line, without its newline, as the next leaf.
func (t *Tree) Append(line []byte) {
	t.init()
	// Append to a range that starts at 0 and was only ever appended to
	// cannot fail: its hashes are the ones its size calls for.
	_ = t.r.Append(t.leafHash(line), nil)
}

// leafHash is LeafHash, with the tree's hash.
func (t *Tree) leafHash(line []byte) []byte {
	t.h.Reset()
	t.h.Write(leafPrefix) // a hash.Hash writes without error
	t.h.Write(line)
	return t.h.Sum(t.s.next()[:0])
}

// Size returns the number of leaves: the lines appended.
func (t *Tree) Size() uint64 {
	if t.r == nil {
		return 0
	}
	return t.r.End()
}

// Root returns the root hash of the tree, HashSize bytes; the empty
// tree's is SHA-256 of nothing.
func (t *Tree) Root() []byte {
	if t.Size() == 0 {
		return hasher.EmptyRoot()
	}
	// The range starts at 0: GetRootHash cannot fail.
	root, _ := t.r.GetRootHash(nil)
	return root
}

// TreeState is what a Tree holds: its size, and the root hashes of its
// perfect subtrees, largest (leftmost) first, one per bit set in Size.
// It is enough to go on appending to the tree without its lines, or to
// check a tree against it.
type TreeState struct {
	Size   uint64
	Hashes [][]byte
}

// State returns a copy of the tree's state.
func (t *Tree) State() TreeState {
	t.init()
	hashes := make([][]byte, len(t.r.Hashes()))
	for i, h := range t.r.Hashes() {
		hashes[i] = bytes.Clone(h)
	}
	return TreeState{Size: t.r.End(), Hashes: hashes}
}

// TreeFromState returns the tree whose state is s, to append to. It
// returns an error wrapping ErrBadCheckpoint when s has not one hash of
// HashSize bytes per bit set in its size.
func TreeFromState(s TreeState) (*Tree, error) {
	for i, h := range s.Hashes {
		if len(h) != HashSize {
			return nil, fmt.Errorf("%w: tree state: hash %d has %d bytes, not %d", ErrBadCheckpoint, i, len(h), HashSize)
		}
	}
	hashes := make([][]byte, len(s.Hashes))
	for i, h := range s.Hashes {
		hashes[i] = bytes.Clone(h)
	}
	sl := &slab{}
	r, err := newFactory(sl).NewRange(0, s.Size, hashes)
	if err != nil {
		return nil, fmt.Errorf("%w: tree state of size %d: %w", ErrBadCheckpoint, s.Size, err)
	}
	return &Tree{r: r, h: sha256.New(), s: sl}, nil
}
