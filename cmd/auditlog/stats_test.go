package main

import (
	"math"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/logger"
)

// modelStats computes, the plain way, what stats should report of evs.
func modelStats(evs []logger.Event) (byOp map[logger.Operation]*opRow, byUser map[string]*userRow, byStatus map[logger.Status]int64, perDay map[string]int64) {
	byOp, byUser = map[logger.Operation]*opRow{}, map[string]*userRow{}
	byStatus, perDay = map[logger.Status]int64{}, map[string]int64{}
	sums := map[logger.Operation]float64{}
	for _, ev := range evs {
		st := ev.Status
		if st == "" {
			st = logger.StatusSuccess
		}
		byStatus[st]++
		perDay[ev.Time.UTC().Format(time.DateOnly)]++
		o := byOp[ev.Operation]
		if o == nil {
			o = &opRow{Operation: ev.Operation, MinDurationMs: math.Inf(1)}
			byOp[ev.Operation] = o
		}
		o.Events++
		u := byUser[ev.UserID]
		if u == nil {
			u = &userRow{UserID: ev.UserID}
			byUser[ev.UserID] = u
		}
		u.Events++
		if st == logger.StatusFailure {
			o.Failures++
			u.Failures++
		}
		if ev.Time.After(u.LastActivity) {
			u.LastActivity = ev.Time
		}
		if ev.Duration > 0 {
			d := float64(ev.Duration) / 1e6
			o.WithDuration++
			sums[ev.Operation] += d
			o.MinDurationMs = math.Min(o.MinDurationMs, d)
			o.MaxDurationMs = math.Max(o.MaxDurationMs, d)
		}
	}
	for op, o := range byOp {
		if o.WithDuration > 0 {
			o.AvgDurationMs = sums[op] / float64(o.WithDuration)
		} else {
			o.MinDurationMs = 0
		}
	}
	return
}

// mostCommon returns the operation user did most often in evs, the
// first by name among ties.
func mostCommon(evs []logger.Event, user string) logger.Operation {
	n := map[logger.Operation]int{}
	for _, ev := range evs {
		if ev.UserID == user {
			n[ev.Operation]++
		}
	}
	var best logger.Operation
	for op, c := range n {
		if c > n[best] || c == n[best] && op < best {
			best = op
		}
	}
	return best
}

func TestStats(t *testing.T) {
	f := januaryFilter()
	f.Category = "DATA"
	evs := want(fix.events, f)
	r := decodeStats(t, runCLI(t, "stats", "audit_logs", "--since", "2026-01-01", "--until", "2026-01-31", "--category", "DATA", "--by", "user").ok(t).stdout)

	byOp, byUser, byStatus, perDay := modelStats(evs)
	require.EqualValues(t, len(evs), r.TotalEvents)
	require.InDelta(t, float64(byStatus[logger.StatusSuccess])/float64(len(evs)), r.SuccessRate, 1e-12)
	require.Equal(t, byStatus, r.ByStatus)
	require.Equal(t, evs[len(evs)-1].Time, *r.First, "the oldest event")
	require.Equal(t, evs[0].Time, *r.Last, "the newest event")

	require.Len(t, r.Operations, len(byOp))
	for i, o := range r.Operations {
		m := byOp[o.Operation]
		require.NotNil(t, m, o.Operation)
		require.Equal(t, m.Events, o.Events)
		require.Equal(t, m.Events, r.ByOperation[o.Operation])
		require.Equal(t, m.Failures, o.Failures)
		require.Equal(t, m.WithDuration, o.WithDuration)
		require.InDelta(t, m.AvgDurationMs, o.AvgDurationMs, 1e-9)
		require.InDelta(t, m.MinDurationMs, o.MinDurationMs, 1e-9)
		require.InDelta(t, m.MaxDurationMs, o.MaxDurationMs, 1e-9)
		if i > 0 {
			require.GreaterOrEqual(t, r.Operations[i-1].Events, o.Events, "most events first")
		}
	}

	require.Len(t, r.Users, len(byUser))
	for _, u := range r.Users {
		m := byUser[u.UserID]
		require.Equal(t, m.Events, u.Events, u.UserID)
		require.Equal(t, m.Failures, u.Failures, u.UserID)
		require.True(t, m.LastActivity.Equal(u.LastActivity), u.UserID)
		require.Equal(t, mostCommon(evs, u.UserID), u.MostCommonOperation, u.UserID)
	}

	// Percentiles come from a histogram of 16 buckets per power of two:
	// within 1/32 of the exact value, nearest rank.
	var durs []float64
	for _, ev := range evs {
		if ev.Duration > 0 {
			durs = append(durs, float64(ev.Duration)/1e6)
		}
	}
	slices.Sort(durs)
	require.Len(t, durs, int(r.WithDuration))
	for q, got := range map[float64]float64{0.50: r.P50DurationMs, 0.95: r.P95DurationMs, 0.99: r.P99DurationMs} {
		exact := durs[int(math.Ceil(q*float64(len(durs))))-1]
		require.InEpsilon(t, exact, got, 1.0/32, "P%.0f", 100*q)
	}

	require.Len(t, r.Days, 31)
	for i, d := range r.Days {
		require.Equal(t, january.AddDate(0, 0, i).Format(time.DateOnly), d.Date)
		require.Equal(t, perDay[d.Date], d.Events, d.Date)
	}
	require.Equal(t, emptyDays, r.EmptyDays)
}

