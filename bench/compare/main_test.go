package compare_test

import (
	"flag"
	"fmt"
	"os"
	"testing"

	"github.com/auditlog/auditlog/bench/compare"
)

// eventsFlag sets how many events the tests use; CI passes a smaller
// number than the default, and -short uses 10,000.
var eventsFlag = flag.Int("events", 1_000_000, "events in the tests' dataset and ingestion runs")

// numEvents is the number of events the tests use.
func numEvents() int {
	if testing.Short() {
		return min(*eventsFlag, 10_000)
	}
	return *eventsFlag
}

var shared compare.SharedDataset

// dataset returns the dataset shared by the tests, built on first use.
func dataset(t *testing.T) *compare.Dataset {
	t.Helper()
	d, err := shared.Get(numEvents())
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestMain(m *testing.M) {
	code := m.Run()
	if err := shared.Close(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		code = 1
	}
	os.Exit(code)
}
