package auditexpvar

import (
	"expvar"
	"fmt"
	"sync"

	"github.com/auditlog/auditlog/logger"
)

// Value is what Publish shows under its name, as JSON: the logger's
// Stats (read by StatsNow, without waiting for the writer) and its Health
// in words.
type Value struct {
	Stats  logger.Stats `json:"stats"`
	Health HealthValue  `json:"health"`
}

// HealthValue is a Health as Value shows it: the state's name ("ok",
// "degraded", "failing") and each reason in words.
type HealthValue struct {
	State   string   `json:"state"`
	Reasons []string `json:"reasons"`
}

// mu makes the check for a taken name and the publication one step
// among the callers of Publish.
var mu sync.Mutex

// Publish publishes l's figures under name in expvar; each read of the
// variable reads them afresh, never waiting for the logger's writer (the
// events still in the queue appear in a later read). It returns an error
// wrapping ErrNameTaken, instead of expvar's panic, when name is taken.
func Publish(name string, l *logger.Logger) (err error) {
	if l == nil || name == "" {
		return fmt.Errorf("%w: name %q", ErrNoLogger, name)
	}
	mu.Lock()
	defer mu.Unlock()
	if expvar.Get(name) != nil {
		return fmt.Errorf("%w: %q", ErrNameTaken, name)
	}
	defer func() {
		if recover() != nil { // published by another caller of expvar meanwhile
			err = fmt.Errorf("%w: %q", ErrNameTaken, name)
		}
	}()
	expvar.Publish(name, expvar.Func(func() any { return valueOf(l) }))
	return nil
}

// valueOf reads l's Value.
func valueOf(l *logger.Logger) Value {
	h := l.Health()
	v := Value{Stats: l.StatsNow(), Health: HealthValue{State: h.State.String(), Reasons: make([]string, 0, len(h.Reasons))}}
	for _, r := range h.Reasons {
		v.Health.Reasons = append(v.Health.Reasons, r.String())
	}
	return v
}
