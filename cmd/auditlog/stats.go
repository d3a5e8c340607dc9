package main

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/auditlog/auditlog/logger"
	"github.com/auditlog/auditlog/stats"
)

func newStats(a *app) *cobra.Command {
	var sel selectFlags
	var format string
	var by []string
	cmd := &cobra.Command{
		Use:   "stats SOURCE...",
		Short: "Statistics of the events that match the filters",
		Long: `Compute, over the events of the sources that match the filters, the figures
of logger.Statistics (events, success rate, average and percentile durations,
counts by status and by operation), the performance of each operation
(events, failures, average, minimum and maximum duration), and the number of
events of each day (UTC), with the days that have none flagged: gaps in
auditing. The days run from --since (or the first event) to --until (or the
last event; now when only --since is given).

--by user adds each user's events, failures, last activity and most common
operation; --by source, each instance's events, failures, first and last
event (an instance whose last event is old stopped auditing). Durations count
only events that carry one.

On a terminal the figures are tables; piped, one JSON object. --format
chooses: table or json.`,
		Example: examplesOf("stats"),
		Args:    sourceArgs,
		RunE: a.runE(func(_ *cobra.Command, args []string) error {
			f, err := sel.filter(a.now)
			if err != nil {
				return err
			}
			if format == "" {
				format = fmtJSON
				if a.stdoutTTY {
					format = fmtTable
				}
			}
			if err := checkFormat(format, []string{fmtTable, fmtJSON}); err != nil {
				return err
			}
			byUser, bySource := false, false
			for _, b := range by {
				switch b {
				case "user":
					byUser = true
				case "source":
					bySource = true
				case "operation":
				default:
					return usageErrorf("invalid --by %q: want operation, user or source", b)
				}
			}
			srcs, err := openSources(args)
			if err != nil {
				return err
			}
			agg := newAggregate(byUser, bySource)
			prog := newProgress(a, srcs)
			err = scan(a.ctx, srcs, f, 0, false, prog, a.warn, func(ms []match) error {
				for i := range ms {
					agg.add(&ms[i].ev)
				}
				return nil
			})
			if err != nil {
				prog.stop()
				return err
			}
			prog.finish()
			r := agg.report(f, a.now)
			if format == fmtJSON {
				enc := json.NewEncoder(a.stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(r)
			}
			return r.writeTable(a.stdout)
		}),
	}
	sel.add(cmd.Flags(), false)
	cmd.Flags().StringVar(&format, "format", "", "table or json (default: table on a terminal, json otherwise)")
	cmd.Flags().StringSliceVar(&by, "by", []string{"operation"}, "breakdowns: operation (always shown), user, source")
	return cmd
}

// aggregate accumulates the statistics of a stream of events.
type aggregate struct {
	c           *stats.Counters[logger.Operation, logger.Status]
	ops         map[logger.Operation]*opAgg
	users       map[string]*userAgg   // nil without --by user
	sources     map[string]*sourceAgg // nil without --by source
	days        map[int64]int64       // events by day, as days since 1970-01-01 UTC
	first, last time.Time
}

type opAgg struct {
	events, failures int64
	durCount         int64
	durSum           time.Duration
	durMin, durMax   time.Duration
}

type sourceAgg struct {
	events, failures int64
	first, last      time.Time
}

type userAgg struct {
	events, failures int64
	last             time.Time
	byOp             map[logger.Operation]int64
}

func newAggregate(byUser, bySource bool) *aggregate {
	g := &aggregate{
		c:    stats.NewCounters[logger.Operation, logger.Status](),
		ops:  map[logger.Operation]*opAgg{},
		days: map[int64]int64{},
	}
	if byUser {
		g.users = map[string]*userAgg{}
	}
	if bySource {
		g.sources = map[string]*sourceAgg{}
	}
	return g
}

func (g *aggregate) add(ev *logger.Event) {
	st := ev.Status
	if st == "" {
		st = logger.StatusSuccess
	}
	failed := st == logger.StatusFailure
	g.c.Add(stats.Sample[logger.Operation, logger.Status]{
		Operation: ev.Operation, Status: st, User: ev.UserID,
		UnixNano: ev.Time.UnixNano(), Duration: int64(ev.Duration),
		Success: st == logger.StatusSuccess, Failure: failed,
	})
	o := g.ops[ev.Operation]
	if o == nil {
		o = &opAgg{}
		g.ops[ev.Operation] = o
	}
	o.events++
	if failed {
		o.failures++
	}
	if d := ev.Duration; d > 0 {
		if o.durCount == 0 || d < o.durMin {
			o.durMin = d
		}
		o.durMax = max(o.durMax, d)
		o.durCount++
		o.durSum += d
	}
	if g.users != nil {
		u := g.users[ev.UserID]
		if u == nil {
			u = &userAgg{byOp: map[logger.Operation]int64{}}
			g.users[ev.UserID] = u
		}
		u.events++
		if failed {
			u.failures++
		}
		if ev.Time.After(u.last) {
			u.last = ev.Time
		}
		u.byOp[ev.Operation]++
	}
	if g.sources != nil {
		s := g.sources[ev.Source]
		if s == nil {
			s = &sourceAgg{first: ev.Time, last: ev.Time}
			g.sources[ev.Source] = s
		}
		s.events++
		if failed {
			s.failures++
		}
		if ev.Time.Before(s.first) {
			s.first = ev.Time
		}
		if ev.Time.After(s.last) {
			s.last = ev.Time
		}
	}
	g.days[dayOf(ev.Time)]++
	if g.first.IsZero() || ev.Time.Before(g.first) {
		g.first = ev.Time
	}
	if ev.Time.After(g.last) {
		g.last = ev.Time
	}
}

// dayOf is the UTC day of t, counted from 1970-01-01.
func dayOf(t time.Time) int64 {
	s := t.Unix()
	d := s / 86400
	if s < 0 && s%86400 != 0 {
		d--
	}
	return d
}

func dayDate(d int64) string {
	return time.Unix(d*86400, 0).UTC().Format(time.DateOnly)
}

// statsReport is what stats prints; its JSON keys follow the journal's
// style and logger.Stats' names.
type statsReport struct {
	TotalEvents   int64                      `json:"total_events"`
	First         *time.Time                 `json:"first,omitempty"`
	Last          *time.Time                 `json:"last,omitempty"`
	SuccessRate   float64                    `json:"success_rate"`
	WithDuration  int64                      `json:"events_with_duration"`
	AvgDurationMs float64                    `json:"avg_duration_ms"`
	P50DurationMs float64                    `json:"p50_duration_ms"`
	P95DurationMs float64                    `json:"p95_duration_ms"`
	P99DurationMs float64                    `json:"p99_duration_ms"`
	ByStatus      map[logger.Status]int64    `json:"by_status"`
	ByOperation   map[logger.Operation]int64 `json:"by_operation"`
	Operations    []opRow                    `json:"operations"`
	Users         []userRow                  `json:"users,omitempty"`
	Sources       []sourceRow                `json:"sources,omitempty"`
	Days          []dayRow                   `json:"days"`
	EmptyDays     []string                   `json:"days_without_events"`
}

type opRow struct {
	Operation     logger.Operation `json:"operation"`
	Events        int64            `json:"events"`
	Failures      int64            `json:"failures"`
	WithDuration  int64            `json:"events_with_duration"`
	AvgDurationMs float64          `json:"avg_duration_ms"`
	MinDurationMs float64          `json:"min_duration_ms"`
	MaxDurationMs float64          `json:"max_duration_ms"`
}

type userRow struct {
	UserID              string           `json:"user_id"`
	Events              int64            `json:"events"`
	Failures            int64            `json:"failures"`
	LastActivity        time.Time        `json:"last_activity"`
	MostCommonOperation logger.Operation `json:"most_common_operation"`
}

type sourceRow struct {
	Source   string    `json:"source"`
	Events   int64     `json:"events"`
	Failures int64     `json:"failures"`
	First    time.Time `json:"first"`
	Last     time.Time `json:"last"`
}

type dayRow struct {
	Date   string `json:"date"`
	Events int64  `json:"events"`
}

// maxDays bounds the days listed from the time bounds; a longer span
// lists the days from the first event to the last.
const maxDays = 3660

func (g *aggregate) report(f logger.Filter, now time.Time) *statsReport {
	sum := g.c.Summary()
	r := &statsReport{
		TotalEvents: sum.Total, WithDuration: sum.DurationCount,
		P50DurationMs: ms(time.Duration(sum.P50)), P95DurationMs: ms(time.Duration(sum.P95)), P99DurationMs: ms(time.Duration(sum.P99)),
		ByStatus: sum.ByStatus, ByOperation: sum.ByOperation,
		Operations: []opRow{}, Days: []dayRow{}, EmptyDays: []string{},
	}
	if sum.Total > 0 {
		r.SuccessRate = float64(sum.Success) / float64(sum.Total)
		r.First, r.Last = &g.first, &g.last
	}
	if sum.DurationCount > 0 {
		r.AvgDurationMs = float64(sum.DurationSum) / float64(sum.DurationCount) / 1e6
	}
	for op, o := range g.ops {
		row := opRow{Operation: op, Events: o.events, Failures: o.failures, WithDuration: o.durCount,
			MinDurationMs: ms(o.durMin), MaxDurationMs: ms(o.durMax)}
		if o.durCount > 0 {
			row.AvgDurationMs = ms(o.durSum) / float64(o.durCount)
		}
		r.Operations = append(r.Operations, row)
	}
	slices.SortFunc(r.Operations, func(a, b opRow) int {
		return cmp.Or(cmp.Compare(b.Events, a.Events), cmp.Compare(a.Operation, b.Operation))
	})
	for id, u := range g.users {
		row := userRow{UserID: id, Events: u.events, Failures: u.failures, LastActivity: u.last}
		var best int64
		for op, n := range u.byOp {
			if n > best || n == best && op < row.MostCommonOperation {
				row.MostCommonOperation, best = op, n
			}
		}
		r.Users = append(r.Users, row)
	}
	slices.SortFunc(r.Users, func(a, b userRow) int {
		return cmp.Or(cmp.Compare(b.Events, a.Events), cmp.Compare(a.UserID, b.UserID))
	})

	for src, s := range g.sources {
		r.Sources = append(r.Sources, sourceRow{Source: src, Events: s.events, Failures: s.failures, First: s.first, Last: s.last})
	}
	slices.SortFunc(r.Sources, func(a, b sourceRow) int { return cmp.Compare(a.Source, b.Source) })

	// The days: from the bounds asked for, else from the events.
	from, to := dayOf(g.first), dayOf(g.last)
	bounded := false // the days come from --since (and --until)
	if !f.Since.IsZero() {
		until := now
		if !f.Until.IsZero() {
			until = f.Until
		}
		if s, u := dayOf(f.Since), dayOf(until); u >= s && u-s < maxDays {
			from, to, bounded = s, u, true
		}
	} else if !f.Until.IsZero() && sum.Total > 0 && dayOf(f.Until) >= from && dayOf(f.Until)-from < maxDays {
		to = dayOf(f.Until)
	}
	if sum.Total > 0 || bounded { // no events and no usable bounds: no days
		for d := from; d <= to; d++ {
			n := g.days[d]
			r.Days = append(r.Days, dayRow{Date: dayDate(d), Events: n})
			if n == 0 {
				r.EmptyDays = append(r.EmptyDays, dayDate(d))
			}
		}
	}
	return r
}

func ms(d time.Duration) float64 { return float64(d) / 1e6 }

// writeTable writes the report for people.
func (r *statsReport) writeTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	p := func(format string, args ...any) { fmt.Fprintf(tw, format, args...) }
	if r.TotalEvents == 0 {
		p("Events\t0\n")
	} else {
		p("Events\t%d\t(%s to %s)\n", r.TotalEvents, r.First.UTC().Format(time.RFC3339), r.Last.UTC().Format(time.RFC3339))
	}
	p("Success rate\t%.2f%%\n", 100*r.SuccessRate)
	if r.WithDuration > 0 {
		p("Duration\tavg %s, p50 %s, p95 %s, p99 %s\t(%d events with a duration)\n",
			fmtMs(r.AvgDurationMs), fmtMs(r.P50DurationMs), fmtMs(r.P95DurationMs), fmtMs(r.P99DurationMs), r.WithDuration)
	} else {
		p("Duration\t-\t(no event carries one)\n")
	}
	var st []string
	for _, s := range []logger.Status{logger.StatusSuccess, logger.StatusFailure, logger.StatusPartial} {
		st = append(st, fmt.Sprintf("%s %d", s, r.ByStatus[s]))
	}
	p("By status\t%s\n", strings.Join(st, ", "))
	if err := tw.Flush(); err != nil {
		return err
	}

	if len(r.Operations) > 0 {
		fmt.Fprintln(tw)
		p("OPERATION\tEVENTS\tSHARE\tFAILURES\tAVG MS\tMIN MS\tMAX MS\n")
		for _, o := range r.Operations {
			p("%s\t%d\t%.1f%%\t%d\t%s\t%s\t%s\n", cell(string(o.Operation), 40), o.Events, 100*float64(o.Events)/float64(r.TotalEvents),
				o.Failures, durCell(o.WithDuration, o.AvgDurationMs), durCell(o.WithDuration, o.MinDurationMs), durCell(o.WithDuration, o.MaxDurationMs))
		}
	}
	if len(r.Users) > 0 {
		fmt.Fprintln(tw)
		p("USER\tEVENTS\tFAILURES\tLAST ACTIVITY\tMOST COMMON\n")
		for _, u := range r.Users {
			p("%s\t%d\t%d\t%s\t%s\n", orDash(cell(u.UserID, 40)), u.Events, u.Failures, u.LastActivity.UTC().Format(time.RFC3339), cell(string(u.MostCommonOperation), 40))
		}
	}
	if len(r.Sources) > 0 {
		fmt.Fprintln(tw)
		p("SOURCE\tEVENTS\tFAILURES\tFIRST\tLAST\n")
		for _, s := range r.Sources {
			p("%s\t%d\t%d\t%s\t%s\n", orDash(cell(s.Source, 60)), s.Events, s.Failures, s.First.UTC().Format(time.RFC3339), s.Last.UTC().Format(time.RFC3339))
		}
	}
	if len(r.Days) > 0 {
		fmt.Fprintln(tw)
		p("DAY\tEVENTS\t\n")
		for _, d := range r.Days {
			mark := ""
			if d.Events == 0 {
				mark = "no events"
			}
			p("%s\t%d\t%s\n", d.Date, d.Events, mark)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		if n := len(r.EmptyDays); n > 0 {
			fmt.Fprintf(w, "\n%d of %d days without events: %s\n", n, len(r.Days), strings.Join(r.EmptyDays, ", "))
		} else {
			fmt.Fprintf(w, "\nEvery day of %d has events.\n", len(r.Days))
		}
	}
	return tw.Flush()
}

func fmtMs(v float64) string { return fmt.Sprintf("%.3f ms", v) }

func durCell(n int64, v float64) string {
	if n == 0 {
		return "-"
	}
	return fmt.Sprintf("%.3f", v)
}
