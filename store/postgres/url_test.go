package postgres_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/store"
	"github.com/auditlog/auditlog/store/postgres"
)

// These tests need no server: they run in every go test.

func TestOpenBadOptions(t *testing.T) {
	for name, o := range map[string]postgres.Options{
		"quote in the schema":    {Schema: `a"; DROP TABLE x; --`},
		"upper case":             {Schema: "Audit"},
		"dot in the table":       {Table: "a.b"},
		"space":                  {Table: "my table"},
		"leading digit":          {Table: "1events"},
		"pg_ schema":             {Schema: "pg_catalog"},
		"long table":             {Table: strings.Repeat("t", 41)},
		"long schema":            {Schema: strings.Repeat("s", 64)},
		"unicode":                {Table: "événements"},
		"negative timeout":       {ConnectTimeout: -time.Second},
		"NUL":                    {Schema: "a\x00b"},
		"dollar, a pg quote tag": {Table: "a$b"},
	} {
		_, err := postgres.Open("postgres:///audit?host=/nonexistent", o)
		require.ErrorIs(t, err, postgres.ErrInvalidOptions, name)
	}
}

func TestOpenURLBadParameters(t *testing.T) {
	for raw, want := range map[string]string{
		"postgres:///a?schema=Bad":                  `schema="Bad"`,
		"postgres:///a?schema=pg_temp":              `schema="pg_temp"`,
		"postgres:///a?table=x%22y":                 `table="x\"y"`,
		"postgres:///a?table=a&table=b":             `"table" given 2 times`,
		"postgres:///a?connect_timeout=soon":        `connect_timeout="soon"`,
		"postgres:///a?connect_timeout=-1s":         `connect_timeout="-1s"`,
		"postgres://u:sekrit@h/a?schema=Bad":        `schema="Bad"`,
		"postgresql://u:sekrit@h/a?connect_timeout": `connect_timeout=""`,
	} {
		_, err := store.Open(raw)
		require.ErrorIs(t, err, postgres.ErrInvalidOptions, raw)
		require.ErrorContains(t, err, want, raw)
		require.NotContains(t, err.Error(), "sekrit", raw)
	}
}

// A server that is not there: the error names where Open looked, never
// the password, and comes back without waiting for a timeout.
func TestOpenNoServer(t *testing.T) {
	dir := t.TempDir()
	for _, raw := range []string{
		"postgres://auditor:sekrit@/audit?host=" + dir,
		"postgresql://auditor:sekrit@/audit?host=" + dir + "&schema=s1&table=t1&connect_timeout=5",
		"postgres://auditor:sekrit@/audit?host=" + dir + "&sslmode=nonsense",
		"postgres://auditor:sekrit@/audit?host=" + dir + "&port=notaport",
	} {
		_, err := store.Open(raw)
		require.Error(t, err, raw)
		require.NotContains(t, err.Error(), "sekrit", raw)
		require.Contains(t, err.Error(), "postgres: ", raw)
	}
	_, err := store.Open("postgres://auditor:sekrit@/audit?host=" + dir)
	require.ErrorContains(t, err, dir, "names the socket folder")
	require.ErrorContains(t, err, "auditor")
	_, err = postgres.Open("host="+dir+" user=auditor password=sekrit dbname=audit", postgres.Options{})
	require.Error(t, err)
	require.NotContains(t, err.Error(), "sekrit")
}
