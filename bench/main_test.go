package bench

import (
	"flag"
	"fmt"
	"os"
	"testing"

	"github.com/auditlog/auditlog/bench/compare"
)

// eventsFlag sets how many events the ingestion runs and the dataset
// hold: 1,000,000 as the issue states the measures, a small number in CI.
var eventsFlag = flag.Int("events", 1_000_000, "events per ingestion run and in the query, statistics and memory dataset")

var shared compare.SharedDataset

// dataset returns the dataset of -events events shared by the query and
// statistics benchmarks, built on first use, outside any timing.
func dataset(b *testing.B) *compare.Dataset {
	b.Helper()
	d, err := shared.Get(*eventsFlag)
	if err != nil {
		b.Fatal(err)
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
