package bench

import (
	"testing"

	"github.com/auditlog/auditlog/bench/compare"
)

// BenchmarkCaller measures what one call recording an event costs the
// goroutine that makes it (ns/op, allocs/op): auditlog's Log in memory
// and with the journal, beside slog, zap and zerolog writing the same
// fields to a lumberjack file and to io.Discard. See compare.Callers.
func BenchmarkCaller(b *testing.B) {
	for _, c := range compare.Callers(b.TempDir()) {
		b.Run(c.Name, c.Bench)
	}
}
