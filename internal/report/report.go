package report

import (
	"cmp"
	"embed"
	"fmt"
	"html/template"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/auditlog/auditlog/internal/printable"
	"github.com/auditlog/auditlog/logger"
)

//go:embed report.html.tmpl
var files embed.FS

var page = template.Must(template.New("report.html.tmpl").Funcs(template.FuncMap{
	"barColour":   func() template.CSS { return BarColour },
	"emptyColour": func() template.CSS { return EmptyColour },
	"text":        func(s any) string { return printable.String(fmt.Sprint(s)) },
	"dates":       dateRuns,
	"pct": func(part, whole int) string {
		if whole == 0 {
			return "–"
		}
		return fmt.Sprintf("%.1f %%", 100*float64(part)/float64(whole))
	},
}).ParseFS(files, "report.html.tmpl"))

// MaxFailures is how many failures the report lists, newest first; the
// page says how many there are in all when there are more.
const MaxFailures = 1000

// Options say when the report was made, from what and by what: the
// provenance section shows them, and the per-day section uses them to
// tell a day without events from a day not yet over or outside the
// period.
type Options struct {
	// Generated is when the report is made; a day that has not ended by
	// then is never a gap. Zero means the month is over.
	Generated time.Time
	// Since and Until bound the period the events were selected from
	// (zero: the month's start, its end). A day outside it is not a gap.
	Since, Until time.Time
	// Tool names the program and its version.
	Tool string
	// Filters are the filters the events were selected with, as given.
	Filters []Filter
	// Partial reports that the filters select part of the trail (a user,
	// an operation...): a day without matching events is then no sign of
	// a gap in auditing.
	Partial bool
	// Inputs are where the events came from, with their chain's status.
	Inputs []Input
	// Checkpoint says what checking the journals against their signed
	// checkpoints found, with the key's name and hash; empty means none
	// was checked, and the page says "no signed checkpoint".
	// CheckpointOK is true when every journal matched its checkpoints.
	Checkpoint   string
	CheckpointOK bool
}

// Filter is one filter of the selection: a flag and its value.
type Filter struct {
	Name, Value string
}

// Input is one source the events were read from: Kind is "journal",
// "file" or "store"; Chain is the status of its hash chain, and ChainOK
// whether it verified.
type Input struct {
	Name, Kind, Chain string
	ChainOK           bool
}

// Report is what the page shows, computed from the month's events.
type Report struct {
	Month            string // "January 2026"
	Events, Failures int
	Users            int
	Days             []Day
	EmptyDays        []string // days over, in the period, without events
	NotYet           []string // days not over when the report was made
	Outside          []string // days outside the period selected
	Partial          bool
	Operations       []Count
	PerUser          []User
	FailureList      []logger.Event
	FailuresShown    int
	Sources          []Source
	Options          Options
	GeneratedText    string
	Charts           Charts
}

// Day is the number of events of one day of the month. NotYet marks a
// day not over when the report was made, Outside one outside the period
// selected: neither is a gap.
type Day struct {
	Date            string // 2026-01-15
	Label           string // 15
	Events          int
	NotYet, Outside bool
}

// Count is the number of events of one operation.
type Count struct {
	Name string
	N    int
}

// User is one user's activity in the month. Stores, Creates, Recalls
// (RECALL and READ) and Deletes (FORGET and DELETE) count the operations
// that succeeded; DeletesPartial and DeletesFailed the deletions that
// did part of their work (PARTIAL) or failed. Failures counts every
// failed event, whatever its operation.
type User struct {
	ID                                     string
	Events, Stores, Creates, Recalls       int
	Deletes, DeletesPartial, DeletesFailed int
	Failures                               int
	Last                                   string
}

// Source is the events of one source (Event.Source) in the report, and
// the range of their seq.
type Source struct {
	Name              string
	Events            int
	FirstSeq, LastSeq uint64
}

