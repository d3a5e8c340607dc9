package report_test

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/internal/report"
	"github.com/auditlog/auditlog/logger"
)

var december = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

// daily returns one event at noon on each of the days of December 2026.
func daily(days ...int) []logger.Event {
	var evs []logger.Event
	for _, d := range days {
		evs = append(evs, logger.Event{Seq: uint64(d), Time: time.Date(2026, 12, d, 12, 0, 0, 0, time.UTC), Operation: logger.OpRecall, UserID: "alice"})
	}
	return evs
}

func page(t *testing.T, evs []logger.Event, month time.Time, o report.Options) string {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, report.Write(&b, evs, month, o))
	return b.String()
}

// A report made on December 5 does not flag December 6 to 31, which have
// not happened, nor the 5th, not over; a day before without events is a
// possible gap.
func TestDaysNotOverAreNotGaps(t *testing.T) {
	generated := time.Date(2026, 12, 5, 7, 0, 0, 0, time.UTC)
	o := report.Options{Generated: generated}
	r := report.Build(daily(1, 2, 4), december, o)
	require.Equal(t, []string{"2026-12-03"}, r.EmptyDays)
	require.Len(t, r.NotYet, 27, "the 5th to the 31st")
	require.Equal(t, "2026-12-05", r.NotYet[0])
	html := page(t, daily(1, 2, 4), december, o)
	require.Contains(t, html, "a possible gap in auditing: 2026-12-03.")
	require.Contains(t, html, "Not over when the report was made, so not judged: 2026-12-05 to 2026-12-31.")
	require.NotContains(t, html, "2026-12-06: no events")

	// An event on the day the report is made: the day is not judged, and
	// its bar is drawn.
	r = report.Build(daily(1, 2, 3, 4, 5), december, o)
	require.Empty(t, r.EmptyDays)
	require.Equal(t, "2026-12-06", r.NotYet[0])
	require.Contains(t, page(t, daily(1, 2, 3, 4, 5), december, o), "Every day of the period that was over when the report was made has events.")
}

// Days outside --since and --until are not gaps; with filters that
// select part of the trail, an empty day is not called a gap in auditing.
func TestDaysOutsideThePeriodAreNotGaps(t *testing.T) {
	o := report.Options{
		Generated: time.Date(2027, 2, 1, 0, 0, 0, 0, time.UTC),
		Since:     time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC),
		Until:     time.Date(2026, 12, 20, 12, 0, 0, 0, time.UTC),
	}
	r := report.Build(daily(3, 4, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19), december, o)
	require.Equal(t, []string{"2026-12-05"}, r.EmptyDays)
	require.Empty(t, r.NotYet)
	require.Len(t, r.Outside, 2+12, "the 1st and 2nd, the 20th (only half in the period) to the 31st")
	html := page(t, daily(3, 4, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19), december, o)
	require.Contains(t, html, "not judged: 2026-12-01 to 2026-12-02, 2026-12-20 to 2026-12-31.")

	o.Partial = true
	html = page(t, daily(3, 4, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19), december, o)
	require.NotContains(t, html, "possible gap")
	require.Contains(t, html, "Days without any event matching the filters")
}

// A user whose every deletion failed has no deletion; STORE and CREATE
// are counted apart.
func TestDeletionsAndStoresAsTheyHappened(t *testing.T) {
	var evs []logger.Event
	add := func(n int, op logger.Operation, st logger.Status) {
		for range n {
			evs = append(evs, logger.Event{Seq: uint64(len(evs) + 1), Time: december.Add(time.Duration(len(evs)) * time.Minute),
				Operation: op, Status: st, UserID: "eraser"})
		}
	}
	add(832, logger.OpForget, logger.StatusFailure)
	add(3, logger.OpForget, logger.StatusSuccess)
	add(1, logger.OpDelete, "") // no status: a success
	add(2, logger.OpForget, logger.StatusPartial)
	add(2, logger.OpStore, logger.StatusSuccess)
	add(5, logger.OpCreate, logger.StatusSuccess)
	add(1, logger.OpCreate, logger.StatusFailure)
	r := report.Build(evs, december, report.Options{})
	require.Len(t, r.PerUser, 1)
	u := r.PerUser[0]
	require.Equal(t, 4, u.Deletes, "only the deletions that succeeded")
	require.Equal(t, 2, u.DeletesPartial)
	require.Equal(t, 832, u.DeletesFailed)
	require.Equal(t, 2, u.Stores)
	require.Equal(t, 5, u.Creates)
	require.Equal(t, 833, u.Failures)
	html := page(t, evs, december, report.Options{})
	require.Regexp(t, `<th class="n">Stores</th><th class="n">Creates</th>`, html)
	require.Contains(t, html, `<td class="n">846</td><td class="n">2</td><td class="n">5</td><td class="n">0</td><td class="n">4</td><td class="n">2</td><td class="n">832</td><td class="n">833</td>`)
}

