package jsonscan_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/internal/jsonscan"
)

func TestSkipString(t *testing.T) {
	for _, tc := range []struct {
		in  string
		end int
		ok  bool
	}{
		{`"abc"x`, 5, true},
		{`""`, 2, true},
		{`"a\"b"`, 6, true},
		{`"\u00e9\n\/"`, 12, true},
		{`"\u00g9"`, 0, false},
		{`"\x"`, 0, false},
		{"\"a\x01\"", 0, false},
		{`"abc`, 0, false},
		{`"abc\`, 0, false},
		{`abc"`, 0, false},
		{``, 0, false},
	} {
		end, ok := jsonscan.SkipString([]byte(tc.in), 0)
		require.Equal(t, tc.ok, ok, "%q", tc.in)
		if ok {
			require.Equal(t, tc.end, end, "%q", tc.in)
		}
	}
}

// FuzzSkipString: a string SkipString accepts is one encoding/json reads.
func FuzzSkipString(f *testing.F) {
	for _, s := range []string{`"a"`, `"\u1234"`, `"\"`, `"\q"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		end, ok := jsonscan.SkipString(b, 0)
		var s string
		err := json.Unmarshal(b[:min(end, len(b))], &s)
		if ok {
			require.NoError(t, err, "%q", b[:end])
		}
	})
}
