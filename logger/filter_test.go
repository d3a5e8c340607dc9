package logger_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/logger"
)

// fixtureBase is minute 0 of the filter fixture.
var fixtureBase = time.Date(2024, 1, 1, 12, 0, 0, 0, time.UTC)

// at returns minute m of the fixture.
func at(m int) time.Time { return fixtureBase.Add(time.Duration(m) * time.Minute) }

// fixture is the filter table's data, logged in this order (so e01 has the
// smallest Seq of the fixture, e12 the largest). e09 and e11 are late:
// their time is earlier than that of events logged before them. e06/e07
// and e10/e12 share a time.
//
// Ascending by (Time, Seq): e11 e01 e02 e03 e09 e04 e05 e06 e07 e08 e10 e12.
func fixture() []logger.Event {
	type row struct {
		id, user, session        string
		op                       logger.Operation
		status                   logger.Status
		category, resType, resID string
		run                      string
		minute                   int
		entries                  []string
	}
	rows := []row{
		{"e01", "alice", "s1", logger.OpCreate, logger.StatusSuccess, "DATA", "doc", "d1", "r1", 0, []string{"m1"}},
		{"e02", "bob", "s2", logger.OpRead, logger.StatusSuccess, "DATA", "doc", "d1", "r1", 1, []string{"m2"}},
		{"e03", "alice", "s1", logger.OpUpdate, logger.StatusFailure, "DATA", "doc", "d2", "r2", 2, []string{"m1", "m3"}},
		{"e04", "carol", "s3", logger.OpLogin, logger.StatusSuccess, "AUTH", "", "", "", 3, nil},
		{"e05", "alice", "s1", logger.OpDelete, logger.StatusPartial, "ADMIN", "user", "u1", "r2", 4, []string{"m4"}},
		{"e06", "bob", "s2", logger.OpRead, logger.StatusFailure, "DATA", "doc", "d2", "r3", 5, []string{"m3"}},
		{"e07", "alice", "s4", logger.OpRead, logger.StatusSuccess, "DATA", "doc", "d1", "r3", 5, nil},
		{"e08", "carol", "s3", logger.OpLogout, logger.StatusSuccess, "AUTH", "", "", "", 6, nil},
		{"e09", "bob", "s2", logger.OpUpdate, logger.StatusSuccess, "DATA", "doc", "d1", "r1", 2, []string{"m2", "m5"}},
		{"e10", "alice", "s1", logger.OpStore, logger.StatusSuccess, "DATA", "memory", "mem1", "r4", 7, []string{"m1"}},
		{"e11", "dave", "s5", logger.OpRead, logger.StatusSuccess, "REPORT", "doc", "d3", "", -1, nil},
		{"e12", "alice", "s1", logger.OpRecall, "", "DATA", "memory", "mem1", "r4", 7, []string{"m5"}},
	}
	out := make([]logger.Event, len(rows))
	for i, r := range rows {
		out[i] = logger.Event{
			ID: r.id, UserID: r.user, SessionID: r.session, Operation: r.op, Status: r.status,
			Category: r.category, ResourceType: r.resType, ResourceID: r.resID, RunID: r.run,
			Time: at(r.minute), EntryIDs: r.entries,
			Duration: time.Duration(i+1) * time.Millisecond,
		}
	}
	return out
}

// noise returns n events that would match many of the table's filters if
// the ring or the indexes did not forget them, dated from minute first on,
// one minute apart, with a late one now and then.
func noise(n, first int) []logger.Event {
	out := make([]logger.Event, n)
	users := []string{"alice", "bob", "zed"}
	ops := []logger.Operation{logger.OpRead, logger.OpUpdate, "NOISE"}
	for i := range out {
		m := first + i
		if i%4 == 3 {
			m -= 3 // late
		}
		out[i] = logger.Event{
			ID: fmt.Sprintf("n%02d", i), UserID: users[i%3], SessionID: "s1", Operation: ops[i%3],
			Status: logger.StatusFailure, Category: "DATA", ResourceType: "doc", ResourceID: "d1", RunID: "r1",
			EntryIDs: []string{"m1", "m2", "m5"}, Time: at(m),
		}
	}
	return out
}

