package httpaudit_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/logger"
	"github.com/auditlog/auditlog/logger/audittest"
	"github.com/auditlog/auditlog/logger/httpaudit"
)

// A path of any length is recorded cut to MaxPath, as the user agent is
// to MaxUserAgent: the event keeps its method, path and status, and says
// what was cut.
func TestLongPathIsCapped(t *testing.T) {
	rec := audittest.New(t)
	h := wrap(t, httpaudit.Config{Logger: rec.Logger}, statusHandler)
	long := "/api/" + strings.Repeat("a", 900<<10)
	w := serve(h, "DELETE", long+"?status=404", http.Header{"User-Agent": {strings.Repeat("u", 10_000)}}, "")
	require.Equal(t, http.StatusNotFound, w.Code)
	ev := rec.RequireLogged(t, audittest.Match{Operation: logger.OpDelete})
	require.NotNil(t, ev.Request, "the request is kept")
	require.Equal(t, "DELETE", ev.Request.Method)
	require.Equal(t, 404, ev.Request.StatusCode)
	require.Equal(t, long[:httpaudit.DefaultMaxPath], ev.Request.Path)
	require.Len(t, ev.UserAgent, 256)
	require.Equal(t, map[string]any{"path": float64(len(long)), "user_agent": float64(10_000)}, ev.Metadata["auditlog_cut"],
		"the sizes of what was cut")
	require.NotContains(t, ev.Metadata, "auditlog_truncated", "the event fits in MaxEventBytes")

	short := wrap(t, httpaudit.Config{Logger: rec.Logger, MaxPath: 5}, statusHandler)
	serve(short, "POST", "/ab%2Fcdefgh", nil, "")
	ev = rec.RequireLogged(t, audittest.Match{Operation: logger.OpCreate})
	require.Equal(t, "/ab", ev.Request.Path, "an escape is not split")
	require.Equal(t, map[string]any{"path": float64(len("/ab%2Fcdefgh"))}, ev.Metadata["auditlog_cut"])
}

// The path is recorded as the client sent it, escaped: "%2F" is not "/",
// and control characters stay escaped.
func TestPathIsRecordedEscaped(t *testing.T) {
	rec := audittest.New(t)
	h := wrap(t, httpaudit.Config{Logger: rec.Logger}, statusHandler)
	for _, target := range []string{"/api/users/42%2F..%2F..%2Fhealth", "/a%0Ab%00c", "/caf%C3%A9", "/a%20b"} {
		serve(h, "GET", target, nil, "")
	}
	var got []string
	for _, ev := range rec.Events() {
		got = append(got, ev.Request.Path)
	}
	require.Equal(t, []string{"/api/users/42%2F..%2F..%2Fhealth", "/a%0Ab%00c", "/caf%C3%A9", "/a%20b"}, got)
}

// A method is a short token; a long one is cut to MaxMethod bytes.
func TestLongMethodIsCapped(t *testing.T) {
	rec := audittest.New(t)
	h := wrap(t, httpaudit.Config{Logger: rec.Logger}, statusHandler)
	method := strings.Repeat("M", 1<<20)
	serve(h, method, "/x", nil, "")
	ev := rec.Events()[0]
	require.Equal(t, method[:httpaudit.MaxMethod], ev.Request.Method)
	require.Equal(t, map[string]any{"method": float64(1 << 20)}, ev.Metadata["auditlog_cut"])
}
