package storetest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/logger"
	"github.com/auditlog/auditlog/store"
)

// Opener opens the store kept in dir, creating it on first use; opening
// the same dir again must find what was saved.
type Opener func(t *testing.T, dir string) (logger.Store, error)

// Start is the time of the first event of Events.
var Start = time.Date(2026, 1, 10, 22, 0, 0, 0, time.UTC)

// Pools of field values. Values that an attacker might try (quotes, SQL
// wildcards, path elements) are real values here, so a store must both
// keep them and match them exactly.
var (
	users     = []string{"alice", "Alice", "bob", "carol", "dave", "o'brien", "100%", "a_b", "../../etc"}
	ops       = []logger.Operation{logger.OpStore, logger.OpRecall, logger.OpForget, logger.OpUpdate, logger.OpExport}
	statuses  = []logger.Status{logger.StatusSuccess, "", logger.StatusFailure, logger.StatusPartial} // "" is SUCCESS
	resTypes  = []string{"memory", "workflow", "doc/type"}
	resIDs    = []string{"r1", "r2", "r3", "data-pipeline", "a/b", "..", "x=y"}
	resNames  = []string{"data-pipeline", "nightly", "../../etc", "a/b", "", "ünïcode"}
	sessions  = []string{"s1", "s2", "s3", ""}
	runs      = []string{"run-1", "run-2", "", ""}
	cats      = []string{"DATA", "AUTH", ""}
	entryPool = []string{"e1", "e2", "e3", "e4", "e5", "e6", ""} // "" is kept, and matches no filter
	// sources are instances; "" is an event of a journal older than
	// Source. "web-10" sorts before "web-2", as strings do.
	sources = []string{"web-1/agentd[4121]", "web-2/agentd[977]", "web-10/agentd[12]", "batch", "o'brien%_", ""}
)

// Events returns n events with the given seed, as loggers hand them to
// a store: ID, Seq, Source and Time set, Status sometimes empty
// (SUCCESS), spread over about two and a half days with ties in time
// (about one event in eight shares the time of the one before), with
// every free-form field used now and then. The events come from several
// sources, each with its own Seq, so that events of one time order by
// Source before Seq.
func Events(seed uint64, n int) []logger.Event {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	pick := func(n int) int { return r.IntN(n) }
	// Sources come from a stream of their own, so that the other fields
	// of a seed's events stay as they were before events had a Source.
	rs := rand.New(rand.NewPCG(seed, seed^0x5851f42d4c957f2d))
	seqs := map[string]uint64{}
	evs := make([]logger.Event, n)
	t := Start
	for i := range evs {
		if pick(8) != 0 {
			t = t.Add(time.Duration(1+pick(int(5*24*time.Hour/time.Duration(n)))) + time.Duration(pick(1000))*time.Nanosecond)
		}
		// IDs in an order of their own, so that a store ordering ties by
		// ID instead of Seq is caught. Each source numbers its events, so
		// that at one time Seq and Source disagree on the order: a store
		// ordering ties by Seq before Source is caught. Now and then two
		// events share a time, a source and a Seq (a logger that started
		// again from an empty journal), and only the ID orders them.
		src := sources[rs.IntN(len(sources))]
		seqs[src] += uint64(1 + rs.IntN(3))
		seq := seqs[src]
		if i > 0 && pick(10) == 0 && evs[i-1].Time.Equal(t) {
			src, seq = evs[i-1].Source, evs[i-1].Seq
		}
		ev := logger.Event{
			ID:           fmt.Sprintf("evt-%04x-%06d-%d", r.Uint32()&0xffff, i, seed),
			Seq:          seq,
			Source:       src,
			Time:         t,
			Operation:    ops[pick(len(ops))],
			Status:       statuses[pick(len(statuses))],
			Category:     cats[pick(len(cats))],
			UserID:       users[pick(len(users))],
			SessionID:    sessions[pick(len(sessions))],
			ResourceType: resTypes[pick(len(resTypes))],
			ResourceID:   resIDs[pick(len(resIDs))],
			ResourceName: resNames[pick(len(resNames))],
			RunID:        runs[pick(len(runs))],
			Duration:     time.Duration(pick(5000)) * time.Microsecond,
		}
		if k := pick(4); k > 0 {
			for range k {
				ev.EntryIDs = append(ev.EntryIDs, entryPool[pick(len(entryPool))])
			}
		}
		if pick(2) == 0 {
			ev.Metadata = map[string]any{"n": float64(pick(100)), "source": "cli", "nested": map[string]any{"k": "v"}}
		}
		if pick(5) == 0 {
			ev.Changes = []logger.Change{{Field: "title", Old: "a", New: "b"}, {Field: "tags.0", Old: nil, New: "x"}}
			ev.PreviousState = map[string]any{"title": "a"}
			ev.NewState = map[string]any{"title": "b", "tags": []any{"x"}}
		}
		if pick(6) == 0 {
			ev.Request = &logger.Request{Method: "POST", Path: "/memories", StatusCode: 201}
			ev.IPAddress, ev.UserAgent = "192.0.2.7", "curl/8"
		}
		if pick(7) == 0 {
			ev.Tags = []string{"gdpr", "nightly"}
			ev.Description = "a description, with \"quotes\" and\nnewlines"
		}
		if ev.Status == logger.StatusFailure {
			ev.ErrorMessage = "failed: " + ev.ID
		}
		if pick(9) == 0 {
			ev.UserName, ev.UserEmail, ev.ParentRunID = "Alice A.", "alice@example.com", "run-0"
		}
		evs[i] = ev
	}
	return evs
}