// filterSetups are the loggers the filter table runs against: the
// fixture alone; the fixture after noise that the ring has evicted, dated
// before it; and after evicted noise dated after it, which makes every
// fixture event late.
func filterSetups(t *testing.T) map[string]*logger.Logger {
	ctx := context.Background()
	fresh := newLogger(t, logger.Options{})
	for _, ev := range fixture() {
		require.NoError(t, fresh.Log(ctx, ev))
	}
	setups := map[string]*logger.Logger{"fresh": fresh}
	for name, first := range map[string]int{"after evicted earlier noise": -200, "after evicted later noise": 100} {
		l := newLogger(t, logger.Options{MaxEvents: len(fixture()), QueueSize: 4})
		require.NoError(t, l.LogBatch(ctx, noise(17, first)))
		for _, ev := range fixture() {
			require.NoError(t, l.Log(ctx, ev))
		}
		s := l.Statistics()
		require.Equal(t, int64(17), s.Evicted)
		require.Equal(t, int64(len(fixture())), s.EventsInMemory)
		setups[name] = l
	}
	return setups
}

func ids(evs []logger.Event) []string {
	out := make([]string, len(evs))
	for i, ev := range evs {
		out[i] = ev.ID
	}
	return out
}

func reversed(s []string) []string {
	out := slices.Clone(s)
	slices.Reverse(out)
	return out
}

var allAscending = []string{"e11", "e01", "e02", "e03", "e09", "e04", "e05", "e06", "e07", "e08", "e10", "e12"}

