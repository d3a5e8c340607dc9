package export_test

import (
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"math/bits"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/export"
)

// testSeed returns the seed of a randomised test, from AUDITLOG_SEED when
// set, and logs it.
func testSeed(t testing.TB) uint64 {
	t.Helper()
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("AUDITLOG_SEED"); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		require.NoError(t, err, "AUDITLOG_SEED must be an unsigned integer")
		seed = v
	}
	t.Logf("seed %d (replay with AUDITLOG_SEED=%d)", seed, seed)
	return seed
}

// mth is the Merkle tree hash of RFC 6962, section 2.1, computed as the
// RFC writes it: the reference the tree is checked against.
func mth(leaves [][]byte) []byte {
	switch n := len(leaves); n {
	case 0:
		h := sha256.Sum256(nil)
		return h[:]
	case 1:
		h := sha256.Sum256(append([]byte{0}, leaves[0]...))
		return h[:]
	default:
		k := 1 << (bits.Len(uint(n-1)) - 1) // the largest power of 2 below n
		h := sha256.Sum256(append(append([]byte{1}, mth(leaves[:k])...), mth(leaves[k:])...))
		return h[:]
	}
}

func TestTreeIsRFC6962(t *testing.T) {
	r := rand.New(rand.NewPCG(testSeed(t), 1))
	tree := export.NewTree()
	var leaves [][]byte
	require.Equal(t, mth(nil), tree.Root(), "the empty tree")
	for n := 1; n <= 300; n++ {
		line := fmt.Appendf(nil, `{"seq":%d,"r":%d}`, n, r.Uint64())
		tree.Append(line)
		leaves = append(leaves, line)
		require.Equal(t, uint64(n), tree.Size())
		require.Equal(t, mth(leaves), tree.Root(), "size %d", n)
	}
	require.Equal(t, mth(leaves[:1]), export.LeafHash(leaves[0]))

	var zero export.Tree // the zero value is the empty tree
	require.Equal(t, mth(nil), zero.Root())
	require.Equal(t, export.TreeState{Hashes: [][]byte{}}, zero.State())
	zero.Append(leaves[0])
	require.Equal(t, mth(leaves[:1]), zero.Root())
}

func TestRestoreTree(t *testing.T) {
	dir := t.TempDir()
	j := openJournal(t, export.JournalOptions{Dir: dir, Compress: true})
	tree := export.NewTree()
	for i := range 4 {
		p := numbered(i*10, 10, 100)
		_, err := j.Write(p)
		require.NoError(t, err)
		for _, l := range splitLines(p) {
			tree.Append([]byte(l))
		}
		require.NoError(t, j.Rotate())
	}
	require.NoError(t, j.Close())
	export.Housekeep(j)

	got, err := export.RestoreTree(dir)
	require.NoError(t, err)
	require.Equal(t, tree.Size(), got.Size())
	require.Equal(t, tree.Root(), got.Root(), "the tree of the journal's lines, across rotated and gzipped files")

	// A torn last line is not a line: the journal cuts it when it opens.
	f, err := os.OpenFile(dir+"/"+export.JournalName, os.O_APPEND|os.O_WRONLY, 0)
	require.NoError(t, err)
	_, err = f.WriteString(`{"seq":99,"torn`)
	require.NoError(t, err)
	require.NoError(t, f.Close())
	got, err = export.RestoreTree(dir)
	require.NoError(t, err)
	require.Equal(t, tree.Root(), got.Root())

	empty, err := export.RestoreTree(t.TempDir())
	require.NoError(t, err)
	require.Equal(t, export.NewTree().Root(), empty.Root())
}

// b64 is b in standard base64.
func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

// errorsIsAny reports whether err wraps one of targets.
func errorsIsAny(err error, targets ...error) bool {
	for _, t := range targets {
		if errors.Is(err, t) {
			return true
		}
	}
	return false
}

// TestTreeAppendAllocs holds the cost of a line to the tree: its leaf
// hash and, on average, one node hash, each one allocation of the hash
// kept (the compact range keeps at most one hash per level).
func TestTreeAppendAllocs(t *testing.T) {
	tree := export.NewTree()
	line := []byte(splitLines(numbered(1, 1, 300))[0])
	allocs := testing.AllocsPerRun(4096, func() { tree.Append(line) })
	require.LessOrEqual(t, allocs, 2.0)
}

func TestTreeState(t *testing.T) {
	r := rand.New(rand.NewPCG(testSeed(t), 5))
	var lines [][]byte
	for i := range 1000 {
		lines = append(lines, fmt.Appendf(nil, `{"seq":%d}`, i+1))
	}
	full := export.NewTree()
	for _, l := range lines {
		full.Append(l)
	}
	for range 20 {
		k := r.IntN(len(lines) + 1)
		part := export.NewTree()
		for _, l := range lines[:k] {
			part.Append(l)
		}
		s := part.State()
		require.Len(t, s.Hashes, bits.OnesCount64(uint64(k)))
		cont, err := export.TreeFromState(s)
		require.NoError(t, err)
		require.Equal(t, part.Root(), cont.Root())
		for _, l := range lines[k:] {
			cont.Append(l)
		}
		require.Equal(t, full.Root(), cont.Root(), "continued from %d lines", k)
		require.Equal(t, full.State(), cont.State())
	}
	_, err := export.TreeFromState(export.TreeState{Size: 3, Hashes: [][]byte{make([]byte, 32)}})
	require.ErrorIs(t, err, export.ErrBadCheckpoint)
	_, err = export.TreeFromState(export.TreeState{Size: 1, Hashes: [][]byte{make([]byte, 31)}})
	require.ErrorIs(t, err, export.ErrBadCheckpoint)
}
