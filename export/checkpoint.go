package export

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/mod/sumdb/note"
)

// MaxCheckpointBytes bounds a signed checkpoint, body and signatures:
// longer text is refused as malformed rather than read into memory.
const MaxCheckpointBytes = 64 << 10

// sigPrefix starts each signature line of a note.
const sigPrefix = "\u2014 "

// Checkpoint is a statement of a journal's Merkle tree (see Tree): its
// size and root hash, under the name of the log. Its text is the C2SP
// tlog-checkpoint body, one item a line, each ending with '\n':
//
//	<origin>
//	<size, in decimal>
//	<root hash, in standard base64>
//	<extension line>...
//
// It is signed as a note (golang.org/x/mod/sumdb/note) with Ed25519, by a
// key whose name is the origin: see SignCheckpoint and OpenCheckpoint.
type Checkpoint struct {
	// Origin names the log, and is the name of the key that signs its
	// checkpoints: one line of printable UTF-8, without '+' or spaces,
	// as note key names are.
	Origin string
	// Size is the number of lines in the tree.
	Size uint64
	// Root is the root hash of the tree of the first Size lines,
	// HashSize bytes.
	Root []byte
	// Extensions are further lines of the body, each non-empty, without
	// '\n' and not starting with "— " (as a signature line does), that
	// the signature covers too.
	Extensions []string
}

// Body returns the checkpoint's text, as it is signed. It returns an
// error wrapping ErrBadCheckpoint naming what is wrong: an origin that is
// not a key name, a root hash of the wrong size (or, for size 0, not the
// empty tree's), an empty extension line or one with a newline.
func (c Checkpoint) Body() ([]byte, error) {
	if err := c.check(); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.WriteString(c.Origin)
	b.WriteByte('\n')
	b.WriteString(strconv.FormatUint(c.Size, 10))
	b.WriteByte('\n')
	b.WriteString(base64.StdEncoding.EncodeToString(c.Root))
	b.WriteByte('\n')
	for _, e := range c.Extensions {
		b.WriteString(e)
		b.WriteByte('\n')
	}
	return b.Bytes(), nil
}

// check tells what, if anything, is wrong with c.
func (c Checkpoint) check() error {
	if !validOrigin(c.Origin) {
		return fmt.Errorf("%w: origin %.80q is not a key name (printable UTF-8, no spaces or '+')", ErrBadCheckpoint, c.Origin)
	}
	if len(c.Root) != HashSize {
		return fmt.Errorf("%w: root hash of %d bytes, want %d", ErrBadCheckpoint, len(c.Root), HashSize)
	}
	if c.Size == 0 && !bytes.Equal(c.Root, hasher.EmptyRoot()) {
		return fmt.Errorf("%w: size 0 with a root hash that is not the empty tree's", ErrBadCheckpoint)
	}
	for i, e := range c.Extensions {
		if e == "" || strings.ContainsAny(e, "\n") || !utf8.ValidString(e) || strings.HasPrefix(e, sigPrefix) {
			return fmt.Errorf("%w: extension line %d is empty, not UTF-8, has a newline or starts like a signature (%q)", ErrBadCheckpoint, i+1, sigPrefix)
		}
	}
	return nil
}

// validOrigin reports whether s can be a note key name, as
// golang.org/x/mod/sumdb/note requires it.
func validOrigin(s string) bool {
	return s != "" && utf8.ValidString(s) && strings.IndexFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f || r == '+' || unicode.IsSpace(r) }) < 0
}

// ParseCheckpoint reads a checkpoint's body, as Body writes it; it checks
// no signature (see OpenCheckpoint). Every deviation is an error wrapping
// ErrBadCheckpoint that names the line: fewer than three lines, no final
// newline, a size that is not a decimal number without sign or leading
// zero, a root hash that is not canonical standard base64 of HashSize
// bytes, an empty extension line.
func ParseCheckpoint(body []byte) (Checkpoint, error) {
	if len(body) > MaxCheckpointBytes {
		return Checkpoint{}, fmt.Errorf("%w: longer than %d bytes", ErrBadCheckpoint, MaxCheckpointBytes)
	}
	if !bytes.HasSuffix(body, []byte{'\n'}) {
		return Checkpoint{}, fmt.Errorf("%w: the text does not end with a newline", ErrBadCheckpoint)
	}
	lines := strings.Split(string(body[:len(body)-1]), "\n")
	if len(lines) < 3 {
		return Checkpoint{}, fmt.Errorf("%w: %d lines, want at least 3 (origin, size, root hash)", ErrBadCheckpoint, len(lines))
	}
	c := Checkpoint{Origin: lines[0]}
	size := lines[1]
	n, err := strconv.ParseUint(size, 10, 64)
	if err != nil || size[0] == '+' || (len(size) > 1 && size[0] == '0') {
		return Checkpoint{}, fmt.Errorf("%w: line 2: size %.40q is not a decimal number", ErrBadCheckpoint, size)
	}
	c.Size = n
	root, err := base64.StdEncoding.Strict().DecodeString(lines[2])
	if err != nil || base64.StdEncoding.EncodeToString(root) != lines[2] {
		return Checkpoint{}, fmt.Errorf("%w: line 3: root hash %.60q is not standard base64", ErrBadCheckpoint, lines[2])
	}
	c.Root = root
	if len(lines) > 3 {
		c.Extensions = lines[3:]
	}
	if err := c.check(); err != nil {
		return Checkpoint{}, err
	}
	return c, nil
}