func TestFilterFields(t *testing.T) {
	const ns = time.Nanosecond
	cases := []struct {
		name string
		f    logger.Filter
		want []string // ascending by (Time, Seq)
	}{
		{"empty filter", logger.Filter{}, allAscending},

		{"UserID", logger.Filter{UserID: "alice"}, []string{"e01", "e03", "e05", "e07", "e10", "e12"}},
		{"UserID with a late event", logger.Filter{UserID: "bob"}, []string{"e02", "e09", "e06"}},
		{"UserID unknown", logger.Filter{UserID: "nobody"}, nil},
		{"UserID is case-sensitive", logger.Filter{UserID: "Alice"}, nil},

		{"SessionID", logger.Filter{SessionID: "s1"}, []string{"e01", "e03", "e05", "e10", "e12"}},
		{"SessionID s2", logger.Filter{SessionID: "s2"}, []string{"e02", "e09", "e06"}},
		{"SessionID unknown", logger.Filter{SessionID: "s9"}, nil},

		{"Operation", logger.Filter{Operation: logger.OpRead}, []string{"e11", "e02", "e06", "e07"}},
		{"Operation ties by Seq", logger.Filter{Operation: logger.OpUpdate}, []string{"e03", "e09"}},
		{"Operation custom-free", logger.Filter{Operation: logger.OpLogin}, []string{"e04"}},
		{"Operation is exact, not case-folded", logger.Filter{Operation: "read"}, nil},
		{"Operation unknown", logger.Filter{Operation: logger.OpExport}, nil},

		{"Status FAILURE", logger.Filter{Status: logger.StatusFailure}, []string{"e03", "e06"}},
		{"Status PARTIAL", logger.Filter{Status: logger.StatusPartial}, []string{"e05"}},
		{"Status SUCCESS includes empty status", logger.Filter{Status: logger.StatusSuccess},
			[]string{"e11", "e01", "e02", "e09", "e04", "e07", "e08", "e10", "e12"}},
		{"Status is exact", logger.Filter{Status: "success"}, nil},

		{"Category", logger.Filter{Category: "AUTH"}, []string{"e04", "e08"}},
		{"Category with the earliest late event", logger.Filter{Category: "REPORT"}, []string{"e11"}},
		{"Category unknown", logger.Filter{Category: "SYSTEM"}, nil},

		{"ResourceType", logger.Filter{ResourceType: "doc"}, []string{"e11", "e01", "e02", "e03", "e09", "e06", "e07"}},
		{"ResourceType memory", logger.Filter{ResourceType: "memory"}, []string{"e10", "e12"}},
		{"ResourceID", logger.Filter{ResourceID: "d1"}, []string{"e01", "e02", "e09", "e07"}},
		{"ResourceID d2", logger.Filter{ResourceID: "d2"}, []string{"e03", "e06"}},
		{"ResourceID unknown", logger.Filter{ResourceID: "d9"}, nil},

		{"RunID", logger.Filter{RunID: "r1"}, []string{"e01", "e02", "e09"}},
		{"RunID r3", logger.Filter{RunID: "r3"}, []string{"e06", "e07"}},
		{"RunID unknown", logger.Filter{RunID: "r9"}, nil},

		{"EntryIDs one", logger.Filter{EntryIDs: []string{"m1"}}, []string{"e01", "e03", "e10"}},
		{"EntryIDs any of two", logger.Filter{EntryIDs: []string{"m3", "m4"}}, []string{"e03", "e05", "e06"}},
		{"EntryIDs any, one unknown", logger.Filter{EntryIDs: []string{"nope", "m5"}}, []string{"e09", "e12"}},
		{"EntryIDs an event carrying two of them counts once", logger.Filter{EntryIDs: []string{"m1", "m3"}}, []string{"e01", "e03", "e06", "e10"}},
		{"EntryIDs repeated", logger.Filter{EntryIDs: []string{"m2", "m2"}}, []string{"e02", "e09"}},
		{"EntryIDs many", logger.Filter{EntryIDs: []string{"m5", "m4", "m3", "m2", "m1"}},
			[]string{"e01", "e02", "e03", "e09", "e05", "e06", "e10", "e12"}},
		{"EntryIDs unknown", logger.Filter{EntryIDs: []string{"nope"}}, nil},
		{"EntryIDs empty slice is unset", logger.Filter{EntryIDs: []string{}}, allAscending},

		{"Since inclusive", logger.Filter{Since: at(2)}, []string{"e03", "e09", "e04", "e05", "e06", "e07", "e08", "e10", "e12"}},
		{"Since one ns later", logger.Filter{Since: at(2).Add(ns)}, []string{"e04", "e05", "e06", "e07", "e08", "e10", "e12"}},
		{"Until inclusive", logger.Filter{Until: at(2)}, []string{"e11", "e01", "e02", "e03", "e09"}},
		{"Until one ns earlier", logger.Filter{Until: at(2).Add(-ns)}, []string{"e11", "e01", "e02"}},
		{"Since == Until", logger.Filter{Since: at(2), Until: at(2)}, []string{"e03", "e09"}},
		{"Since == Until at a tie", logger.Filter{Since: at(7), Until: at(7)}, []string{"e10", "e12"}},
		{"window", logger.Filter{Since: at(5), Until: at(6)}, []string{"e06", "e07", "e08"}},
		{"window between events", logger.Filter{Since: at(2).Add(ns), Until: at(3).Add(-ns)}, nil},
		{"Since after Until", logger.Filter{Since: at(5), Until: at(4)}, nil},
		{"Since before everything", logger.Filter{Since: at(-10)}, allAscending},
		{"Since at the earliest, a late event", logger.Filter{Since: at(-1)}, allAscending},
		{"Until at the earliest, a late event", logger.Filter{Until: at(-1)}, []string{"e11"}},
		{"Until after everything", logger.Filter{Until: at(100)}, allAscending},
		{"Since after everything", logger.Filter{Since: at(7).Add(ns)}, nil},
		{"Until before everything", logger.Filter{Until: at(-1).Add(-ns)}, nil},
		{"very wide window", logger.Filter{Since: time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), Until: time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)}, allAscending},
		{"window in another time zone", logger.Filter{Since: at(5).In(time.FixedZone("X", -7*3600)), Until: at(5).In(time.FixedZone("Y", 3*3600))}, []string{"e06", "e07"}},

		{"UserID+Operation", logger.Filter{UserID: "alice", Operation: logger.OpRead}, []string{"e07"}},
		{"UserID+Status+Category", logger.Filter{UserID: "alice", Status: logger.StatusSuccess, Category: "DATA"}, []string{"e01", "e07", "e10", "e12"}},
		{"UserID+ResourceID+Since", logger.Filter{UserID: "bob", ResourceID: "d1", Since: at(2)}, []string{"e09"}},
		{"ResourceType+ResourceID+RunID+EntryIDs", logger.Filter{ResourceType: "doc", ResourceID: "d1", RunID: "r1", EntryIDs: []string{"m2"}}, []string{"e02", "e09"}},
		{"SessionID+Until+Status", logger.Filter{SessionID: "s1", Until: at(4), Status: logger.StatusFailure}, []string{"e03"}},
		{"UserID+SessionID disjoint", logger.Filter{UserID: "alice", SessionID: "s2"}, nil},
		{"Operation+window with late event", logger.Filter{Operation: logger.OpRead, Since: at(-1), Until: at(1)}, []string{"e11", "e02"}},
		{"Category+point window with late event", logger.Filter{Category: "DATA", Since: at(2), Until: at(2)}, []string{"e03", "e09"}},
		{"EntryIDs+UserID", logger.Filter{EntryIDs: []string{"m1", "m2"}, UserID: "bob"}, []string{"e02", "e09"}},
		{"EntryIDs+Since", logger.Filter{EntryIDs: []string{"m1", "m5"}, Since: at(3)}, []string{"e10", "e12"}},
		{"every field set", logger.Filter{
			UserID: "alice", SessionID: "s1", Operation: logger.OpStore, Status: logger.StatusSuccess, Category: "DATA",
			ResourceType: "memory", ResourceID: "mem1", RunID: "r4", EntryIDs: []string{"m1", "zz"}, Since: at(7), Until: at(7),
		}, []string{"e10"}},
		{"every field set, one mismatching", logger.Filter{
			UserID: "alice", SessionID: "s1", Operation: logger.OpStore, Status: logger.StatusSuccess, Category: "DATA",
			ResourceType: "memory", ResourceID: "mem1", RunID: "r4", EntryIDs: []string{"m5"}, Since: at(7), Until: at(7),
		}, nil},
		{"every field set, window excludes", logger.Filter{
			UserID: "alice", SessionID: "s1", Operation: logger.OpStore, Status: logger.StatusSuccess, Category: "DATA",
			ResourceType: "memory", ResourceID: "mem1", RunID: "r4", EntryIDs: []string{"m1"}, Since: at(6), Until: at(7).Add(-ns),
		}, nil},
		{"every field set, late event", logger.Filter{
			UserID: "bob", SessionID: "s2", Operation: logger.OpUpdate, Status: logger.StatusSuccess, Category: "DATA",
			ResourceType: "doc", ResourceID: "d1", RunID: "r1", EntryIDs: []string{"m5"}, Since: at(1), Until: at(3),
		}, []string{"e09"}},
	}
	setups := filterSetups(t)
	for setup, l := range setups {
		t.Run(setup, func(t *testing.T) {
			for _, tc := range cases {
				t.Run(tc.name, func(t *testing.T) {
					asc := tc.f
					asc.Ascending = true
					desc := tc.f
					desc.Ascending = false
					if tc.want == nil {
						require.Empty(t, l.Query(asc))
						require.Empty(t, l.Query(desc))
					} else {
						require.Equal(t, tc.want, ids(l.Query(asc)), "ascending")
						require.Equal(t, reversed(tc.want), ids(l.Query(desc)), "newest first by default")
					}
					require.Equal(t, len(tc.want), l.Count(tc.f), "Count")
					st := l.StatisticsFor(tc.f)
					require.Equal(t, int64(len(tc.want)), st.TotalEvents, "StatisticsFor")

					// Limit and Offset ignored by Count.
					paged := tc.f
					paged.Limit, paged.Offset = 1, 1
					require.Equal(t, len(tc.want), l.Count(paged), "Count ignores Limit and Offset")
					require.Equal(t, int64(len(tc.want)), l.StatisticsFor(paged).TotalEvents, "StatisticsFor ignores Limit and Offset")
				})
			}
		})
	}
}

