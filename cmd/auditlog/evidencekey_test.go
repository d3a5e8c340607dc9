package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestReadVerifierKey(t *testing.T) {
	_, vkey := newLogKey(t, testOrigin)
	dir := t.TempDir()
	file := func(name, content string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(content), 0o600))
		return p
	}
	for name, arg := range map[string]string{
		"the key itself":            vkey,
		"a file, with a newline":    file("nl.pub", vkey+"\n"),
		"a file, without a newline": file("plain.pub", vkey),
		"a file, with CRLF":         file("crlf.pub", vkey+"\r\n"),
	} {
		t.Run(name, func(t *testing.T) {
			v, err := readVerifierKey(arg)
			require.NoError(t, err)
			require.Equal(t, testOrigin, v.Name())
			require.Equal(t, vkey[:len(testOrigin)+9], keyName(v), "name+hash")
		})
	}

	// The hash is the last 8 hex digits before the key: change the key's
	// last character and the hash no longer matches.
	last := vkey[len(vkey)-2]
	corrupt := vkey[:len(vkey)-2] + map[bool]string{true: "B", false: "A"}[last == 'A'] + vkey[len(vkey)-1:]
	for name, tc := range map[string]struct{ arg, want string }{
		"empty":                   {"", "--pubkey is empty"},
		"not a key, no file":      {"no-such-key", `invalid --pubkey "no-such-key": not a verifier key`},
		"a key changed":           {corrupt, "invalid --pubkey"},
		"a key in a folder":       {filepath.Join(dir, "nl.pub", "x"), "invalid --pubkey"},
		"a file of two lines":     {file("two.pub", vkey+"\n"+vkey+"\n"), "does not hold a verifier key"},
		"a file of something":     {file("junk.pub", "hello\n"), "does not hold a verifier key"},
		"a file of a changed key": {file("corrupt.pub", corrupt+"\n"), "does not hold a verifier key"},
		"a file too long":         {file("long.pub", vkey+strings.Repeat(" ", maxVerifierKeyBytes)), "longer than 4096 bytes"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := readVerifierKey(tc.arg)
			require.ErrorContains(t, err, tc.want)
			require.ErrorContains(t, err, "--pubkey")
			var ue *usageError
			require.ErrorAs(t, err, &ue, "a mistake on the command line: exit status 2")
		})
	}

	// Through a command: exit status 2, naming the flag.
	runHere(t, "verify-proof", file("b.json", "{}"), "--pubkey", "example.com/log+0000+AAAA").fails(t, 2, "invalid --pubkey", "see auditlog verify-proof --help")
	runHere(t, "checkpoint", dir, "--pubkey", file("junk2.pub", "junk")).fails(t, 2, "--pubkey", "junk2.pub")
}
