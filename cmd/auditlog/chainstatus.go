package main

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"github.com/auditlog/auditlog/export"
)

// chainStatus says in one sentence what r, the verification of a journal
// with key (nil: a SHA-256 chain), found: verified, broken, not chained,
// or keyed and checked without the right key. ok is true only when the
// chain verified.
func chainStatus(r *export.Report, key []byte) (status string, ok bool) {
	files := plural(int64(len(r.Files)), "file")
	switch {
	case r.Lines == 0:
		return fmt.Sprintf("no lines in %s: nothing to verify", files), false
	case r.Unchained == r.Lines:
		return fmt.Sprintf("not chained: %s written without a hash chain (JournalOptions.NoChain), which cannot be verified", plural(r.Lines, "line")), false
	case r.Key != export.KeyFits:
		return "not verified: " + keyProblem(r, key), false
	case !r.OK():
		return fmt.Sprintf("BROKEN: %s; the first: %s", problemCount(r, r.ProblemCount), r.Problems[0]), false
	}
	var b strings.Builder
	fmt.Fprintf(&b, "verified: %s in %s, seq %d to %d", plural(r.Lines, "line"), files, r.FirstSeq, r.LastSeq)
	if key != nil {
		b.WriteString(", keyed (HMAC-SHA256)")
	}
	if r.FromGenesis {
		b.WriteString(", from the chain's first line")
	} else {
		fmt.Fprintf(&b, ", from seq %d (older files were removed, by retention)", r.FirstSeq)
	}
	if r.Torn != nil {
		fmt.Fprintf(&b, "; %s line %d: %s, not counted as a break", r.Torn.File, r.Torn.Line, r.Torn.Detail)
	}
	fmt.Fprintf(&b, "; last hash %s", r.LastHash)
	return b.String(), true
}

// keyProblem says why r's chain could not be checked with key, and what
// to do about it.
func keyProblem(r *export.Report, key []byte) string {
	s := r.KeyProblem()
	switch r.Key {
	case export.KeyMissing:
		s += "; give the key with --key-file"
	case export.KeyWrong:
		s += "; check the file given with --key-file"
		if bytes.HasSuffix(key, []byte("\n")) {
			s += " (it ends with a newline, which is part of the key)"
		}
	case export.KeyNotKeyed:
		s += "; check it without --key-file to see whether its SHA-256 chain holds"
	}
	return s
}

// problemCount says how many problems r found in how many lines and
// files, and, when it lists fewer than all of them, how many it lists.
func problemCount(r *export.Report, listed int64) string {
	s := fmt.Sprintf("%s in %s of %s", plural(r.ProblemCount, "problem"), plural(r.Lines, "line"), plural(int64(len(r.Files)), "file"))
	if listed < r.ProblemCount {
		s += fmt.Sprintf(", the first %s listed", thousands(listed))
	}
	return s
}

// plural writes n (see thousands) and noun, with an s unless n is 1.
func plural(n int64, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return thousands(n) + " " + noun + "s"
}

// thousands writes n with a comma between groups of three digits.
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