// Every returned event matches the filter on every field it names, and
// carries what was logged.
func TestFilterReturnsWhatWasLogged(t *testing.T) {
	for setup, l := range filterSetups(t) {
		t.Run(setup, func(t *testing.T) {
			want := map[string]logger.Event{}
			for _, ev := range fixture() {
				if ev.Status == "" {
					ev.Status = logger.StatusSuccess
				}
				want[ev.ID] = ev
			}
			got := l.Query(logger.Filter{})
			require.Len(t, got, len(want))
			for _, ev := range got {
				w := want[ev.ID]
				w.Seq = ev.Seq
				if w.Source == "" {
					w.Source = logger.DefaultSource() // the logger's own
				}
				require.Equal(t, w, ev)
			}
		})
	}
}

func TestFilterLimitOffset(t *testing.T) {
	desc := reversed(allAscending)
	cases := []struct {
		name string
		f    logger.Filter
		want []string
	}{
		{"Limit", logger.Filter{Limit: 3}, desc[:3]},
		{"Limit ascending", logger.Filter{Limit: 3, Ascending: true}, allAscending[:3]},
		{"Offset+Limit", logger.Filter{Offset: 2, Limit: 3}, desc[2:5]},
		{"Offset+Limit ascending", logger.Filter{Offset: 2, Limit: 3, Ascending: true}, allAscending[2:5]},
		{"Offset alone", logger.Filter{Offset: 10}, desc[10:]},
		{"Offset alone ascending", logger.Filter{Offset: 10, Ascending: true}, allAscending[10:]},
		{"Offset to the last", logger.Filter{Offset: 11}, []string{"e11"}},
		{"Offset at the end", logger.Filter{Offset: 12}, nil},
		{"Offset past the end", logger.Filter{Offset: 100, Limit: 5}, nil},
		{"Limit 0 means all", logger.Filter{Limit: 0}, desc},
		{"Limit larger than the matches", logger.Filter{Limit: 100}, desc},
		{"Limit equal to the matches", logger.Filter{Limit: 12, Ascending: true}, allAscending},
		{"negative Limit is 0", logger.Filter{Limit: -5}, desc},
		{"negative Offset is 0", logger.Filter{Offset: -3, Limit: 2}, desc[:2]},
		{"negative both", logger.Filter{Offset: -1, Limit: -1, Ascending: true}, allAscending},
		{"Limit 1 newest of a tie", logger.Filter{UserID: "alice", Limit: 1}, []string{"e12"}},
		{"Limit 1 oldest of a tie", logger.Filter{Operation: logger.OpUpdate, Limit: 1, Ascending: true}, []string{"e03"}},
		{"filter, Offset, Limit", logger.Filter{UserID: "alice", Offset: 1, Limit: 2}, []string{"e10", "e07"}},
		{"filter, Offset past its matches", logger.Filter{UserID: "bob", Offset: 3}, nil},
		{"window, Offset, Limit", logger.Filter{Since: at(2), Until: at(5), Offset: 1, Limit: 3, Ascending: true}, []string{"e09", "e04", "e05"}},
		{"late event, Offset", logger.Filter{Until: at(2), Offset: 3}, []string{"e01", "e11"}},
	}
	for setup, l := range filterSetups(t) {
		t.Run(setup, func(t *testing.T) {
			for _, tc := range cases {
				t.Run(tc.name, func(t *testing.T) {
					got := l.Query(tc.f)
					if tc.want == nil {
						require.Empty(t, got)
					} else {
						require.Equal(t, tc.want, ids(got))
					}
				})
			}
			require.Equal(t, 12, l.Count(logger.Filter{Limit: 1, Offset: 5}))
			require.Equal(t, 12, l.Count(logger.Filter{Limit: 1, Offset: 100}))
			require.Equal(t, 6, l.Count(logger.Filter{UserID: "alice", Limit: 2, Offset: 4}))
		})
	}
}

