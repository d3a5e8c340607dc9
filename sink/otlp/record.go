package otlp

import (
	"strings"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/log"

	"github.com/auditlog/auditlog/logger"
)

// Attribute keys of the semantic conventions this package uses.
const (
	keyUserID         = "user.id"
	keyUserName       = "user.name"
	keyUserEmail      = "user.email"
	keySessionID      = "session.id"
	keyClientAddress  = "client.address"
	keyUserAgent      = "user_agent.original"
	keyRequestMethod  = "http.request.method"
	keyURLPath        = "url.path"
	keyResponseStatus = "http.response.status_code"
)

// EventNamePrefix starts the event name of every record: the name is
// EventNamePrefix followed by the operation in lower case, as in
// "audit.login".
const EventNamePrefix = "audit."

// recordOverhead is what a record adds to a request beside its
// attributes, more or less: times, severity, event name and framing.
const recordOverhead = 64

// record maps ev to a log record, as the package documentation's table
// says, and estimates its encoded size. Empty fields are left out.
func record(ev *logger.Event) (log.Record, int) {
	var r log.Record
	r.SetEventName(EventNamePrefix + strings.ToLower(text(string(ev.Operation))))
	r.SetTimestamp(ev.Time)
	status := ev.Status
	if status == "" {
		status = logger.StatusSuccess
	}
	if status == logger.StatusSuccess {
		r.SetSeverity(log.SeverityInfo)
		r.SetSeverityText("INFO")
	} else {
		r.SetSeverity(log.SeverityWarn)
		r.SetSeverityText("WARN")
	}
	body := ev.Description
	if body == "" {
		body = string(ev.Operation) + " " + string(status)
	}
	r.SetBody(attribute.StringValue(text(body)))
	// The record's TraceId and SpanId stay empty: an Event carries no
	// trace context. The sink emits with a context of its own, so the
	// trace of the code that calls Write is never taken for the event's.

	c := newConverter()
	c.bytes = recordOverhead + len(body) + len(ev.Operation)
	kvs := make([]attribute.KeyValue, 0, 32)
	str := func(k, v string) {
		if v != "" {
			c.bytes += len(k) + len(v) + valueOverhead
			kvs = append(kvs, attribute.String(k, text(v)))
		}
	}
	strs := func(k string, v []string) {
		if len(v) > 0 {
			c.bytes += len(k)
			kvs = append(kvs, attribute.KeyValue{Key: attribute.Key(k), Value: c.value(v, 0)})
		}
	}
	add := func(k string, v attribute.Value) {
		c.bytes += len(k) + valueOverhead
		kvs = append(kvs, attribute.KeyValue{Key: attribute.Key(k), Value: v})
	}
	str("auditlog.event_id", ev.ID)
	if ev.Seq != 0 {
		add("auditlog.seq", uintValue(ev.Seq))
	}
	str("auditlog.source", ev.Source)
	str("auditlog.operation", string(ev.Operation))
	str("auditlog.status", string(status))
	str("auditlog.category", ev.Category)

	str(keyUserID, ev.UserID)
	str(keyUserName, ev.UserName)
	str(keyUserEmail, ev.UserEmail)
	str(keySessionID, ev.SessionID)
	str(keyClientAddress, ev.IPAddress)
	str(keyUserAgent, ev.UserAgent)

	str("auditlog.resource.type", ev.ResourceType)
	str("auditlog.resource.id", ev.ResourceID)
	str("auditlog.resource.name", ev.ResourceName)
	strs("auditlog.entry_ids", ev.EntryIDs)

	if rq := ev.Request; rq != nil {
		str(keyRequestMethod, rq.Method)
		str(keyURLPath, rq.Path)
		if rq.StatusCode != 0 {
			add(keyResponseStatus, attribute.IntValue(rq.StatusCode))
		}
	}

	str("auditlog.run_id", ev.RunID)
	str("auditlog.parent_run_id", ev.ParentRunID)
	strs("auditlog.tags", ev.Tags)

	if len(ev.Changes) > 0 {
		changes := make([]attribute.Value, len(ev.Changes))
		for i := range ev.Changes {
			ch := &ev.Changes[i]
			changes[i] = attribute.MapValue(
				attribute.KeyValue{Key: "field", Value: c.value(ch.Field, 2)},
				attribute.KeyValue{Key: "old", Value: c.value(ch.Old, 2)},
				attribute.KeyValue{Key: "new", Value: c.value(ch.New, 2)},
			)
		}
		add("auditlog.changes", attribute.SliceValue(changes...))
	}
	if ev.PreviousState != nil {
		add("auditlog.previous_state", c.value(ev.PreviousState, 0))
	}
	if ev.NewState != nil {
		add("auditlog.new_state", c.value(ev.NewState, 0))
	}
	if len(ev.Metadata) > 0 {
		add("auditlog.metadata", c.value(ev.Metadata, 0))
	}

	if ev.Duration > 0 {
		add("auditlog.duration_ms", attribute.Float64Value(float64(ev.Duration)/1e6))
	}
	str("auditlog.error.message", ev.ErrorMessage)
	str("auditlog.error.stack", ev.ErrorStack)

	r.AddAttributes(kvs...)
	return r, c.bytes
}
