package export_test

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/mod/sumdb/note"

	"github.com/auditlog/auditlog/export"
)

// testKey is a log's signing key, signer and verifier.
type testKey struct {
	origin string
	priv   ed25519.PrivateKey
	signer note.Signer
	vkey   string
	verify note.Verifier
}

// newKey returns a fresh Ed25519 key for the log origin.
func newKey(t testing.TB, origin string) testKey {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	s, err := export.Ed25519Signer(origin, priv)
	require.NoError(t, err)
	vkey, err := export.Ed25519VerifierKey(origin, pub)
	require.NoError(t, err)
	v, err := note.NewVerifier(vkey)
	require.NoError(t, err)
	return testKey{origin: origin, priv: priv, signer: s, vkey: vkey, verify: v}
}

// sign returns the checkpoint of tree signed by k.
func (k testKey) sign(t testing.TB, tree *export.Tree) (export.Checkpoint, []byte) {
	t.Helper()
	cp := export.Checkpoint{Origin: k.origin, Size: tree.Size(), Root: tree.Root()}
	signed, err := export.SignCheckpoint(cp, k.signer)
	require.NoError(t, err)
	return cp, signed
}

// treeOf returns the tree of lines.
func treeOf(lines ...string) *export.Tree {
	tree := export.NewTree()
	for _, l := range lines {
		tree.Append([]byte(l))
	}
	return tree
}

func TestCheckpointNote(t *testing.T) {
	k := newKey(t, "example.com/audit")
	cp := export.Checkpoint{Origin: k.origin, Size: 3, Root: treeOf("a", "b", "c").Root(), Extensions: []string{"retained-from 0"}}
	signed, err := export.SignCheckpoint(cp, k.signer)
	require.NoError(t, err)

	// The C2SP tlog-checkpoint body, then the note's signature.
	body := "example.com/audit\n3\n" + b64(cp.Root) + "\nretained-from 0\n"
	require.True(t, strings.HasPrefix(string(signed), body+"\n\u2014 example.com/audit "), "%s", signed)

	// It round-trips through note.Open, with the key's text form.
	n, err := note.Open(signed, note.VerifierList(k.verify))
	require.NoError(t, err)
	require.Equal(t, body, n.Text)
	require.Len(t, n.Sigs, 1)
	require.Equal(t, k.origin, n.Sigs[0].Name)
	parsed, err := export.ParseCheckpoint([]byte(n.Text))
	require.NoError(t, err)
	require.Equal(t, cp, parsed)

	got, err := export.OpenCheckpoint(signed, k.verify)
	require.NoError(t, err)
	require.Equal(t, cp, got)

	// A key made by note.GenerateKey signs as well.
	skey, vkey, err := note.GenerateKey(rand.Reader, "other.example/log")
	require.NoError(t, err)
	s, err := note.NewSigner(skey)
	require.NoError(t, err)
	v, err := note.NewVerifier(vkey)
	require.NoError(t, err)
	cp.Origin = "other.example/log"
	signed, err = export.SignCheckpoint(cp, s)
	require.NoError(t, err)
	got, err = export.OpenCheckpoint(signed, v)
	require.NoError(t, err)
	require.Equal(t, cp, got)
}

func TestCheckpointOtherKey(t *testing.T) {
	k := newKey(t, "example.com/audit")
	same := newKey(t, "example.com/audit") // another key of the same name
	other := newKey(t, "other.example/audit")
	_, signed := k.sign(t, treeOf("a"))

	_, err := export.OpenCheckpoint(signed, same.verify)
	require.ErrorIs(t, err, export.ErrNotSigned)
	require.ErrorContains(t, err, "no signature by the key example.com/audit+")
	_, err = export.OpenCheckpoint(signed, other.verify)
	require.ErrorIs(t, err, export.ErrNotSigned)

	// The body changed under the signature.
	forged := bytes.Replace(signed, []byte("\n1\n"), []byte("\n2\n"), 1)
	_, err = export.OpenCheckpoint(forged, k.verify)
	require.ErrorIs(t, err, export.ErrNotSigned)
	require.ErrorContains(t, err, "does not verify")

	// A signer named after another log.
	_, err = export.SignCheckpoint(export.Checkpoint{Origin: "other.example/audit", Size: 1, Root: treeOf("a").Root()}, k.signer)
	require.ErrorIs(t, err, export.ErrWrongOrigin)
	// A note of another origin, signed by the key: not this log's.
	msg, err := note.Sign(&note.Note{Text: "other.example/audit\n1\n" + b64(treeOf("a").Root()) + "\n"}, k.signer)
	require.NoError(t, err)
	_, err = export.OpenCheckpoint(msg, k.verify)
	require.ErrorIs(t, err, export.ErrWrongOrigin)
	require.ErrorContains(t, err, `"other.example/audit"`)
}