// Paging through a result with Offset and Limit visits every event once,
// in order.
func TestFilterPaging(t *testing.T) {
	for setup, l := range filterSetups(t) {
		t.Run(setup, func(t *testing.T) {
			for _, asc := range []bool{true, false} {
				for page := 1; page <= 13; page++ {
					var all []string
					for off := 0; ; off += page {
						got := l.Query(logger.Filter{Offset: off, Limit: page, Ascending: asc})
						require.LessOrEqual(t, len(got), page)
						if len(got) == 0 {
							break
						}
						all = append(all, ids(got)...)
					}
					want := allAscending
					if !asc {
						want = reversed(allAscending)
					}
					require.Equal(t, want, all, "page size %d, ascending %v", page, asc)
				}
			}
		})
	}
}

func TestFilterOrderTiesBySeq(t *testing.T) {
	l := newLogger(t, logger.Options{})
	ctx := context.Background()
	same := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	for i := range 5 {
		require.NoError(t, l.Log(ctx, logger.Event{ID: fmt.Sprint("same", i), Operation: logger.OpRead, Time: same}))
	}
	// A later event, then one more at the shared time: late, and last of the tie.
	require.NoError(t, l.Log(ctx, logger.Event{ID: "later", Operation: logger.OpRead, Time: same.Add(time.Nanosecond)}))
	require.NoError(t, l.Log(ctx, logger.Event{ID: "same5", Operation: logger.OpRead, Time: same}))
	asc := []string{"same0", "same1", "same2", "same3", "same4", "same5", "later"}
	require.Equal(t, asc, ids(l.Query(logger.Filter{Ascending: true})))
	require.Equal(t, reversed(asc), ids(l.Query(logger.Filter{})))
	require.Equal(t, asc[:6], ids(l.Query(logger.Filter{Until: same, Ascending: true})))
	require.Equal(t, reversed(asc[:6]), ids(l.Query(logger.Filter{Since: same, Until: same})))
	require.Equal(t, []string{"same5", "same4"}, ids(l.Query(logger.Filter{Until: same, Limit: 2})))
	for _, ev := range l.Query(logger.Filter{Ascending: true}) {
		require.NotZero(t, ev.Seq)
	}
}

