package store_test

import (
	"context"
	"errors"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/logger"
	"github.com/auditlog/auditlog/store"
	"github.com/auditlog/auditlog/store/storetest"
)

func TestOpenErrors(t *testing.T) {
	for raw, want := range map[string]string{
		"":                           "has none",
		"./audits":                   "has none",
		"mysql://db/audit":           `"mysql" (want one of file, postgres, postgresql, sqlite)`,
		"postgres://db/audit":        "import github.com/auditlog/auditlog/store/postgres",
		"sqlite-not://x":             "want one of",
		"file://./audits":            "import github.com/auditlog/auditlog/store/file",
		"sqlite://./audits/audit.db": "import github.com/auditlog/auditlog/store/sqlite",
	} {
		_, err := store.Open(raw)
		require.ErrorIs(t, err, store.ErrUnknownScheme, raw)
		require.ErrorContains(t, err, want, raw)
	}
	_, err := store.Open("file://%zz")
	require.ErrorContains(t, err, "is not a URL")

	// A URL that does not parse: its password is not in the error.
	for _, raw := range []string{"postgres://u:sekrit@host:notaport/db", "postgres://u:sekrit@host/db%zz"} {
		_, err = store.Open(raw)
		require.ErrorContains(t, err, "is not a URL", raw)
		require.NotContains(t, err.Error(), "sekrit", raw)
		require.Contains(t, err.Error(), "u:xxxxx@host", raw)
	}
}

func TestRedacted(t *testing.T) {
	for raw, want := range map[string]string{
		"postgres://u:sekrit@host/db":          "postgres://u:xxxxx@host/db",
		"postgres://u:sekrit@host:notaport/db": "postgres://u:xxxxx@host:notaport/db",
		"postgres://u:se@krit@h/d%zz?x=@":      "postgres://u:xxxxx@h/d%zz?x=@",
		"postgres://u@host/db":                 "postgres://u@host/db",
		"sqlite://./a.db":                      "sqlite://./a.db",
		"not a url %zz":                        "not a url %zz",
	} {
		require.Equal(t, want, store.Redacted(raw), raw)
	}
}

func TestRegisterAndOpen(t *testing.T) {
	var got string
	store.Register("test-mem", func(u *url.URL) (logger.Store, error) {
		p, err := store.Path(u)
		got = p
		return storetest.NewMemory(), err
	})
	s, err := store.Open("test-mem://./a/b")
	require.NoError(t, err)
	require.NotNil(t, s)
	require.Equal(t, "a/b", got)
	require.Panics(t, func() { store.Register("test-mem", func(*url.URL) (logger.Store, error) { return nil, nil }) })
	require.Panics(t, func() { store.Register("test-nil", nil) })
}

func TestPath(t *testing.T) {
	for raw, want := range map[string]string{
		"file://./audits":              "audits",
		"file:audits":                  "audits",
		"file:///var/audits":           "/var/audits",
		"file://localhost/var/audits":  "/var/audits",
		"file://audits/2026":           "audits/2026",
		"sqlite://./audits/audit.db":   "audits/audit.db",
		"sqlite:///tmp/x/audit.db?a=b": "/tmp/x/audit.db",
		"file://../up":                 "../up",
		"file:a%20b":                   "a b",
		"file:///a%20b":                "/a b",
	} {
		u, err := url.Parse(raw)
		require.NoError(t, err)
		p, err := store.Path(u)
		require.NoError(t, err, raw)
		require.Equal(t, want, p, raw)
	}
	for _, raw := range []string{"file://", "file://host:80/x", "file://user@./x", "file:///x#frag", "sqlite://u:pw@/x.db", "file:a%zz"} {
		u, err := url.Parse(raw)
		require.NoError(t, err, raw)
		_, err = store.Path(u)
		require.Error(t, err, raw)
		require.NotContains(t, err.Error(), "pw", "a password is not repeated")
	}
}

// TestRuns plays a scheduler: each release of a workflow runs once, its
// audit reaches the store through the logger, and the next tick skips
// what has an audit.
func TestRuns(t *testing.T) {
	mem := storetest.NewMemory()
	now := time.Date(2026, 1, 15, 10, 30, 0, 0, time.UTC)
	l, err := logger.New(logger.Options{Stores: []logger.Store{mem}, Now: func() time.Time { return now }})
	require.NoError(t, err)
	defer l.Close()
	ctx := context.Background()
	runs := store.Runs{Store: mem, Now: func() time.Time { return now }}

	releases := []time.Time{now.Add(-48 * time.Hour), now.Add(-24 * time.Hour), now}
	ran := 0
	for tick := 0; tick < 2; tick++ { // the second tick finds every release done
		for _, rel := range releases {
			done, err := runs.Exists(ctx, "data-pipeline", rel)
			require.NoError(t, err)
			if done {
				continue
			}
			ran++
			err = l.Track(ctx, logger.OpCreate, func(context.Context) error {
				if rel.Equal(releases[1]) {
					return errors.New("upstream late")
				}
				return nil
			}, store.RunAudit("data-pipeline", rel))
			if rel.Equal(releases[1]) {
				require.EqualError(t, err, "upstream late", "Track returns fn's error")
			} else {
				require.NoError(t, err)
			}
			require.NoError(t, l.FlushSinks(ctx))
			now = now.Add(time.Minute)
		}
	}
	require.Equal(t, 3, ran, "each release ran once")

	all, err := runs.Audits(ctx, "data-pipeline")
	require.NoError(t, err)
	require.Len(t, all, 3)
	require.Equal(t, store.RunKey("data-pipeline", releases[2]), all[0].RunID, "newest first")

	ev, ok, err := runs.Find(ctx, "data-pipeline", releases[1])
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, logger.StatusFailure, ev.Status)
	require.Equal(t, "upstream late", ev.ErrorMessage)
	require.Equal(t, "data-pipeline@2026-01-14T10:30:00Z", ev.RunID)

	latest, ok, err := runs.Find(ctx, "data-pipeline", time.Time{})
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, all[0].ID, latest.ID)

	_, ok, err = runs.Find(ctx, "data-pipeline", now.Add(time.Hour))
	require.NoError(t, err)
	require.False(t, ok)
	_, ok, err = runs.Find(ctx, "other", time.Time{})
	require.NoError(t, err)
	require.False(t, ok)

	// The three audits ran at 10:30, 10:31 and 10:32 on the 15th: a
	// cleanup of everything older than a day, two minutes later, keeps them.
	n, err := runs.Cleanup(ctx, 200_000) // far more days than a Duration holds
	require.NoError(t, err)
	require.Zero(t, n)
	n, err = runs.Cleanup(ctx, 1)
	require.NoError(t, err)
	require.Zero(t, n)
	runs.Now = func() time.Time { return now.Add(24 * time.Hour) }
	n, err = runs.Cleanup(ctx, 1)
	require.NoError(t, err)
	require.Equal(t, 3, n)

	for _, bad := range []func() error{
		func() error { _, err := runs.Audits(ctx, ""); return err },
		func() error { _, _, err := runs.Find(ctx, "", time.Time{}); return err },
		func() error { _, err := runs.Exists(ctx, "x", time.Time{}); return err },
		func() error { _, err := runs.Cleanup(ctx, -1); return err },
	} {
		require.ErrorIs(t, bad(), store.ErrInvalidFilter)
	}
}
