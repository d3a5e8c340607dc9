package bench

import (
	"flag"
	"fmt"
	"os"
	"sync"
	"testing"

	"github.com/auditlog/auditlog/bench/compare"
)

// eventsFlag sets how many events the ingestion runs and the dataset
// hold: 1,000,000 as the issue states the measures, a small number in CI.
var eventsFlag = flag.Int("events", 1_000_000, "events per ingestion run and in the query, statistics and memory dataset")

var (
	datasetOnce sync.Once
	datasetDir  string
	datasetVal  *compare.Dataset
	datasetErr  error
)

// dataset returns the dataset of -events events shared by the query and
// statistics benchmarks, built on first use, outside any timing.
func dataset(b *testing.B) *compare.Dataset {
	b.Helper()
	datasetOnce.Do(func() {
		datasetDir, datasetErr = os.MkdirTemp("", "bench-")
		if datasetErr == nil {
			datasetVal, datasetErr = compare.NewDataset(*eventsFlag, datasetDir)
		}
	})
	if datasetErr != nil {
		b.Fatal(datasetErr)
	}
	return datasetVal
}

func TestMain(m *testing.M) {
	code := m.Run()
	if datasetVal != nil {
		if err := datasetVal.Close(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			code = 1
		}
	}
	if datasetDir != "" {
		if err := os.RemoveAll(datasetDir); err != nil {
			fmt.Fprintln(os.Stderr, err)
			code = 1
		}
	}
	os.Exit(code)
}
