//go:build postgres

package postgres_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/logger"
	"github.com/auditlog/auditlog/store"
	"github.com/auditlog/auditlog/store/postgres"
	"github.com/auditlog/auditlog/store/storetest"
)

func TestConformance(t *testing.T) {
	open := func(t *testing.T, dir string) (logger.Store, error) {
		schema := schemaFor(dir)
		dropLater(t, schema)
		return postgres.Open(serverURL(t), postgres.Options{Schema: schema})
	}
	storetest.Run(t, open)
	storetest.RunDedup(t, open)
	storetest.RunHeld(t, open)
	storetest.RunCounted(t, open)
}

// Through store.Open, on the postgresql scheme (the processes test opens
// postgres://), with a table of its own name.
func TestConformanceByURL(t *testing.T) {
	storetest.Run(t, func(t *testing.T, dir string) (logger.Store, error) {
		schema := schemaFor(dir)
		dropLater(t, schema)
		raw := withParams(t, "schema", schema, "table", "audit_trail", "connect_timeout", "10s")
		if rest, ok := strings.CutPrefix(raw, "postgres://"); ok {
			raw = "postgresql://" + rest
		}
		return store.Open(raw)
	})
}

// Writing events again, as a sink does after a failure, stores each once;
// so does a batch that carries one ID twice (the first is kept).
func TestWriteDedup(t *testing.T) {
	s := openSchema(t, "t_dedup")
	ctx := context.Background()
	evs := storetest.Events(1, 500)
	require.NoError(t, s.Write(ctx, evs))
	require.NoError(t, s.Write(ctx, evs), "the same batch again")
	require.NoError(t, s.Write(ctx, evs[100:300]), "part of it again")
	twice := append(storetest.Events(2, 3), storetest.Events(2, 3)...)
	for i := range twice {
		twice[i].ID += "-twice"
	}
	twice[3].UserID = "the second copy"
	require.NoError(t, s.Write(ctx, twice), "one batch, each ID twice")

	n, err := s.Count(ctx, logger.Filter{})
	require.NoError(t, err)
	require.Equal(t, 503, n)
	got, err := s.Query(ctx, logger.Filter{Ascending: true})
	require.NoError(t, err)
	want := store.Select(append(evs, twice[:3]...), logger.Filter{Ascending: true})
	require.Equal(t, len(want), len(got))
	for i := range want {
		require.Equal(t, want[i].ID, got[i].ID)
		require.Equal(t, want[i].UserID, got[i].UserID, "the first copy is kept")
	}
}

// Events of several instances: stored with their Source, selected by
// Filter.Source, and ordered by time, then source, then seq, then ID.
func TestSource(t *testing.T) {
	s := openSchema(t, "t_source")
	ctx := context.Background()
	evs := storetest.Events(5, 300)
	sources := []string{"web-1/api[12]", "web-2/api[7]", "Web-1", "", "web-1/api[12]~", "ünï"}
	for i := range evs {
		evs[i].Source = sources[i%len(sources)]
		if i%3 == 1 { // ties in time and seq across instances
			evs[i].Time, evs[i].Seq = evs[i-1].Time, evs[i-1].Seq
		}
	}
	require.NoError(t, s.Write(ctx, evs))
	for _, f := range []logger.Filter{{}, {Ascending: true}, {Source: "web-2/api[7]"}, {Source: "Web-1", Ascending: true},
		{Source: "web"}, {Source: "web-1/api[12]", UserID: "bob", Limit: 3}} {
		want := store.Select(evs, f)
		got, err := s.Query(ctx, f)
		require.NoError(t, err)
		require.Equal(t, len(want), len(got), "%+v", f)
		for i := range want {
			require.Equal(t, want[i].ID, got[i].ID, "%+v: event %d", f, i)
			require.Equal(t, want[i].Source, got[i].Source)
		}
		all := f
		all.Limit = 0
		n, err := s.Count(ctx, f)
		require.NoError(t, err)
		require.Equal(t, len(store.Select(evs, all)), n, "%+v", f)
	}
}

