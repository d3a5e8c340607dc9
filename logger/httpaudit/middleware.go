package httpaudit

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"path"
	"runtime/debug"
	"strings"
	"time"

	"github.com/auditlog/auditlog/logger"
)

// Config says which requests to audit and how.
type Config struct {
	// Logger receives the events. Required.
	Logger *logger.Logger

	// Prefixes, when set, limits auditing to paths under one of them.
	// A prefix matches whole path segments ("/api" matches "/api" and
	// "/api/users", not "/apiary"). Every path here starts with "/".
	//
	// Routers read a path in different ways (net/http's ServeMux routes
	// "/api/users/42%2F..%2F..%2F..%2Fhealth" to "/api/users/{id}",
	// where the decoded, cleaned path is "/health"), so a request is matched
	// on each way it may be read: the decoded path and the escaped one
	// (URL.EscapedPath), each cleaned as path.Clean does and as sent.
	// When in doubt, it is audited: it is under Prefixes when one of
	// these readings is, its segments compared without regard to case
	// and without a ";param" suffix.
	Prefixes []string
	// Exclude lists path prefixes never audited (static files, health
	// checks), matched by whole segments as Prefixes are, but strictly:
	// a request is excluded only when every reading of its path is below
	// one of them, segment for segment. It wins over everything else.
	Exclude []string
	// WritesOnly leaves out the requests whose method is safe (GET,
	// HEAD, OPTIONS and TRACE) unless their path is a login or logout
	// path: every other method, which a handler that does not check it
	// may serve as a write, is audited.
	WritesOnly bool
	// LoginPaths and LogoutPaths are the exact paths audited as LOGIN and
	// LOGOUT, compared as Prefixes are (a trailing slash aside).
	LoginPaths, LogoutPaths []string

	// User returns the id of the request's user, "" for none; a user
	// named with SetUser comes first. It runs after the handler, on the
	// request this middleware received: it sees what middleware outside
	// this one put in the request's context, not what handlers inside put
	// in their own copies (those call SetUser). Nil: no user but SetUser's.
	// A panic in User is contained: the request is audited without a user,
	// and Metadata["auditlog_user_panic"] says why.
	User func(*http.Request) string

	// FailureStatus is the lowest status code logged as a FAILURE.
	// Default 400.
	FailureStatus int
	// TrustedProxies are the addresses whose X-Forwarded-For header is
	// believed (see the package doc). Empty: the header is ignored.
	TrustedProxies []netip.Prefix
	// MaxUserAgent caps the user agent recorded, in bytes. Default
	// DefaultMaxUserAgent.
	MaxUserAgent int
	// MaxPath caps the path recorded, in bytes. The path is recorded
	// escaped, as the client sent it (URL.EscapedPath: "%2F" stays
	// "%2F", a control character stays escaped), without its query.
	// Default DefaultMaxPath. Keep it well below the logger's
	// MaxEventBytes, above which the whole Request would be dropped.
	MaxPath int

	// LogTimeout bounds how long a request waits for room in the
	// logger's queue once its handler has run. Default DefaultLogTimeout.
	// The wait does not end when the client goes away: the request's
	// work is done, and its event is logged all the same. Past the
	// timeout the response goes on unaudited; the logger counts the
	// event in Stats.Rejected and ErrorHandler hears of it. (A logger
	// with DropWhenFull does not wait at all.)
	LogTimeout time.Duration
	// ErrorHandler, if set, is called with each request whose event the
	// logger did not accept (LogTimeout passed, the logger is closed or
	// dropped it), from the request's goroutine, before the middleware
	// returns. A panic in it is contained. Nil: the logger's counters
	// alone tell.
	ErrorHandler func(r *http.Request, err error)
}

// Defaults of Config, and the fixed caps of the fields recorded.
const (
	// DefaultLogTimeout is Config.LogTimeout when it is 0.
	DefaultLogTimeout = 5 * time.Second
	// DefaultMaxUserAgent is Config.MaxUserAgent when it is 0.
	DefaultMaxUserAgent = 256
	// DefaultMaxPath is Config.MaxPath when it is 0.
	DefaultMaxPath = 2048
	// MaxMethod caps the method recorded, in bytes: a method is a short
	// token, but a server takes one as long as a request line may be.
	MaxMethod = 32
	// MaxUserID caps the user recorded, in bytes: a name taken from what
	// the client sent (a login form) is cut there.
	MaxUserID = 256
)

