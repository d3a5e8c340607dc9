package httpaudit

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/auditlog/auditlog/logger"
)

// HealthHandler serves l.Health as JSON, for a Kubernetes probe or a load
// balancer: status 200 while the logger is ok or degraded (it still
// records every event it accepts), 503 while it is failing (its journal
// cannot be written, or it is closed). It answers GET and HEAD (HEAD
// without a body), 405 to other methods, and never waits for the
// logger's writer. A nil l is reported failing, with a reason of kind
// "no_logger".
//
// The body is one JSON object:
//
//	{
//	  "state": "degraded",            // "ok", "degraded" or "failing"
//	  "time": "2026-03-01T12:00:00Z", // when it was read, by Options.Now
//	  "reasons": [                    // [] when ok
//	    {
//	      "kind": "sink_lagging",     // a logger.HealthKind
//	      "state": "degraded",        // what this reason makes the logger
//	      "message": "sink \"siem\" lags 12000 events, 3.5s behind",
//	      "sink": "siem", "lag_events": 12000, "lag_seconds": 3.5
//	    }
//	  ]
//	}
//
// Each reason carries the figures of its kind (see logger.HealthReason),
// those of other kinds left out: "since" (RFC 3339), "error" and
// "unwritten" for journal_failing; "sink", "lag_events" and
// "lag_seconds" for sink_lagging; "queue_depth" and "queue_capacity" for
// queue_full; "count" and "window_seconds" for dropped and rejected.
//
// Serve it on its own path and exclude that path from the audit
// middleware (Config.Exclude), or every probe becomes an event. The body
// names sinks and quotes the journal's error, which may hold its path:
// serve it where the probes reach it, not to the public.
func HealthHandler(l *logger.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		body := healthBody(l)
		data, err := json.Marshal(body)
		if err != nil { // cannot happen: every field is a plain value
			http.Error(w, "health not encoded", http.StatusInternalServerError)
			return
		}
		h := w.Header()
		h.Set("Content-Type", "application/json")
		h.Set("Cache-Control", "no-store")
		h.Set("X-Content-Type-Options", "nosniff")
		if body.State == logger.HealthFailing.String() {
			w.WriteHeader(http.StatusServiceUnavailable)
		} else {
			w.WriteHeader(http.StatusOK)
		}
		if r.Method != http.MethodHead {
			_, _ = w.Write(append(data, '\n'))
		}
	})
}

// healthJSON is the body HealthHandler serves.
type healthJSON struct {
	State   string             `json:"state"`
	Time    string             `json:"time,omitempty"`
	Reasons []healthReasonJSON `json:"reasons"`
}

// healthReasonJSON is one reason of healthJSON.
type healthReasonJSON struct {
	Kind          string  `json:"kind"`
	State         string  `json:"state"`
	Message       string  `json:"message"`
	Since         string  `json:"since,omitempty"`
	Error         string  `json:"error,omitempty"`
	Unwritten     int64   `json:"unwritten,omitempty"`
	Sink          string  `json:"sink,omitempty"`
	LagEvents     int64   `json:"lag_events,omitempty"`
	LagSeconds    float64 `json:"lag_seconds,omitempty"`
	QueueDepth    int64   `json:"queue_depth,omitempty"`
	QueueCapacity int64   `json:"queue_capacity,omitempty"`
	Count         int64   `json:"count,omitempty"`
	WindowSeconds float64 `json:"window_seconds,omitempty"`
}

// healthBody reads l's health as healthJSON.
func healthBody(l *logger.Logger) healthJSON {
	if l == nil {
		failing := logger.HealthFailing.String()
		return healthJSON{State: failing, Reasons: []healthReasonJSON{
			{Kind: "no_logger", State: failing, Message: "httpaudit: HealthHandler was given no logger"},
		}}
	}
	return healthOf(l.Health())
}

// healthOf converts h to healthJSON.
func healthOf(h logger.Health) healthJSON {
	out := healthJSON{State: h.State.String(), Reasons: make([]healthReasonJSON, 0, len(h.Reasons))}
	if !h.Time.IsZero() {
		out.Time = h.Time.UTC().Format(time.RFC3339Nano)
	}
	for _, r := range h.Reasons {
		j := healthReasonJSON{
			Kind: string(r.Kind), State: r.State.String(), Message: r.String(),
			Unwritten: r.Unwritten, Sink: r.Sink, LagEvents: r.LagEvents, LagSeconds: r.LagSeconds,
			QueueDepth: r.QueueDepth, QueueCapacity: r.QueueCapacity, Count: r.Count, WindowSeconds: r.Window.Seconds(),
		}
		if !r.Since.IsZero() {
			j.Since = r.Since.UTC().Format(time.RFC3339Nano)
		}
		if r.Err != nil {
			j.Error = r.Err.Error()
		}
		out.Reasons = append(out.Reasons, j)
	}
	return out
}
