// Package printable makes text taken from events safe to show to a
// person, in a terminal or on a page: an audit trail holds what users
// typed, and a user id or a description must not be able to move the
// cursor, forge a row, or reverse the text around it.
//
// Control characters (C0, DEL and C1: escape sequences, newlines, tabs),
// format characters (Unicode category Cf: the bidirectional embeddings,
// overrides and isolates U+202A to U+202E and U+2066 to U+2069, the
// zero-width space, joiners and U+FEFF) and the line and paragraph
// separators U+2028 and U+2029 are written as Go escapes (\n, \u202e),
// and bytes that are not UTF-8 as U+FFFD, so that what was hidden is
// shown.
package printable

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// String returns s with every character that could hide or rearrange
// text written as a Go escape.
func String(s string) string { return Cut(s, -1) }

// Cut returns String(s) cut to max characters of s, with "…" added when
// it was cut; a negative max does not cut.
func Cut(s string, max int) string {
	if clean(s, max) {
		return s
	}
	var b strings.Builder
	n := 0
	for i, r := range s {
		if n == max {
			if i < len(s) {
				b.WriteString("…")
			}
			break
		}
		switch {
		case r == utf8.RuneError:
			b.WriteRune('\uFFFD')
		case hidden(r):
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteRune(r)
		}
		n++
	}
	return b.String()
}

// hidden reports whether r is written as an escape.
func hidden(r rune) bool {
	return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029'
}

// clean reports whether s is shown as it is: no escape, and no cut.
func clean(s string, max int) bool {
	n := 0
	for _, r := range s {
		if r == utf8.RuneError || hidden(r) || n == max {
			return false
		}
		n++
	}
	return true
}
