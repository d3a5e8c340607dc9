package main

import (
	"fmt"
	"os"
	"strings"

	"golang.org/x/mod/sumdb/note"
)

// readVerifierKey reads a --pubkey value: the verifier key text itself
// (origin+hash+base64), or a file holding it.
func readVerifierKey(arg string) (note.Verifier, error) {
	text := arg
	if strings.Count(arg, "+") != 2 {
		b, err := os.ReadFile(arg)
		if err != nil {
			return nil, fmt.Errorf("--pubkey: %w", err)
		}
		text = strings.TrimSpace(string(b))
	}
	v, err := note.NewVerifier(text)
	if err != nil {
		return nil, usageErrorf("--pubkey: not a verifier key (origin+hash+key): %v", err)
	}
	return v, nil
}
