package httpaudit_test

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/logger"
	"github.com/auditlog/auditlog/logger/audittest"
	"github.com/auditlog/auditlog/logger/httpaudit"
)

// statusHandler answers with the status in the "status" query parameter
// (200 by default).
var statusHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Query().Get("status") {
	case "404":
		http.NotFound(w, r)
	case "500":
		http.Error(w, "broken", http.StatusInternalServerError)
	case "none":
		// writes nothing: 200
	default:
		_, _ = io.WriteString(w, "ok")
	}
})

func wrap(t testing.TB, cfg httpaudit.Config, h http.Handler) http.Handler {
	t.Helper()
	mw, err := httpaudit.Middleware(cfg)
	require.NoError(t, err)
	return mw(h)
}

func serve(h http.Handler, method, target string, header http.Header, remote string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, nil)
	for k, vs := range header {
		req.Header[k] = vs
	}
	if remote != "" {
		req.RemoteAddr = remote
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}

func TestMethodsStatusAndFields(t *testing.T) {
	rec := audittest.New(t)
	h := wrap(t, httpaudit.Config{Logger: rec.Logger, User: func(r *http.Request) string { return r.Header.Get("X-User") }}, statusHandler)
	for _, tt := range []struct {
		method, target string
		op             logger.Operation
		status         int
	}{
		{"GET", "/items", logger.OpRead, 200},
		{"HEAD", "/items", logger.OpRead, 200},
		{"POST", "/items", logger.OpCreate, 200},
		{"PUT", "/items/1", logger.OpUpdate, 200},
		{"PATCH", "/items/1", logger.OpUpdate, 200},
		{"DELETE", "/items/1?status=404", logger.OpDelete, 404},
		{"GET", "/boom?status=500", logger.OpRead, 500},
		{"GET", "/quiet?status=none", logger.OpRead, 200},
	} {
		w := serve(h, tt.method, tt.target, http.Header{"X-User": {"u7"}, "User-Agent": {"curl/8"}}, "192.0.2.1:5555")
		require.Equal(t, tt.status, w.Code)
	}
	events := rec.Events()
	require.Len(t, events, 8)
	get := events[0]
	require.Equal(t, logger.OpRead, get.Operation)
	require.Equal(t, logger.StatusSuccess, get.Status)
	require.Equal(t, "u7", get.UserID)
	require.Equal(t, "192.0.2.1", get.IPAddress)
	require.Equal(t, "curl/8", get.UserAgent)
	require.Equal(t, "http", get.Category)
	require.Equal(t, &logger.Request{Method: "GET", Path: "/items", StatusCode: 200}, get.Request)
	require.Positive(t, get.Duration)
	for i, want := range []logger.Operation{logger.OpRead, logger.OpRead, logger.OpCreate, logger.OpUpdate, logger.OpUpdate, logger.OpDelete, logger.OpRead, logger.OpRead} {
		require.Equal(t, want, events[i].Operation, "event %d", i)
	}
	del := events[5]
	require.Equal(t, logger.StatusFailure, del.Status)
	require.Equal(t, "HTTP 404", del.ErrorMessage)
	require.Equal(t, "HTTP 500", events[6].ErrorMessage)
	require.Equal(t, 200, events[7].Request.StatusCode, "a handler that writes nothing answered 200")
}

func TestFailureStatusIsConfigurable(t *testing.T) {
	rec := audittest.New(t)
	h := wrap(t, httpaudit.Config{Logger: rec.Logger, FailureStatus: 500}, statusHandler)
	serve(h, "GET", "/a?status=404", nil, "")
	serve(h, "GET", "/a?status=500", nil, "")
	rec.RequireLogged(t, audittest.Match{Status: logger.StatusSuccess})
	rec.RequireLogged(t, audittest.Match{Status: logger.StatusFailure, ErrorContains: "HTTP 500"})
}

func TestWhichRequestsAreAudited(t *testing.T) {
	rec := audittest.New(t)
	h := wrap(t, httpaudit.Config{
		Logger:      rec.Logger,
		Prefixes:    []string{"/api/", "/login", "/logout"},
		Exclude:     []string{"/api/healthz"},
		WritesOnly:  true,
		LoginPaths:  []string{"/login"},
		LogoutPaths: []string{"/logout"},
	}, statusHandler)
	serve(h, "GET", "/static/app.js", nil, "")  // outside the prefixes
	serve(h, "POST", "/api/healthz", nil, "")   // excluded, even a write
	serve(h, "GET", "/api/items", nil, "")      // a read in writes-only mode
	serve(h, "DELETE", "/api/items/3", nil, "") // audited
	serve(h, "GET", "/login", nil, "")          // login, whatever the method
	serve(h, "POST", "/logout", nil, "")        // logout
	events := rec.Events()
	require.Len(t, events, 3)
	require.Equal(t, logger.OpDelete, events[0].Operation)
	require.Equal(t, logger.OpLogin, events[1].Operation)
	require.Equal(t, logger.OpLogout, events[2].Operation)
}

