package export_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/export"
)

// buildJournal writes n numbered lines (seq 1..n) of about size bytes to
// a journal in a new folder, rotating at 1 MB and at random points,
// gzipping the rotated files, and returns the folder and the lines.
func buildJournal(t testing.TB, r *rand.Rand, n, size int) (string, []string) {
	t.Helper()
	dir := t.TempDir()
	j, torn, err := export.OpenJournal(export.JournalOptions{Dir: dir, MaxSizeMB: 1, Compress: true})
	require.NoError(t, err)
	require.Empty(t, torn)
	var lines []string
	rotations := 0
	for written := 0; written < n; {
		batch := min(n-written, 1+r.IntN(max(n/4, 3)))
		p := numbered(written+1, batch, size)
		_, err := j.Write(p)
		require.NoError(t, err)
		lines = append(lines, splitLines(p)...)
		written += batch
		if rotations < 2 || r.IntN(3) == 0 { // at least two rotations when there are lines left
			require.NoError(t, j.Rotate())
			rotations++
		}
	}
	require.NoError(t, j.Close())
	export.Housekeep(j) // Close stops housekeeping; finish its pass
	return dir, lines
}

func TestInclusionProofs(t *testing.T) {
	r := rand.New(rand.NewPCG(testSeed(t), 2))
	k := newKey(t, "example.com/audit")
	other := newKey(t, "other.example/audit")
	for _, n := range []int{1, 2, 3, 1000, 100_003} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			dir, lines := buildJournal(t, r, n, 100)
			files := journalFiles(t, dir)
			if n >= 1000 {
				require.Greater(t, len(files), 2, "several files")
				require.True(t, strings.HasSuffix(files[0], ".gz"), "gzipped files: %v", files)
			}
			cp, signed := k.sign(t, treeOf(lines...))

			// Another log of as many lines: its checkpoint is not this one's.
			otherLines := append([]string{`{"seq":1,"pad":"forged"}`}, lines[1:]...)
			_, otherSigned := other.sign(t, treeOf(otherLines...))
			_, sameKeyOther := k.sign(t, treeOf(otherLines...))

			picks := []int{0, n - 1}
			for range min(n, 6, 3+3_000_000/(n*100)) { // fewer on a large journal: each proof reads it all
				picks = append(picks, r.IntN(n))
			}
			for _, i := range picks {
				line, p, err := export.ProveInclusion(dir, export.SeqIs(uint64(i+1)), cp)
				require.NoError(t, err, "seq %d", i+1)
				require.Equal(t, lines[i], string(line.Data))
				require.Equal(t, uint64(i), p.LeafIndex)
				require.Equal(t, uint64(n), p.TreeSize)
				require.Contains(t, files, line.File)

				// Through a bundle, with nothing but the public key.
				b := export.Bundle{Line: line.Data, Proof: p, Checkpoint: signed}
				data, err := b.Marshal()
				require.NoError(t, err)
				b, err = export.UnmarshalBundle(data)
				require.NoError(t, err)
				got, err := b.Verify(k.verify)
				require.NoError(t, err)
				require.Equal(t, cp, got)

				// A line modified by one byte.
				mod := bytes.Replace(line.Data, []byte(`"pad":"x`), []byte(`"pad":"y`), 1)
				_, err = export.VerifyInclusion(mod, p, signed, k.verify)
				require.ErrorIs(t, err, export.ErrProofFailed)
				// Another line, with this line's proof.
				if n > 1 {
					_, err = export.VerifyInclusion([]byte(lines[(i+1)%n]), p, signed, k.verify)
					require.ErrorIs(t, err, export.ErrProofFailed)
				}
				// Another log's checkpoint, with its key or with this one.
				_, err = export.VerifyInclusion(line.Data, p, otherSigned, other.verify)
				require.ErrorIs(t, err, export.ErrProofFailed)
				_, err = export.VerifyInclusion(line.Data, p, otherSigned, k.verify)
				require.ErrorIs(t, err, export.ErrNotSigned)
				if i > 0 || n == 1 {
					_, err = export.VerifyInclusion(line.Data, p, sameKeyOther, k.verify)
					require.ErrorIs(t, err, export.ErrProofFailed)
				}
			}
		})
	}
}

func TestProveInclusionRefuses(t *testing.T) {
	r := rand.New(rand.NewPCG(testSeed(t), 3))
	k := newKey(t, "example.com/audit")
	dir, lines := buildJournal(t, r, 50, 100)
	cp, _ := k.sign(t, treeOf(lines...))

	_, _, err := export.ProveInclusion(dir, export.SeqIs(51), cp)
	require.ErrorIs(t, err, export.ErrNoSuchLine)
	cp20, _ := k.sign(t, treeOf(lines[:20]...))
	_, _, err = export.ProveInclusion(dir, export.SeqIs(21), cp20)
	require.ErrorIs(t, err, export.ErrNoSuchLine, "a line after the checkpoint's tree")
	_, p, err := export.ProveInclusion(dir, export.SeqIs(20), cp20)
	require.NoError(t, err, "a line of an earlier checkpoint")
	require.Equal(t, uint64(20), p.TreeSize)

	empty := export.Checkpoint{Origin: k.origin, Size: 0, Root: export.NewTree().Root()}
	_, _, err = export.ProveInclusion(dir, export.SeqIs(1), empty)
	require.ErrorIs(t, err, export.ErrNoSuchLine)
	require.ErrorContains(t, err, "empty tree")

	more, _ := k.sign(t, treeOf(append(lines, `{"seq":51}`)...))
	_, _, err = export.ProveInclusion(dir, export.SeqIs(1), more)
	require.ErrorIs(t, err, export.ErrJournalMismatch)
	require.ErrorContains(t, err, "the journal has 50 lines, the checkpoint 51")

	// A line changed in a gzipped file.
	files := journalFiles(t, dir)
	data := readFile(t, files[0])
	writeFile(t, files[0], bytes.Replace(data, []byte(`"seq":1,"pad":"x`), []byte(`"seq":1,"pad":"y`), 1))
	_, _, err = export.ProveInclusion(dir, export.SeqIs(2), cp)
	require.ErrorIs(t, err, export.ErrJournalMismatch)
	require.ErrorContains(t, err, "first 50 lines hash to")

	_, _, err = export.ProveInclusion(dir, export.SeqIs(1), export.Checkpoint{Origin: k.origin, Size: 1, Root: []byte("short")})
	require.ErrorIs(t, err, export.ErrBadCheckpoint)
}

