package logger_test

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/logger"
)

// The randomised test: random events go into a small ring, which rotates
// many times, and into a brute-force model of it; random filters must get
// the same answer from both.

var (
	modelUsers      = []string{"", "u0", "u1", "u2", "u3", "u4", "u5", "u6", "u7"}
	modelOps        = []logger.Operation{logger.OpRead, logger.OpUpdate, logger.OpCreate, logger.OpDelete, logger.OpLogin, "X.CUSTOM"}
	modelStatuses   = []logger.Status{"", logger.StatusSuccess, logger.StatusFailure, logger.StatusPartial}
	modelCategories = []string{"", "DATA", "AUTH", "ADMIN"}
	modelResTypes   = []string{"", "doc", "memory"}
	modelRuns       = []string{"", "run0", "run1", "run2", "run3"}
	modelSessions   = []string{"", "s0", "s1", "s2", "s3", "s4"}
)

func modelResID(rng *rand.Rand) string {
	if rng.IntN(5) == 0 {
		return ""
	}
	return "r" + strconv.Itoa(rng.IntN(12))
}

func modelEntry(rng *rand.Rand) string { return "e" + strconv.Itoa(rng.IntN(15)) }

func pick[T any](rng *rand.Rand, s []T) T { return s[rng.IntN(len(s))] }

// model is the brute-force twin of a logger: the ring as a slice of the
// last max events in Seq order, and the all-time counters.
type model struct {
	max     int
	nextSeq uint64
	ring    []logger.Event
	total   int64
	byOp    map[logger.Operation]int64
	byStat  map[logger.Status]int64
	users   map[string]*modelUser
}

type modelUser struct {
	total, failures int64
	last            time.Time
	byOp            map[logger.Operation]int64
}

func newModel(max int) *model {
	return &model{max: max, nextSeq: 1, byOp: map[logger.Operation]int64{}, byStat: map[logger.Status]int64{}, users: map[string]*modelUser{}}
}

// add applies ev as the logger does once Log accepted it.
func (m *model) add(ev logger.Event) {
	ev.Seq = m.nextSeq
	m.nextSeq++
	if ev.Status == "" {
		ev.Status = logger.StatusSuccess
	}
	ev.Time = ev.Time.UTC()
	m.ring = append(m.ring, ev)
	if len(m.ring) > m.max {
		m.ring = slices.Delete(m.ring, 0, 1)
	}
	m.total++
	m.byOp[ev.Operation]++
	m.byStat[ev.Status]++
	if ev.UserID != "" {
		u := m.users[ev.UserID]
		if u == nil {
			u = &modelUser{byOp: map[logger.Operation]int64{}, last: ev.Time}
			m.users[ev.UserID] = u
		}
		u.total++
		if ev.Status == logger.StatusFailure {
			u.failures++
		}
		if ev.Time.After(u.last) {
			u.last = ev.Time
		}
		u.byOp[ev.Operation]++
	}
}

func matches(f *logger.Filter, ev *logger.Event) bool {
	switch {
	case f.UserID != "" && ev.UserID != f.UserID,
		f.SessionID != "" && ev.SessionID != f.SessionID,
		f.Operation != "" && ev.Operation != f.Operation,
		f.Status != "" && ev.Status != f.Status,
		f.Category != "" && ev.Category != f.Category,
		f.ResourceType != "" && ev.ResourceType != f.ResourceType,
		f.ResourceID != "" && ev.ResourceID != f.ResourceID,
		f.RunID != "" && ev.RunID != f.RunID,
		!f.Since.IsZero() && ev.Time.Before(f.Since),
		!f.Until.IsZero() && ev.Time.After(f.Until):
		return false
	}
	if len(f.EntryIDs) > 0 {
		for _, want := range f.EntryIDs {
			if slices.Contains(ev.EntryIDs, want) {
				return true
			}
		}
		return false
	}
	return true
}