// Values PostgreSQL text cannot hold: invalid UTF-8 comes back as the
// journal gives it back (U+FFFD), a NUL as U+FFFD; Write stores the
// event, and a filter on the value as given finds it.
func TestHostileValues(t *testing.T) {
	s := openSchema(t, "t_hostile")
	ctx := context.Background()
	ev := storetest.Events(3, 1)[0]
	ev.UserID = "bob\x00; DROP TABLE events"
	ev.ResourceID = "r\xff1"
	ev.EntryIDs = []string{"e\x00", "e2", "e2", ""}
	ev.Metadata = map[string]any{"k\x00ey": "v\x00al", "reason": "\\u0000 is six characters", "n": 1e300}
	ev.NewState = map[string]any{"deep": []any{map[string]any{"x": "\x00"}}}
	ev.Description = `\` + "\x00" + `\\u0000`
	require.NoError(t, s.Write(ctx, []logger.Event{ev}))

	got, err := s.Query(ctx, logger.Filter{UserID: ev.UserID})
	require.NoError(t, err)
	require.Len(t, got, 1)
	g := got[0]
	require.Equal(t, "bob\uFFFD; DROP TABLE events", g.UserID)
	require.Equal(t, "r\uFFFD1", g.ResourceID)
	require.Equal(t, []string{"e\uFFFD", "e2", "e2", ""}, g.EntryIDs, "entry ids in their order, with repeats")
	require.Equal(t, map[string]any{"k\uFFFDey": "v\uFFFDal", "reason": `\u0000 is six characters`, "n": 1e300}, g.Metadata)
	require.Equal(t, map[string]any{"deep": []any{map[string]any{"x": "\uFFFD"}}}, g.NewState)
	require.Equal(t, `\`+"\uFFFD"+`\\u0000`, g.Description)
	for _, f := range []logger.Filter{{ResourceID: "r\xff1"}, {EntryIDs: []string{"e\x00"}}, {EntryIDs: []string{"e2"}}} {
		n, err := s.Count(ctx, f)
		require.NoError(t, err)
		require.Equal(t, 1, n, "%+v", f)
	}
}

// What a SQL user finds: the columns, metadata and states as jsonb, the
// time as a timestamptz.
func TestSQLUsersView(t *testing.T) {
	s := openSchema(t, "t_sql")
	ctx := context.Background()
	evs := storetest.Events(4, 50)
	evs[7].Metadata = map[string]any{"reason": "gdpr request", "ticket": float64(42)}
	evs[7].PreviousState = map[string]any{"title": "old"}
	evs[7].Time = time.Date(2026, 1, 11, 10, 0, 0, 123456789, time.UTC)
	require.NoError(t, s.Write(ctx, evs))

	c := admin(t)
	var id, title string
	var ticket int
	var at time.Time
	require.NoError(t, c.QueryRow(ctx, `SELECT event_id, (metadata->>'ticket')::int, previous_state->>'title', time
		FROM t_sql.events WHERE metadata->>'reason' = 'gdpr request'`).Scan(&id, &ticket, &title, &at))
	require.Equal(t, evs[7].ID, id)
	require.Equal(t, 42, ticket)
	require.Equal(t, "old", title)
	require.True(t, at.Equal(evs[7].Time.Truncate(time.Microsecond)), "time %v", at)
	var n int
	require.NoError(t, c.QueryRow(ctx, `SELECT count(*) FROM t_sql.events WHERE user_id = $1 AND time >= $2`,
		"bob", storetest.Start).Scan(&n))
	want, err := s.Count(ctx, logger.Filter{UserID: "bob"})
	require.NoError(t, err)
	require.Equal(t, want, n)
}

// A table of the same name that is not a store, or of a newer layout, is
// refused and left as it is.
func TestOpenForeignTable(t *testing.T) {
	c := admin(t)
	ctx := context.Background()
	dropLater(t, "t_foreign")
	_, err := c.Exec(ctx, `CREATE SCHEMA t_foreign; CREATE TABLE t_foreign.events (id int); INSERT INTO t_foreign.events VALUES (1);
		CREATE TABLE t_foreign.newer (id int); COMMENT ON TABLE t_foreign.newer IS 'auditlog store, schema 99'`)
	require.NoError(t, err)
	_, err = postgres.Open(serverURL(t), postgres.Options{Schema: "t_foreign"})
	require.ErrorIs(t, err, postgres.ErrNotAStore)
	require.ErrorContains(t, err, "t_foreign.events")
	_, err = postgres.Open(serverURL(t), postgres.Options{Schema: "t_foreign", Table: "newer"})
	require.ErrorIs(t, err, postgres.ErrNotAStore)
	require.ErrorContains(t, err, "newer version")
	var n int
	require.NoError(t, c.QueryRow(ctx, "SELECT count(*) FROM t_foreign.events").Scan(&n))
	require.Equal(t, 1, n)
}

// Many processes opening a new table at once: one creates it, the others
// find it.
func TestOpenConcurrently(t *testing.T) {
	dropLater(t, "t_race")
	var wg sync.WaitGroup
	errs := make([]error, 8)
	stores := make([]*postgres.Store, len(errs))
	for i := range errs {
		wg.Go(func() { stores[i], errs[i] = postgres.Open(serverURL(t), postgres.Options{Schema: "t_race"}) })
	}
	wg.Wait()
	for i, err := range errs {
		require.NoError(t, err, "opener %d", i)
		require.NoError(t, stores[i].Close())
	}
}

// Three loggers, each with a store of its own (a pool of its own), write
// the same table at once, and each also writes again, straight to its
// store, the batches a sink would redeliver, overlapping the others':
// every event is stored once.
func TestConcurrentLoggers(t *testing.T) {
	const perLogger = 3000
	schema := "t_loggers"
	dropLater(t, schema)
	ctx := context.Background()
	all := map[string]bool{}
	evs := make([][]logger.Event, 3)
	for i := range evs {
		evs[i] = storetest.Events(uint64(100+i), perLogger)
		for j := range evs[i] {
			evs[i][j].ID = fmt.Sprintf("%s-L%d", evs[i][j].ID, i)
			all[evs[i][j].ID] = true
		}
	}
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for i := range 3 {
		wg.Go(func() {
			s, err := postgres.Open(serverURL(t), postgres.Options{Schema: schema})
			if err != nil {
				errs <- err
				return
			}
			defer s.Close()
			l, err := logger.New(logger.Options{MaxEvents: 100, Stores: []logger.Store{s}})
			if err != nil {
				errs <- err
				return
			}
			for j := range evs[i] {
				if err := l.Log(ctx, evs[i][j]); err != nil {
					errs <- err
				}
				if j%500 == 499 {
					// Redeliver a stretch of the next logger's events.
					next := evs[(i+1)%3][j-499 : j+1]
					if err := s.Write(ctx, next); err != nil {
						errs <- fmt.Errorf("logger %d: redelivery: %w", i, err)
					}
				}
			}
			if err := l.FlushSinks(ctx); err != nil {
				errs <- err
			}
			if st := l.Statistics().Sinks[0]; st.DeliveredEvents != perLogger {
				errs <- fmt.Errorf("logger %d: the store took %d events of %d", i, st.DeliveredEvents, perLogger)
			}
			if err := l.Close(); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	requireOnce(t, schema, all)
}

// A Write that waits on the server (here for a lock another session
// holds) returns when its context is cancelled, as the logger cancels it
// at Close, and stores nothing.
func TestWriteReturnsWhenCancelled(t *testing.T) {
	s := openSchema(t, "t_cancel")
	c := admin(t)
	bg := context.Background()
	tx, err := c.Begin(bg)
	require.NoError(t, err)
	defer tx.Rollback(bg)
	_, err = tx.Exec(bg, "LOCK TABLE t_cancel.events IN ACCESS EXCLUSIVE MODE")
	require.NoError(t, err)

	ctx, cancel := context.WithCancel(bg)
	done := make(chan error, 1)
	go func() { done <- s.Write(ctx, storetest.Events(8, 10)) }()
	// Wait until the server says the Write waits for the lock.
	watch := admin(t)
	for {
		var waiting int
		require.NoError(t, watch.QueryRow(bg, `SELECT count(*) FROM pg_stat_activity
			WHERE wait_event_type = 'Lock' AND query LIKE 'INSERT INTO "t_cancel"%'`).Scan(&waiting))
		if waiting > 0 {
			break
		}
		select {
		case err := <-done:
			t.Fatalf("Write returned before it waited for the lock: %v", err)
		default:
		}
	}
	cancel()
	err = <-done
	require.ErrorIs(t, err, context.Canceled)
	require.NoError(t, tx.Rollback(bg))
	n, err := s.Count(bg, logger.Filter{})
	require.NoError(t, err)
	require.Zero(t, n)
}

// Writers of the same events in different orders, at once, as sinks of
// several instances redelivering: none fails (two inserts taking the
// same rows' locks in opposite orders would deadlock, and PostgreSQL
// would fail one), and each event is stored once.
func TestOverlappingWriters(t *testing.T) {
	schema := "t_overlap"
	s := openSchema(t, schema)
	ctx := context.Background()
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	evs := storetest.Events(seed, 2000)
	ids := map[string]bool{}
	for _, ev := range evs {
		ids[ev.ID] = true
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for w := range 6 {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(seed, uint64(w)))
			mine := slices.Clone(evs)
			r.Shuffle(len(mine), func(i, j int) { mine[i], mine[j] = mine[j], mine[i] })
			for i := 0; i < len(mine); i += 250 {
				if err := s.Write(ctx, mine[i:i+250]); err != nil {
					errs <- fmt.Errorf("writer %d: %w", w, err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	requireOnce(t, schema, ids)
}

// requireOnce checks that the table in schema holds each of ids once, and
// nothing else.
func requireOnce(t *testing.T, schema string, ids map[string]bool) {
	t.Helper()
	c := admin(t)
	rows, err := c.Query(context.Background(), "SELECT event_id, count(*) FROM "+pgx.Identifier{schema, "events"}.Sanitize()+" GROUP BY event_id")
	require.NoError(t, err)
	got := map[string]int{}
	for rows.Next() {
		var id string
		var n int
		require.NoError(t, rows.Scan(&id, &n))
		got[id] = n
	}
	require.NoError(t, rows.Err())
	missing, twice, extra := 0, 0, 0
	for id := range ids {
		switch got[id] {
		case 0:
			missing++
		case 1:
		default:
			twice++
		}
	}
	for id := range got {
		if !ids[id] {
			extra++
		}
	}
	require.Zero(t, missing, "events lost")
	require.Zero(t, twice, "events stored more than once")
	require.Zero(t, extra, "events nobody wrote")
	require.Len(t, got, len(ids))
}
