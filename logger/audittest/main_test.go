package audittest_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain checks that every Recorder's logger is closed when its test
// ends.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.IgnoreTopFunction("gopkg.in/natefinch/lumberjack%2ev2.(*Logger).millRun"))
}
