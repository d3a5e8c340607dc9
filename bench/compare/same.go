package compare

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/auditlog/auditlog/logger"
)

// SameEvents returns nil when a and b hold the same events in the same
// order, or an error naming the first difference. Two events are the
// same when their time, operation, status, user, session, entry ids,
// duration and metadata agree; the metadata are compared as JSON, so an
// int and the float64 it decodes to are equal. IDs and sequence numbers
// are not compared: each store assigns its own.
func SameEvents(a, b []logger.Event) error {
	if len(a) != len(b) {
		return fmt.Errorf("compare: %d events ≠ %d events", len(a), len(b))
	}
	for i := range a {
		ka, err := eventKey(&a[i])
		if err != nil {
			return err
		}
		kb, err := eventKey(&b[i])
		if err != nil {
			return err
		}
		if ka != kb {
			return fmt.Errorf("compare: event %d differs:\n  %s\n  %s", i, ka, kb)
		}
	}
	return nil
}

// eventKey renders the compared fields of ev as one string.
func eventKey(ev *logger.Event) (string, error) {
	md, err := json.Marshal(ev.Metadata)
	if err != nil {
		return "", fmt.Errorf("compare: %w", err)
	}
	st := ev.Status
	if st == "" {
		st = logger.StatusSuccess
	}
	return fmt.Sprintf("%s %s %s user=%q session=%q entries=[%s] duration=%v metadata=%s",
		ev.Time.UTC().Format(time.RFC3339Nano), ev.Operation, st, ev.UserID, ev.SessionID,
		strings.Join(ev.EntryIDs, ","), ev.Duration, md), nil
}
