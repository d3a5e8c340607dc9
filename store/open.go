package store

import (
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/auditlog/auditlog/logger"
)

// ErrUnknownScheme is returned by Open for a URL whose scheme no imported
// store registered.
var ErrUnknownScheme = errors.New("store: unknown URL scheme")

// Opener opens a store from its URL.
type Opener func(u *url.URL) (logger.Store, error)

var (
	mu      sync.RWMutex
	openers = map[string]Opener{}
)

// known are the schemes of this module's stores, and the package that
// registers each, for a helpful error.
var known = map[string]string{
	"file":       "github.com/auditlog/auditlog/store/file",
	"sqlite":     "github.com/auditlog/auditlog/store/sqlite",
	"postgres":   "github.com/auditlog/auditlog/store/postgres",
	"postgresql": "github.com/auditlog/auditlog/store/postgres",
}

// Register makes a store openable by Open under scheme. It panics if the
// scheme is registered twice or open is nil, as database/sql.Register
// does: both are programming errors, made at init time.
func Register(scheme string, open Opener) {
	mu.Lock()
	defer mu.Unlock()
	if open == nil {
		panic("store: Register of a nil Opener for " + scheme)
	}
	if _, dup := openers[scheme]; dup {
		panic("store: Register called twice for " + scheme)
	}
	openers[scheme] = open
}

// Open opens the store that rawURL names: file://./audits (a folder of
// partitioned files), sqlite://./audits/audit.db (one SQLite file) or
// postgres://user:password@host/db (a PostgreSQL table), provided the
// store's package is imported. Relative paths are relative
// to the working directory; file:///var/audits is absolute. Each store
// documents the query parameters it takes.
func Open(rawURL string) (logger.Store, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err // without the URL, which may hold a password
		}
		return nil, fmt.Errorf("store: %q is not a URL: %w", Redacted(rawURL), err)
	}
	if u.Scheme == "" {
		return nil, fmt.Errorf("%w: %q has none (want file://..., sqlite://... or postgres://...)", ErrUnknownScheme, Redacted(rawURL))
	}
	mu.RLock()
	open := openers[u.Scheme]
	mu.RUnlock()
	if open == nil {
		if pkg, ok := known[u.Scheme]; ok {
			return nil, fmt.Errorf("%w: %q: import %s to open it", ErrUnknownScheme, u.Scheme, pkg)
		}
		names := slices.Sorted(func(yield func(string) bool) {
			for k := range known {
				if !yield(k) {
					return
				}
			}
		})
		return nil, fmt.Errorf("%w: %q (want one of %s)", ErrUnknownScheme, u.Scheme, strings.Join(names, ", "))
	}
	return open(u)
}

// Redacted returns rawURL with the password of its user info, if any,
// replaced by "xxxxx", as url.URL.Redacted does, even when rawURL does not
// parse as a URL: for errors and messages that name a store.
func Redacted(rawURL string) string {
	if u, err := url.Parse(rawURL); err == nil {
		return u.Redacted()
	}
	i := strings.Index(rawURL, "://")
	if i < 0 {
		return rawURL
	}
	auth := rawURL[i+3:]
	if end := strings.IndexAny(auth, "/?#"); end >= 0 {
		auth = auth[:end]
	}
	at := strings.LastIndexByte(auth, '@')
	if at < 0 {
		return rawURL
	}
	user, _, hasPassword := strings.Cut(auth[:at], ":")
	if !hasPassword {
		return rawURL
	}
	return rawURL[:i+3] + user + ":xxxxx" + rawURL[i+3+at:]
}

// Path returns the file path a store URL names: "file://./audits" and
// "file:audits" name "audits", "file:///var/audits" names "/var/audits",
// "file:a%20b" names "a b". The first element after "//" is part of a
// relative path ("file://audits/2026" is "audits/2026"), unless it is
// "localhost". A URL with a user, a port or a fragment names no file:
// that is an error. It is for Openers.
func Path(u *url.URL) (string, error) {
	if u.User != nil || u.Fragment != "" || u.Port() != "" {
		return "", fmt.Errorf("store: %q: a store URL names a file: it has no user, port or fragment", u.Redacted())
	}
	p := u.Opaque
	if p != "" {
		var err error
		if p, err = url.PathUnescape(p); err != nil {
			return "", fmt.Errorf("store: %q: %w", u.Redacted(), err)
		}
	} else {
		p = u.Host + u.Path
		if u.Host == "localhost" {
			p = u.Path
		}
	}
	if p == "" {
		return "", fmt.Errorf("store: %q names no path", u.Redacted())
	}
	return filepath.Clean(p), nil
}
