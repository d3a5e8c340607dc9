package file

import (
	"context"
	"fmt"
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/logger"
	"github.com/auditlog/auditlog/store/storetest"
)

// A query over many small segments allocates for the segments it lists
// and opens, not a read buffer each.
func TestQueryAllocationPerSegment(t *testing.T) {
	const parts = 300
	s := openT(t, t.TempDir(), Options{PartitionBy: "user_id"})
	evs := storetest.Events(21, 2*parts)
	for i := range evs {
		evs[i].UserID = fmt.Sprintf("user-%03d", i%parts)
		evs[i].Time = storetest.Start // one date: one segment per user
	}
	ctx := context.Background()
	require.NoError(t, s.Write(ctx, evs))
	require.Len(t, segmentFiles(t, s.Dir()), parts)
	f := logger.Filter{Source: "nobody"} // every segment read, nothing decoded
	count := func() {
		n, err := s.Count(ctx, f)
		require.NoError(t, err)
		require.Zero(t, n)
	}
	count() // the readers' buffers
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	count()
	runtime.ReadMemStats(&after)
	perSegment := float64(after.TotalAlloc-before.TotalAlloc) / parts
	t.Logf("%.0f bytes allocated per segment", perSegment)
	// A query takes one reader for each of its goroutines from a pool,
	// which may have to make them anew (the race detector drops pooled
	// items at random): at most GOMAXPROCS buffers of 256 KiB a query,
	// however many segments it reads.
	// Listing and opening a segment costs about 2 KB (more under the race
	// detector); a read buffer each would be 256 KiB.
	readers := float64(runtime.GOMAXPROCS(0)) * (256 << 10) / parts
	require.Less(t, perSegment, 8192.0+readers, "bytes allocated per segment by a Count")
}