func TestForwardedForIsTrustedOnlyFromProxies(t *testing.T) {
	rec := audittest.New(t)
	h := wrap(t, httpaudit.Config{
		Logger:         rec.Logger,
		TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("2001:db8::/32")},
	}, statusHandler)
	for _, tt := range []struct {
		name, remote string
		xff          []string
		want         string
	}{
		{"no proxy: the header is a client's claim", "203.0.113.9:1000", []string{"1.2.3.4"}, "203.0.113.9"},
		{"through a trusted proxy", "10.0.0.5:1000", []string{"198.51.100.7"}, "198.51.100.7"},
		{"a forged entry before the real client", "10.0.0.5:1000", []string{"6.6.6.6, 198.51.100.7"}, "198.51.100.7"},
		{"two trusted proxies", "10.0.0.5:1000", []string{"198.51.100.7, 10.1.1.1"}, "198.51.100.7"},
		{"several headers", "10.0.0.5:1000", []string{"6.6.6.6", "198.51.100.8"}, "198.51.100.8"},
		{"garbage stops the walk", "10.0.0.5:1000", []string{"1.1.1.1, not-an-ip, 10.2.2.2"}, "10.2.2.2"},
		{"a trusted proxy with no header", "10.0.0.5:1000", nil, "10.0.0.5"},
		{"IPv6 proxy", "[2001:db8::1]:443", []string{"198.51.100.9"}, "198.51.100.9"},
		{"entries with ports", "10.0.0.5:1000", []string{"203.0.113.7:5555, [2001:db8::7]:443"}, "203.0.113.7"},
		{"an IPv6 client with a port", "10.0.0.5:1000", []string{"[2001:db9::7]:443"}, "2001:db9::7"},
		{"an IPv4-mapped entry", "10.0.0.5:1000", []string{"::ffff:203.0.113.9"}, "203.0.113.9"},
		{"an IPv4-mapped peer", "[::ffff:10.0.0.5]:1000", []string{"198.51.100.4"}, "198.51.100.4"},
		{"an untrusted IPv4-mapped peer", "[::ffff:203.0.113.1]:1000", []string{"1.2.3.4"}, "203.0.113.1"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			hdr := http.Header{}
			for _, v := range tt.xff {
				hdr.Add("X-Forwarded-For", v)
			}
			before := len(rec.Events())
			serve(h, "GET", "/", hdr, tt.remote)
			events := rec.Events()
			require.Len(t, events, before+1)
			require.Equal(t, tt.want, events[len(events)-1].IPAddress)
		})
	}
}

func TestUserAgentIsCapped(t *testing.T) {
	rec := audittest.New(t)
	h := wrap(t, httpaudit.Config{Logger: rec.Logger, MaxUserAgent: 10}, statusHandler)
	serve(h, "GET", "/", http.Header{"User-Agent": {strings.Repeat("a", 9) + "é" + "tail"}}, "")
	ev := rec.Events()[0]
	require.Equal(t, strings.Repeat("a", 9), ev.UserAgent, "cut before the character that does not fit")
}

func TestPanicIsAuditedAndPassedOn(t *testing.T) {
	rec := audittest.New(t)
	h := wrap(t, httpaudit.Config{Logger: rec.Logger}, http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("handler bug") }))
	require.PanicsWithValue(t, "handler bug", func() { serve(h, "POST", "/x", nil, "") })
	ev := rec.RequireLogged(t, audittest.Match{Operation: logger.OpCreate, Status: logger.StatusFailure, ErrorContains: "panic: handler bug (HTTP 500)"})
	require.Equal(t, 500, ev.Request.StatusCode)
	require.Contains(t, ev.ErrorStack, "TestPanicIsAuditedAndPassedOn.func1(", "the stack of the panic: the handler's own frame")

	// A panic after the status was written still cuts the response short.
	late := wrap(t, httpaudit.Config{Logger: rec.Logger}, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusOK)
		panic("late bug")
	}))
	require.PanicsWithValue(t, "late bug", func() { serve(late, "DELETE", "/y", nil, "") })
	ev = rec.RequireLogged(t, audittest.Match{Operation: logger.OpDelete, Status: logger.StatusFailure, ErrorContains: "panic: late bug (HTTP 200)"})
	require.Equal(t, 200, ev.Request.StatusCode)
}

