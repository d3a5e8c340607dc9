package sqlite

import (
	"bytes"
	"compress/zlib"
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/logger"
)

// schemaV1 is the layout of version 1, as the previous version of this
// package created it: no source column, events_time on (time, seq,
// event_id), no index on event_id.
var schemaV1 = []string{
	`CREATE TABLE events (id INTEGER PRIMARY KEY, time INTEGER NOT NULL, seq INTEGER NOT NULL,
		event_id TEXT NOT NULL, operation TEXT NOT NULL, status TEXT NOT NULL, category TEXT NOT NULL,
		user_id TEXT NOT NULL, session_id TEXT NOT NULL, resource_type TEXT NOT NULL,
		resource_id TEXT NOT NULL, run_id TEXT NOT NULL, body BLOB NOT NULL)`,
	`CREATE TABLE entries (event INTEGER NOT NULL, entry_id TEXT NOT NULL, PRIMARY KEY (event, entry_id)) WITHOUT ROWID`,
	`CREATE INDEX entries_entry ON entries (entry_id)`,
	`CREATE INDEX events_time ON events (time, seq, event_id)`,
	`CREATE INDEX events_user ON events (user_id, time)`,
	`CREATE INDEX events_operation ON events (operation, time)`,
	`CREATE INDEX events_resource ON events (resource_type, resource_id, time)`,
	`CREATE INDEX events_resource_id ON events (resource_id, time)`,
	`CREATE INDEX events_run ON events (run_id, time)`,
	`CREATE INDEX events_session ON events (session_id, time)`,
	`CREATE INDEX events_status ON events (` + statusExpr + `, time)`,
	`CREATE INDEX events_category ON events (category, time)`,
	fmt.Sprintf("PRAGMA application_id = %d", applicationID),
	`PRAGMA user_version = 1`,
}

// bodyV1 is the body version 1 stored: the rest of the event with its
// Source, which the journal line carried, compressed when long.
func bodyV1(t *testing.T, ev logger.Event) []byte {
	rest := logger.Event{Source: ev.Source, Metadata: ev.Metadata, Description: ev.Description}
	line, err := rest.MarshalJSON()
	require.NoError(t, err)
	if len(line) < compressMin {
		return line
	}
	var b bytes.Buffer
	w, err := zlib.NewWriterLevelDict(&b, zlib.DefaultCompression, dictV1)
	require.NoError(t, err)
	_, _ = w.Write(line)
	require.NoError(t, w.Close())
	require.NotEqual(t, byte('{'), b.Bytes()[0])
	return b.Bytes()
}

// makeV1 creates a database of version 1 at path holding evs.
func makeV1(t *testing.T, path string, evs []logger.Event) {
	db, err := sql.Open("sqlite", dsn(path))
	require.NoError(t, err)
	defer db.Close()
	for _, q := range schemaV1 {
		_, err := db.Exec(q)
		require.NoError(t, err, q)
	}
	for _, ev := range evs {
		_, err := db.Exec(`INSERT INTO events (time, seq, event_id, operation, status, category, user_id, session_id,
			resource_type, resource_id, run_id, body) VALUES (?, ?, ?, ?, '', '', ?, '', '', '', '', ?)`,
			ev.Time.UnixNano(), int64(ev.Seq), ev.ID, string(ev.Operation), ev.UserID, bodyV1(t, ev))
		require.NoError(t, err)
	}
}

func v1Events() []logger.Event {
	t0 := time.Date(2026, 1, 10, 22, 0, 0, 0, time.UTC)
	long := strings.Repeat("a long description that makes the body compressed. ", 8)
	return []logger.Event{
		{ID: "a", Seq: 1, Time: t0, Operation: logger.OpStore, UserID: "u", Source: "web-1"},
		{ID: "b", Seq: 1, Time: t0, Operation: logger.OpStore, UserID: "u", Source: "web-2", Description: long},
		// Events of version 1 had no source: the metadata's is not it.
		{ID: "c", Seq: 2, Time: t0.Add(time.Second), Operation: logger.OpStore, UserID: "u", Metadata: map[string]any{"source": "cli"}},
		{ID: "d", Seq: 3, Time: t0.Add(2 * time.Second), Operation: logger.OpStore, UserID: "u", Description: long, Metadata: map[string]any{"source": "cli"}},
	}
}

