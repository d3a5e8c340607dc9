package export

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"unicode/utf8"

	"golang.org/x/mod/sumdb/note"
)

// BundleFormat names the format of a proof bundle, in its "format" key.
const BundleFormat = "auditlog-inclusion-proof/v1"

// MaxBundleBytes bounds a proof bundle that UnmarshalBundle reads: a line
// of MaxLineBytes in base64, and room for the rest. A reader of bundles
// reads at most one byte more (io.LimitReader), so that a longer input is
// refused rather than held in memory.
const MaxBundleBytes = MaxLineBytes/3*4 + 1<<20

// maxProofHashes bounds the hashes of an inclusion proof: one per level
// of a tree of 2^64 lines.
const maxProofHashes = 64

// Bundle is a self-contained proof that one line is in a log: the line,
// its inclusion proof, and the signed checkpoint the proof leads to.
// Anyone with the log's public key checks it offline with Verify.
//
// Marshal writes it as one JSON object:
//
//	{
//	  "format": "auditlog-inclusion-proof/v1",
//	  "line": "<the journal line, without its newline>",
//	  "leaf_index": <the line's position in the journal, from 0>,
//	  "tree_size": <the checkpoint's size>,
//	  "hashes": ["<base64 of each proof hash>", ...],
//	  "checkpoint": "<the signed checkpoint note>"
//	}
//
// A line that is not valid UTF-8 is given as "line_base64" instead of
// "line", so that its bytes are kept exactly.
type Bundle struct {
	Line       []byte
	Proof      InclusionProof
	Checkpoint []byte
}

// bundleJSON is the JSON form of a Bundle.
type bundleJSON struct {
	Format     string   `json:"format"`
	Line       *string  `json:"line,omitempty"`
	LineBase64 *string  `json:"line_base64,omitempty"`
	LeafIndex  *uint64  `json:"leaf_index"`
	TreeSize   *uint64  `json:"tree_size"`
	Hashes     []string `json:"hashes"`
	Checkpoint *string  `json:"checkpoint"`
}

// Marshal returns the bundle as JSON, indented, ending with a newline.
func (b Bundle) Marshal() ([]byte, error) {
	j := bundleJSON{
		Format:     BundleFormat,
		LeafIndex:  &b.Proof.LeafIndex,
		TreeSize:   &b.Proof.TreeSize,
		Hashes:     make([]string, len(b.Proof.Hashes)),
		Checkpoint: new(string(b.Checkpoint)),
	}
	if utf8.Valid(b.Line) {
		j.Line = new(string(b.Line))
	} else {
		j.LineBase64 = new(base64.StdEncoding.EncodeToString(b.Line))
	}
	for i, h := range b.Proof.Hashes {
		j.Hashes[i] = base64.StdEncoding.EncodeToString(h)
	}
	out, err := json.MarshalIndent(j, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("auditlog: export: bundle: %w", err)
	}
	return append(out, '\n'), nil
}

// UnmarshalBundle reads a bundle that Marshal wrote. It checks its form,
// not the proof (see Verify): input that is not one JSON object of the
// format BundleFormat, an unknown or missing key, both or neither of
// "line" and "line_base64", a hash that is not base64 of HashSize bytes,
// more hashes than a proof can have, a checkpoint longer than
// MaxCheckpointBytes, gives an error wrapping ErrBadBundle that names
// the key.
func UnmarshalBundle(data []byte) (Bundle, error) {
	if len(data) > MaxBundleBytes {
		return Bundle{}, fmt.Errorf("%w: longer than %d bytes", ErrBadBundle, MaxBundleBytes)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var j bundleJSON
	if err := dec.Decode(&j); err != nil {
		return Bundle{}, fmt.Errorf("%w: %w", ErrBadBundle, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return Bundle{}, fmt.Errorf("%w: data after the JSON object", ErrBadBundle)
	}
	if j.Format != BundleFormat {
		return Bundle{}, fmt.Errorf("%w: format %.60q, want %q", ErrBadBundle, j.Format, BundleFormat)
	}
	var b Bundle
	switch {
	case j.Line != nil && j.LineBase64 != nil:
		return Bundle{}, fmt.Errorf("%w: both line and line_base64", ErrBadBundle)
	case j.Line != nil:
		b.Line = []byte(*j.Line)
	case j.LineBase64 != nil:
		line, err := base64.StdEncoding.Strict().DecodeString(*j.LineBase64)
		if err != nil {
			return Bundle{}, fmt.Errorf("%w: line_base64: %w", ErrBadBundle, err)
		}
		b.Line = line
	default:
		return Bundle{}, fmt.Errorf("%w: no line", ErrBadBundle)
	}
	switch {
	case j.LeafIndex == nil:
		return Bundle{}, fmt.Errorf("%w: no leaf_index", ErrBadBundle)
	case j.TreeSize == nil:
		return Bundle{}, fmt.Errorf("%w: no tree_size", ErrBadBundle)
	case j.Checkpoint == nil:
		return Bundle{}, fmt.Errorf("%w: no checkpoint", ErrBadBundle)
	}
	b.Proof.LeafIndex, b.Proof.TreeSize = *j.LeafIndex, *j.TreeSize
	if len(j.Hashes) > maxProofHashes {
		return Bundle{}, fmt.Errorf("%w: hashes: %d, more than a proof has (%d)", ErrBadBundle, len(j.Hashes), maxProofHashes)
	}
	for i, s := range j.Hashes {
		h, err := base64.StdEncoding.Strict().DecodeString(s)
		if err != nil || len(h) != HashSize {
			return Bundle{}, fmt.Errorf("%w: hashes[%d]: not base64 of %d bytes", ErrBadBundle, i, HashSize)
		}
		b.Proof.Hashes = append(b.Proof.Hashes, h)
	}
	if len(*j.Checkpoint) > MaxCheckpointBytes {
		return Bundle{}, fmt.Errorf("%w: checkpoint: longer than %d bytes", ErrBadBundle, MaxCheckpointBytes)
	}
	b.Checkpoint = []byte(*j.Checkpoint)
	return b, nil
}

// Verify checks the bundle offline with the log's public key v, as
// VerifyInclusion does, and returns the checkpoint the line is in.
func (b Bundle) Verify(v note.Verifier) (Checkpoint, error) {
	return VerifyInclusion(b.Line, b.Proof, b.Checkpoint, v)
}