// SignCheckpoint returns the checkpoint c signed by s, as a note: the
// body, a blank line, and the signature line. s must be named after the
// checkpoint's origin (see Ed25519Signer); otherwise it returns an error
// wrapping ErrWrongOrigin. A checkpoint Body refuses gives its error.
func SignCheckpoint(c Checkpoint, s note.Signer) ([]byte, error) {
	body, err := c.Body()
	if err != nil {
		return nil, err
	}
	if s.Name() != c.Origin {
		return nil, fmt.Errorf("%w: signer %q for a checkpoint of %q", ErrWrongOrigin, s.Name(), c.Origin)
	}
	msg, err := note.Sign(&note.Note{Text: string(body)}, s)
	if err != nil {
		return nil, fmt.Errorf("auditlog: export: signing the checkpoint: %w", err)
	}
	return msg, nil
}

// OpenCheckpoint checks that msg is a checkpoint signed by v's key, and
// returns it. Signatures of other keys beside v's are allowed (a
// witness's cosignature, for example) and not checked. It returns an
// error wrapping
//   - ErrNotSigned when msg carries no signature of v's key (unsigned, or
//     signed by another key only), or one that does not verify (the text
//     or the signature was changed);
//   - ErrWrongOrigin when the signature verifies but the checkpoint names
//     a log other than v's name;
//   - ErrBadCheckpoint when msg is not a note (too long, no signature
//     block, a control character) or its text is not a checkpoint body
//     (see ParseCheckpoint).
func OpenCheckpoint(msg []byte, v note.Verifier) (Checkpoint, error) {
	if len(msg) > MaxCheckpointBytes {
		return Checkpoint{}, fmt.Errorf("%w: longer than %d bytes", ErrBadCheckpoint, MaxCheckpointBytes)
	}
	n, err := note.Open(msg, note.VerifierList(v))
	if err != nil {
		var unverified *note.UnverifiedNoteError
		var invalid *note.InvalidSignatureError
		switch {
		case errors.As(err, &unverified):
			return Checkpoint{}, fmt.Errorf("%w: no signature by the key %s+%08x", ErrNotSigned, v.Name(), v.KeyHash())
		case errors.As(err, &invalid):
			return Checkpoint{}, fmt.Errorf("%w: the signature by %s+%08x does not verify: the checkpoint or its signature was changed", ErrNotSigned, v.Name(), v.KeyHash())
		}
		return Checkpoint{}, fmt.Errorf("%w: not a signed note: %w", ErrBadCheckpoint, err)
	}
	c, err := ParseCheckpoint([]byte(n.Text))
	if err != nil {
		return Checkpoint{}, err
	}
	if c.Origin != v.Name() {
		return Checkpoint{}, fmt.Errorf("%w: the checkpoint is of %.80q, the key of %q", ErrWrongOrigin, c.Origin, v.Name())
	}
	return c, nil
}

// Ed25519Signer returns a note.Signer that signs with key under the name
// origin: the signer of the checkpoints of the log origin. It returns an
// error when key is not an Ed25519 private key or origin not a key name.
// The signer also has a method Verifier() note.Verifier, which returns
// its verifier: the logger uses it to check the checkpoints it finds
// when it starts.
func Ed25519Signer(origin string, key ed25519.PrivateKey) (note.Signer, error) {
	if len(key) != ed25519.PrivateKeySize {
		return nil, fmt.Errorf("auditlog: export: an Ed25519 private key has %d bytes, not %d", ed25519.PrivateKeySize, len(key))
	}
	vkey, err := Ed25519VerifierKey(origin, key.Public().(ed25519.PublicKey))
	if err != nil {
		return nil, err
	}
	// vkey is <name>+<hash>+<key>: the signer's text is the same, with
	// the private key's seed.
	_, rest, _ := strings.Cut(vkey, "+")
	hash, _, _ := strings.Cut(rest, "+")
	skey := "PRIVATE+KEY+" + origin + "+" + hash + "+" + base64.StdEncoding.EncodeToString(append([]byte{1}, key.Seed()...))
	s, err := note.NewSigner(skey)
	if err != nil {
		return nil, fmt.Errorf("auditlog: export: %w", err)
	}
	v, err := note.NewVerifier(vkey)
	if err != nil {
		return nil, fmt.Errorf("auditlog: export: %w", err)
	}
	return ed25519Signer{s, v}, nil
}

// ed25519Signer is a note.Signer that knows its verifier.
type ed25519Signer struct {
	note.Signer
	v note.Verifier
}

// Verifier returns the verifier of the signer's key.
func (s ed25519Signer) Verifier() note.Verifier { return s.v }

// Ed25519VerifierKey returns the text form of the verifier of pub under
// the name origin, <origin>+<key hash>+<key>, which note.NewVerifier
// reads: what an auditor is given to check the log's checkpoints.
func Ed25519VerifierKey(origin string, pub ed25519.PublicKey) (string, error) {
	if !validOrigin(origin) {
		return "", fmt.Errorf("%w: origin %.80q is not a key name (printable UTF-8, no spaces or '+')", ErrBadCheckpoint, origin)
	}
	vkey, err := note.NewEd25519VerifierKey(origin, pub)
	if err != nil {
		return "", fmt.Errorf("auditlog: export: %w", err)
	}
	return vkey, nil
}

// Ed25519Verifier returns the note.Verifier of pub under the name origin.
func Ed25519Verifier(origin string, pub ed25519.PublicKey) (note.Verifier, error) {
	vkey, err := Ed25519VerifierKey(origin, pub)
	if err != nil {
		return nil, err
	}
	v, err := note.NewVerifier(vkey)
	if err != nil {
		return nil, fmt.Errorf("auditlog: export: %w", err)
	}
	return v, nil
}

// b64 is h in standard base64, for messages.
func b64(h []byte) string { return base64.StdEncoding.EncodeToString(h) }