// query is Query by brute force: filter, sort by (Time, Seq), direction,
// offset, limit. It also returns every match, in (Time, Seq) order.
func (m *model) query(f logger.Filter) (page, all []logger.Event) {
	for i := range m.ring {
		if matches(&f, &m.ring[i]) {
			all = append(all, m.ring[i])
		}
	}
	slices.SortFunc(all, func(a, b logger.Event) int {
		if c := a.Time.Compare(b.Time); c != 0 {
			return c
		}
		return cmp.Compare(a.Seq, b.Seq)
	})
	page = slices.Clone(all)
	if !f.Ascending {
		slices.Reverse(page)
	}
	off := max(f.Offset, 0)
	if off >= len(page) {
		return nil, all
	}
	page = page[off:]
	if f.Limit > 0 && f.Limit < len(page) {
		page = page[:f.Limit]
	}
	return page, all
}

// comparableEvent is the part of an event compared between logger and model.
type comparableEvent struct {
	ID                                               string
	Seq                                              uint64
	UnixNano                                         int64
	Operation                                        logger.Operation
	Status                                           logger.Status
	UserID, SessionID, Category, ResourceType, ResID string
	RunID                                            string
	EntryIDs                                         []string
	Duration                                         time.Duration
	Description                                      string
}

// view returns the comparable part of evs; an ID the logger assigned (the
// model's is empty) shows as "<v7>" when it is a UUIDv7.
func view(evs []logger.Event, modelIDs map[uint64]string) []comparableEvent {
	out := make([]comparableEvent, len(evs))
	for i, ev := range evs {
		id := ev.ID
		if modelIDs != nil && modelIDs[ev.Seq] == "" && isUUIDv7(id) {
			id = "<v7>"
		}
		if modelIDs == nil && id == "" {
			id = "<v7>"
		}
		out[i] = comparableEvent{
			ID: id, Seq: ev.Seq, UnixNano: ev.Time.UnixNano(), Operation: ev.Operation, Status: ev.Status,
			UserID: ev.UserID, SessionID: ev.SessionID, Category: ev.Category, ResourceType: ev.ResourceType,
			ResID: ev.ResourceID, RunID: ev.RunID, EntryIDs: ev.EntryIDs, Duration: ev.Duration, Description: ev.Description,
		}
	}
	return out
}

func modelSeed(t *testing.T) int64 {
	seed := time.Now().UnixNano()
	if s := os.Getenv("AUDITLOG_SEED"); s != "" {
		var err error
		seed, err = strconv.ParseInt(s, 10, 64)
		require.NoError(t, err, "AUDITLOG_SEED")
	}
	t.Logf("seed %d (rerun with AUDITLOG_SEED=%d)", seed, seed)
	return seed
}

// eventGen makes random events whose times are mostly increasing,
// sometimes equal to the previous one, sometimes earlier (late).
type eventGen struct {
	rng   *rand.Rand
	clock *fakeClock
	cur   time.Time // the latest time handed out
	n     int
}

func (g *eventGen) next() logger.Event {
	rng := g.rng
	g.n++
	ev := logger.Event{
		Operation:    pick(rng, modelOps),
		Status:       pick(rng, modelStatuses),
		Category:     pick(rng, modelCategories),
		UserID:       pick(rng, modelUsers),
		SessionID:    pick(rng, modelSessions),
		ResourceType: pick(rng, modelResTypes),
		ResourceID:   modelResID(rng),
		RunID:        pick(rng, modelRuns),
	}
	for range rng.IntN(4) {
		ev.EntryIDs = append(ev.EntryIDs, modelEntry(rng))
	}
	if rng.IntN(3) == 0 {
		ev.Duration = time.Duration(rng.Int64N(int64(2 * time.Second)))
	}
	switch rng.IntN(10) {
	case 0:
		ev.ID = fmt.Sprint("custom-", g.n)
	case 1:
		var u uuid.UUID
		for i := range u {
			u[i] = byte(rng.Uint32())
		}
		ev.ID = u.String()
	}
	if rng.IntN(8) == 0 {
		ev.Description = fmt.Sprint("event ", g.n)
	}
	switch r := rng.IntN(100); {
	case r < 12: // the same time as the previous one
		ev.Time = g.cur
	case r < 24: // late, by up to 300ms
		ev.Time = g.cur.Add(-time.Duration(rng.Int64N(int64(300 * time.Millisecond))))
	case r < 30: // stamped by Log with the clock, which shows cur
		ev.Time = time.Time{}
	default:
		g.cur = g.cur.Add(time.Duration(1 + rng.Int64N(int64(3*time.Millisecond))))
		ev.Time = g.cur
	}
	g.clock.Set(g.cur)
	return ev
}

