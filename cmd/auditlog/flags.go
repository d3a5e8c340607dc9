package main

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/auditlog/auditlog/logger"
)

// selectFlags are the flags that select events: one for every field of
// logger.Filter.
type selectFlags struct {
	user, session, op, status, category, resource, run, source string
	entries                                                    []string
	since, until                                               string
	limit, offset                                              int
	asc                                                        bool
}

// add declares the flags on fs; window adds --limit, --offset and --asc.
func (s *selectFlags) add(fs *pflag.FlagSet, window bool) {
	fs.StringVar(&s.user, "user", "", "events of this user (user_id)")
	fs.StringVar(&s.session, "session", "", "events of this session (session_id)")
	fs.StringVar(&s.op, "op", "", "events of this operation, in any case (store, FORGET, ...)")
	fs.StringVar(&s.status, "status", "", "events of this status: success, failure or partial")
	fs.StringVar(&s.category, "category", "", "events of this category, exactly as written (DATA, AUTH, http, ...)")
	fs.StringVar(&s.resource, "resource", "", "events on this resource: TYPE/ID, TYPE alone, or /ID alone (the ID may hold more slashes)")
	fs.StringVar(&s.run, "run", "", "events of this run (run_id)")
	fs.StringVar(&s.source, "source", "", "events logged by this instance, exactly as its events name it (source, as in web-1/agentd[4121])")
	fs.StringArrayVar(&s.entries, "entry", nil, "events that touched this memory entry; repeat for any of several")
	fs.StringVar(&s.since, "since", "", "events at or after: a duration before now (90m, 24h, 7d), an RFC 3339 time, or a date (its start, UTC)")
	fs.StringVar(&s.until, "until", "", "events at or before: a duration before now, an RFC 3339 time, or a date (its end, UTC)")
	if window {
		fs.IntVar(&s.limit, "limit", 0, "at most this many events (0: all)")
		fs.IntVar(&s.offset, "offset", 0, "skip this many events of the selection first")
		fs.BoolVar(&s.asc, "asc", false, "oldest first (the default is newest first)")
	}
}

// filter returns the Filter the flags describe, or a usage error naming
// the flag that is wrong.
func (s *selectFlags) filter(now time.Time) (logger.Filter, error) {
	f := logger.Filter{
		UserID: s.user, SessionID: s.session, Category: s.category, RunID: s.run, Source: s.source,
		EntryIDs: s.entries, Limit: s.limit, Offset: s.offset, Ascending: s.asc,
	}
	if s.op != "" {
		op, err := logger.ParseOperation(s.op)
		if err != nil {
			return f, usageErrorf("invalid --op %q: an operation is a letter, then letters, digits, _ - or . (STORE, FORGET, ...)", s.op)
		}
		f.Operation = op
	}
	if s.status != "" {
		st, err := logger.ParseStatus(s.status)
		if err != nil {
			return f, usageErrorf("invalid --status %q: want success, failure or partial", s.status)
		}
		f.Status = st
	}
	if s.resource != "" {
		typ, id, _ := strings.Cut(s.resource, "/")
		if typ == "" && id == "" {
			return f, usageErrorf("invalid --resource %q: want TYPE/ID, TYPE or /ID", s.resource)
		}
		f.ResourceType, f.ResourceID = typ, id
	}
	var err error
	if f.Since, err = parseTime(s.since, now, false); err != nil {
		return f, usageErrorf("invalid --since %q: %v", s.since, err)
	}
	if f.Until, err = parseTime(s.until, now, true); err != nil {
		return f, usageErrorf("invalid --until %q: %v", s.until, err)
	}
	if !f.Since.IsZero() && !f.Until.IsZero() && f.Until.Before(f.Since) {
		return f, usageErrorf("--until %s is before --since %s", s.until, s.since)
	}
	if s.limit < 0 {
		return f, usageErrorf("invalid --limit %d: want 0 (all) or more", s.limit)
	}
	if s.offset < 0 {
		return f, usageErrorf("invalid --offset %d: want 0 or more", s.offset)
	}
	return f, nil
}

var errTimeSyntax = errors.New("want a duration before now (90m, 24h, 7d), an RFC 3339 time (2026-01-15T10:30:00Z) or a date (2026-01-15)")

// parseTime reads a --since or --until value: empty (no bound), a
// duration before now (Go's syntax, and whole days with d: 7d), an RFC
// 3339 time, or a date, which is its first instant in UTC, or with end
// its last.
func parseTime(s string, now time.Time, end bool) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if d, ok := parseAgo(s); ok {
		return now.Add(-d), nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		if end {
			t = t.AddDate(0, 0, 1).Add(-time.Nanosecond)
		}
		return t, nil
	}
	return time.Time{}, errTimeSyntax
}

// parseAgo reads a positive duration: Go's syntax (90m, 1h30m) or a
// whole number of days (7d).
func parseAgo(s string) (time.Duration, bool) {
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n < 0 || n > 365*200 {
			return 0, false
		}
		return time.Duration(n) * 24 * time.Hour, true
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, false
	}
	return d, true
}

// usageError is a mistake on the command line: exit status 2.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

func usageErrorf(format string, args ...any) error {
	return &usageError{fmt.Errorf(format, args...)}
}
