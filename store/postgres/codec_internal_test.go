package postgres

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

func TestClean(t *testing.T) {
	for in, want := range map[string]string{
		"plain":         "plain",
		"ünïcode":       "ünïcode",
		"a\x00b":        "a\uFFFDb",
		"bad \xff\xfe!": "bad \uFFFD!",
		"":              "",
	} {
		require.Equal(t, want, clean(in), "%q", in)
	}
}

// cleanJSON replaces the escapes of NUL, and only those: an escaped
// backslash followed by u0000 is text.
func TestCleanJSON(t *testing.T) {
	for in, want := range map[string]string{
		`{"a":"\u0000"}`:          `{"a":"\ufffd"}`,
		`{"\u0000":"x\u0000y"}`:   `{"\ufffd":"x\ufffdy"}`,
		`{"a":"\\u0000"}`:         `{"a":"\\u0000"}`,
		`{"a":"\\\u0000"}`:        `{"a":"\\\ufffd"}`,
		`{"a":"\"\u0000\u00001"}`: `{"a":"\"\ufffd\ufffd1"}`,
		`{"a":"\u00001\\"}`:       `{"a":"\ufffd1\\"}`,
		`{"a":"\u000"}`:           `{"a":"\u000"}`,
		`\`:                       `\`,
	} {
		require.Equal(t, want, string(cleanJSON([]byte(in))), in)
	}
}

// A long value's key is longer than any value stored as it is, valid
// UTF-8, and differs for values that differ anywhere.
func TestKey(t *testing.T) {
	short := strings.Repeat("x", maxKey)
	require.Equal(t, short, key(short))
	require.False(t, long(short))
	for _, base := range []string{strings.Repeat("x", 5000), strings.Repeat("é", 3000), strings.Repeat("€", 2000)} {
		a, b := key(base+"a"), key(base+"b")
		require.True(t, long(base+"a"))
		require.NotEqual(t, a, b)
		require.Greater(t, len(a), maxKey)
		require.LessOrEqual(t, len(a), maxKey+4)
		require.True(t, utf8.ValidString(a), "%q", a[maxKey-80:])
		require.Equal(t, a, key(base+"a"), "the same value, the same key")
	}
	require.Equal(t, key(strings.Repeat("y", 2000)+"\x00"), key(strings.Repeat("y", 2000)+"\uFFFD"), "keys of cleaned values")
}
