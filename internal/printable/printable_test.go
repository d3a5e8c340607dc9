package printable_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/internal/printable"
)

func TestString(t *testing.T) {
	for in, want := range map[string]string{
		"alice":                         "alice",
		"":                              "",
		"é日本":                           "é日本",
		"a\nb\tc\r":                     `a\nb\tc\r`,
		"\x1b[31mred":                   `\x1b[31mred`,
		"\x7f\u0085\u009b":              `\x7f\u0085\u009b`,
		"\u202aa\u202bb\u202cc":         `\u202aa\u202bb\u202cc`,
		"\u202dd\u202ee":                `\u202dd\u202ee`,
		"\u2066\u2067\u2068\u2069":      `\u2066\u2067\u2068\u2069`,
		"a\u200bb\u200cc\u200dd\ufeffe": `a\u200bb\u200cc\u200dd\ufeffe`,
		"\u2028\u2029":                  `\u2028\u2029`,
		"bad\xffbyte":                   "bad\uFFFDbyte",
	} {
		require.Equal(t, want, printable.String(in), "%q", in)
	}
}

func TestCut(t *testing.T) {
	require.Equal(t, "abc", printable.Cut("abc", 3))
	require.Equal(t, "ab…", printable.Cut("abc", 2))
	require.Equal(t, `\n…`, printable.Cut("\nabc", 1), "an escape counts as one character of s")
	require.Equal(t, "日本…", printable.Cut("日本語", 2))
	require.Equal(t, "…", printable.Cut("abc", 0))
	require.Equal(t, "", printable.Cut("", 0))
}
