package logger

import (
	"context"
	"fmt"
	"maps"
	"runtime/debug"
	"slices"
	"sync"
	"time"
)

// SpanOption sets a field of the event a Span or Track logs.
type SpanOption func(*Event)

// WithResource sets the event's resource.
func WithResource(resourceType, resourceID, resourceName string) SpanOption {
	return func(ev *Event) {
		ev.ResourceType, ev.ResourceID, ev.ResourceName = resourceType, resourceID, resourceName
	}
}

// WithEntryIDs adds entry ids to the event.
func WithEntryIDs(ids ...string) SpanOption {
	return func(ev *Event) { ev.EntryIDs = append(ev.EntryIDs, ids...) }
}

// WithMetadata adds the entries of md to the event's Metadata (md itself
// is not kept).
func WithMetadata(md map[string]any) SpanOption {
	return func(ev *Event) {
		for k, v := range md {
			setMetadata(ev, k, v)
		}
	}
}

// WithEvent starts from a copy of ev (the user, session, run, ...). Give
// it first: it replaces what earlier options set. The span still sets
// Operation, Status, Time, Duration and, on failure, the error fields.
func WithEvent(ev Event) SpanOption {
	return func(e *Event) {
		*e = ev
		e.EntryIDs = slices.Clone(ev.EntryIDs)
		e.Changes = slices.Clone(ev.Changes)
		e.Metadata = maps.Clone(ev.Metadata)
	}
}

func setMetadata(ev *Event, k string, v any) {
	if ev.Metadata == nil {
		ev.Metadata = make(map[string]any)
	}
	ev.Metadata[k] = v
}

// Span is one operation being audited, from Begin to End: the context
// manager of the systems this library replaces. Its methods are safe for
// concurrent use.
type Span struct {
	l     *Logger
	ctx   context.Context
	start time.Time

	mu        sync.Mutex
	ev        Event
	statusSet bool
	ended     bool
}

// Begin starts a span for op, dated now. Nothing is logged until End.
func (l *Logger) Begin(ctx context.Context, op Operation, opts ...SpanOption) *Span {
	s := &Span{l: l, ctx: ctx, start: l.opts.Now()}
	for _, o := range opts {
		o(&s.ev)
	}
	s.ev.Operation = op
	return s
}

// SetResource sets the resource the operation is about.
func (s *Span) SetResource(resourceType, resourceID, resourceName string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ev.ResourceType, s.ev.ResourceID, s.ev.ResourceName = resourceType, resourceID, resourceName
}

// AddMetadata sets Metadata[key] to value.
func (s *Span) AddMetadata(key string, value any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	setMetadata(&s.ev, key, value)
}

// AddEntryIDs adds entry ids the operation touched.
func (s *Span) AddEntryIDs(ids ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ev.EntryIDs = append(s.ev.EntryIDs, ids...)
}

// RecordChange records that field went from old to new.
func (s *Span) RecordChange(field string, old, new any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ev.Changes = append(s.ev.Changes, Change{Field: field, Old: old, New: new})
}

// SetStatus sets the status End logs, whatever error End is given (a
// PARTIAL success, say).
func (s *Span) SetStatus(st Status) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ev.Status, s.statusSet = st, true
}

// End logs the span once, dated when it began, with the time since then
// as Duration: FAILURE with err's message when err is not nil, SUCCESS
// otherwise, unless SetStatus said. It returns what Log returned (an
// invalid operation, a full queue in drop mode, ...), which a caller may
// ignore: auditing never fails the operation. Calls after the first do
// nothing and return nil.
func (s *Span) End(err error) error {
	return s.end(err, "")
}

func (s *Span) end(err error, stack string) error {
	s.mu.Lock()
	if s.ended {
		s.mu.Unlock()
		return nil
	}
	s.ended = true
	ev := s.ev
	s.mu.Unlock()
	return s.l.finish(s.ctx, &ev, s.start, err, stack, s.statusSet)
}

// finish logs ev as an operation that began at start and ended with err:
// dated start, the time since as Duration, FAILURE with err's message (and
// stack) when err is not nil, SUCCESS otherwise, unless statusSet.
func (l *Logger) finish(ctx context.Context, ev *Event, start time.Time, err error, stack string, statusSet bool) error {
	ev.Time = start
	ev.Duration = max(l.opts.Now().Sub(start), 0)
	if err != nil {
		ev.ErrorMessage = errorMessage(err)
		ev.ErrorStack = stack
	}
	if !statusSet {
		ev.Status = StatusSuccess
		if err != nil {
			ev.Status = StatusFailure
		}
	}
	return l.Log(ctx, *ev)
}

// Track runs fn as one audited operation: a Span begun before fn and
// ended with fn's error. It returns fn's error unchanged; a failure to
// audit never replaces it (it is counted as any refused event is, in
// Stats.Rejected or Stats.Dropped). A panic in fn is logged as a FAILURE
// with the panic's value and stack, then panics on.
func (l *Logger) Track(ctx context.Context, op Operation, fn func(context.Context) error, opts ...SpanOption) (err error) {
	// Without a Span, so that nothing is allocated when no option is given.
	var ev Event
	if len(opts) > 0 {
		ev = withOptions(opts)
	}
	ev.Operation = op
	start := l.opts.Now()
	defer func() {
		if r := recover(); r != nil {
			_ = l.finish(ctx, &ev, start, fmt.Errorf("panic: %v", r), string(debug.Stack()), false)
			panic(r)
		}
	}()
	err = fn(ctx)
	_ = l.finish(ctx, &ev, start, err, "", false)
	return err
}

// withOptions returns the event opts set.
func withOptions(opts []SpanOption) Event {
	var ev Event
	for _, o := range opts {
		o(&ev)
	}
	return ev
}