func TestEventIDIs(t *testing.T) {
	match := export.EventIDIs("id-7")
	require.True(t, match([]byte(`{"seq":7,"event_id":"id-7"}`)))
	require.False(t, match([]byte(`{"seq":7,"event_id":"id-70"}`)))
	require.False(t, match([]byte(`{"seq":7,"note":"id-7"}`)))
	require.True(t, export.EventIDIs("a<b")([]byte(`{"event_id":"a\u003cb"}`)), "escaped as JSON may escape it")
	require.True(t, export.SeqIs(12)([]byte(`{"seq":12}`)))
	require.False(t, export.SeqIs(12)([]byte(`{"seq":123}`)))
	require.False(t, export.SeqIs(12)([]byte(`{"x":{"seq":12}}`)))
}

func TestConsistencyProofs(t *testing.T) {
	r := rand.New(rand.NewPCG(testSeed(t), 4))
	k := newKey(t, "example.com/audit")
	dir := t.TempDir()
	j := openJournal(t, export.JournalOptions{Dir: dir, MaxSizeMB: 1, Compress: true})
	tree := export.NewTree()
	var lines []string
	var cps []export.Checkpoint
	var signed [][]byte
	for _, size := range []int{1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 100, 255, 256, 1000, 1024, 1500} {
		p := numbered(len(lines)+1, size-len(lines), 100)
		_, err := j.Write(p)
		require.NoError(t, err)
		for _, l := range splitLines(p) {
			tree.Append([]byte(l))
			lines = append(lines, l)
		}
		if r.IntN(2) == 0 {
			require.NoError(t, j.Rotate())
		}
		cp, s := k.sign(t, tree)
		cps, signed = append(cps, cp), append(signed, s)
	}
	require.NoError(t, j.Close())
	export.Housekeep(j)

	for a := range cps {
		for b := a; b < len(cps); b++ {
			p, err := export.ProveConsistency(dir, cps[a], cps[b])
			require.NoError(t, err, "%d to %d", cps[a].Size, cps[b].Size)
			require.NoError(t, export.VerifyConsistency(p, signed[a], signed[b], k.verify), "%d to %d", cps[a].Size, cps[b].Size)
			if a < b && cps[a].Size > 0 {
				// Not the other way round, nor between other sizes.
				require.Error(t, export.VerifyConsistency(p, signed[b], signed[a], k.verify))
				if b+1 < len(cps) {
					require.ErrorIs(t, export.VerifyConsistency(p, signed[a], signed[b+1], k.verify), export.ErrProofFailed)
				}
			}
		}
	}
	_, err := export.ProveConsistency(dir, cps[3], cps[2])
	require.ErrorContains(t, err, "older checkpoint has more lines")

	// History rewritten: line 50 changed, and the log signs the trees of
	// the rewritten journal.
	const changed = 50
	rewritten := bytes.Clone([]byte(lines[changed-1]))
	rewritten = bytes.Replace(rewritten, []byte(`"pad":"x`), []byte(`"pad":"y`), 1)
	for _, f := range journalFiles(t, dir) {
		data := readFile(t, f)
		if i := bytes.Index(data, []byte(lines[changed-1]+"\n")); i >= 0 {
			writeFile(t, f, bytes.Replace(data, []byte(lines[changed-1]), rewritten, 1))
		}
	}
	forgedLines := append([]string(nil), lines...)
	forgedLines[changed-1] = string(rewritten)
	for a := range cps {
		for b := a + 1; b < len(cps); b++ {
			forgedNew, forgedNewSigned := k.sign(t, treeOf(forgedLines[:cps[b].Size]...))
			forgedOld, _ := k.sign(t, treeOf(forgedLines[:cps[a].Size]...))
			p, err := export.ProveConsistency(dir, forgedOld, forgedNew)
			require.NoError(t, err, "the forged trees are consistent with each other")
			err = export.VerifyConsistency(p, signed[a], forgedNewSigned, k.verify)
			if cps[a].Size < changed {
				require.NoError(t, err, "%d to %d: the line changed is after the older tree", cps[a].Size, cps[b].Size)
				continue
			}
			require.ErrorIs(t, err, export.ErrProofFailed, "%d to %d", cps[a].Size, cps[b].Size)
			_, err = export.ProveConsistency(dir, cps[a], forgedNew)
			require.ErrorIs(t, err, export.ErrJournalMismatch, "%d to %d", cps[a].Size, cps[b].Size)
		}
	}
}
