//go:build postgres

package main

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/store"
)

// TestImportIdempotentPostgres runs the idempotence checks of
// TestImportIdempotent against a PostgreSQL store, in a schema of its
// own on the server AUDITLOG_POSTGRES_URL names (see store/postgres's
// tests: eval "$(.ci/postgres start)").
func TestImportIdempotentPostgres(t *testing.T) {
	raw := os.Getenv("AUDITLOG_POSTGRES_URL")
	if raw == "" {
		t.Fatal(`AUDITLOG_POSTGRES_URL is not set: start a server with eval "$(.ci/postgres start)" from the repository's root`)
	}
	schema := fmt.Sprintf("t_import_%d", time.Now().UnixNano())
	t.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), raw)
		if err != nil {
			t.Errorf("dropping schema %s: %v", schema, err)
			return
		}
		defer c.Close(context.Background())
		if _, err := c.Exec(context.Background(), "DROP SCHEMA IF EXISTS "+pgx.Identifier{schema}.Sanitize()+" CASCADE"); err != nil {
			t.Errorf("dropping schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(raw)
	require.NoError(t, err)
	q := u.Query()
	q.Set("schema", schema)
	u.RawQuery = q.Encode()
	testImportIdempotent(t, t.TempDir(), u.String(), store.Redacted(u.String()))
}
