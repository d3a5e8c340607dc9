package logger_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests if any goroutine outlives them: every
// Logger a test starts must stop its writer on Close.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