func TestCheckpointBadInput(t *testing.T) {
	k := newKey(t, "example.com/audit")
	root := b64(treeOf("a").Root())
	empty := b64(export.NewTree().Root())
	for _, tc := range []struct{ name, body, want string }{
		{"two lines", "example.com/audit\n1\n", "3 (origin, size, root hash)"},
		{"no final newline", "example.com/audit\n1\n" + root, "newline"},
		{"size not a number", "example.com/audit\none\n" + root + "\n", "line 2"},
		{"size signed", "example.com/audit\n+1\n" + root + "\n", "line 2"},
		{"size negative", "example.com/audit\n-1\n" + root + "\n", "line 2"},
		{"size leading zero", "example.com/audit\n01\n" + root + "\n", "line 2"},
		{"size too large", "example.com/audit\n18446744073709551616\n" + root + "\n", "line 2"},
		{"root not base64", "example.com/audit\n1\nnot base64!\n", "line 3"},
		{"root short", "example.com/audit\n1\n" + b64(make([]byte, 31)) + "\n", "31 bytes"},
		{"root unpadded", "example.com/audit\n1\n" + strings.TrimRight(root, "=") + "\n", "line 3"},
		{"size 0, other root", "example.com/audit\n0\n" + root + "\n", "size 0"},
		{"empty extension", "example.com/audit\n1\n" + root + "\n\n", "extension line 1"},
		{"extension like a signature", "example.com/audit\n1\n" + root + "\n\u2014 x y\n", "extension line 1"},
		{"origin with a space", "example audit\n1\n" + root + "\n", "origin"},
		{"empty origin", "\n1\n" + root + "\n", "origin"},
		{"origin with a no-break space", "example\u00a0audit\n1\n" + root + "\n", "origin"},
		{"origin with a plus", "example+audit\n1\n" + root + "\n", "origin"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := export.ParseCheckpoint([]byte(tc.body))
			require.ErrorIs(t, err, export.ErrBadCheckpoint)
			require.ErrorContains(t, err, tc.want)
		})
	}

	cp, err := export.ParseCheckpoint([]byte("example.com/audit\n0\n" + empty + "\n"))
	require.NoError(t, err, "the empty tree")
	require.Equal(t, uint64(0), cp.Size)

	_, signed := k.sign(t, treeOf("a", "b"))
	t.Run("truncated", func(t *testing.T) {
		for i := range len(signed) {
			_, err := export.OpenCheckpoint(signed[:i], k.verify)
			require.Error(t, err, "cut at %d", i)
		}
	})
	for name, msg := range map[string][]byte{
		"unsigned":   []byte("example.com/audit\n1\n" + root + "\n"),
		"garbage":    []byte("\x00\xff garbage"),
		"empty":      nil,
		"too long":   bytes.Repeat([]byte("a"), export.MaxCheckpointBytes+1),
		"no body":    []byte("\n\u2014 example.com/audit AAAA\n"),
		"blank line": append([]byte("example.com/audit\n1\n\n"), signed...),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := export.OpenCheckpoint(msg, k.verify)
			require.Error(t, err)
			require.True(t, errorsIsAny(err, export.ErrBadCheckpoint, export.ErrNotSigned), "%v", err)
		})
	}
	_, err = export.Ed25519Signer("example.com/audit", k.priv[:10])
	require.ErrorContains(t, err, "Ed25519 private key")
	_, err = export.Ed25519Signer("bad name", k.priv)
	require.ErrorIs(t, err, export.ErrBadCheckpoint)
}
