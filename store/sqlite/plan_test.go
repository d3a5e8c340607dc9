package sqlite_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/internal/workload"
	"github.com/auditlog/auditlog/logger"
	"github.com/auditlog/auditlog/store/sqlite"
)

// planEvents returns n events of the benchmark workload, with the fields
// it leaves empty filled with values of realistic spread, so that the
// planner's statistics resemble a real store's.
func planEvents(n int) []logger.Event {
	g := workload.New(1)
	evs := make([]logger.Event, n)
	for i := range evs {
		ev := g.Stored(i)
		ev.Category = []string{"DATA", "AUTH", "ADMIN", "REPORT", "SYSTEM"}[i%5]
		ev.SessionID = fmt.Sprintf("session-%d", i%2000)
		ev.ResourceType = []string{"memory", "workflow", "document"}[i%3]
		ev.ResourceID = fmt.Sprintf("res-%d", i%300)
		ev.RunID = fmt.Sprintf("run-%d", i%700)
		ev.Source = fmt.Sprintf("web-%d", i%3)
		evs[i] = ev
	}
	return evs
}

// TestQueryPlans checks with EXPLAIN QUERY PLAN that every filter field
// is answered from an index, that the common filters use the index meant
// for them, and that the order needs no sort of the whole result where
// an index gives it. The store is filled past the size from which Write
// gathers the planner's statistics, so the combined filter also checks
// that they are gathered: without them SQLite takes the operation's index
// rather than the far more selective user's.
func TestQueryPlans(t *testing.T) {
	s, err := sqlite.Open(filepath.Join(t.TempDir(), "audit.db"), sqlite.Options{})
	require.NoError(t, err)
	defer s.Close()
	ctx := context.Background()
	const n = 6000
	evs := planEvents(n)
	for i := 0; i < n; i += 500 {
		require.NoError(t, s.Write(ctx, evs[i:i+500]))
	}
	since := evs[n-n/10].Time
	for _, c := range []struct {
		name  string
		f     logger.Filter
		index string // the index the query must search
	}{
		{"all", logger.Filter{Limit: 10}, "SCAN events USING INDEX events_time"},
		{"all ascending", logger.Filter{Ascending: true}, "SCAN events USING INDEX events_time"},
		{"since", logger.Filter{Since: since}, "SEARCH events USING INDEX events_time (time>?)"},
		{"window", logger.Filter{Since: since, Until: since.Add(time.Millisecond)}, "SEARCH events USING INDEX events_time (time>? AND time<?)"},
		{"user", logger.Filter{UserID: "user-0007"}, "SEARCH events USING INDEX events_user (user_id=?)"},
		{"user since", logger.Filter{UserID: "user-0007", Since: since}, "SEARCH events USING INDEX events_user (user_id=? AND time>?)"},
		{"benchmark query", logger.Filter{UserID: "user-0007", Operation: logger.OpStore, Since: since}, "SEARCH events USING INDEX events_user (user_id=? AND time>?)"},
		{"operation", logger.Filter{Operation: logger.OpForget}, "SEARCH events USING INDEX events_operation (operation=?)"},
		{"operation since", logger.Filter{Operation: logger.OpForget, Since: since}, "SEARCH events USING INDEX events_operation (operation=? AND time>?)"},
		{"resource", logger.Filter{ResourceType: "memory", ResourceID: "res-3"}, "SEARCH events USING INDEX events_resource (resource_type=? AND resource_id=?)"},
		{"resource id", logger.Filter{ResourceID: "res-3"}, "SEARCH events USING INDEX events_resource_id (resource_id=?)"},
		{"run", logger.Filter{RunID: "run-5"}, "SEARCH events USING INDEX events_run (run_id=?)"},
		{"session", logger.Filter{SessionID: "session-5"}, "SEARCH events USING INDEX events_session (session_id=?)"},
		{"status", logger.Filter{Status: logger.StatusFailure}, "SEARCH events USING INDEX events_status (<expr>=?)"},
		{"status success", logger.Filter{Status: logger.StatusSuccess, Limit: 10}, "SEARCH events USING INDEX events_status (<expr>=?)"},
		{"category", logger.Filter{Category: "AUTH"}, "SEARCH events USING INDEX events_category (category=?)"},
		{"source", logger.Filter{Source: "web-2"}, "SEARCH events USING INDEX events_source (source=?)"},
		{"source since", logger.Filter{Source: "web-2", Since: since}, "SEARCH events USING INDEX events_source (source=? AND time>?)"},
		{"entry ids", logger.Filter{EntryIDs: []string{"mem-0000010", "mem-0000011"}}, "SEARCH entries USING COVERING INDEX entries_entry (entry_id=?)"},
	} {
		q, cnt, err := s.Plan(ctx, c.f)
		require.NoError(t, err, c.name)
		t.Logf("%-16s %s", c.name, strings.Join(q, " | "))
		require.Contains(t, q, c.index, "%s: Query's plan", c.name)
		for _, plan := range [][]string{q, cnt} {
			for _, step := range plan {
				if strings.HasPrefix(step, "SCAN ") {
					require.Contains(t, step, "INDEX", "%s: a scan of a table: %q", c.name, plan)
				}
				// A sort of rows that tie on time, or of the few rows an
				// entry id selects, is fine; a sort of everything the
				// index returns is not, except for the entry ids.
				if step == "USE TEMP B-TREE FOR ORDER BY" && c.f.EntryIDs == nil {
					t.Errorf("%s: the whole result is sorted: %q", c.name, plan)
				}
			}
		}
		if c.f.UserID == "" && c.f.Operation == "" && c.f.ResourceType == "" && c.f.ResourceID == "" && c.f.RunID == "" &&
			c.f.SessionID == "" && c.f.Status == "" && c.f.Category == "" && c.f.Source == "" && c.f.EntryIDs == nil {
			require.NotContains(t, strings.Join(q, "|"), "TEMP B-TREE", "%s: events_time gives the whole order", c.name)
		}
		// The entry ids drive the query: the events come by rowid.
		if c.f.EntryIDs != nil {
			require.Contains(t, q, "SEARCH events USING INTEGER PRIMARY KEY (rowid=?)", c.name)
		}
	}
}