// Middleware returns a middleware that audits requests as cfg says, or an
// error when cfg cannot be used.
func Middleware(cfg Config) (func(http.Handler) http.Handler, error) {
	if cfg.Logger == nil {
		return nil, errors.New("httpaudit: Config.Logger is nil")
	}
	if cfg.FailureStatus == 0 {
		cfg.FailureStatus = 400
	}
	if cfg.FailureStatus < 100 || cfg.FailureStatus > 999 {
		return nil, fmt.Errorf("httpaudit: Config.FailureStatus %d is not a status code", cfg.FailureStatus)
	}
	if cfg.MaxUserAgent == 0 {
		cfg.MaxUserAgent = DefaultMaxUserAgent
	}
	if cfg.MaxUserAgent < 0 {
		return nil, fmt.Errorf("httpaudit: Config.MaxUserAgent %d is negative", cfg.MaxUserAgent)
	}
	if cfg.MaxPath == 0 {
		cfg.MaxPath = DefaultMaxPath
	}
	if cfg.MaxPath < 0 {
		return nil, fmt.Errorf("httpaudit: Config.MaxPath %d is negative", cfg.MaxPath)
	}
	if cfg.LogTimeout == 0 {
		cfg.LogTimeout = DefaultLogTimeout
	}
	if cfg.LogTimeout < 0 {
		return nil, fmt.Errorf("httpaudit: Config.LogTimeout %v is negative", cfg.LogTimeout)
	}
	for _, p := range cfg.TrustedProxies {
		if !p.IsValid() {
			return nil, errors.New("httpaudit: Config.TrustedProxies holds an invalid prefix")
		}
	}
	// Cleaned copies: the caller's slices may change later.
	for _, paths := range []*[]string{&cfg.Prefixes, &cfg.Exclude, &cfg.LoginPaths, &cfg.LogoutPaths} {
		clean := make([]string, len(*paths))
		for i, p := range *paths {
			if !strings.HasPrefix(p, "/") {
				return nil, fmt.Errorf("httpaudit: Config path %q does not start with /", p)
			}
			clean[i] = path.Clean(p)
		}
		*paths = clean
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			op, ok := cfg.operation(r)
			if !ok {
				next.ServeHTTP(w, r)
				return
			}
			// What the client sent is read before the handler runs: it
			// shares r's URL and header.
			rec := &recorder{ResponseWriter: w, sent: sent{
				method: r.Method, path: r.URL.EscapedPath(), userAgent: r.UserAgent(), ip: cfg.clientIP(r),
			}}
			inner := r.WithContext(context.WithValue(r.Context(), userKey{}, rec))
			start := time.Now()
			defer func() {
				p := recover()
				var stack string
				if p != nil {
					stack = string(debug.Stack())
				}
				cfg.log(r, rec, op, start, p, stack)
				if p != nil {
					panic(p)
				}
			}()
			next.ServeHTTP(rec, inner)
		})
	}, nil
}

type userKey struct{}

// SetUser names the user of the request whose context is ctx, for the
// audit middleware around the handler: an authentication middleware or a
// handler inside it calls it once it knows who the user is. It reports
// whether ctx belongs to an audited request. A user named here comes
// before Config.User's answer. A call after the middleware has audited
// the request (from a handler that outlived it, behind
// http.TimeoutHandler) names no one.
func SetUser(ctx context.Context, userID string) bool {
	rec, ok := ctx.Value(userKey{}).(*recorder)
	if ok {
		rec.user.Store(&userID)
	}
	return ok
}

