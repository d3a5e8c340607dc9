package logger

import (
	"context"
	"fmt"
	"log/slog"
)

// MirrorMessage is the message of the records Options.Mirror receives.
const MirrorMessage = "audit"

// handle passes r to h, reporting its error and containing its panic.
func (l *Logger) handle(ctx context.Context, h slog.Handler, r slog.Record) {
	defer func() {
		if v := recover(); v != nil {
			l.report(fmt.Errorf("auditlog: Mirror handler panicked: %v", v))
		}
	}()
	if err := h.Handle(ctx, r); err != nil {
		l.report(fmt.Errorf("auditlog: Mirror: %w", err))
	}
}

// eventAttrs returns the fields of ev that are set, under the keys of the
// journal format, in its order. The record's time is the event's.
func eventAttrs(ev *Event) []slog.Attr {
	a := make([]slog.Attr, 0, 16)
	str := func(k, v string) {
		if v != "" {
			a = append(a, slog.String(k, v))
		}
	}
	str("event_id", ev.ID)
	a = append(a, slog.Uint64("seq", ev.Seq))
	str("operation", string(ev.Operation))
	str("status", string(ev.Status))
	str("category", ev.Category)
	str("user_id", ev.UserID)
	str("user_name", ev.UserName)
	str("user_email", ev.UserEmail)
	str("session_id", ev.SessionID)
	str("ip_address", ev.IPAddress)
	str("user_agent", ev.UserAgent)
	str("resource_type", ev.ResourceType)
	str("resource_id", ev.ResourceID)
	str("resource_name", ev.ResourceName)
	if len(ev.EntryIDs) > 0 {
		a = append(a, slog.Any("entry_ids", ev.EntryIDs))
	}
	if len(ev.Changes) > 0 {
		a = append(a, slog.Any("changes", ev.Changes))
	}
	if len(ev.PreviousState) > 0 {
		a = append(a, slog.Any("previous_state", ev.PreviousState))
	}
	if len(ev.NewState) > 0 {
		a = append(a, slog.Any("new_state", ev.NewState))
	}
	if r := ev.Request; r != nil {
		var g []any
		if r.Method != "" {
			g = append(g, slog.String("method", r.Method))
		}
		if r.Path != "" {
			g = append(g, slog.String("path", r.Path))
		}
		if r.StatusCode != 0 {
			g = append(g, slog.Int("status_code", r.StatusCode))
		}
		a = append(a, slog.Group("request", g...))
	}
	str("run_id", ev.RunID)
	str("parent_run_id", ev.ParentRunID)
	str("description", ev.Description)
	if len(ev.Tags) > 0 {
		a = append(a, slog.Any("tags", ev.Tags))
	}
	if len(ev.Metadata) > 0 {
		a = append(a, slog.Any("metadata", ev.Metadata))
	}
	if ev.Duration != 0 {
		a = append(a, slog.Float64("duration_ms", float64(ev.Duration)/1e6))
	}
	str("error_message", ev.ErrorMessage)
	str("error_stack", ev.ErrorStack)
	str("source", ev.Source)
	return a
}
