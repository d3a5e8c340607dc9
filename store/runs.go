package store

import (
	"context"
	"fmt"
	"time"

	"github.com/auditlog/auditlog/logger"
)

// RunResourceType is the ResourceType of a run audit.
const RunResourceType = "workflow"

// The convention of a run audit, the record a scheduler keeps of one
// release of a named workflow: ResourceType RunResourceType, ResourceID
// and ResourceName the workflow's name, and RunID the release's key
// (RunKey), which names the workflow and the release time. Every field
// the lookups use is indexed by both stores, and Time stays what it is
// for every event: when the run started.

// RunKey returns the RunID of the release of name at release:
// "name@2026-01-15T10:30:00Z" (UTC, to the second or finer).
func RunKey(name string, release time.Time) string {
	return name + "@" + release.UTC().Format(time.RFC3339Nano)
}

// RunAudit returns the span option that marks an event as the audit of
// the release of name at release; give it to Logger.Track or Begin.
func RunAudit(name string, release time.Time) logger.SpanOption {
	return func(ev *logger.Event) {
		ev.ResourceType, ev.ResourceID, ev.ResourceName = RunResourceType, name, name
		ev.RunID = RunKey(name, release)
	}
}

// Runs answers a scheduler's questions about run audits in a store.
type Runs struct {
	Store logger.Store
	// Now is the clock of Cleanup; default time.Now.
	Now func() time.Time
}

// Audits returns every audit of the workflow name, newest first.
func (r Runs) Audits(ctx context.Context, name string) ([]logger.Event, error) {
	if name == "" {
		return nil, fmt.Errorf("%w: a run audit needs a workflow name", ErrInvalidFilter)
	}
	return r.Store.Query(ctx, logger.Filter{ResourceType: RunResourceType, ResourceID: name})
}

// Find returns the newest audit of the release of name at release, or,
// for a zero release, the newest audit of name; ok is false when there
// is none.
func (r Runs) Find(ctx context.Context, name string, release time.Time) (ev logger.Event, ok bool, err error) {
	if name == "" {
		return ev, false, fmt.Errorf("%w: a run audit needs a workflow name", ErrInvalidFilter)
	}
	f := logger.Filter{ResourceType: RunResourceType, ResourceID: name, Limit: 1}
	if !release.IsZero() {
		f.RunID = RunKey(name, release)
	}
	evs, err := r.Store.Query(ctx, f)
	if err != nil || len(evs) == 0 {
		return ev, false, err
	}
	return evs[0], true, nil
}

// Exists reports whether the release of name at release has an audit,
// so that a scheduler can skip it.
func (r Runs) Exists(ctx context.Context, name string, release time.Time) (bool, error) {
	if name == "" || release.IsZero() {
		return false, fmt.Errorf("%w: Exists needs a workflow name and a release time", ErrInvalidFilter)
	}
	n, err := r.Store.Count(ctx, logger.Filter{ResourceType: RunResourceType, ResourceID: name, RunID: RunKey(name, release)})
	return n > 0, err
}

// Cleanup removes every event of the store older than days days, and
// returns how many it removed: run audits and any other event alike, for
// a Store deletes by age only. Keep run audits in a store of their own,
// as the scheduler systems this replaces did and examples/workflow does,
// when the same store would also hold an audit trail that must be kept
// longer.
func (r Runs) Cleanup(ctx context.Context, days int) (int, error) {
	if days < 0 {
		return 0, fmt.Errorf("%w: Cleanup of %d days", ErrInvalidFilter, days)
	}
	now := time.Now
	if r.Now != nil {
		now = r.Now
	}
	return r.Store.DeleteBefore(ctx, now().AddDate(0, 0, -days))
}
