package postgres

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/auditlog/auditlog/logger"
	"github.com/auditlog/auditlog/store"
)

func init() {
	open := func(u *url.URL) (logger.Store, error) { return OpenURL(u) }
	store.Register("postgres", open)
	store.Register("postgresql", open)
}

// OpenURL opens the store a postgres:// or postgresql:// URL names, as
// store.Open does once this package is imported:
//
//	postgres://auditor:secret@db.example.com:5432/audit?sslmode=verify-full
//	postgres:///audit?host=/run/postgresql     (a Unix socket)
//
// Three query parameters set Options, and are taken out of the URL:
//
//	schema=auditlog       Options.Schema
//	table=events          Options.Table
//	connect_timeout=30s   Options.ConnectTimeout (a Go duration, or seconds)
//
// The others are pgx's and libpq's (sslmode, application_name,
// pool_max_conns, ...), passed on as they are. A password in the URL never
// appears in an error.
func OpenURL(u *url.URL) (*Store, error) {
	if u.Scheme != "postgres" && u.Scheme != "postgresql" {
		return nil, fmt.Errorf("%w: %s: want a postgres:// or postgresql:// URL", ErrInvalidOptions, u.Redacted())
	}
	if u.Opaque != "" {
		return nil, fmt.Errorf("%w: %s: want %s://[user[:password]@][host][:port][/database][?param=value...]", ErrInvalidOptions, u.Redacted(), u.Scheme)
	}
	o, rest, err := urlOptions(u)
	if err != nil {
		return nil, err
	}
	return Open(rest.String(), o)
}

// urlOptions takes the parameters of Options out of u: it returns them,
// and u without them.
func urlOptions(u *url.URL) (Options, *url.URL, error) {
	var o Options
	q := u.Query()
	for _, k := range []string{"schema", "table", "connect_timeout"} {
		vs, ok := q[k]
		if !ok {
			continue
		}
		if len(vs) != 1 {
			return o, nil, fmt.Errorf("%w: %s: parameter %q given %d times", ErrInvalidOptions, u.Redacted(), k, len(vs))
		}
		v := vs[0]
		switch k {
		case "schema":
			o.Schema = v
			if err := checkName("schema", v, maxSchemaLen); err != nil || strings.HasPrefix(v, "pg_") {
				return o, nil, fmt.Errorf("%w: %s: schema=%q: want lower-case letters, digits and _ (at most %d), not starting with a digit or pg_", ErrInvalidOptions, u.Redacted(), v, maxSchemaLen)
			}
		case "table":
			o.Table = v
			if err := checkName("table", v, maxTableLen); err != nil {
				return o, nil, fmt.Errorf("%w: %s: table=%q: want lower-case letters, digits and _ (at most %d), not starting with a digit", ErrInvalidOptions, u.Redacted(), v, maxTableLen)
			}
		case "connect_timeout":
			d, err := time.ParseDuration(v)
			if n, nerr := strconv.Atoi(v); nerr == nil { // libpq's seconds
				d, err = time.Duration(n)*time.Second, nil
			}
			if err != nil || d <= 0 {
				return o, nil, fmt.Errorf("%w: %s: connect_timeout=%q: want a positive duration such as 30s", ErrInvalidOptions, u.Redacted(), v)
			}
			o.ConnectTimeout = d
		}
		delete(q, k)
	}
	rest := *u
	rest.RawQuery = q.Encode()
	return o, &rest, nil
}
