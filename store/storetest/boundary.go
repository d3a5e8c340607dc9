package storetest

import (
	"context"
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/logger"
)

// The first and last instants a logger.Event may hold: the years 1678 to
// 2262 of an int64 count of Unix nanoseconds.
var (
	firstInstant = time.Unix(0, math.MinInt64).UTC() // 1677-09-21T00:12:43.145224192Z
	lastInstant  = time.Unix(0, math.MaxInt64).UTC() // 2262-04-11T23:47:16.854775807Z
)

// utc is the instant of the given UTC date and time.
func utc(y int, mo time.Month, d, h, mi, s, ns int) time.Time {
	return time.Date(y, mo, d, h, mi, s, ns, time.UTC)
}

// boundaryTimes are instants at the edges of days: the last and first
// instants of days before and after 1970-01-01 (where a count of seconds
// changes sign), of a leap day, and of the first and last days of the
// allowed years, with those years' first and last instants; one is
// given in a zone east of UTC, on the UTC date before its own.
func boundaryTimes() []time.Time {
	return []time.Time{
		firstInstant,
		firstInstant.Add(time.Nanosecond),
		utc(1677, 9, 21, 23, 59, 59, 999999999),
		utc(1677, 9, 22, 0, 0, 0, 0),
		utc(1969, 12, 30, 23, 59, 59, 0),
		utc(1969, 12, 31, 0, 0, 0, 0),
		time.Date(1970, 1, 1, 1, 0, 0, 0, time.FixedZone("UTC+2", 2*3600)), // 1969-12-31T23:00Z
		utc(1969, 12, 31, 23, 59, 59, 0),
		utc(1969, 12, 31, 23, 59, 59, 999999999),
		utc(1970, 1, 1, 0, 0, 0, 0),
		utc(1970, 1, 1, 12, 0, 0, 0),
		utc(1970, 1, 1, 23, 59, 59, 0),
		utc(1970, 1, 2, 0, 0, 0, 0),
		utc(2000, 2, 29, 23, 59, 59, 0),
		utc(2000, 3, 1, 0, 0, 0, 0),
		utc(2262, 4, 10, 23, 59, 59, 0),
		utc(2262, 4, 11, 0, 0, 0, 0),
		lastInstant.Add(-time.Nanosecond),
		lastInstant,
	}
}

// boundaryEvents returns an event at each of boundaryTimes, in time
// order, with the other fields of Events.
func boundaryEvents() []logger.Event {
	times := boundaryTimes()
	evs := Events(20, len(times))
	for i := range evs {
		evs[i].ID = fmt.Sprintf("edge-%02d", i)
		evs[i].Time = times[i]
	}
	return evs
}

// testBoundaries saves, in one batch and in time order, events at the
// edges of days and of the allowed years, and checks Query and Count
// with bounds at, just before and just after each of them, over each
// UTC day, and beyond the allowed years; then DeleteBefore at such
// instants, one after another.
func testBoundaries(t *testing.T, open Opener) {
	evs := boundaryEvents()
	ctx := context.Background()
	newStore := func(t *testing.T) logger.Store {
		s, err := open(t, t.TempDir())
		require.NoError(t, err)
		t.Cleanup(func() { _ = s.Close() })
		require.NoError(t, s.Write(ctx, evs))
		return s
	}

	t.Run("Query and Count", func(t *testing.T) {
		s := newStore(t)
		fs := map[string]logger.Filter{
			"all":                           {},
			"all ascending":                 {Ascending: true},
			"1 January 1970":                {Since: utc(1970, 1, 1, 0, 0, 0, 0), Until: utc(1970, 1, 1, 23, 59, 59, 0)},
			"since 1 January 1970":          {Since: utc(1970, 1, 1, 0, 0, 0, 0)},
			"until the last second of 1969": {Until: utc(1969, 12, 31, 23, 59, 59, 0)},
			"since the year 1000":           {Since: utc(1000, 1, 1, 0, 0, 0, 0)},
			"until the year 1000":           {Until: utc(1000, 1, 1, 0, 0, 0, 0)},
			"since the year 3000":           {Since: utc(3000, 1, 1, 0, 0, 0, 0)},
			"until the year 3000":           {Until: utc(3000, 1, 1, 0, 0, 0, 0)},
			"the years 1000 to 3000":        {Since: utc(1000, 1, 1, 0, 0, 0, 0), Until: utc(3000, 1, 1, 0, 0, 0, 0), Ascending: true},
		}
		for i, ev := range evs {
			at := ev.Time
			fs[fmt.Sprintf("since %d %v", i, at)] = logger.Filter{Since: at}
			fs[fmt.Sprintf("until %d %v", i, at)] = logger.Filter{Until: at}
			fs[fmt.Sprintf("since just after %d %v", i, at)] = logger.Filter{Since: at.Add(time.Nanosecond)}
			fs[fmt.Sprintf("until just before %d %v", i, at)] = logger.Filter{Until: at.Add(-time.Nanosecond)}
			fs[fmt.Sprintf("only %d %v", i, at)] = logger.Filter{Since: at, Until: at}
			u := at.UTC()
			day := utc(u.Year(), u.Month(), u.Day(), 0, 0, 0, 0)
			fs["the UTC day "+day.Format(time.DateOnly)] = logger.Filter{Since: day, Until: day.AddDate(0, 0, 1).Add(-time.Nanosecond), Ascending: true}
		}
		check(t, s, evs, fs)
	})

	t.Run("DeleteBefore", func(t *testing.T) {
		s := newStore(t)
		kept := slices.Clone(evs)
		for _, cut := range []time.Time{
			utc(1000, 1, 1, 0, 0, 0, 0),
			firstInstant,
			firstInstant.Add(time.Nanosecond),
			utc(1677, 9, 22, 0, 0, 0, 0),
			utc(1969, 12, 31, 0, 0, 0, 0),
			utc(1969, 12, 31, 23, 59, 59, 500000000),
			utc(1970, 1, 1, 6, 0, 0, 0),
			utc(2262, 4, 11, 0, 0, 0, 0),
			lastInstant,
			utc(3000, 1, 1, 0, 0, 0, 0),
		} {
			before := len(kept)
			kept = slices.DeleteFunc(kept, func(ev logger.Event) bool { return ev.Time.Before(cut) })
			n, err := s.DeleteBefore(ctx, cut)
			require.NoError(t, err, "DeleteBefore %v", cut)
			require.Equal(t, before-len(kept), n, "removed before %v", cut)
			check(t, s, kept, map[string]logger.Filter{
				fmt.Sprintf("after DeleteBefore %v", cut):                       {Ascending: true},
				fmt.Sprintf("since 1 January 1970, after DeleteBefore %v", cut): {Since: utc(1970, 1, 1, 0, 0, 0, 0)},
			})
			n, err = s.DeleteBefore(ctx, cut)
			require.NoError(t, err)
			require.Zero(t, n, "a second DeleteBefore %v finds nothing", cut)
		}
		require.Empty(t, kept)
	})
}