func TestInformationalStatusIsNotTheStatus(t *testing.T) {
	rec := audittest.New(t)
	h := wrap(t, httpaudit.Config{Logger: rec.Logger}, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Link", "</app.css>; rel=preload")
		w.WriteHeader(http.StatusEarlyHints)
		w.WriteHeader(http.StatusForbidden)
	}))
	serve(h, "GET", "/doc", nil, "")
	ev := rec.RequireLogged(t, audittest.Match{Status: logger.StatusFailure, ErrorContains: "HTTP 403"})
	require.Equal(t, 403, ev.Request.StatusCode)
}

func TestPathsAreMatchedCleanedAndBySegment(t *testing.T) {
	rec := audittest.New(t)
	h := wrap(t, httpaudit.Config{
		Logger:     rec.Logger,
		Prefixes:   []string{"/api"},
		Exclude:    []string{"/api/static/", "/api/healthz"},
		LoginPaths: []string{"/api/login/"},
	}, statusHandler)
	serve(h, "DELETE", "/api/static/../users/1", nil, "") // under /api/users: audited
	serve(h, "GET", "/apiary", nil, "")                   // not under /api
	serve(h, "GET", "/api/healthzz", nil, "")             // not /api/healthz
	serve(h, "GET", "/api/healthz", nil, "")              // excluded
	serve(h, "GET", "/api/static//app.js", nil, "")       // excluded, however it is read
	serve(h, "GET", "/api/./static/app.js", nil, "")      // a router that does not clean paths routes it
	serve(h, "GET", "/api//static/app.js", nil, "")       // outside /api/static: audited
	serve(h, "POST", "/api/login", nil, "")               // login, without its slash
	serve(h, "GET", "/api", nil, "")                      // the prefix itself
	var got []string
	for _, ev := range rec.Events() {
		got = append(got, string(ev.Operation)+" "+ev.Request.Path)
	}
	require.Equal(t, []string{"DELETE /api/static/../users/1", "READ /api/healthzz", "READ /api/./static/app.js", "READ /api//static/app.js", "LOGIN /api/login", "READ /api"}, got)
}

func TestSetUserAndAPanickingUserFunc(t *testing.T) {
	rec := audittest.New(t)
	// An authentication middleware inside the audit one names the user.
	auth := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u := r.Header.Get("X-User"); u != "" {
			require.True(t, httpaudit.SetUser(r.Context(), u))
		} else {
			http.Error(w, "who are you?", http.StatusUnauthorized)
		}
	})
	require.False(t, httpaudit.SetUser(httptest.NewRequest("GET", "/", nil).Context(), "nobody"),
		"SetUser outside an audited request says so")
	h := wrap(t, httpaudit.Config{
		Logger: rec.Logger,
		User: func(r *http.Request) string {
			if r.Header.Get("X-Boom") != "" {
				panic("user lookup bug")
			}
			return "from-config"
		},
	}, auth)
	serve(h, "GET", "/a", http.Header{"X-User": {"alice"}}, "")
	serve(h, "GET", "/b", nil, "")
	serve(h, "GET", "/c", http.Header{"X-Boom": {"1"}}, "")
	events := rec.Events()
	require.Len(t, events, 3, "every request is audited")
	require.Equal(t, "alice", events[0].UserID, "SetUser comes first")
	require.Equal(t, "from-config", events[1].UserID)
	require.Equal(t, logger.StatusFailure, events[1].Status)
	require.Empty(t, events[2].UserID)
	require.Equal(t, "user lookup bug", events[2].Metadata["auditlog_user_panic"])
}

func TestAuditingNeverFailsTheRequest(t *testing.T) {
	rec := audittest.New(t)
	var heard []error
	h := wrap(t, httpaudit.Config{Logger: rec.Logger, ErrorHandler: func(_ *http.Request, err error) {
		heard = append(heard, err)
		panic("error handler bug")
	}}, statusHandler)
	require.NoError(t, rec.Close())
	w := serve(h, "GET", "/", nil, "")
	require.Equal(t, 200, w.Code)
	require.Equal(t, "ok", w.Body.String())
	require.Equal(t, int64(1), rec.Statistics().Rejected, "the refused event is counted")
	require.Len(t, heard, 1, "ErrorHandler hears of it; its panic is contained")
	require.ErrorIs(t, heard[0], logger.ErrClosed)
}

