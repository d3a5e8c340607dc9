package main

import (
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
	files := plural(len(r.Files), "file")
	switch {
	case r.Lines == 0:
		return fmt.Sprintf("no lines in %s: nothing to verify", files), false
	case r.Unchained == r.Lines:
		return fmt.Sprintf("not chained: %s written without a hash chain (JournalOptions.NoChain), which cannot be verified", plural(int(r.Lines), "line")), false
	case everyLineFailsItsHash(r):
		if key == nil {
			return fmt.Sprintf("not verified: no line of %s matches its hash; the chain is keyed (JournalOptions.HashKey) and was checked without its key (give it with --key-file), or every line was altered", plural(int(r.Lines), "line")), false
		}
		return fmt.Sprintf("not verified: no line of %s matches its hash with the key given; the key is wrong, or every line was altered", plural(int(r.Lines), "line")), false
	case !r.OK():
		n := plural(len(r.Problems), "problem")
		if len(r.Problems) >= export.MaxProblems {
			n = fmt.Sprintf("at least %d problems", len(r.Problems))
		}
		return fmt.Sprintf("BROKEN: %s in %s of %s; the first: %s", n, plural(int(r.Lines), "line"), files, r.Problems[0]), false
	}
	var b strings.Builder
	fmt.Fprintf(&b, "verified: %s in %s, seq %d to %d", plural(int(r.Lines), "line"), files, r.FirstSeq, r.LastSeq)
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

// everyLineFailsItsHash reports whether no line of r matched its own
// hash though every line is a chained event: what a keyed journal gives
// without its key, or with a wrong one.
func everyLineFailsItsHash(r *export.Report) bool {
	if r.LastHash != "" || r.Unchained > 0 || len(r.Problems) == 0 {
		return false
	}
	for _, p := range r.Problems {
		if p.Seq == 0 { // not an event
			return false
		}
	}
	return true
}

// plural writes n and noun, with an s unless n is 1.
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}
