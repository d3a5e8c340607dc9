package otlp_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests if any goroutine outlives them: a
// Sink closes its connections on Close.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
