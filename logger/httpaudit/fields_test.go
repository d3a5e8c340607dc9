package httpaudit_test

import (
	"net/http"
	"net/netip"
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

// WritesOnly leaves out the safe methods only (GET, HEAD, OPTIONS,
// TRACE): a handler that does not check its method runs for any other,
// a WebDAV write or a method in lower case, and such a request is
// audited, as an UPDATE.
func TestWritesOnlyAuditsEveryMethodThatIsNotSafe(t *testing.T) {
	rec := audittest.New(t)
	h := wrap(t, httpaudit.Config{Logger: rec.Logger, WritesOnly: true}, statusHandler)
	for _, m := range []string{"GET", "HEAD", "OPTIONS", "TRACE"} {
		serve(h, m, "/files/a", nil, "")
	}
	require.Empty(t, rec.Events(), "safe methods are left out")
	for _, m := range []string{"delete", "post", "MKCOL", "MOVE", "PURGE", "CONNECT"} {
		serve(h, m, "/files/a", nil, "")
	}
	var got []string
	for _, ev := range rec.Events() {
		got = append(got, string(ev.Operation)+" "+ev.Request.Method)
	}
	require.Equal(t, []string{"UPDATE delete", "UPDATE post", "UPDATE MKCOL", "UPDATE MOVE", "UPDATE PURGE", "UPDATE CONNECT"}, got)
}

// The user an application names, often from what the client sent (a
// login form's name), is cut to MaxUserID bytes.
func TestLongUserIsCapped(t *testing.T) {
	rec := audittest.New(t)
	long := strings.Repeat("é", 100_000)
	h := wrap(t, httpaudit.Config{Logger: rec.Logger, User: func(*http.Request) string { return long }}, statusHandler)
	serve(h, "POST", "/login", nil, "")
	named := wrap(t, httpaudit.Config{Logger: rec.Logger}, http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		httpaudit.SetUser(r.Context(), long)
	}))
	serve(named, "POST", "/login", nil, "")
	for _, ev := range rec.Events() {
		require.Equal(t, long[:httpaudit.MaxUserID], ev.UserID)
		require.Equal(t, map[string]any{"user_id": float64(len(long))}, ev.Metadata["auditlog_cut"])
	}
}

// What the event records of the request is what the client sent: a
// handler that rewrites the URL or the header it shares with the
// middleware does not change it.
func TestHandlerCannotRewriteWhatIsRecorded(t *testing.T) {
	rec := audittest.New(t)
	h := wrap(t, httpaudit.Config{Logger: rec.Logger, TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}},
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			r.URL.Path, r.URL.RawPath = "/harmless", ""
			r.Header.Set("User-Agent", "innocent")
			r.Header.Set("X-Forwarded-For", "192.0.2.99")
			r.Method = "GET"
		}))
	serve(h, "DELETE", "/api/users/42", http.Header{"User-Agent": {"curl/8"}, "X-Forwarded-For": {"198.51.100.7"}}, "10.0.0.1:999")
	ev := rec.RequireLogged(t, audittest.Match{Operation: logger.OpDelete})
	require.Equal(t, &logger.Request{Method: "DELETE", Path: "/api/users/42", StatusCode: 200}, ev.Request)
	require.Equal(t, "curl/8", ev.UserAgent)
	require.Equal(t, "198.51.100.7", ev.IPAddress)
}