func randomFilter(rng *rand.Rand, m *model, first, last time.Time) logger.Filter {
	var f logger.Filter
	p := func(n int) bool { return rng.IntN(n) == 0 }
	if p(4) {
		f.UserID = pick(rng, modelUsers[1:])
		if p(20) {
			f.UserID = "u-unknown"
		}
	}
	if p(6) {
		f.SessionID = pick(rng, modelSessions[1:])
	}
	if p(5) {
		f.Operation = pick(rng, modelOps)
		if p(20) {
			f.Operation = "read" // no event carries it
		}
	}
	if p(5) {
		f.Status = pick(rng, modelStatuses[1:])
	}
	if p(6) {
		f.Category = pick(rng, modelCategories[1:])
	}
	if p(6) {
		f.ResourceType = pick(rng, modelResTypes[1:])
	}
	if p(6) {
		f.ResourceID = "r" + strconv.Itoa(rng.IntN(13))
	}
	if p(6) {
		f.RunID = pick(rng, modelRuns[1:])
	}
	if p(5) {
		for range 1 + rng.IntN(3) {
			f.EntryIDs = append(f.EntryIDs, modelEntry(rng))
		}
		if p(10) {
			f.EntryIDs = append(f.EntryIDs, "e-unknown")
		}
	}
	randTime := func() time.Time {
		if len(m.ring) > 0 && p(2) {
			return m.ring[rng.IntN(len(m.ring))].Time // exactly an event's time: inclusive bounds
		}
		span := last.Sub(first) + 20*time.Millisecond
		return first.Add(-10*time.Millisecond + time.Duration(rng.Int64N(int64(span))))
	}
	if p(3) {
		f.Since = randTime()
	}
	if p(3) {
		f.Until = randTime()
	}
	if !f.Since.IsZero() && !f.Until.IsZero() && f.Since.After(f.Until) && !p(5) {
		f.Since, f.Until = f.Until, f.Since
	}
	if p(2) {
		f.Limit = rng.IntN(25) - 3
	}
	if p(2) {
		f.Offset = rng.IntN(40) - 3
	}
	f.Ascending = p(2)
	return f
}

func statsByOp(evs []logger.Event) (map[logger.Operation]int64, map[logger.Status]int64, int64, int64, time.Duration) {
	byOp := map[logger.Operation]int64{}
	byStat := map[logger.Status]int64{}
	var success, durN int64
	var durSum time.Duration
	for _, ev := range evs {
		byOp[ev.Operation]++
		byStat[ev.Status]++
		if ev.Status == logger.StatusSuccess {
			success++
		}
		if ev.Duration > 0 {
			durN++
			durSum += ev.Duration
		}
	}
	return byOp, byStat, success, durN, durSum
}

// nonZero drops the zero counts, so that maps compare by content.
func nonZero[K comparable](m map[K]int64) map[K]int64 {
	out := map[K]int64{}
	for k, v := range m {
		if v != 0 {
			out[k] = v
		}
	}
	return out
}