// Run runs every conformance test against the store open opens.
func Run(t *testing.T, open Opener) {
	t.Run("Filters", func(t *testing.T) { testFilters(t, open) })
	t.Run("Injection", func(t *testing.T) { testInjection(t, open) })
	t.Run("DeleteBefore", func(t *testing.T) { testDeleteBefore(t, open) })
	t.Run("Reopen", func(t *testing.T) { testReopen(t, open) })
	t.Run("ConcurrentReaders", func(t *testing.T) { testConcurrent(t, open) })
	t.Run("BadInput", func(t *testing.T) { testBadInput(t, open) })
	t.Run("Helpers", func(t *testing.T) { testHelpers(t, open) })
	t.Run("LoggerParity", func(t *testing.T) { testLoggerParity(t, open) })
	t.Run("Boundaries", func(t *testing.T) { testBoundaries(t, open) })
}

const nEvents = 1200

// filled opens a store in a new folder and saves evs to it in batches of
// varied sizes.
func filled(t *testing.T, open Opener, evs []logger.Event) (logger.Store, string) {
	t.Helper()
	dir := t.TempDir()
	s, err := open(t, dir)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	save(t, s, evs)
	return s, dir
}

// save saves evs in batches of varied sizes, in an order of their own:
// a store must not rely on events arriving in time order.
func save(t *testing.T, s logger.Store, evs []logger.Event) {
	t.Helper()
	evs = append([]logger.Event(nil), evs...)
	r := rand.New(rand.NewPCG(uint64(len(evs)), 7))
	for i := range evs { // swap neighbours now and then: mostly in order, as a logger sends
		if j := i + r.IntN(3); j < len(evs) && r.IntN(4) == 0 {
			evs[i], evs[j] = evs[j], evs[i]
		}
	}
	for i, size := 0, 1; i < len(evs); size = size*3%511 + 1 {
		j := min(i+size, len(evs))
		require.NoError(t, s.Write(context.Background(), evs[i:j]))
		i = j
	}
}

// SeedEnv names the environment variable that, when set, gives the seed
// of every randomised test: STORETEST_SEED=n replays the run that printed
// "seed n".
const SeedEnv = "STORETEST_SEED"

// seed returns a seed for a randomised test, and prints it.
func seed(t *testing.T) uint64 {
	s := uint64(time.Now().UnixNano())
	if v := os.Getenv(SeedEnv); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		require.NoError(t, err, "%s", SeedEnv)
		s = n
	}
	t.Logf("seed %d (storetest.Events; %s=%d replays it)", s, SeedEnv, s)
	return s
}

