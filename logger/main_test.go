package logger_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests if any goroutine outlives them: every
// Logger a test starts must stop its writer on Close. The one exception is
// lumberjack's mill goroutine, which lumberjack starts for each of its
// Loggers and never stops; a journal has exactly one.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.IgnoreTopFunction("gopkg.in/natefinch/lumberjack%2ev2.(*Logger).millRun"))
}
