package httpaudit_test

import (
	"bufio"
	"context"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/logger/audittest"
	"github.com/auditlog/auditlog/logger/httpaudit"
)

// routedApp is a net/http ServeMux with handlers under /api, one of them
// excluded from auditing (/api/health), and the middleware in front of
// it. reached names the /api handler that served the last request, if
// any; excluded the excluded path whose handler served it.
type routedApp struct {
	h                 http.Handler
	rec               *audittest.Recorder
	reached, excluded string
}

func newRoutedApp(t testing.TB) *routedApp {
	t.Helper()
	app := &routedApp{rec: audittest.New(t)}
	mux := http.NewServeMux()
	api := func(name string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			app.reached = name
			w.WriteHeader(http.StatusNoContent)
		}
	}
	mux.HandleFunc("DELETE /api/users/{id}", api("delete user"))
	mux.HandleFunc("GET /api/files/{path...}", api("file"))
	mux.HandleFunc("/api/", api("api catch-all"))
	// The excluded paths and everything below them have handlers of
	// their own: whatever the mux routes elsewhere is not excluded.
	for _, p := range []string{"/api/health", "/api/health/", "/health", "/health/", "/static", "/static/"} {
		mux.HandleFunc(p, func(w http.ResponseWriter, r *http.Request) { app.excluded = p })
	}
	app.h = wrap(t, httpaudit.Config{
		Logger:   app.rec.Logger,
		Prefixes: []string{"/api"},
		Exclude:  []string{"/health", "/api/health", "/static"},
	}, mux)
	return app
}

// do serves the request that a client sends as "method target", parsed
// as the server parses it, and reports whether a handler under /api ran
// and whether the request was audited. ok is false when the server
// refuses the request line: no handler runs then.
func (app *routedApp) do(t testing.TB, method, target string) (reached string, audited, ok bool) {
	t.Helper()
	req, err := http.ReadRequest(bufio.NewReader(strings.NewReader(method + " " + target + " HTTP/1.1\r\nHost: example.com\r\n\r\n")))
	if err != nil {
		return "", false, false
	}
	req.RemoteAddr = "192.0.2.1:1234"
	before := app.rec.Statistics().TotalEvents
	app.reached, app.excluded = "", ""
	app.h.ServeHTTP(httptest.NewRecorder(), req)
	require.NoError(t, app.rec.Flush(context.Background()))
	return app.reached, app.rec.Statistics().TotalEvents > before, true
}

// hostileTargets spell paths under /api, or that a router may read so,
// the ways attackers spell them.
var hostileTargets = []string{
	"/api/users/42",
	"/api/users/42%2F..%2F..%2F..%2Fhealth",
	"/api/users/42%2f..%2f..%2f..%2fhealth",
	"/api/users/..%2F..%2F..%2Fstatic",
	"/api/users/..%2f..%2f..%2fstatic",
	"/api/users/%2e%2e%2F%2e%2e%2F%2e%2e%2Fhealth",
	"/api/users/%2E%2E%2f%2e%2E%2fhealth",
	"/api/users/%2e%2e/%2e%2e/health",
	"/api/health%2F..%2Fusers",
	"/api/health/..%2Fusers",
	"/api/%2e%2e/health",
	"/api/files/..%2F..%2Fhealth",
	"/api/files/%2e%2e/%2e%2e/static/app.js",
	"/api/files/%252e%252e%252fhealth",
	"/api/users/%252e%252e%252f%252e%252e%252fhealth",
	"/api/users/42%252F..%252F..%252Fhealth",
	"/api/users/42;/../../../health",
	"/api/users/..;/..;/health",
	"/api/users/42;jsessionid=1",
	"/api;x/users/42",
	"/api/users/42.",
	"/api/users/42%2e",
	"/api/users/42/.",
	"/api/users/42%2F.",
	"/api/users/%EF%BC%8E%EF%BC%8E%EF%BC%8Fhealth",
	"/api/users/%C0%AE%C0%AE%C0%AFhealth",
	"/api/users/%E2%80%AEhtlaeh",
	"/api/users/42%00",
	"/api/users/42%0a",
	"/api/users/42%20",
	"/api/users/\u00e9",
	"/api/users/42%5C..%5C..%5Chealth",
	"/api/users/42\\..\\..\\health",
	"//api/users/42",
	"/api//users/42",
	"/api/users//42",
	"/api/./users/42",
	"/API/users/42",
	"/Api/users/42",
	"/api/Health",
	"/api/health/",
	"/api/health/x",
	"/api/healthz",
	"/api/%68ealth",
	"/api/health%3B",
	"/api/health;",
	"/api/",
	"/api",
	"http://example.com/api/users/42",
	"http://example.com/api/users/42%2F..%2F..%2Fhealth",
	"*",
}

