package httpaudit

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/logger"
)

// TestHealthJSONNamesEveryFigure checks the documented snake_case name of
// every figure of every kind of reason.
func TestHealthJSONNamesEveryFigure(t *testing.T) {
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.FixedZone("CET", 3600))
	h := logger.Health{State: logger.HealthFailing, Time: at, Reasons: []logger.HealthReason{
		{Kind: logger.HealthJournalFailing, State: logger.HealthFailing, Since: at, Err: errors.New("disk full"), Unwritten: 7},
		{Kind: logger.HealthSinkLagging, State: logger.HealthDegraded, Sink: "siem", LagEvents: 12000, LagSeconds: 3.5},
		{Kind: logger.HealthQueueFull, State: logger.HealthDegraded, QueueDepth: 950, QueueCapacity: 1000},
		{Kind: logger.HealthDropped, State: logger.HealthDegraded, Count: 3, Window: time.Minute},
	}}
	data, err := json.Marshal(healthOf(h))
	require.NoError(t, err)
	require.JSONEq(t, `{
		"state": "failing",
		"time": "2026-03-01T11:00:00Z",
		"reasons": [
			{"kind": "journal_failing", "state": "failing", "message": "journal failing since 2026-03-01T11:00:00Z, 7 events unwritten: disk full",
			 "since": "2026-03-01T11:00:00Z", "error": "disk full", "unwritten": 7},
			{"kind": "sink_lagging", "state": "degraded", "message": "sink \"siem\" lags 12000 events, 3.5s behind",
			 "sink": "siem", "lag_events": 12000, "lag_seconds": 3.5},
			{"kind": "queue_full", "state": "degraded", "message": "queue holds 950 of 1000",
			 "queue_depth": 950, "queue_capacity": 1000},
			{"kind": "dropped", "state": "degraded", "message": "3 events dropped in the last 1m0s",
			 "count": 3, "window_seconds": 60}
		]
	}`, string(data))
}
