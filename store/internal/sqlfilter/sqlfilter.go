package sqlfilter

import (
	"math"
	"time"

	"github.com/auditlog/auditlog/logger"
)

// Dialect says how a store writes what Conds builds.
type Dialect struct {
	// Param returns the placeholder of the n-th argument, from 1: "?" or
	// "$n".
	Param func(n int) string
	// Value turns a string value into the argument that is compared with
	// its column (nil: the string itself).
	Value func(string) any
	// Time is the column of the event's time in Unix nanoseconds; Status
	// the expression of its status, an empty status read as SUCCESS.
	Time, Status string
}

// The times an int64 of Unix nanoseconds holds.
var (
	minTime = time.Unix(0, math.MinInt64)
	maxTime = time.Unix(0, math.MaxInt64)
)

// Conds returns the conditions of f's string fields (UserID, SessionID,
// Operation, Category, ResourceType, ResourceID, RunID, Source, Status)
// and time bounds, appending their arguments to args; none is true when
// no event can match (a bound outside the times an int64 of nanoseconds
// holds, on the wrong side). EntryIDs is the store's own.
func (d Dialect) Conds(f *logger.Filter, args []any) (conds []string, _ []any, none bool) {
	add := func(cond string, v any) {
		args = append(args, v)
		conds = append(conds, cond+d.Param(len(args)))
	}
	eq := func(col, v string) {
		if v == "" {
			return
		}
		var arg any = v
		if d.Value != nil {
			arg = d.Value(v)
		}
		add(col+" = ", arg)
	}
	eq("user_id", f.UserID)
	eq("session_id", f.SessionID)
	eq("operation", string(f.Operation))
	eq("category", f.Category)
	eq("resource_type", f.ResourceType)
	eq("resource_id", f.ResourceID)
	eq("run_id", f.RunID)
	eq("source", f.Source)
	eq(d.Status, string(f.Status)) // an empty status is a success
	if !f.Since.IsZero() {
		switch {
		case f.Since.After(maxTime):
			return nil, nil, true
		case !f.Since.Before(minTime):
			add(d.Time+" >= ", f.Since.UnixNano())
		}
	}
	if !f.Until.IsZero() {
		switch {
		case f.Until.Before(minTime):
			return nil, nil, true
		case !f.Until.After(maxTime):
			add(d.Time+" <= ", f.Until.UnixNano())
		}
	}
	return conds, args, false
}