// Every request that reaches a handler under /api is audited, however its
// path is spelled: the mux routes on the escaped path, segment by
// segment, where "%2F" is not a separator and "%2e%2e" is not "..".
func TestEveryRequestRoutedUnderAPIIsAudited(t *testing.T) {
	app := newRoutedApp(t)
	for _, target := range hostileTargets {
		for _, method := range []string{"DELETE", "GET", "POST", "CONNECT", "delete"} {
			reached, audited, ok := app.do(t, method, target)
			if !ok {
				continue
			}
			if reached != "" {
				require.True(t, audited, "%s %s reached the %s handler without being audited", method, target, reached)
			}
		}
	}

	// The exclusions still hold for the paths they name.
	for _, target := range []string{"/health", "/api/health", "/static/app.js", "/static/css/site.css"} {
		_, audited, ok := app.do(t, "GET", target)
		require.True(t, ok)
		require.False(t, audited, "GET %s is excluded", target)
		require.NotEmpty(t, app.excluded, "GET %s reached its handler", target)
	}
}

// Random paths built from the pieces attackers combine: every one that
// reaches a handler under /api is audited. AUDITLOG_SEED replays a run.
func TestRandomPathsRoutedUnderAPIAreAudited(t *testing.T) {
	seed := uint64(rand.Int64())
	if s := os.Getenv("AUDITLOG_SEED"); s != "" {
		var err error
		seed, err = strconv.ParseUint(s, 10, 64)
		require.NoError(t, err)
	}
	t.Logf("seed %d (AUDITLOG_SEED=%d replays it)", seed, seed)
	rng := rand.New(rand.NewPCG(seed, seed))
	app := newRoutedApp(t)
	pieces := []string{"api", "API", "users", "42", "files", "health", "static", "app.js", "..", ".", "",
		"%2e%2e", "%2E%2e", "%2e", "%252e%252e", "..;", ";x", "%3B", "health;", "%68ealth", "h%65alth", "%C0%AE%C0%AE", "\u00e9"}
	seps := []string{"/", "/", "/", "%2F", "%2f", "%252F", "//", "%5C"}
	methods := []string{"GET", "DELETE", "POST", "CONNECT"}
	reachedAny := 0
	for range 3000 {
		var b strings.Builder
		for range 1 + rng.IntN(6) {
			b.WriteString(seps[rng.IntN(len(seps))])
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		target := "/" + strings.TrimLeft(b.String(), "/")
		if rng.IntN(3) == 0 {
			target = "/api/" + strings.TrimLeft(target, "/")
		}
		method := methods[rng.IntN(len(methods))]
		reached, audited, ok := app.do(t, method, target)
		if ok && reached != "" {
			reachedAny++
			require.True(t, audited, "%s %s reached the %s handler without being audited (seed %d)", method, target, reached, seed)
		}
	}
	require.Positive(t, reachedAny, "some requests reached a handler under /api")
}

// FuzzRoutedUnderAPIIsAudited: whatever the request line, a request that
// reaches a handler under /api is audited.
func FuzzRoutedUnderAPIIsAudited(f *testing.F) {
	for _, target := range hostileTargets {
		f.Add("DELETE", target)
	}
	f.Add("CONNECT", "/api/../health")
	app := newRoutedApp(f)
	f.Fuzz(func(t *testing.T, method, target string) {
		reached, audited, ok := app.do(t, method, target)
		if ok && reached != "" {
			require.True(t, audited, "%q %q reached the %s handler without being audited", method, target, reached)
		}
	})
}