func TestModelRandomised(t *testing.T) {
	seed := modelSeed(t)
	rng := rand.New(rand.NewPCG(uint64(seed), uint64(seed)>>32|1))
	const (
		maxEvents = 300
		rounds    = 60
	)
	start := time.Date(2024, 7, 1, 0, 0, 0, 0, time.UTC)
	clock := newClock(start)
	gen := &eventGen{rng: rng, clock: clock, cur: start}
	l := newLogger(t, logger.Options{MaxEvents: maxEvents, QueueSize: 1 + rng.IntN(32), Now: clock.Now})
	m := newModel(maxEvents)
	modelIDs := map[uint64]string{}
	ctx := context.Background()
	filters := 0
	for round := range rounds {
		// Log a burst, singly or in batches.
		for n := 1 + rng.IntN(200); n > 0; {
			if rng.IntN(4) == 0 {
				k := min(n, 1+rng.IntN(20))
				batch := make([]logger.Event, k)
				for i := range batch {
					batch[i] = gen.next()
				}
				require.NoError(t, l.LogBatch(ctx, batch))
				for _, ev := range batch {
					if ev.Time.IsZero() {
						ev.Time = clock.Now()
					}
					modelIDs[m.nextSeq] = ev.ID
					m.add(ev)
				}
				n -= k
				continue
			}
			ev := gen.next()
			require.NoError(t, l.Log(ctx, ev))
			if ev.Time.IsZero() {
				ev.Time = clock.Now()
			}
			modelIDs[m.nextSeq] = ev.ID
			m.add(ev)
			n--
		}
		msg := func(f logger.Filter) string {
			return fmt.Sprintf("seed %d, round %d, filter %+v", seed, round, f)
		}

		// The whole ring.
		first, last := m.ring[0].Time, m.ring[0].Time
		for _, ev := range m.ring {
			if ev.Time.Before(first) {
				first = ev.Time
			}
			if ev.Time.After(last) {
				last = ev.Time
			}
		}
		wantAll, _ := m.query(logger.Filter{Ascending: true})
		require.Equal(t, view(wantAll, nil), view(l.Query(logger.Filter{Ascending: true}), modelIDs), "seed %d, round %d: the whole ring", seed, round)

		for range 60 {
			f := randomFilter(rng, m, first, last)
			filters++
			wantPage, all := m.query(f)
			got := l.Query(f)
			require.Equal(t, view(wantPage, nil), view(got, modelIDs), msg(f))
			require.Equal(t, len(all), l.Count(f), "Count: "+msg(f))

			st := l.StatisticsFor(f)
			byOp, byStat, success, durN, durSum := statsByOp(all)
			require.Equal(t, int64(len(all)), st.TotalEvents, "StatisticsFor: "+msg(f))
			require.Equal(t, int64(len(all)), st.EventsInMemory, "StatisticsFor: "+msg(f))
			require.Equal(t, byOp, nonZero(st.ByOperation), "StatisticsFor: "+msg(f))
			require.Equal(t, byStat, nonZero(st.ByStatus), "StatisticsFor: "+msg(f))
			if len(all) == 0 {
				require.Zero(t, st.SuccessRate)
			} else {
				require.InDelta(t, float64(success)/float64(len(all)), st.SuccessRate, 1e-12, "StatisticsFor: "+msg(f))
			}
			if durN == 0 {
				require.Zero(t, st.AvgDurationMs)
			} else {
				require.InDelta(t, float64(durSum)/float64(durN)/1e6, st.AvgDurationMs, 1e-9, "StatisticsFor: "+msg(f))
			}
		}

		// The all-time figures.
		s := l.Statistics()
		require.Equal(t, m.total, s.TotalEvents, "seed %d, round %d", seed, round)
		require.Equal(t, int64(len(m.ring)), s.EventsInMemory)
		require.Equal(t, m.total-int64(len(m.ring)), s.Evicted)
		require.Equal(t, nonZero(m.byOp), nonZero(s.ByOperation))
		require.Equal(t, nonZero(m.byStat), nonZero(s.ByStatus))
		for id, u := range m.users {
			us := l.UserStatistics(id)
			require.Equal(t, id, us.UserID)
			require.Equal(t, u.total, us.TotalOperations, "seed %d, user %s", seed, id)
			require.Equal(t, u.failures, us.Failures, "seed %d, user %s", seed, id)
			require.True(t, u.last.Equal(us.LastActivity), "seed %d, user %s: LastActivity %v, want %v", seed, id, us.LastActivity, u.last)
			require.Equal(t, nonZero(u.byOp), nonZero(us.ByOperation))
			var best logger.Operation
			for op, n := range u.byOp {
				if n > u.byOp[best] || n == u.byOp[best] && op < best {
					best = op
				}
			}
			require.Equal(t, best, us.MostCommonOperation, "seed %d, user %s: %v", seed, id, u.byOp)
		}
	}
	require.Greater(t, m.total, int64(10*maxEvents), "the ring rotated many times")
	t.Logf("%d events, %d filters checked", m.total, filters)
}
