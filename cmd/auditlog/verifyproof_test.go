package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/export"
)

// proveTo writes the bundle of event i of l, against its latest
// checkpoint, to a new file, and returns its path.
func proveTo(t *testing.T, l *signedLog, i int) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "proof.json")
	runHere(t, "prove", l.dir, l.events(t)[i].ID, "--pubkey", l.vkey, "-o", out).ok(t)
	return out
}

// rewrite changes the bundle in the file path with change.
func rewrite(t *testing.T, path string, change func(b *export.Bundle)) {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	b, err := export.UnmarshalBundle(data)
	require.NoError(t, err)
	change(&b)
	data, err = b.Marshal()
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, data, 0o600))
}

func TestVerifyProof(t *testing.T) {
	l := newSignedLog(t, 7)
	l.checkpoint(t, l.signer)
	evs := l.events(t)
	keyName := l.vkey[:len(testOrigin)+9]

	t.Run("ok", func(t *testing.T) {
		proof := proveTo(t, l, 4)
		key := filepath.Join(t.TempDir(), "log.pub")
		require.NoError(t, os.WriteFile(key, []byte(l.vkey+"\n"), 0o600))
		for _, k := range []string{l.vkey, key} {
			r := runHere(t, "verify-proof", proof, "--pubkey", k).ok(t)
			require.Equal(t, "OK: event "+evs[4].ID+" (seq 5) is line 5 of example.com/log's log of 7 lines, signed by "+keyName+"\n", r.stdout)
		}
	})
	t.Run("a modified line", func(t *testing.T) {
		proof := proveTo(t, l, 2)
		rewrite(t, proof, func(b *export.Bundle) {
			changed := bytes.Replace(b.Line, []byte(`"DATA"`), []byte(`"ADMIN"`), 1)
			require.NotEqual(t, b.Line, changed)
			b.Line = changed
		})
		runHere(t, "verify-proof", proof, "--pubkey", l.vkey).fails(t, 1, "NOT VERIFIED: "+proof, "proof does not verify")
	})
	t.Run("another line's proof", func(t *testing.T) {
		proof := proveTo(t, l, 2)
		rewrite(t, proof, func(b *export.Bundle) { b.Line = journalLine(t, l.dir, 3) })
		runHere(t, "verify-proof", proof, "--pubkey", l.vkey).fails(t, 1, "NOT VERIFIED", "proof does not verify")
	})
	t.Run("a wrong key", func(t *testing.T) {
		proof := proveTo(t, l, 0)
		_, same := newLogKey(t, testOrigin) // another key of the log's name
		runHere(t, "verify-proof", proof, "--pubkey", same).fails(t, 1, "NOT VERIFIED", "no signature by the key "+same[:len(testOrigin)+9])
		_, other := newLogKey(t, "other.example/log")
		runHere(t, "verify-proof", proof, "--pubkey", other).fails(t, 1, "NOT VERIFIED", "no signature by the key other.example/log+")
	})
	t.Run("another log's checkpoint", func(t *testing.T) {
		// Another journal, whose checkpoints the same key signs: its
		// checkpoint verifies, the proof does not lead to it.
		other := newSignedLog(t, 7)
		other.signer, other.vkey = l.signer, l.vkey
		otherCP := other.sign(t, other.signer)
		proof := proveTo(t, l, 1)
		rewrite(t, proof, func(b *export.Bundle) { b.Checkpoint = otherCP })
		runHere(t, "verify-proof", proof, "--pubkey", l.vkey).fails(t, 1, "NOT VERIFIED", "proof does not verify")
	})
	t.Run("a changed checkpoint", func(t *testing.T) {
		proof := proveTo(t, l, 1)
		rewrite(t, proof, func(b *export.Bundle) {
			b.Checkpoint = bytes.Replace(b.Checkpoint, []byte("\n7\n"), []byte("\n8\n"), 1)
		})
		runHere(t, "verify-proof", proof, "--pubkey", l.vkey).fails(t, 1, "NOT VERIFIED", "does not verify")
	})
	t.Run("malformed bundles", func(t *testing.T) {
		dir := t.TempDir()
		good, err := os.ReadFile(proveTo(t, l, 1))
		require.NoError(t, err)
		for name, data := range map[string]string{
			"empty":           "",
			"not JSON":        "hello",
			"an empty object": "{}",
			"cut short":       string(good[:len(good)/2]),
			"an unknown key":  strings.Replace(string(good), `"format"`, `"extra": 1, "format"`, 1),
			"two objects":     string(good) + string(good),
		} {
			t.Run(name, func(t *testing.T) {
				p := filepath.Join(dir, strings.ReplaceAll(name, " ", "_"))
				require.NoError(t, os.WriteFile(p, []byte(data), 0o600))
				runHere(t, "verify-proof", p, "--pubkey", l.vkey).fails(t, 1, p+": malformed proof bundle")
			})
		}
		runHere(t, "verify-proof", filepath.Join(dir, "nope"), "--pubkey", l.vkey).fails(t, 1, "no such file")
		runHere(t, "verify-proof", dir, "--pubkey", l.vkey).fails(t, 1, "not a regular file")
	})
	t.Run("usage", func(t *testing.T) {
		proof := proveTo(t, l, 1)
		runHere(t, "verify-proof", proof).fails(t, 2, "needs --pubkey")
		runHere(t, "verify-proof", "--pubkey", l.vkey).fails(t, 2, "one proof bundle")
	})
}

// TestVerifyProofStdin reads the bundle from standard input, with the
// binary.
func TestVerifyProofStdin(t *testing.T) {
	l := newSignedLog(t, 3)
	l.checkpoint(t, l.signer)
	proof, err := os.ReadFile(proveTo(t, l, 2))
	require.NoError(t, err)
	for _, tc := range []struct {
		stdin []byte
		code  int
		want  string
	}{
		{proof, 0, "OK: event " + l.events(t)[2].ID + " (seq 3) is line 3 of example.com/log's log of 3 lines"},
		{bytes.Replace(proof, []byte(`\"DATA\"`), []byte(`\"ADMIN\"`), 1), 1, "auditlog: NOT VERIFIED: -: proof does not verify"},
	} {
		cmd := exec.Command(bin, "verify-proof", "-", "--pubkey", l.vkey)
		cmd.Stdin = bytes.NewReader(tc.stdin)
		out, err := cmd.CombinedOutput()
		code := 0
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			code = ee.ExitCode()
		} else {
			require.NoError(t, err)
		}
		require.Equal(t, tc.code, code, "%s", out)
		require.Contains(t, string(out), tc.want)
	}
}

// endless is a reader that never ends, and counts what was read of it.
type endless struct{ n int64 }

// Read reads whatever p holds: no JSON, as a pipe of noise would give.
func (e *endless) Read(p []byte) (int, error) {
	e.n += int64(len(p))
	return len(p), nil
}

// TestReadBundleBound checks that a bundle read from a pipe that never
// ends is refused after one byte more than a bundle may hold.
func TestReadBundleBound(t *testing.T) {
	const max = 1 << 20 // readBundle's is export.MaxBundleBytes
	src := &endless{}
	data, err := readAtMost("-", src, max)
	require.NoError(t, err)
	require.Len(t, data, max+1)
	require.LessOrEqual(t, src.n, int64(max+1+64<<10), "read no more than the bound, and a buffer")
	// One byte more than a bundle may have is refused by its reader.
	_, err = export.UnmarshalBundle(make([]byte, export.MaxBundleBytes+1))
	require.ErrorIs(t, err, export.ErrBadBundle)
	require.ErrorContains(t, err, "longer than")
}
