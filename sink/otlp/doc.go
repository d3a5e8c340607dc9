// Package otlp sends audit events to an OpenTelemetry pipeline: a
// [Sink] posts them as OTLP log records over HTTP (protobuf) to an
// OpenTelemetry Collector or any backend that takes OTLP/HTTP logs, with
// the official exporter
// (go.opentelemetry.io/otel/exporters/otlp/otlplog/otlploghttp) and the
// log SDK.
//
// It is a package of its own so that a program that does not import it
// does not compile the OpenTelemetry SDK.
//
//	sink, err := otlp.New(ctx, otlp.Options{
//		URL:     "https://collector.example:4318/v1/logs",
//		Headers: map[string]string{"Authorization": "Bearer " + token},
//	})
//	...
//	l, err := logger.New(logger.Options{
//		Journal: &logger.JournalOptions{Dir: dir},
//		Sinks:   map[string]logger.Sink{"otel": sink},
//	})
//	...
//	defer sink.Close() // after l.Close
//
// # Delivery
//
// A Write is one request, or several in order when its events pass
// [Options.MaxRequestBytes] (4 MiB by default, under a Collector's 20
// MiB): it returns nil when the receiver accepted the whole batch, and
// an error wrapping [ErrNotAccepted] otherwise (the
// receiver is down, answers 429 or 503, rejects some records, or does not
// answer within [Options.Timeout] or before the context ends). The sink
// does not retry: the logger does, with backoff, from its journal, so an
// outage of the receiver loses nothing when the logger has a journal.
// Delivery is at least once: a batch the receiver took but whose answer
// was lost is sent again; the auditlog.event_id attribute tells the
// copies apart. Events of many instances are told apart by
// auditlog.source, and ordered by time, source and auditlog.seq.
//
// # Mapping
//
// Each event is one log record. Its time is the record's Timestamp; the
// ObservedTimestamp is when the sink sent it. Attributes follow the
// OpenTelemetry semantic conventions where one exists, and are named
// auditlog.* otherwise. Empty fields are left out.
//
//	Event field        OTLP log record
//	-----------        ---------------
//	Operation          EventName "audit." + operation in lower case ("audit.login"),
//	                   and attribute auditlog.operation ("LOGIN")
//	Time               Timestamp (a time before 1970 is sent as 0, unset)
//	Status             SeverityNumber INFO (9) and SeverityText "INFO" for SUCCESS,
//	                   WARN (13) and "WARN" for FAILURE and PARTIAL;
//	                   attribute auditlog.status
//	Description        Body (a string); when empty, operation and status ("LOGIN SUCCESS")
//	ID                 auditlog.event_id
//	Seq                auditlog.seq (int)
//	Source             auditlog.source
//	Category           auditlog.category
//	UserID             user.id
//	UserName           user.name
//	UserEmail          user.email
//	SessionID          session.id
//	IPAddress          client.address
//	UserAgent          user_agent.original
//	Request.Method     http.request.method
//	Request.Path       url.path
//	Request.StatusCode http.response.status_code (int)
//	ResourceType       auditlog.resource.type
//	ResourceID         auditlog.resource.id
//	ResourceName       auditlog.resource.name
//	EntryIDs           auditlog.entry_ids (array of strings)
//	RunID              auditlog.run_id
//	ParentRunID        auditlog.parent_run_id
//	Tags               auditlog.tags (array of strings)
//	Metadata           auditlog.metadata (map)
//	PreviousState      auditlog.previous_state (map)
//	NewState           auditlog.new_state (map)
//	Changes            auditlog.changes (array of maps with keys field, old, new)
//	Duration           auditlog.duration_ms (double, milliseconds)
//	ErrorMessage       auditlog.error.message
//	ErrorStack         auditlog.error.stack
//
// The records' TraceId and SpanId are empty: an event carries no trace
// context, and the sink never takes the trace of the code that calls
// Write for the event's. The resource is [Options.Resource] (by default
// the SDK's, which reads OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES),
// and the instrumentation scope is [ScopeName].
//
// Maps, arrays and numbers in Metadata, the states and Changes keep their
// shape: a backend that flattens maps can filter on
// auditlog.metadata.reason. Values are sent as the logger stored them,
// masked: the sink sees no secret the journal does not hold. A value
// nested more than 32 levels deep, or past a million values in one
// event, or of a type JSON has no value for (from a caller that writes
// events of its own) is replaced by a "!BADVALUE" string. Text that is
// not UTF-8, which protobuf refuses, is sent with each bad byte replaced
// by U+FFFD.
//
// # Security
//
// Options is the whole configuration of the connection: the
// OTEL_EXPORTER_OTLP_* environment variables are not read, so an
// environment cannot send the trail elsewhere or downgrade https to http.
// Only HTTPS_PROXY, HTTP_PROXY and NO_PROXY apply, as in any Go program.
// Redirects are not followed, so [Options.Headers] (an API key) reach the
// URL's host only, and no error quotes a header's value or the
// receiver's answer at length.
package otlp
