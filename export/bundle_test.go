package export_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/export"
)

// testBundle returns a bundle proving line 1 of three, and its key.
func testBundle(t testing.TB, lines ...string) (export.Bundle, testKey) {
	t.Helper()
	k := newKey(t, "example.com/audit")
	tree := treeOf(lines...)
	_, signed := k.sign(t, tree)
	p := inclusionProof(t, 1, lines)
	return export.Bundle{Line: []byte(lines[1]), Proof: p, Checkpoint: signed}, k
}

// inclusionProof returns the proof of lines[i] in the tree of lines,
// made from a journal of them.
func inclusionProof(t testing.TB, i int, lines []string) export.InclusionProof {
	t.Helper()
	dir := t.TempDir()
	j, _, err := export.OpenJournal(export.JournalOptions{Dir: dir})
	require.NoError(t, err)
	_, err = j.Write([]byte(strings.Join(lines, "\n") + "\n"))
	require.NoError(t, err)
	require.NoError(t, j.Close())
	tree := treeOf(lines...)
	n := 0
	_, p, err := export.ProveInclusion(dir, func([]byte) bool { n++; return n == i+1 }, export.Checkpoint{Origin: "example.com/audit", Size: tree.Size(), Root: tree.Root()})
	require.NoError(t, err)
	return p
}

func TestBundle(t *testing.T) {
	b, k := testBundle(t, `{"seq":1}`, `{"seq":2,"user":"<bob> & co"}`, `{"seq":3}`)
	data, err := b.Marshal()
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(data, &m))
	require.Equal(t, export.BundleFormat, m["format"])
	require.Equal(t, `{"seq":2,"user":"<bob> & co"}`, m["line"])
	require.EqualValues(t, 1, m["leaf_index"])
	require.EqualValues(t, 3, m["tree_size"])
	require.Len(t, m["hashes"], 2)
	require.Equal(t, string(b.Checkpoint), m["checkpoint"])

	got, err := export.UnmarshalBundle(data)
	require.NoError(t, err)
	require.Equal(t, b, got)
	cp, err := got.Verify(k.verify)
	require.NoError(t, err)
	require.Equal(t, uint64(3), cp.Size)

	// A line that is not UTF-8 keeps its bytes.
	b, k = testBundle(t, "a", "b\xff\xfe", "c")
	data, err = b.Marshal()
	require.NoError(t, err)
	require.Contains(t, string(data), `"line_base64"`)
	got, err = export.UnmarshalBundle(data)
	require.NoError(t, err)
	require.Equal(t, b.Line, got.Line)
	_, err = got.Verify(k.verify)
	require.NoError(t, err)
}

func TestUnmarshalBundleRefuses(t *testing.T) {
	b, _ := testBundle(t, "a", "b", "c")
	good, err := b.Marshal()
	require.NoError(t, err)
	edit := func(f func(m map[string]any)) string {
		var m map[string]any
		require.NoError(t, json.Unmarshal(good, &m))
		f(m)
		out, err := json.Marshal(m)
		require.NoError(t, err)
		return string(out)
	}
	for _, tc := range []struct{ name, data, want string }{
		{"empty", "", "EOF"},
		{"garbage", "\x00garbage", "invalid character"},
		{"array", "[]", "cannot unmarshal"},
		{"null", "null", "format"},
		{"other format", edit(func(m map[string]any) { m["format"] = "x/v2" }), `format "x/v2"`},
		{"unknown key", edit(func(m map[string]any) { m["extra"] = 1 }), `unknown field "extra"`},
		{"no line", edit(func(m map[string]any) { delete(m, "line") }), "no line"},
		{"both lines", edit(func(m map[string]any) { m["line_base64"] = "YQ==" }), "both"},
		{"bad line_base64", edit(func(m map[string]any) { delete(m, "line"); m["line_base64"] = "!!" }), "line_base64"},
		{"no leaf_index", edit(func(m map[string]any) { delete(m, "leaf_index") }), "no leaf_index"},
		{"negative leaf_index", edit(func(m map[string]any) { m["leaf_index"] = -1 }), "leaf_index"},
		{"no tree_size", edit(func(m map[string]any) { delete(m, "tree_size") }), "no tree_size"},
		{"no checkpoint", edit(func(m map[string]any) { delete(m, "checkpoint") }), "no checkpoint"},
		{"long checkpoint", edit(func(m map[string]any) { m["checkpoint"] = strings.Repeat("a", export.MaxCheckpointBytes+1) }), "checkpoint: longer"},
		{"short hash", edit(func(m map[string]any) { m["hashes"] = []string{"YQ=="} }), "hashes[0]"},
		{"hash not base64", edit(func(m map[string]any) { m["hashes"] = []string{"?"} }), "hashes[0]"},
		{"hash not a string", edit(func(m map[string]any) { m["hashes"] = []int{1} }), "hashes"},
		{"too many hashes", edit(func(m map[string]any) {
			h := make([]string, 65)
			for i := range h {
				h[i] = b64(make([]byte, 32))
			}
			m["hashes"] = h
		}), "more than a proof has"},
		{"data after", string(good) + "{}", "data after"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := export.UnmarshalBundle([]byte(tc.data))
			require.ErrorIs(t, err, export.ErrBadBundle)
			require.ErrorContains(t, err, tc.want)
		})
	}
}

func TestBundleVerifyRefuses(t *testing.T) {
	b, k := testBundle(t, "a", "b", "c")
	other := newKey(t, "example.com/audit")
	for _, tc := range []struct {
		name string
		edit func(b *export.Bundle)
		want error
	}{
		{"another key", func(*export.Bundle) {}, export.ErrNotSigned},
		{"leaf index", func(b *export.Bundle) { b.Proof.LeafIndex = 2 }, export.ErrProofFailed},
		{"leaf index beyond", func(b *export.Bundle) { b.Proof.LeafIndex = 1 << 60 }, export.ErrProofFailed},
		{"tree size", func(b *export.Bundle) { b.Proof.TreeSize = 4 }, export.ErrProofFailed},
		{"a hash", func(b *export.Bundle) { b.Proof.Hashes[0] = make([]byte, 32) }, export.ErrProofFailed},
		{"a hash less", func(b *export.Bundle) { b.Proof.Hashes = b.Proof.Hashes[1:] }, export.ErrProofFailed},
		{"a hash more", func(b *export.Bundle) { b.Proof.Hashes = append(b.Proof.Hashes, make([]byte, 32)) }, export.ErrProofFailed},
		{"checkpoint cut", func(b *export.Bundle) { b.Checkpoint = b.Checkpoint[:len(b.Checkpoint)/2] }, export.ErrBadCheckpoint},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := b
			c.Proof.Hashes = append([][]byte(nil), b.Proof.Hashes...)
			tc.edit(&c)
			v := k.verify
			if tc.name == "another key" {
				v = other.verify
			}
			_, err := c.Verify(v)
			require.ErrorIs(t, err, tc.want)
		})
	}
}

func FuzzUnmarshalBundle(f *testing.F) {
	b, k := testBundle(f, "a", "b", "c")
	good, err := b.Marshal()
	require.NoError(f, err)
	f.Add(good)
	f.Add([]byte(`{"format":"auditlog-inclusion-proof/v1"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := export.UnmarshalBundle(data)
		if err != nil {
			return
		}
		_, _ = b.Verify(k.verify) // must not panic
		again, err := b.Marshal()
		require.NoError(t, err)
		b2, err := export.UnmarshalBundle(again)
		require.NoError(t, err)
		require.Equal(t, b, b2)
	})
}
