package compare

import (
	"slices"

	"github.com/auditlog/auditlog/logger"
)

// Scan answers f the obvious way: a pass over a slice of events, keeping
// those that match f's UserID, Operation, Status, Since and Until, then a
// sort by time, newest first (ties keep their order reversed, as seq
// would). It is the baseline the library's own benchmark compares Query
// with.
func Scan(events []logger.Event, f logger.Filter) []logger.Event {
	var out []logger.Event
	for i := range events {
		if matches(&events[i], &f) {
			out = append(out, events[i])
		}
	}
	slices.Reverse(out)
	slices.SortStableFunc(out, func(a, b logger.Event) int { return b.Time.Compare(a.Time) })
	return out
}

// matches reports whether ev matches the fields of f that Scan and
// ReadSlog honour.
func matches(ev *logger.Event, f *logger.Filter) bool {
	st := ev.Status
	if st == "" {
		st = logger.StatusSuccess
	}
	return (f.UserID == "" || ev.UserID == f.UserID) &&
		(f.Operation == "" || ev.Operation == f.Operation) &&
		(f.Status == "" || st == f.Status) &&
		(f.Since.IsZero() || !ev.Time.Before(f.Since)) &&
		(f.Until.IsZero() || !ev.Time.After(f.Until))
}
