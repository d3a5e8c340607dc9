package compare_test

import (
	"strings"
	"testing"

	"github.com/auditlog/auditlog/bench/compare"
	"github.com/auditlog/auditlog/logger"
)

// TestQueriersAgree checks that every query contender returns the same
// events, in the same order, as a scan of the slice: the benchmark query,
// and a few others of the same shape.
func TestQueriersAgree(t *testing.T) {
	d := dataset(t)
	n := len(d.Events)
	bench := compare.QueryFilter(n)
	filters := []logger.Filter{
		bench,
		{UserID: d.Events[n*3/4].UserID, Operation: d.Events[n*3/4].Operation, Since: d.Events[n/2].Time},
		{UserID: d.Events[0].UserID, Operation: d.Events[0].Operation, Since: d.Events[0].Time},
	}
	for i, f := range filters {
		want := compare.Scan(d.Events, f)
		if len(want) == 0 {
			t.Fatalf("filter %d matches nothing", i)
		}
		for _, q := range d.Queriers() {
			got, err := q.Query(f)
			if err != nil {
				t.Fatalf("%s: %v", q.Name, err)
			}
			if err := compare.SameEvents(want, got); err != nil {
				t.Errorf("filter %d, %s: %v", i, q.Name, err)
			}
		}
		naive, err := compare.ReadSlogNaive(d.SlogDir, f)
		if err != nil {
			t.Fatal(err)
		}
		if err := compare.SameEvents(want, naive); err != nil {
			t.Errorf("filter %d, slog read back without pre-filter: %v", i, err)
		}
	}
	t.Logf("benchmark query over %d events: user %s, %d events", n, bench.UserID, len(compare.Scan(d.Events, bench)))
}

// TestScanOrder checks that the reference itself is newest first and
// matches every condition.
func TestScanOrder(t *testing.T) {
	d := dataset(t)
	f := compare.QueryFilter(len(d.Events))
	got := compare.Scan(d.Events, f)
	for i, ev := range got {
		if ev.UserID != f.UserID || ev.Operation != f.Operation || ev.Time.Before(f.Since) {
			t.Fatalf("event %d does not match: %+v", i, ev)
		}
		if i > 0 && !ev.Time.Before(got[i-1].Time) {
			t.Fatalf("event %d is not older than event %d", i, i-1)
		}
	}
}

// TestSQLiteUsesUserTimeIndex checks that SQLite answers the benchmark
// query through the (user_id, time) index, without sorting.
func TestSQLiteUsesUserTimeIndex(t *testing.T) {
	plan, err := dataset(t).SQLite.QueryPlan()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(plan, "events_user_time") || strings.Contains(plan, "TEMP B-TREE") {
		t.Errorf("plan:\n%s", plan)
	}
}

// TestSQLiteQueryRefusesOtherShapes checks that the prepared query does
// not silently ignore a filter field it does not handle.
func TestSQLiteQueryRefusesOtherShapes(t *testing.T) {
	f := compare.QueryFilter(len(dataset(t).Events))
	f.Status = logger.StatusFailure
	if _, err := dataset(t).SQLite.Query(f); err == nil {
		t.Error("a filter with a status was answered")
	}
}
