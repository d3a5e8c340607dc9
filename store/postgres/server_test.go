//go:build postgres

package postgres_test

// The tests against a real server: go test -tags postgres, with
// AUDITLOG_POSTGRES_URL naming a database the tests may create schemas
// in. .ci/postgres starts a throwaway one (see serverURL).

import (
	"context"
	"fmt"
	"hash/fnv"
	"net/url"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/store/postgres"
)

// urlEnv names the environment variable that gives the server.
const urlEnv = "AUDITLOG_POSTGRES_URL"

// serverURL returns the server's URL (postgres:// or postgresql://), and
// fails the test, saying how to
// start one, when there is none.
func serverURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv(urlEnv)
	if u == "" {
		t.Fatalf(`the postgres tests need a PostgreSQL server: %s is not set.
From the repository's root, start a throwaway server (Debian's postgresql package: .ci/postgres install
installs it), run the tests, stop it:

	eval "$(.ci/postgres start)"
	go test -race -tags postgres ./store/postgres/
	.ci/postgres stop

or point %s at a database, by a postgres:// URL, where the tests may create and drop schemas,
e.g. %s='postgres://user:password@localhost:5432/auditlog_test'`, urlEnv, urlEnv, urlEnv)
	}
	return u
}

// schemaFor returns a schema of its own for a test's folder: the same
// folder, the same schema, so that opening it again finds what was
// written.
func schemaFor(dir string) string {
	h := fnv.New64a()
	h.Write([]byte(dir))
	return fmt.Sprintf("t_%016x", h.Sum64())
}

// admin connects to the server, for what the tests do beside the store
// (dropping schemas, SQL as a user would write it).
func admin(t testing.TB) *pgx.Conn {
	t.Helper()
	c, err := pgx.Connect(context.Background(), serverURL(t))
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close(context.Background()) })
	return c
}

// dropLater drops schema at the end of the test.
func dropLater(t testing.TB, schema string) {
	t.Helper()
	url := serverURL(t)
	t.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), url)
		if err != nil {
			t.Errorf("dropping schema %s: %v", schema, err)
			return
		}
		defer c.Close(context.Background())
		if _, err := c.Exec(context.Background(), "DROP SCHEMA IF EXISTS "+pgx.Identifier{schema}.Sanitize()+" CASCADE"); err != nil {
			t.Errorf("dropping schema %s: %v", schema, err)
		}
	})
}

// openSchema opens the store in a schema of the server, dropped at the
// end of the test.
func openSchema(t testing.TB, schema string) *postgres.Store {
	t.Helper()
	dropLater(t, schema)
	s, err := postgres.Open(serverURL(t), postgres.Options{Schema: schema})
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// withParams returns the server's URL with more query parameters.
func withParams(t testing.TB, kv ...string) string {
	t.Helper()
	u, err := url.Parse(serverURL(t))
	require.NoError(t, err)
	q := u.Query()
	for i := 0; i+1 < len(kv); i += 2 {
		q.Set(kv[i], kv[i+1])
	}
	u.RawQuery = q.Encode()
	return u.String()
}