// TestStatsDays: the days run from --since to now when only --since is
// given, and from the first event to the last without bounds.
func TestStatsDays(t *testing.T) {
	// The command reads the clock between before and after: a run across
	// midnight (UTC) ends on either day.
	before := time.Now().UTC()
	r := decodeStats(t, runCLI(t, "stats", "audit_logs", "--since", "3d").ok(t).stdout)
	after := time.Now().UTC()
	require.Contains(t, []string{before.Format(time.DateOnly), after.Format(time.DateOnly)}, r.Days[len(r.Days)-1].Date, "the days end today")
	require.Contains(t, []string{before.AddDate(0, 0, -3).Format(time.DateOnly), after.AddDate(0, 0, -3).Format(time.DateOnly)}, r.Days[0].Date, "and start 3 days before")
	require.Len(t, r.Days, 4)

	r = decodeStats(t, runCLI(t, "stats", "keyed_logs", "--user", "alice").ok(t).stdout)
	require.Equal(t, "2026-01-01", r.Days[0].Date)
	require.Empty(t, r.EmptyDays)
	require.Len(t, r.Users, 0, "no --by user")

	r = decodeStats(t, runCLI(t, "stats", "audit_logs", "--user", "nobody").ok(t).stdout)
	require.Zero(t, r.TotalEvents)
	require.Empty(t, r.Days)
	require.Nil(t, r.First)
}

// TestStatsTable: the tables, piped with --format table.
func TestStatsTable(t *testing.T) {
	out := runCLI(t, "stats", "audit_logs", "--since", "2026-01-01", "--until", "2026-01-31", "--op", "login", "--format", "table", "--by", "operation,user").ok(t).stdout
	evs := want(fix.events, logger.Filter{Since: january, Until: january.AddDate(0, 1, 0).Add(-1), Operation: logger.OpLogin})
	require.Regexp(t, `(?m)^Events +`+formatInt(len(evs))+` +\(`, out)
	require.Regexp(t, `(?m)^Success rate +\d+\.\d\d%$`, out)
	require.Regexp(t, `(?m)^Duration +avg \d+\.\d{3} ms, p50 \d+\.\d{3} ms, p95 \d+\.\d{3} ms, p99 \d+\.\d{3} ms +\(\d+ events with a duration\)$`, out)
	require.Regexp(t, `(?m)^LOGIN +`+formatInt(len(evs))+` +100\.0% +\d+ +\d+\.\d{3} +\d+\.\d{3} +\d+\.\d{3}$`, out)
	require.Regexp(t, `(?m)^USER +EVENTS`, out)
	require.Regexp(t, `(?m)^- +\d+ +\d+ +2026-01-`, out, "the system's events, without a user")
	require.Contains(t, out, "2 of 31 days without events: 2026-01-10, 2026-01-20\n")

	out = runCLI(t, "stats", "audit_logs", "--user", "nobody", "--format", "table").ok(t).stdout
	require.Regexp(t, `(?m)^Events +0$`, out)
	require.Regexp(t, `(?m)^Duration +- +\(no event carries one\)$`, out)
}

// TestStatsEveryDay: no day flagged when every day has events.
func TestStatsEveryDay(t *testing.T) {
	out := runCLI(t, "stats", "audit_logs", "--since", "2026-01-01", "--until", "2026-01-09", "--format", "table").ok(t).stdout
	require.Contains(t, out, "Every day of 9 has events.\n")
	days := decodeStats(t, runCLI(t, "stats", "audit_logs", "--since", "2026-01-01", "--until", "2026-01-09").ok(t).stdout).Days
	require.Len(t, days, 9)
	require.False(t, slices.ContainsFunc(days, func(d dayRow) bool { return d.Events == 0 }))
}

// Each instant counts on its own UTC date, before 1970 too, where a
// count of seconds rounds the wrong way if divided as it is.
func TestStatsDayAcrossTheEpoch(t *testing.T) {
	for _, tc := range []struct {
		at   time.Time
		date string
	}{
		{time.Date(1969, 12, 30, 23, 59, 59, 0, time.UTC), "1969-12-30"},
		{time.Date(1969, 12, 31, 0, 0, 0, 0, time.UTC), "1969-12-31"},
		{time.Date(1969, 12, 31, 23, 59, 59, 999999999, time.UTC), "1969-12-31"},
		{time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC), "1970-01-01"},
		{time.Date(1970, 1, 1, 12, 0, 0, 0, time.UTC), "1970-01-01"},
		{time.Date(1970, 1, 1, 1, 0, 0, 0, time.FixedZone("UTC+2", 2*3600)), "1969-12-31"},
		{time.Unix(0, -1<<63), "1677-09-21"},
		{time.Unix(0, 1<<63-1), "2262-04-11"},
	} {
		require.Equal(t, tc.date, dayDate(dayOf(tc.at)), "%v", tc.at)
	}
}
