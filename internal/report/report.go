package report

import (
	"cmp"
	"embed"
	"fmt"
	"html/template"
	"io"
	"slices"
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
	"pct": func(part, whole int) string {
		if whole == 0 {
			return "–"
		}
		return fmt.Sprintf("%.1f %%", 100*float64(part)/float64(whole))
	},
}).ParseFS(files, "report.html.tmpl"))

// maxFailures is how many failures the report lists, newest first.
const maxFailures = 100

// Report is what the page shows, computed from the month's events.
type Report struct {
	Month            string // "January 2026"
	Events, Failures int
	Users            int
	Days             []Day
	EmptyDays        []string
	Operations       []Count
	PerUser          []User
	FailureList      []logger.Event
	FailuresShown    int
	Charts           Charts
}

// Day is the number of events of one day of the month.
type Day struct {
	Date   string // 2026-01-15
	Label  string // 15
	Events int
}

// Count is the number of events of one operation.
type Count struct {
	Name string
	N    int
}

// User is one user's activity in the month.
type User struct {
	ID                               string
	Events, Stores, Recalls, Deletes int
	Failures                         int
	Last                             string
}

// Build computes the report of month (any time in it, UTC) from events;
// events outside the month are ignored.
func Build(events []logger.Event, month time.Time) Report {
	start := time.Date(month.UTC().Year(), month.UTC().Month(), 1, 0, 0, 0, 0, time.UTC)
	end := start.AddDate(0, 1, 0)
	r := Report{Month: start.Format("January 2006")}
	perDay := make([]int, end.Sub(start)/(24*time.Hour))
	ops := map[string]int{}
	users := map[string]*User{}
	for i := range events {
		ev := &events[i]
		t := ev.Time.UTC()
		if t.Before(start) || !t.Before(end) {
			continue
		}
		r.Events++
		perDay[t.Sub(start)/(24*time.Hour)]++
		ops[string(ev.Operation)]++
		u := users[ev.UserID]
		if u == nil {
			u = &User{ID: ev.UserID}
			users[ev.UserID] = u
		}
		u.Events++
		switch ev.Operation {
		case logger.OpStore, logger.OpCreate:
			u.Stores++
		case logger.OpRecall, logger.OpRead:
			u.Recalls++
		case logger.OpForget, logger.OpDelete:
			u.Deletes++
		}
		if last := t.Format("2006-01-02 15:04"); last > u.Last {
			u.Last = last
		}
		if ev.Status == logger.StatusFailure {
			r.Failures++
			u.Failures++
			r.FailureList = append(r.FailureList, *ev)
		}
	}
	for i, n := range perDay {
		d := start.AddDate(0, 0, i)
		r.Days = append(r.Days, Day{Date: d.Format("2006-01-02"), Label: d.Format("2"), Events: n})
		if n == 0 {
			r.EmptyDays = append(r.EmptyDays, d.Format("2006-01-02"))
		}
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
	slices.SortFunc(r.FailureList, func(a, b logger.Event) int { return logger.CompareEvents(&b, &a) })
	if len(r.FailureList) > maxFailures {
		r.FailureList = r.FailureList[:maxFailures]
	}
	r.FailuresShown = len(r.FailureList)
	r.Charts = charts(&r)
	return r
}

// Write writes the report of month, built from events, as one HTML page.
func Write(w io.Writer, events []logger.Event, month time.Time) error {
	r := Build(events, month)
	return page.Execute(w, &r)
}
