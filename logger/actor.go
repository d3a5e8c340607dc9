package logger

import "context"

// Actor is who acts: the fields of an event about its user, carried by a
// context (WithActor) so that code deep in a call does not have to pass
// them along.
type Actor struct {
	UserID, UserName, UserEmail string
	SessionID                   string
	IPAddress, UserAgent        string
}

// Run names the run (of an agent, a workflow) an event belongs to, and
// the run that started it.
type Run struct {
	RunID, ParentRunID string
}

// ctxKey is the context key of the actor and run, kept together so that
// Log looks them up once.
type ctxKey struct{}

type ctxInfo struct {
	actor Actor
	run   Run
}

func infoFrom(ctx context.Context) *ctxInfo {
	if ctx == nil {
		return nil
	}
	info, _ := ctx.Value(ctxKey{}).(*ctxInfo)
	return info
}

// WithActor returns a context carrying a. Log and LogBatch fill an
// event's empty actor fields (UserID, UserName, UserEmail, SessionID,
// IPAddress, UserAgent) from it; fields the event sets are kept.
func WithActor(ctx context.Context, a Actor) context.Context {
	info := ctxInfo{actor: a}
	if old := infoFrom(ctx); old != nil {
		info.run = old.run
	}
	return context.WithValue(ctx, ctxKey{}, &info)
}

// ActorFrom returns the actor ctx carries, and whether it carries one.
func ActorFrom(ctx context.Context) (Actor, bool) {
	if info := infoFrom(ctx); info != nil && info.actor != (Actor{}) {
		return info.actor, true
	}
	return Actor{}, false
}

// WithRun returns a context carrying the run runID, whose parent is the
// run ctx carried before, if any: nested runs link up. Log fills an
// event's RunID and ParentRunID from it when the event has no RunID.
func WithRun(ctx context.Context, runID string) context.Context {
	info := ctxInfo{run: Run{RunID: runID}}
	if old := infoFrom(ctx); old != nil {
		info.actor = old.actor
		info.run.ParentRunID = old.run.RunID
	}
	return context.WithValue(ctx, ctxKey{}, &info)
}

// RunFrom returns the run ctx carries, and whether it carries one.
func RunFrom(ctx context.Context) (Run, bool) {
	if info := infoFrom(ctx); info != nil && info.run != (Run{}) {
		return info.run, true
	}
	return Run{}, false
}

// fill sets the empty actor and run fields of ev from info.
func (info *ctxInfo) fill(ev *Event) {
	a := &info.actor
	fillString(&ev.UserID, a.UserID)
	fillString(&ev.UserName, a.UserName)
	fillString(&ev.UserEmail, a.UserEmail)
	fillString(&ev.SessionID, a.SessionID)
	fillString(&ev.IPAddress, a.IPAddress)
	fillString(&ev.UserAgent, a.UserAgent)
	if ev.RunID == "" { // the run and its parent go together
		ev.RunID = info.run.RunID
		fillString(&ev.ParentRunID, info.run.ParentRunID)
	}
}

func fillString(dst *string, v string) {
	if *dst == "" {
		*dst = v
	}
}