// Build computes the report of month (any time in it, UTC) from events;
// events outside the month are ignored.
func Build(events []logger.Event, month time.Time, o Options) Report {
	start := time.Date(month.UTC().Year(), month.UTC().Month(), 1, 0, 0, 0, 0, time.UTC)
	end := start.AddDate(0, 1, 0)
	r := Report{Month: start.Format("January 2006"), Options: o, Partial: o.Partial}
	if o.Generated.IsZero() {
		r.GeneratedText = "(not given)"
	} else {
		r.GeneratedText = o.Generated.UTC().Format("2006-01-02 15:04:05 UTC")
	}
	perDay := make([]int, end.Sub(start)/(24*time.Hour))
	ops := map[string]int{}
	users := map[string]*User{}
	sources := map[string]*Source{}
	for i := range events {
		ev := &events[i]
		t := ev.Time.UTC()
		if t.Before(start) || !t.Before(end) {
			continue
		}
		r.Events++
		perDay[t.Sub(start)/(24*time.Hour)]++
		ops[string(ev.Operation)]++
		s := sources[ev.Source]
		if s == nil {
			s = &Source{Name: ev.Source, FirstSeq: ev.Seq, LastSeq: ev.Seq}
			sources[ev.Source] = s
		}
		s.Events++
		s.FirstSeq, s.LastSeq = min(s.FirstSeq, ev.Seq), max(s.LastSeq, ev.Seq)
		u := users[ev.UserID]
		if u == nil {
			u = &User{ID: ev.UserID}
			users[ev.UserID] = u
		}
		u.Events++
		countOperation(u, ev)
		if last := t.Format("2006-01-02 15:04"); last > u.Last {
			u.Last = last
		}
		if ev.Status == logger.StatusFailure {
			r.Failures++
			u.Failures++
			r.FailureList = append(r.FailureList, *ev)
		}
	}
	from, to := start, end // the days over and in the period: [from, to)
	if !o.Since.IsZero() && o.Since.After(from) {
		from = o.Since
	}
	if !o.Until.IsZero() && o.Until.Before(to) {
		to = o.Until.Add(time.Nanosecond)
	}
	for i, n := range perDay {
		d := start.AddDate(0, 0, i)
		day := Day{Date: d.Format("2006-01-02"), Label: d.Format("2"), Events: n}
		switch {
		case !o.Generated.IsZero() && o.Generated.Before(d.AddDate(0, 0, 1)):
			day.NotYet = true
			if n == 0 {
				r.NotYet = append(r.NotYet, day.Date)
			}
		case n == 0 && (d.Before(from) || d.AddDate(0, 0, 1).After(to)):
			// Outside the period, or only partly in it: not judged.
			day.Outside = true
			r.Outside = append(r.Outside, day.Date)
		case n == 0:
			r.EmptyDays = append(r.EmptyDays, day.Date)
		}
		r.Days = append(r.Days, day)
	}
	for name, n := range ops {
		r.Operations = append(r.Operations, Count{name, n})
	}
	slices.SortFunc(r.Operations, func(a, b Count) int {
		return cmp.Or(cmp.Compare(b.N, a.N), cmp.Compare(a.Name, b.Name))
	})
	for _, u := range users {
		r.PerUser = append(r.PerUser, *u)
	}
	slices.SortFunc(r.PerUser, func(a, b User) int { return cmp.Or(cmp.Compare(b.Events, a.Events), cmp.Compare(a.ID, b.ID)) })
	r.Users = len(r.PerUser)
	for _, s := range sources {
		r.Sources = append(r.Sources, *s)
	}
	slices.SortFunc(r.Sources, func(a, b Source) int { return cmp.Compare(a.Name, b.Name) })
	slices.SortFunc(r.FailureList, func(a, b logger.Event) int { return logger.CompareEvents(&b, &a) })
	if len(r.FailureList) > MaxFailures {
		r.FailureList = r.FailureList[:MaxFailures]
	}
	r.FailuresShown = len(r.FailureList)
	r.Charts = charts(&r)
	return r
}

// countOperation counts ev in its user's columns: a store, create or
// recall when it succeeded, a deletion by its status.
func countOperation(u *User, ev *logger.Event) {
	ok := ev.Status == "" || ev.Status == logger.StatusSuccess
	switch ev.Operation {
	case logger.OpStore:
		u.Stores += b2i(ok)
	case logger.OpCreate:
		u.Creates += b2i(ok)
	case logger.OpRecall, logger.OpRead:
		u.Recalls += b2i(ok)
	case logger.OpForget, logger.OpDelete:
		switch ev.Status {
		case logger.StatusFailure:
			u.DeletesFailed++
		case logger.StatusPartial:
			u.DeletesPartial++
		default:
			u.Deletes += b2i(ok)
		}
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// dateRuns writes dates (2006-01-02, ascending) with each run of
// consecutive days as one range: "2026-12-06 to 2026-12-31".
func dateRuns(dates []string) string {
	var b strings.Builder
	for i := 0; i < len(dates); {
		j := i
		for j+1 < len(dates) && nextDay(dates[j]) == dates[j+1] {
			j++
		}
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(dates[i])
		if j > i {
			b.WriteString(" to " + dates[j])
		}
		i = j + 1
	}
	return b.String()
}

func nextDay(date string) string {
	t, err := time.Parse(time.DateOnly, date)
	if err != nil {
		return ""
	}
	return t.AddDate(0, 0, 1).Format(time.DateOnly)
}

// Write writes the report of month, built from events, as one HTML page.
func Write(w io.Writer, events []logger.Event, month time.Time, o Options) error {
	r := Build(events, month, o)
	return page.Execute(w, &r)
}