func ids(evs []logger.Event) []string {
	var out []string
	for _, ev := range evs {
		out = append(out, ev.ID)
	}
	return out
}

// A database of version 1 is migrated on Open: the source of each
// event comes from its body, JSON or compressed, the order and the
// Source filter use it, and event IDs get their unique index, so that
// redelivered events are passed over.
func TestMigrateFromVersion1(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.db")
	evs := v1Events()
	makeV1(t, path, evs)
	s, err := Open(path, Options{})
	require.NoError(t, err)
	defer s.Close()
	ctx := context.Background()
	for src, want := range map[string][]string{"web-1": {"a"}, "web-2": {"b"}, "cli": nil, "": {"a", "b", "c", "d"}} {
		got, err := s.Query(ctx, logger.Filter{Source: src, Ascending: true})
		require.NoError(t, err)
		require.Equal(t, want, ids(got), "source %q", src)
	}
	got, err := s.Query(ctx, logger.Filter{Ascending: true})
	require.NoError(t, err)
	require.Equal(t, []string{"web-1", "web-2", "", ""}, []string{got[0].Source, got[1].Source, got[2].Source, got[3].Source})
	require.Equal(t, "cli", got[3].Metadata["source"])

	var version int
	require.NoError(t, s.w.QueryRow("PRAGMA user_version").Scan(&version))
	require.Equal(t, schemaVersion, version)
	var unique bool
	require.NoError(t, s.w.QueryRow(`SELECT "unique" FROM pragma_index_list('events') WHERE name = 'events_event_id'`).Scan(&unique))
	require.True(t, unique)

	require.NoError(t, s.Write(ctx, append(evs[1:], logger.Event{ID: "e", Seq: 9, Time: evs[0].Time, Operation: logger.OpStore, Source: "web-1"})))
	got, err = s.Query(ctx, logger.Filter{Ascending: true})
	require.NoError(t, err)
	require.Equal(t, []string{"a", "e", "b", "c", "d"}, ids(got), "redelivered events are passed over; e orders by source, then seq")

	// Opened again, it is not migrated twice.
	require.NoError(t, s.Close())
	s2, err := Open(path, Options{})
	require.NoError(t, err)
	defer s2.Close()
	n, err := s2.Count(ctx, logger.Filter{})
	require.NoError(t, err)
	require.Equal(t, 5, n)
}

// A database of version 1 that holds one event ID twice cannot have the
// unique index: it keeps both rows, and Write still stores no event
// whose ID it holds.
func TestMigrateKeepsDuplicatesAndStillDedupes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.db")
	evs := v1Events()
	twice := append(evs, evs[0])
	makeV1(t, path, twice)
	s, err := Open(path, Options{})
	require.NoError(t, err)
	defer s.Close()
	ctx := context.Background()
	var unique bool
	require.NoError(t, s.w.QueryRow(`SELECT "unique" FROM pragma_index_list('events') WHERE name = 'events_event_id'`).Scan(&unique))
	require.False(t, unique, "no unique index over duplicates")

	n, err := s.Count(ctx, logger.Filter{})
	require.NoError(t, err)
	require.Equal(t, 5, n, "the duplicate stored before stays")
	more := []logger.Event{
		{ID: "e", Seq: 9, Time: evs[0].Time, Operation: logger.OpStore, Source: "web-9", EntryIDs: []string{"m1"}},
		{ID: "", Seq: 10, Time: evs[0].Time, Operation: logger.OpStore, Source: "web-9"},
	}
	require.NoError(t, s.Write(ctx, append(evs, more...)))
	require.NoError(t, s.Write(ctx, append(more, evs...)))
	got, err := s.Query(ctx, logger.Filter{Ascending: true})
	require.NoError(t, err)
	require.Equal(t, []string{"a", "a", "b", "e", "", "", "c", "d"}, ids(got), "e once, the two events without an ID both, no third a")
	n, err = s.Count(ctx, logger.Filter{EntryIDs: []string{"m1"}})
	require.NoError(t, err)
	require.Equal(t, 1, n)
}
