package httpaudit

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/auditlog/auditlog/logger"
)

// Config says which requests to audit and how.
type Config struct {
	// Logger receives the events. Required.
	Logger *logger.Logger

	// Prefixes, when set, limits auditing to paths under one of them.
	Prefixes []string
	// Exclude lists path prefixes never audited (static files, health
	// checks). It wins over everything else.
	Exclude []string
	// WritesOnly audits only POST, PUT, PATCH and DELETE requests, and the
	// login and logout paths whatever their method.
	WritesOnly bool
	// LoginPaths and LogoutPaths are the exact paths audited as LOGIN and
	// LOGOUT.
	LoginPaths, LogoutPaths []string

	// User returns the id of the request's user, "" for none. It runs
	// after the handler, so it sees what the handler set in the request's
	// context. Nil: no user.
	User func(*http.Request) string

	// FailureStatus is the lowest status code logged as a FAILURE.
	// Default 400.
	FailureStatus int
	// TrustedProxies are the addresses whose X-Forwarded-For header is
	// believed. Empty: the header is ignored.
	TrustedProxies []netip.Prefix
	// MaxUserAgent caps the user agent recorded, in bytes. Default 256.
	MaxUserAgent int
}

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
		cfg.MaxUserAgent = 256
	}
	if cfg.MaxUserAgent < 0 {
		return nil, fmt.Errorf("httpaudit: Config.MaxUserAgent %d is negative", cfg.MaxUserAgent)
	}
	for _, p := range cfg.TrustedProxies {
		if !p.IsValid() {
			return nil, errors.New("httpaudit: Config.TrustedProxies holds an invalid prefix")
		}
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			op, ok := cfg.operation(r)
			if !ok {
				next.ServeHTTP(w, r)
				return
			}
			rec := &recorder{ResponseWriter: w}
			start := time.Now()
			defer func() {
				status := rec.status
				p := recover()
				if p != nil && status == 0 {
					status = http.StatusInternalServerError
				}
				if status == 0 {
					status = http.StatusOK // the handler wrote nothing
				}
				cfg.log(r, op, status, start)
				if p != nil {
					panic(p)
				}
			}()
			next.ServeHTTP(rec, r)
		})
	}, nil
}

// operation returns the operation of r, and false when r is not audited.
func (c *Config) operation(r *http.Request) (logger.Operation, bool) {
	path := r.URL.Path
	for _, p := range c.Exclude {
		if strings.HasPrefix(path, p) {
			return "", false
		}
	}
	if len(c.Prefixes) > 0 && !hasPrefix(path, c.Prefixes) {
		return "", false
	}
	for _, p := range c.LoginPaths {
		if path == p {
			return logger.OpLogin, true
		}
	}
	for _, p := range c.LogoutPaths {
		if path == p {
			return logger.OpLogout, true
		}
	}
	switch r.Method {
	case http.MethodPost:
		return logger.OpCreate, true
	case http.MethodPut, http.MethodPatch:
		return logger.OpUpdate, true
	case http.MethodDelete:
		return logger.OpDelete, true
	}
	return logger.OpRead, !c.WritesOnly
}

func hasPrefix(path string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(path, p) {
			return true
		}
	}
	return false
}

// log records the event of r. Whatever the logger answers, the request
// is not affected.
func (c *Config) log(r *http.Request, op logger.Operation, status int, start time.Time) {
	ua := r.UserAgent()
	if len(ua) > c.MaxUserAgent {
		ua = truncateUTF8(ua, c.MaxUserAgent)
	}
	ev := logger.Event{
		Time:      start,
		Operation: op,
		Status:    logger.StatusSuccess,
		Category:  "http",
		IPAddress: c.clientIP(r),
		UserAgent: ua,
		Request:   &logger.Request{Method: r.Method, Path: r.URL.Path, StatusCode: status},
		Duration:  time.Since(start),
	}
	if status >= c.FailureStatus {
		ev.Status = logger.StatusFailure
		ev.ErrorMessage = fmt.Sprintf("HTTP %d", status)
	}
	if c.User != nil {
		ev.UserID = c.User(r)
	}
	_ = c.Logger.Log(r.Context(), ev)
}

// clientIP returns the client's address: the connection's peer, or, when
// that peer is a trusted proxy, the nearest address in X-Forwarded-For
// that is not one.
func (c *Config) clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	peer, err := netip.ParseAddr(host)
	if err != nil || !c.trusted(peer) {
		return host
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break // a forged or broken entry: trust nothing before it
		}
		if !c.trusted(a) {
			return a.String()
		}
		peer = a
	}
	return peer.String()
}

func (c *Config) trusted(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range c.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// truncateUTF8 cuts s to at most n bytes without splitting a character.
func truncateUTF8(s string, n int) string {
	for n > 0 && n < len(s) && s[n]&0xc0 == 0x80 {
		n--
	}
	return s[:n]
}
