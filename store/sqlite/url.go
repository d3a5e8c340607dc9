package sqlite

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/auditlog/auditlog/logger"
	"github.com/auditlog/auditlog/store"
)

func init() {
	store.Register("sqlite", func(u *url.URL) (logger.Store, error) { return OpenURL(u) })
}

// urlParams are the query parameters OpenURL takes.
var urlParams = []string{"busy_timeout", "readers", "synchronous"}

// OpenURL opens the store a sqlite:// URL names, as store.Open does once
// this package is imported: sqlite://./audits/audit.db is relative to the
// working directory, sqlite:///var/audits/audit.db absolute. The query
// parameters set Options:
//
//	synchronous=normal|full   Options.Synchronous
//	busy_timeout=5s           Options.BusyTimeout (a Go duration)
//	readers=8                 Options.Readers
//
// Any other parameter is an error, so that a typo is not ignored.
func OpenURL(u *url.URL) (*Store, error) {
	path, err := store.Path(u)
	if err != nil {
		return nil, err
	}
	var o Options
	for k, vs := range u.Query() {
		if len(vs) != 1 {
			return nil, fmt.Errorf("sqlite: %s: parameter %q given %d times", u.Redacted(), k, len(vs))
		}
		v := vs[0]
		switch k {
		case "synchronous":
			o.Synchronous = Synchronous(strings.ToUpper(v))
			if o.Synchronous != SyncNormal && o.Synchronous != SyncFull {
				return nil, fmt.Errorf("sqlite: %s: synchronous=%q: want normal or full", u.Redacted(), v)
			}
		case "busy_timeout":
			if o.BusyTimeout, err = time.ParseDuration(v); err != nil || o.BusyTimeout <= 0 {
				return nil, fmt.Errorf("sqlite: %s: busy_timeout=%q: want a positive duration such as 5s", u.Redacted(), v)
			}
		case "readers":
			if o.Readers, err = strconv.Atoi(v); err != nil || o.Readers <= 0 {
				return nil, fmt.Errorf("sqlite: %s: readers=%q: want a positive number", u.Redacted(), v)
			}
		default:
			return nil, fmt.Errorf("sqlite: %s: unknown parameter %q (known: %s)", u.Redacted(), k, strings.Join(slices.Sorted(slices.Values(urlParams)), ", "))
		}
	}
	return Open(path, o)
}