// filters returns filters on the values of evs: each field alone,
// combined, time bounds at exact event times, order and windows.
func filters(evs []logger.Event) map[string]logger.Filter {
	a, b := evs[len(evs)/3], evs[2*len(evs)/3]
	midnight := Start.Truncate(24 * time.Hour).Add(24 * time.Hour) // the first UTC day boundary
	east := time.FixedZone("UTC+10", 10*3600)
	fs := map[string]logger.Filter{
		"user, lower case":            {UserID: "alice"}, // "Alice" is another user
		"user, capitalised":           {UserID: "Alice"},
		"entry id empty":              {EntryIDs: []string{""}},
		"entry ids with an empty one": {EntryIDs: []string{"", "e3"}},
		"since midnight":              {Since: midnight},
		"until midnight":              {Until: midnight},
		"until just before midnight":  {Until: midnight.Add(-time.Nanosecond)},
		"a UTC day":                   {Since: midnight, Until: midnight.Add(24*time.Hour - time.Nanosecond)},
		"bounds in another zone":      {Since: a.Time.In(east), Until: b.Time.In(east)},
		"a day in another zone":       {Since: midnight.In(east), Until: midnight.Add(24 * time.Hour).In(east)},
		"all":                         {},
		"all ascending":               {Ascending: true},
		"user":                        {UserID: a.UserID},
		"session":                     {SessionID: "s2"},
		"operation":                   {Operation: logger.OpForget},
		"status failure":              {Status: logger.StatusFailure},
		"status success":              {Status: logger.StatusSuccess},
		"category":                    {Category: "AUTH"},
		"resource type":               {ResourceType: "workflow"},
		"resource":                    {ResourceType: a.ResourceType, ResourceID: a.ResourceID},
		"resource id only":            {ResourceID: "a/b"},
		"run":                         {RunID: "run-2"},
		"source":                      {Source: "web-2/agentd[977]"},
		"source ascending":            {Source: "web-1/agentd[4121]", Ascending: true},
		"source with wildcards":       {Source: "o'brien%_"},
		"source prefix":               {Source: "web-1"}, // exact: not web-1/... nor web-10/...
		"source absent":               {Source: "web-3"},
		"source in a window":          {Source: a.Source, Since: a.Time, Until: b.Time, Offset: 2, Limit: 9},
		"source and user":             {Source: "batch", UserID: "bob", Ascending: true},
		"entry ids":                   {EntryIDs: []string{"e2", "e5"}},
		"entry id absent":             {EntryIDs: []string{"nope"}},
		"value absent":                {UserID: "nobody"},
		"since exact":                 {Since: a.Time},
		"until exact":                 {Until: b.Time},
		"window exact":                {Since: a.Time, Until: b.Time, Ascending: true},
		"one instant":                 {Since: a.Time, Until: a.Time},
		"since after until":           {Since: b.Time, Until: a.Time},
		"combined": {UserID: a.UserID, Operation: a.Operation, Since: a.Time.Add(-48 * time.Hour),
			Until: a.Time.Add(48 * time.Hour)},
		"combined with entries": {Status: logger.StatusSuccess, EntryIDs: []string{"e1"}, ResourceType: "memory", Ascending: true},
		"limit":                 {Limit: 7},
		"limit ascending":       {Limit: 7, Ascending: true},
		"offset":                {Offset: 5, Limit: 10},
		"offset past the end":   {Offset: 100000},
		"filter and window":     {UserID: "bob", Offset: 3, Limit: 4, Ascending: true},
	}
	return fs
}

func testFilters(t *testing.T, open Opener) {
	evs := Events(seed(t), nEvents)
	s, _ := filled(t, open, evs)
	check(t, s, evs, filters(evs))
}

// check compares s's answers with the model's for every filter.
func check(t *testing.T, s logger.Store, evs []logger.Event, fs map[string]logger.Filter) {
	t.Helper()
	ctx := context.Background()
	for name, f := range fs {
		want := store.Select(append([]logger.Event(nil), evs...), f)
		got, err := s.Query(ctx, f)
		require.NoError(t, err, name)
		requireSame(t, want, got, name)
		all := f
		all.Limit, all.Offset = 0, 0
		n, err := s.Count(ctx, f)
		require.NoError(t, err, name)
		require.Equal(t, len(store.Select(append([]logger.Event(nil), evs...), all)), n, "Count, %s", name)
	}
}

// requireSame checks that got holds want's events, in want's order.
func requireSame(t *testing.T, want, got []logger.Event, name string) {
	t.Helper()
	if len(want) == 0 {
		require.Empty(t, got, name)
		return
	}
	require.Equal(t, ids(want), ids(got), "order, %s", name)
	for i := range want {
		w, g := want[i], got[i]
		require.True(t, w.Time.Equal(g.Time), "%s: event %s: time %v, want %v", name, w.ID, g.Time, w.Time)
		g.Time = w.Time
		require.Equal(t, w, g, "%s: event %s", name, w.ID)
	}
}

