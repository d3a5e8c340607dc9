package logger

import (
	"fmt"
	"math"
	"time"
)

// Defaults of HealthOptions.
const (
	// DefaultHealthSinkLagEvents is how many events a sink may have yet
	// to acknowledge before Health calls it lagging, when
	// HealthOptions.SinkLagEvents is 0.
	DefaultHealthSinkLagEvents = 10_000
	// DefaultHealthSinkLagAge is how old the oldest event a sink is being
	// handed may be before Health calls it lagging, when
	// HealthOptions.SinkLagAge is 0.
	DefaultHealthSinkLagAge = time.Minute
	// DefaultHealthQueueFullRatio is the share of the queue in use from
	// which Health calls it nearly full, when HealthOptions.QueueFullRatio
	// is 0.
	DefaultHealthQueueFullRatio = 0.9
	// DefaultHealthWindow is how far back Health counts drops and
	// rejections, when HealthOptions.Window is 0.
	DefaultHealthWindow = time.Minute
)

// Bounds of HealthOptions.Window.
const (
	minHealthWindow = time.Second
	maxHealthWindow = 24 * time.Hour
)

// HealthOptions set the thresholds of Logger.Health. The zero value is
// the default; a negative value is refused by New (ErrInvalidOptions).
type HealthOptions struct {
	// SinkLagEvents: a sink with this many events or more yet to
	// acknowledge (SinkStats.LagEvents) is lagging. Default
	// DefaultHealthSinkLagEvents (10,000).
	SinkLagEvents int64

	// SinkLagAge: a sink whose oldest event being handed over is this
	// old or older (SinkStats.LagSeconds, by the event's Time and
	// Options.Now) is lagging. Default DefaultHealthSinkLagAge (1 minute).
	SinkLagAge time.Duration

	// QueueFullRatio: the queue is nearly full when it holds at least
	// this share of Options.QueueSize, from 0 (excluded) to 1. Default
	// DefaultHealthQueueFullRatio (0.9).
	QueueFullRatio float64

	// Window is how far back events dropped (ErrDropped) and rejected
	// (every other refusal of Log and LogBatch) make the logger degraded,
	// from 1 second to 24 hours, by the clock of Options.Now. They are
	// counted in 60 slots of Window/60: an event counts for between 59/60
	// of Window and Window after it was refused. Default
	// DefaultHealthWindow (1 minute).
	Window time.Duration
}

func (o *HealthOptions) withDefaults() error {
	switch {
	case o.SinkLagEvents < 0:
		return fmt.Errorf("%w: Health.SinkLagEvents %d is negative", ErrInvalidOptions, o.SinkLagEvents)
	case o.SinkLagAge < 0:
		return fmt.Errorf("%w: Health.SinkLagAge %v is negative", ErrInvalidOptions, o.SinkLagAge)
	case math.IsNaN(o.QueueFullRatio) || o.QueueFullRatio < 0 || o.QueueFullRatio > 1:
		return fmt.Errorf("%w: Health.QueueFullRatio %v is not between 0 and 1", ErrInvalidOptions, o.QueueFullRatio)
	case o.Window < 0:
		return fmt.Errorf("%w: Health.Window %v is negative", ErrInvalidOptions, o.Window)
	case o.Window > 0 && (o.Window < minHealthWindow || o.Window > maxHealthWindow):
		return fmt.Errorf("%w: Health.Window %v is not between %v and %v", ErrInvalidOptions, o.Window, minHealthWindow, maxHealthWindow)
	}
	if o.SinkLagEvents == 0 {
		o.SinkLagEvents = DefaultHealthSinkLagEvents
	}
	if o.SinkLagAge == 0 {
		o.SinkLagAge = DefaultHealthSinkLagAge
	}
	if o.QueueFullRatio == 0 {
		o.QueueFullRatio = DefaultHealthQueueFullRatio
	}
	if o.Window == 0 {
		o.Window = DefaultHealthWindow
	}
	return nil
}