func TestFlushAndHijackPassThrough(t *testing.T) {
	rec := audittest.New(t)
	mux := http.NewServeMux()
	mux.HandleFunc("/stream", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "part1\n")
		require.NoError(t, http.NewResponseController(w).Flush())
		_, _ = io.WriteString(w, "part2\n")
	})
	mux.HandleFunc("/upgrade", func(w http.ResponseWriter, r *http.Request) {
		hj, ok := w.(http.Hijacker)
		require.True(t, ok, "the wrapped writer is still a Hijacker")
		conn, buf, err := hj.Hijack()
		require.NoError(t, err)
		defer conn.Close()
		_, _ = buf.WriteString("HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\nhello")
		_ = buf.Flush()
	})
	// served tells when the audited handler, auditing included, has
	// returned for each request (a hijacked connection's client can see
	// the end of it before that).
	audited := wrap(t, httpaudit.Config{Logger: rec.Logger}, mux)
	served := make(chan string, 2)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		audited.ServeHTTP(w, r)
		served <- r.URL.Path
	}))
	defer srv.Close()

	resp, err := http.Get(srv.URL + "/stream")
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, "part1\npart2\n", string(body))

	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	require.NoError(t, err)
	defer conn.Close()
	_, err = io.WriteString(conn, "GET /upgrade HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n")
	require.NoError(t, err)
	r := bufio.NewReader(conn)
	status, err := r.ReadString('\n')
	require.NoError(t, err)
	require.Contains(t, status, "101")
	rest, _ := io.ReadAll(r)
	require.True(t, strings.HasSuffix(string(rest), "hello"))

	<-served
	<-served
	codes := map[string]int{}
	for _, ev := range rec.Events() {
		codes[ev.Request.Path] = ev.Request.StatusCode
	}
	require.Equal(t, map[string]int{"/stream": 200, "/upgrade": 101}, codes)
}

func TestConfigErrors(t *testing.T) {
	rec := audittest.New(t)
	for _, tt := range []struct {
		name string
		cfg  httpaudit.Config
		want string
	}{
		{"no logger", httpaudit.Config{}, "Logger is nil"},
		{"status too low", httpaudit.Config{Logger: rec.Logger, FailureStatus: 42}, "not a status code"},
		{"status too high", httpaudit.Config{Logger: rec.Logger, FailureStatus: 1000}, "not a status code"},
		{"negative cap", httpaudit.Config{Logger: rec.Logger, MaxUserAgent: -1}, "MaxUserAgent -1 is negative"},
		{"negative path cap", httpaudit.Config{Logger: rec.Logger, MaxPath: -1}, "MaxPath -1 is negative"},
		{"negative timeout", httpaudit.Config{Logger: rec.Logger, LogTimeout: -time.Second}, "LogTimeout -1s is negative"},
		{"invalid proxy", httpaudit.Config{Logger: rec.Logger, TrustedProxies: []netip.Prefix{{}}}, "invalid prefix"},
		{"relative prefix", httpaudit.Config{Logger: rec.Logger, Prefixes: []string{"api"}}, `"api" does not start with /`},
		{"empty exclusion", httpaudit.Config{Logger: rec.Logger, Exclude: []string{""}}, "does not start with /"},
		{"relative login path", httpaudit.Config{Logger: rec.Logger, LoginPaths: []string{"login"}}, "does not start with /"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			mw, err := httpaudit.Middleware(tt.cfg)
			require.ErrorContains(t, err, tt.want)
			require.Nil(t, mw)
		})
	}
}

// A handler behind http.TimeoutHandler outlives its request: its late
// SetUser names no one, and the request is audited with the timeout's
// status.
func TestSetUserAfterATimeout(t *testing.T) {
	rec := audittest.New(t)
	release, done := make(chan struct{}), make(chan struct{})
	slow := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-release
		httpaudit.SetUser(r.Context(), "late")
		close(done)
	})
	h := wrap(t, httpaudit.Config{Logger: rec.Logger}, http.TimeoutHandler(slow, time.Millisecond, "too slow"))
	w := serve(h, "GET", "/slow", nil, "")
	require.Equal(t, http.StatusServiceUnavailable, w.Code)
	close(release)
	<-done
	ev := rec.RequireLogged(t, audittest.Match{Status: logger.StatusFailure, ErrorContains: "HTTP 503"})
	require.Empty(t, ev.UserID)
}