// operation returns the operation of r, and false when r is not audited.
// When in doubt, a request is audited: it is excluded only when every
// reading of its path is excluded, and it is under Prefixes, a login or a
// logout path when one reading may be.
func (c *Config) operation(r *http.Request) (logger.Operation, bool) {
	rt := requestRoutes(r)
	if rt.certainlyUnder(c.Exclude) {
		return "", false
	}
	if len(c.Prefixes) > 0 && !rt.mayBeUnder(c.Prefixes) {
		return "", false
	}
	if rt.mayBe(c.LoginPaths) {
		return logger.OpLogin, true
	}
	if rt.mayBe(c.LogoutPaths) {
		return logger.OpLogout, true
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
		return logger.OpRead, !c.WritesOnly
	case http.MethodPost:
		return logger.OpCreate, true
	case http.MethodDelete:
		return logger.OpDelete, true
	}
	return logger.OpUpdate, true // PUT, PATCH, and any method that may write
}

// sent is what the event records of what the client sent, read before
// the handler runs: the handler may change the URL and the header of the
// request, which it shares with the middleware.
type sent struct {
	method, path, userAgent, ip string
}

// log records the event of r: rec holds what the client sent, the status
// the handler wrote (0: nothing) and the user SetUser named, panicked
// what the handler panicked with, if it did. Whatever the logger answers,
// the request is not affected.
func (c *Config) log(r *http.Request, rec *recorder, op logger.Operation, start time.Time, panicked any, stack string) {
	from := &rec.sent
	status := rec.status
	var named string
	if u := rec.user.Load(); u != nil {
		named = *u
	}
	if status == 0 {
		status = http.StatusOK // the handler wrote nothing
		if panicked != nil {
			status = http.StatusInternalServerError // what net/http answers
		}
	}
	var cut map[string]any // the sizes of the fields cut
	capped := func(name, s string, n int, cutAt func(string, int) string) string {
		if len(s) <= n {
			return s
		}
		if cut == nil {
			cut = make(map[string]any, 3)
		}
		cut[name] = len(s)
		return cutAt(s, n)
	}
	ev := logger.Event{
		Time:      start,
		Operation: op,
		Status:    logger.StatusSuccess,
		Category:  "http",
		IPAddress: from.ip,
		UserAgent: capped("user_agent", from.userAgent, c.MaxUserAgent, truncateUTF8),
		Request: &logger.Request{
			Method:     capped("method", from.method, MaxMethod, truncateUTF8),
			Path:       capped("path", from.path, c.MaxPath, truncateEscaped),
			StatusCode: status,
		},
		Duration: time.Since(start),
	}
	switch {
	case panicked != nil:
		// Whatever the status written before: the response was cut short.
		ev.Status = logger.StatusFailure
		ev.ErrorMessage = fmt.Sprintf("panic: %v (HTTP %d)", panicked, status)
		ev.ErrorStack = stack
	case status >= c.FailureStatus:
		ev.Status = logger.StatusFailure
		ev.ErrorMessage = fmt.Sprintf("HTTP %d", status)
	}
	if named == "" && c.User != nil {
		named, ev.Metadata = c.user(r)
	}
	ev.UserID = capped("user_id", named, MaxUserID, truncateUTF8)
	if cut != nil {
		if ev.Metadata == nil {
			ev.Metadata = make(map[string]any, 1)
		}
		ev.Metadata["auditlog_cut"] = cut
	}
	// The request's context ends when its client goes away; its work is
	// done by then, and is audited all the same, within LogTimeout.
	wait := &rec.wait
	*wait = logWait{values: r.Context(), timeout: c.LogTimeout}
	err := c.Logger.Log(wait, ev)
	wait.stop()
	if err != nil && c.ErrorHandler != nil {
		c.report(r, fmt.Errorf("httpaudit: %s %s not audited: %w", ev.Request.Method, ev.Request.Path, err))
	}
}

// report calls ErrorHandler, containing a panic.
func (c *Config) report(r *http.Request, err error) {
	defer func() { _ = recover() }()
	c.ErrorHandler(r, err)
}

// user calls Config.User, containing a panic: it returns no user then,
// and metadata that says what happened.
func (c *Config) user(r *http.Request) (id string, md map[string]any) {
	defer func() {
		if p := recover(); p != nil {
			id, md = "", map[string]any{"auditlog_user_panic": fmt.Sprint(p)}
		}
	}()
	return c.User(r), nil
}
