package compare_test

import (
	"testing"

	"github.com/auditlog/auditlog/bench/compare"
)

// TestIngestersStoreEveryEvent checks that every ingestion contender
// ends with every event applied, or written as one line, or inserted as
// one row, and that those with files wrote some.
func TestIngestersStoreEveryEvent(t *testing.T) {
	n := numEvents()
	for _, in := range compare.Ingesters() {
		t.Run(in.Name, func(t *testing.T) {
			r, err := in.Run(n, t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			if r.Events != int64(n) || r.Stored != int64(n) {
				t.Errorf("given %d events, stored %d of %d", n, r.Stored, r.Events)
			}
			if r.Elapsed <= 0 {
				t.Errorf("elapsed %v", r.Elapsed)
			}
			if onDisk := in.Name != "auditlog-memory"; onDisk != (r.DiskBytes > 0) {
				t.Errorf("%d bytes on disk", r.DiskBytes)
			}
			t.Logf("%.0f events/s, %.1f bytes/event on disk", r.PerSecond(), float64(r.DiskBytes)/float64(n))
		})
	}
}