// Events logged in random time order are filtered and ordered by their
// time, whatever the order they arrived in, through rotation.
func TestFilterLateEvents(t *testing.T) {
	const n, keep = 400, 150
	rng := rand.New(rand.NewPCG(7, 7))
	base := time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC)
	minutes := rng.Perm(n)
	l := newLogger(t, logger.Options{MaxEvents: keep, QueueSize: 8})
	ctx := context.Background()
	for i, m := range minutes {
		require.NoError(t, l.Log(ctx, logger.Event{
			ID: fmt.Sprint(m), Operation: logger.OpRead, UserID: fmt.Sprint("u", m%3),
			Time: base.Add(time.Duration(m) * time.Minute), ResourceID: fmt.Sprint("i", i),
		}))
	}
	held := minutes[n-keep:] // the ring keeps the last logged
	sorted := slices.Clone(held)
	slices.Sort(sorted)
	want := func(pred func(m int) bool) []string {
		var out []string
		for _, m := range sorted {
			if pred(m) {
				out = append(out, fmt.Sprint(m))
			}
		}
		return out
	}
	check := func(f logger.Filter, pred func(m int) bool) {
		t.Helper()
		w := want(pred)
		f.Ascending = true
		got := ids(l.Query(f))
		if len(w) == 0 {
			require.Empty(t, got, "%+v", f)
		} else {
			require.Equal(t, w, got, "%+v", f)
		}
		f.Ascending = false
		got = ids(l.Query(f))
		if len(w) == 0 {
			require.Empty(t, got, "%+v", f)
		} else {
			require.Equal(t, reversed(w), got, "%+v", f)
		}
		require.Equal(t, len(w), l.Count(f), "%+v", f)
	}
	check(logger.Filter{}, func(int) bool { return true })
	check(logger.Filter{UserID: "u1"}, func(m int) bool { return m%3 == 1 })
	for range 200 {
		a, b := rng.IntN(n+20)-10, rng.IntN(n+20)-10
		if a > b && rng.IntN(4) > 0 {
			a, b = b, a
		}
		check(logger.Filter{Since: base.Add(time.Duration(a) * time.Minute), Until: base.Add(time.Duration(b) * time.Minute)},
			func(m int) bool { return m >= a && m <= b })
		check(logger.Filter{Since: base.Add(time.Duration(a) * time.Minute)}, func(m int) bool { return m >= a })
		check(logger.Filter{Until: base.Add(time.Duration(b) * time.Minute), UserID: "u2"}, func(m int) bool { return m <= b && m%3 == 2 })
	}
}

func TestEntityHistory(t *testing.T) {
	for setup, l := range filterSetups(t) {
		t.Run(setup, func(t *testing.T) {
			require.Equal(t, []string{"e07", "e09", "e02", "e01"}, ids(l.EntityHistory("doc", "d1", 0)))
			require.Equal(t, []string{"e07", "e09"}, ids(l.EntityHistory("doc", "d1", 2)))
			require.Equal(t, []string{"e07", "e09", "e02", "e01"}, ids(l.EntityHistory("doc", "d1", -1)), "negative limit is 0")
			require.Equal(t, []string{"e12", "e10"}, ids(l.EntityHistory("memory", "mem1", 10)))
			require.Equal(t, reversed([]string{"e11", "e01", "e02", "e03", "e09", "e06", "e07"}), ids(l.EntityHistory("doc", "", 0)), "type alone")
			require.Equal(t, []string{"e06", "e03"}, ids(l.EntityHistory("", "d2", 0)), "id alone")
			require.Empty(t, l.EntityHistory("user", "d1", 0), "type and id must both match")
			require.Empty(t, l.EntityHistory("doc", "nope", 0))
			require.Empty(t, l.EntityHistory("", "", 0), "no resource named")
		})
	}
}

