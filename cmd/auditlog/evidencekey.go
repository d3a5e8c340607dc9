package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"syscall"

	"golang.org/x/mod/sumdb/note"

	"github.com/auditlog/auditlog/internal/fsafe"
)

// maxVerifierKeyBytes bounds the file a --pubkey names: a verifier key
// is one line of about a hundred bytes (a name, a hash, an Ed25519 key).
const maxVerifierKeyBytes = 4 << 10

// readVerifierKey returns the verifier of a log's checkpoints that the
// value of --pubkey gives: the key's text form, <name>+<hash>+<key> (as
// export.Ed25519VerifierKey writes it and note.NewVerifier reads it), or
// the path of a file holding it on one line, a final newline allowed. A
// value that is neither, or a file that holds something else, is a
// mistake on the command line naming --pubkey.
func readVerifierKey(arg string) (note.Verifier, error) {
	if arg == "" {
		return nil, usageErrorf("--pubkey is empty: give the log's verifier key (name+hash+key) or a file holding it")
	}
	v, keyErr := note.NewVerifier(arg)
	if keyErr == nil {
		return v, nil
	}
	f, err := fsafe.OpenGiven(arg)
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
		return nil, usageErrorf("invalid --pubkey %.100q: not a verifier key (name+hash+key: %v) nor a file", arg, keyErr)
	}
	if err != nil {
		return nil, fmt.Errorf("--pubkey: %w", err)
	}
	defer f.Close() // read only
	b, err := io.ReadAll(io.LimitReader(f, maxVerifierKeyBytes+1))
	if err != nil {
		return nil, fmt.Errorf("--pubkey %s: %w", arg, err)
	}
	if len(b) > maxVerifierKeyBytes {
		return nil, usageErrorf("--pubkey %s: longer than %d bytes: not a verifier key (one line: name+hash+key)", arg, maxVerifierKeyBytes)
	}
	text := strings.TrimSuffix(strings.TrimSuffix(string(b), "\n"), "\r")
	v, err = note.NewVerifier(text)
	if err != nil {
		return nil, usageErrorf("--pubkey %s: the file does not hold a verifier key (one line: name+hash+key): %v", arg, err)
	}
	return v, nil
}

// keyName names the key of v as a checkpoint's signature line does:
// its name and hash, name+hash.
func keyName(v note.Verifier) string {
	return fmt.Sprintf("%s+%08x", cell(v.Name(), 200), v.KeyHash())
}
