package export_test

import (
	"crypto/sha256"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/export"
)

// BenchmarkTreeAppend measures what the tree adds to each journal line of
// about 300 bytes: one leaf hash and, amortised, one node hash. The
// baseline is one SHA-256 of the line, what the hash chain already costs.
func BenchmarkTreeAppend(b *testing.B) {
	line := []byte(splitLines(numbered(1, 1, 300))[0])
	b.Run("baseline=sha256", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(line)))
		for b.Loop() {
			sha256.Sum256(line)
		}
	})
	b.Run("tree", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(line)))
		tree := export.NewTree()
		for b.Loop() {
			tree.Append(line)
		}
	})
}

// BenchmarkSignCheckpoint measures making a checkpoint: the root of the
// tree and an Ed25519 signature.
func BenchmarkSignCheckpoint(b *testing.B) {
	k := newKey(b, "example.com/audit")
	tree := treeOf(splitLines(numbered(1, 100_003, 20))...)
	b.ReportAllocs()
	for b.Loop() {
		cp := export.Checkpoint{Origin: k.origin, Size: tree.Size(), Root: tree.Root()}
		if _, err := export.SignCheckpoint(cp, k.signer); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkProofs measures proofs over a journal of 100,003 lines of 100
// bytes (10 MB, rotated at 1 MB and gzipped): making one reads the whole
// journal; checking one needs the line, the proof and the public key.
func BenchmarkProofs(b *testing.B) {
	const n = 100_003
	r := rand.New(rand.NewPCG(1, 2))
	dir, lines := buildJournal(b, r, n, 100)
	k := newKey(b, "example.com/audit")
	half, halfSigned := k.sign(b, treeOf(lines[:n/2]...))
	cp, signed := k.sign(b, treeOf(lines...))
	seq := uint64(n/2 + 7)

	b.Run(fmt.Sprintf("ProveInclusion/lines=%d", n), func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, _, err := export.ProveInclusion(dir, export.SeqIs(seq), cp); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "lines/s")
	})
	line, p, err := export.ProveInclusion(dir, export.SeqIs(seq), cp)
	require.NoError(b, err)
	bundle := export.Bundle{Line: line.Data, Proof: p, Checkpoint: signed}
	data, err := bundle.Marshal()
	require.NoError(b, err)
	b.Run(fmt.Sprintf("VerifyBundle/lines=%d", n), func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			got, err := export.UnmarshalBundle(data)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := got.Verify(k.verify); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(len(data)), "bundle-bytes")
		b.ReportMetric(float64(len(p.Hashes)), "hashes")
	})
	b.Run(fmt.Sprintf("ProveConsistency/lines=%d", n), func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := export.ProveConsistency(dir, half, cp); err != nil {
				b.Fatal(err)
			}
		}
	})
	cons, err := export.ProveConsistency(dir, half, cp)
	require.NoError(b, err)
	b.Run(fmt.Sprintf("VerifyConsistency/lines=%d", n), func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := export.VerifyConsistency(cons, halfSigned, signed, k.verify); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(len(cons.Hashes)), "hashes")
	})
}