var failureRow = regexp.MustCompile(`<tr><td>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d</td>`)

func failures(n int) []logger.Event {
	evs := make([]logger.Event, n)
	for i := range evs {
		evs[i] = logger.Event{Seq: uint64(i + 1), Time: december.Add(time.Duration(i) * time.Minute), Operation: logger.OpStore,
			Status: logger.StatusFailure, UserID: "bob", ErrorMessage: "disk full"}
	}
	return evs
}

// Every failure is listed up to MaxFailures; past it, the page says how
// many of how many.
func TestEveryFailureListedOrCounted(t *testing.T) {
	html := page(t, failures(150), december, report.Options{})
	require.Len(t, failureRow.FindAllString(html, -1), 150)
	require.Contains(t, html, "All 150 failures, newest first.")

	n := report.MaxFailures + 500
	html = page(t, failures(n), december, report.Options{})
	require.Len(t, failureRow.FindAllString(html, -1), report.MaxFailures)
	require.Contains(t, html, "The 1000 most recent of 1500 failures")
}

// The provenance section says where the figures come from.
func TestProvenance(t *testing.T) {
	evs := daily(1, 2)
	evs = append(evs,
		logger.Event{Source: "web-1/agentd[4121]", Seq: 7, Time: december.Add(time.Hour), Operation: logger.OpStore},
		logger.Event{Source: "web-1/agentd[4121]", Seq: 42, Time: december.Add(2 * time.Hour), Operation: logger.OpStore},
		logger.Event{Source: "web-1/agentd[4121]", Seq: 9, Time: december.Add(3 * time.Hour), Operation: logger.OpStore},
		logger.Event{Source: "web-2/<b>", Seq: 3, Time: december.Add(4 * time.Hour), Operation: logger.OpStore})
	o := report.Options{
		Generated: time.Date(2027, 1, 2, 3, 4, 5, 0, time.UTC),
		Tool:      "auditlog v1.2.3",
		Filters:   []report.Filter{{Name: "--month", Value: "2026-12"}, {Name: "--user", Value: "alice"}},
		Inputs: []report.Input{
			{Name: "./audit_logs", Kind: "journal", Chain: "verified: 12 lines in 1 file, seq 1 to 12", ChainOK: true},
			{Name: "./forged", Kind: "journal", Chain: "BROKEN: 1 problem"},
		},
	}
	r := report.Build(evs, december, o)
	require.Equal(t, []report.Source{
		{Name: "", Events: 2, FirstSeq: 1, LastSeq: 2},
		{Name: "web-1/agentd[4121]", Events: 3, FirstSeq: 7, LastSeq: 42},
		{Name: "web-2/<b>", Events: 1, FirstSeq: 3, LastSeq: 3},
	}, r.Sources)
	html := page(t, evs, december, o)
	prov := html[strings.Index(html, `<section id="provenance">`):]
	for _, want := range []string{
		"<td>2027-01-02 03:04:05 UTC</td>", "auditlog v1.2.3", "--month 2026-12, --user alice",
		"./audit_logs</td><td>journal</td><td>verified: 12 lines in 1 file, seq 1 to 12</td>",
		`<td class="bad">BROKEN: 1 problem</td>`,
		`<td>web-1/agentd[4121]</td><td class="n">3</td><td class="n">7</td><td class="n">42</td>`,
		"web-2/&lt;b&gt;", "no signed checkpoint",
	} {
		require.Contains(t, prov, want)
	}
	o.Checkpoint = "tree size 12 signed by audit.example, key fingerprint 5b1e2c3a"
	require.Contains(t, page(t, evs, december, o), "tree size 12 signed by audit.example, key fingerprint 5b1e2c3a")
}