func ids(evs []logger.Event) []string {
	out := make([]string, len(evs))
	for i := range evs {
		out[i] = evs[i].ID
	}
	return out
}

// testInjection tries SQL and path tricks through every filter field:
// each must match exactly the events whose field holds the same text
// (usually none), never more.
func testInjection(t *testing.T, open Opener) {
	evs := Events(seed(t), 300)
	s, _ := filled(t, open, evs)
	tricks := []string{
		`' OR '1'='1`, `alice' --`, `alice"; DROP TABLE events; --`, `%`, `_`, `*`, `a%`, `%a%`,
		`') OR 1=1 --`, `1; DELETE FROM events`, `../..`, `..`, `.`, `/`, `\`, `date=2026-01-11`,
		"alice\x00", `" OR ""="`, `$1`, `?`,
	}
	fs := map[string]logger.Filter{}
	for i, tr := range tricks {
		fs[fmt.Sprintf("user %d", i)] = logger.Filter{UserID: tr}
		fs[fmt.Sprintf("session %d", i)] = logger.Filter{SessionID: tr}
		fs[fmt.Sprintf("operation %d", i)] = logger.Filter{Operation: logger.Operation(tr)}
		fs[fmt.Sprintf("status %d", i)] = logger.Filter{Status: logger.Status(tr)}
		fs[fmt.Sprintf("category %d", i)] = logger.Filter{Category: tr}
		fs[fmt.Sprintf("resource type %d", i)] = logger.Filter{ResourceType: tr}
		fs[fmt.Sprintf("resource id %d", i)] = logger.Filter{ResourceID: tr}
		fs[fmt.Sprintf("run %d", i)] = logger.Filter{RunID: tr}
		fs[fmt.Sprintf("source %d", i)] = logger.Filter{Source: tr}
		fs[fmt.Sprintf("entries %d", i)] = logger.Filter{EntryIDs: []string{tr}}
	}
	check(t, s, evs, fs)
	// And the store still holds everything.
	check(t, s, evs, map[string]logger.Filter{"all after the tricks": {}})
}

func testDeleteBefore(t *testing.T, open Opener) {
	evs := Events(seed(t), nEvents)
	s, _ := filled(t, open, evs)
	ctx := context.Background()
	for _, cut := range []time.Time{
		Start.Add(-time.Hour),                     // nothing older
		evs[len(evs)/4].Time,                      // an exact event time: that event stays
		evs[len(evs)/2].Time.Add(time.Nanosecond), // mid-day
	} {
		var keep []logger.Event
		for _, ev := range evs {
			if !ev.Time.Before(cut) {
				keep = append(keep, ev)
			}
		}
		n, err := s.DeleteBefore(ctx, cut)
		require.NoError(t, err)
		require.Equal(t, len(evs)-len(keep), n, "removed before %v", cut)
		evs = keep
		check(t, s, evs, map[string]logger.Filter{"after cleanup": {Ascending: true}, "user after cleanup": {UserID: "bob"}})
		n, err = s.DeleteBefore(ctx, cut)
		require.NoError(t, err)
		require.Zero(t, n, "a second cleanup finds nothing")
	}
	// New events still go in after a cleanup.
	more := Events(7, 50)
	for i := range more {
		more[i].ID += "-late"
		more[i].Time = more[i].Time.Add(30 * 24 * time.Hour)
	}
	save(t, s, more)
	check(t, s, append(evs, more...), map[string]logger.Filter{"after cleanup and more": {}})
}

func testReopen(t *testing.T, open Opener) {
	evs := Events(seed(t), nEvents)
	s, dir := filled(t, open, evs)
	require.NoError(t, s.Close())
	require.NoError(t, s.Close(), "closing twice is fine")
	ctx := context.Background()
	_, err := s.Query(ctx, logger.Filter{})
	require.Error(t, err, "Query after Close")
	_, err = s.Count(ctx, logger.Filter{})
	require.Error(t, err, "Count after Close")
	require.Error(t, s.Write(ctx, evs[:1]), "Write after Close")
	_, err = s.DeleteBefore(ctx, time.Now())
	require.Error(t, err, "DeleteBefore after Close")

	s2, err := open(t, dir)
	require.NoError(t, err)
	defer s2.Close()
	check(t, s2, evs, filters(evs))
	more := Events(11, 40)
	for i := range more {
		more[i].ID += "-after"
	}
	save(t, s2, more)
	check(t, s2, append(evs, more...), map[string]logger.Filter{"reopened and added": {Ascending: true}})
}

// testConcurrent reads while a writer saves: no reader fails, counts
// never go down, and every event a reader gets matches its filter.
func testConcurrent(t *testing.T, open Opener) {
	evs := Events(seed(t), nEvents)
	s, _ := filled(t, open, evs[:100])
	ctx := context.Background()
	done := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for r := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f := logger.Filter{UserID: users[r]}
			last := 0
			for {
				select {
				case <-done:
					return
				default:
				}
				n, err := s.Count(ctx, logger.Filter{})
				if err != nil {
					errs <- fmt.Errorf("reader %d: Count: %w", r, err)
					return
				}
				if n < last {
					errs <- fmt.Errorf("reader %d: Count went from %d to %d", r, last, n)
					return
				}
				last = n
				got, err := s.Query(ctx, f)
				if err != nil {
					errs <- fmt.Errorf("reader %d: Query: %w", r, err)
					return
				}
				for _, ev := range got {
					if ev.UserID != f.UserID {
						errs <- fmt.Errorf("reader %d: got user %q", r, ev.UserID)
						return
					}
				}
			}
		}()
	}
	for i := 100; i < len(evs); i += 50 {
		require.NoError(t, s.Write(ctx, evs[i:min(i+50, len(evs))]))
	}
	close(done)
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	check(t, s, evs, map[string]logger.Filter{"after concurrent writes": {}})
}

func testBadInput(t *testing.T, open Opener) {
	evs := Events(3, 20)
	s, _ := filled(t, open, evs)
	ctx := context.Background()
	for _, f := range []logger.Filter{{Limit: -1}, {Offset: -1}} {
		_, err := s.Query(ctx, f)
		require.ErrorIs(t, err, store.ErrInvalidFilter, "%+v", f)
	}
	require.NoError(t, s.Write(ctx, nil), "saving nothing is fine")
	for name, bad := range map[string]func(*logger.Event){
		"no Time":           func(ev *logger.Event) { ev.Time = time.Time{} },
		"negative Duration": func(ev *logger.Event) { ev.Duration = -time.Second },
		"Time before 1678":  func(ev *logger.Event) { ev.Time = time.Date(1500, 1, 1, 0, 0, 0, 0, time.UTC) },
		"invalid Operation": func(ev *logger.Event) { ev.Operation = "not an operation" },
	} {
		batch := Events(9, 3)
		for i := range batch {
			batch[i].ID += "-bad"
		}
		bad(&batch[2])
		require.ErrorIs(t, s.Write(ctx, batch), logger.ErrInvalidEvent, name)
	}
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	_, err := s.Query(canceled, logger.Filter{})
	require.True(t, errors.Is(err, context.Canceled), "Query with a canceled context: %v", err)
	require.ErrorIs(t, s.Write(canceled, Events(4, 1)), context.Canceled)
	check(t, s, evs, map[string]logger.Filter{"unchanged": {}})
}

// testLoggerParity feeds events through a logger whose store is the one
// under test: for every filter, the store answers what Logger.Query and
// Logger.Count answer from the ring.
func testLoggerParity(t *testing.T, open Opener) {
	evs := Events(seed(t), 600)
	s, err := open(t, t.TempDir())
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	l, err := logger.New(logger.Options{MaxEvents: len(evs), Stores: []logger.Store{s}})
	require.NoError(t, err)
	t.Cleanup(func() { _ = l.Close() })
	ctx := context.Background()
	require.NoError(t, l.LogBatch(ctx, evs))
	require.NoError(t, l.FlushSinks(ctx))
	for name, f := range filters(evs) {
		got, err := s.Query(ctx, f)
		require.NoError(t, err, name)
		require.Equal(t, ids(l.Query(f)), ids(got), "%s: the store and Logger.Query", name)
		n, err := s.Count(ctx, f)
		require.NoError(t, err, name)
		require.Equal(t, l.Count(f), n, "%s: the store's Count and Logger.Count", name)
	}
}

func testHelpers(t *testing.T, open Opener) {
	evs := Events(5, 400)
	s, _ := filled(t, open, evs)
	ctx := context.Background()
	got, err := store.EntityHistory(ctx, s, "memory", "r1", 5)
	require.NoError(t, err)
	requireSame(t, store.Select(append([]logger.Event(nil), evs...), logger.Filter{ResourceType: "memory", ResourceID: "r1", Limit: 5}), got, "EntityHistory")
	since := evs[200].Time
	got, err = store.UserActivity(ctx, s, "bob", since, 0)
	require.NoError(t, err)
	requireSame(t, store.Select(append([]logger.Event(nil), evs...), logger.Filter{UserID: "bob", Since: since}), got, "UserActivity")
	_, err = store.EntityHistory(ctx, s, "", "", 0)
	require.ErrorIs(t, err, store.ErrInvalidFilter)
	_, err = store.UserActivity(ctx, s, "", time.Time{}, 0)
	require.ErrorIs(t, err, store.ErrInvalidFilter)
}

// RunDedup runs the tests of a store that keeps each event ID once (see
// logger.Sink): Write handed events it already holds, as a logger hands
// them over again after an error or a crash (at least once), stores none
// of them twice. A store that promises this runs RunDedup beside Run.
func RunDedup(t *testing.T, open Opener) {
	t.Run("Redelivery", func(t *testing.T) { testRedelivery(t, open) })
	t.Run("RedeliveryAfterReopen", func(t *testing.T) { testRedeliveryReopen(t, open) })
	t.Run("ConcurrentRedelivery", func(t *testing.T) { testConcurrentRedelivery(t, open) })
}

// testRedelivery writes batches again: the same batch, a batch that
// overlaps the one before, a batch in another order, a batch cut
// differently; each event is kept once, with its entries once.
func testRedelivery(t *testing.T, open Opener) {
	evs := Events(seed(t), 600)
	s, _ := filled(t, open, evs[:300])
	ctx := context.Background()
	// The last batches again, as a sink that failed to acknowledge them
	// hands them over.
	require.NoError(t, s.Write(ctx, evs[200:300]))
	require.NoError(t, s.Write(ctx, evs[200:300]))
	check(t, s, evs[:300], filters(evs[:300]))
	// A batch that overlaps the last one: old events, then new ones.
	require.NoError(t, s.Write(ctx, evs[250:400]))
	// The whole history again, cut into other batches, in another order.
	save(t, s, evs[:400])
	back := slices.Clone(evs[300:500])
	slices.Reverse(back)
	require.NoError(t, s.Write(ctx, back))
	check(t, s, evs[:500], filters(evs[:500]))
	// A copy that differs from the stored event (a store need not
	// compare them) keeps the stored one: the first write wins.
	changed := slices.Clone(evs[100:110])
	for i := range changed {
		changed[i].UserID = "mallory"
	}
	require.NoError(t, s.Write(ctx, append(changed, evs[500:]...)))
	check(t, s, evs, map[string]logger.Filter{"all, after redelivery": {}, "the changed copies": {UserID: "mallory"}})
}

// testRedeliveryReopen hands the last batches over again to the store
// opened anew, as a logger does after a crash: the store remembers what
// it holds across Close and Open.
func testRedeliveryReopen(t *testing.T, open Opener) {
	evs := Events(seed(t), 400)
	s, dir := filled(t, open, evs[:300])
	require.NoError(t, s.Close())
	s2, err := open(t, dir)
	require.NoError(t, err)
	defer s2.Close()
	require.NoError(t, s2.Write(context.Background(), evs[250:]))
	check(t, s2, evs, filters(evs))
}

// testConcurrentRedelivery has several writers hand over overlapping
// batches at once, as several processes delivering the same journal, or
// a sink retrying while another store handle writes: each event is kept
// once.
func testConcurrentRedelivery(t *testing.T, open Opener) {
	evs := Events(seed(t), 800)
	dir := t.TempDir()
	const writers = 4
	stores := make([]logger.Store, writers)
	for w := range stores {
		s, err := open(t, dir)
		require.NoError(t, err)
		t.Cleanup(func() { _ = s.Close() })
		stores[w] = s
	}
	var wg sync.WaitGroup
	errs := make([]error, writers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Writer w starts at its own offset and wraps around: every
			// event is written by every writer, in batches that overlap.
			for i := 0; i < len(evs) && errs[w] == nil; i += 40 {
				from := (i + w*len(evs)/writers) % len(evs)
				errs[w] = stores[w].Write(context.Background(), evs[from:min(from+60, len(evs))])
			}
		}()
	}
	wg.Wait()
	for w, err := range errs {
		require.NoError(t, err, "writer %d", w)
	}
	check(t, stores[0], evs, filters(evs))
}
