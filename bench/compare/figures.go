package compare

import (
	"fmt"
	"maps"
	"math"

	"github.com/auditlog/auditlog/logger"
)

// Figures are the statistics both contenders compute: the total, the
// counts by operation and by status, the success rate and the average
// duration in milliseconds.
type Figures struct {
	Total         int64
	ByOperation   map[string]int64
	ByStatus      map[string]int64
	SuccessRate   float64
	AvgDurationMs float64
}

// FiguresOf takes the figures from a logger's Stats.
func FiguresOf(s logger.Stats) Figures {
	f := Figures{
		Total:         s.TotalEvents,
		ByOperation:   make(map[string]int64, len(s.ByOperation)),
		ByStatus:      make(map[string]int64, len(s.ByStatus)),
		SuccessRate:   s.SuccessRate,
		AvgDurationMs: s.AvgDurationMs,
	}
	for op, n := range s.ByOperation {
		if n != 0 {
			f.ByOperation[string(op)] = n
		}
	}
	for st, n := range s.ByStatus {
		if n != 0 {
			f.ByStatus[string(st)] = n
		}
	}
	return f
}

// Agree returns nil when f and g hold the same counts and, within one
// part in 10⁹, the same rates and averages; otherwise an error naming
// the first difference.
func (f Figures) Agree(g Figures) error {
	switch {
	case f.Total != g.Total:
		return fmt.Errorf("compare: total %d ≠ %d", f.Total, g.Total)
	case !maps.Equal(f.ByOperation, g.ByOperation):
		return fmt.Errorf("compare: by operation %v ≠ %v", f.ByOperation, g.ByOperation)
	case !maps.Equal(f.ByStatus, g.ByStatus):
		return fmt.Errorf("compare: by status %v ≠ %v", f.ByStatus, g.ByStatus)
	case !near(f.SuccessRate, g.SuccessRate):
		return fmt.Errorf("compare: success rate %v ≠ %v", f.SuccessRate, g.SuccessRate)
	case !near(f.AvgDurationMs, g.AvgDurationMs):
		return fmt.Errorf("compare: average duration %v ms ≠ %v ms", f.AvgDurationMs, g.AvgDurationMs)
	}
	return nil
}

func near(a, b float64) bool {
	return math.Abs(a-b) <= 1e-9*math.Max(math.Abs(a), math.Abs(b))
}

// FiguresOfEvents computes the figures from events directly, the
// reference the contenders are tested against.
func FiguresOfEvents(events []logger.Event) Figures {
	f := Figures{ByOperation: map[string]int64{}, ByStatus: map[string]int64{}}
	var success, durSum, durCount int64
	for i := range events {
		ev := &events[i]
		st := ev.Status
		if st == "" {
			st = logger.StatusSuccess
		}
		f.Total++
		f.ByOperation[string(ev.Operation)]++
		f.ByStatus[string(st)]++
		if st == logger.StatusSuccess {
			success++
		}
		if ev.Duration > 0 {
			durSum += int64(ev.Duration)
			durCount++
		}
	}
	if f.Total > 0 {
		f.SuccessRate = float64(success) / float64(f.Total)
	}
	if durCount > 0 {
		f.AvgDurationMs = float64(durSum) / float64(durCount) / 1e6
	}
	return f
}