func TestUserActivity(t *testing.T) {
	clock := newClock(at(7))
	l := newLogger(t, logger.Options{Now: clock.Now})
	ctx := context.Background()
	for _, ev := range fixture() {
		require.NoError(t, l.Log(ctx, ev))
	}
	require.Equal(t, []string{"e12", "e10", "e07", "e05"}, ids(l.UserActivity("alice", 3*time.Minute, 0)), "since is inclusive")
	require.Equal(t, []string{"e12", "e10", "e07"}, ids(l.UserActivity("alice", 3*time.Minute-time.Nanosecond, 0)))
	require.Equal(t, []string{"e12", "e10"}, ids(l.UserActivity("alice", 3*time.Minute, 2)))
	require.Equal(t, []string{"e12", "e10", "e07", "e05", "e03", "e01"}, ids(l.UserActivity("alice", 0, 0)), "0 means all")
	require.Equal(t, []string{"e09", "e02"}, ids(l.UserActivity("bob", 0, 0)[1:]))
	require.Equal(t, []string{"e06", "e09"}, ids(l.UserActivity("bob", 5*time.Minute, 0)), "late event within the window")
	require.Equal(t, []string{"e11"}, ids(l.UserActivity("dave", 8*time.Minute, 0)))
	require.Empty(t, l.UserActivity("dave", 8*time.Minute-time.Nanosecond, 0))
	require.Empty(t, l.UserActivity("nobody", 0, 0))
	require.Empty(t, l.UserActivity("", 0, 0))

	// The window follows the clock.
	clock.Set(at(100))
	require.Empty(t, l.UserActivity("alice", 3*time.Minute, 0))
	require.Len(t, l.UserActivity("alice", 93*time.Minute, 0), 2)
	require.Len(t, l.UserActivity("alice", time.Hour*24, 0), 6)

	// An event stamped by the clock is in the window at once.
	require.NoError(t, l.Log(ctx, logger.Event{ID: "now", Operation: logger.OpRead, UserID: "alice"}))
	require.Equal(t, []string{"now"}, ids(l.UserActivity("alice", time.Nanosecond, 0)))
	require.Equal(t, []string{"now"}, ids(l.UserActivity("alice", 3*time.Minute, 0)))
}

// An empty entry id in EntryIDs matches nothing, in Query as in
// Filter.Matches (and so in every Store), even an event that carries one.
func TestQueryEmptyEntryIDAgreesWithMatches(t *testing.T) {
	l := newLogger(t, logger.Options{})
	events := []logger.Event{
		{ID: "a", Operation: logger.OpStore, UserID: "u", EntryIDs: []string{""}},
		{ID: "b", Operation: logger.OpStore, UserID: "u", EntryIDs: []string{"m1"}},
		{ID: "c", Operation: logger.OpStore, UserID: "u"},
	}
	require.NoError(t, l.LogBatch(context.Background(), events))
	stored := l.Query(logger.Filter{Ascending: true})
	for _, f := range []logger.Filter{
		{EntryIDs: []string{""}},
		{EntryIDs: []string{"", "m1"}},
		{EntryIDs: []string{}},
		{EntryIDs: []string{"", "nope"}, UserID: "u"},
	} {
		f.Ascending = true
		want := []string{}
		for _, ev := range stored {
			if f.Matches(&ev) {
				want = append(want, ev.ID)
			}
		}
		require.Equal(t, want, append([]string{}, ids(l.Query(f))...), "%q", f.EntryIDs)
		require.Equal(t, len(want), l.Count(f), "%+v", f)
	}
	require.Empty(t, l.Query(logger.Filter{EntryIDs: []string{""}}))
	require.Equal(t, []string{"b"}, ids(l.Query(logger.Filter{EntryIDs: []string{"", "m1"}})))
}
