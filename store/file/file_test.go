package file

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/logger"
	"github.com/auditlog/auditlog/store/storetest"
)

func TestConformance(t *testing.T) {
	t.Run("date", func(t *testing.T) {
		storetest.Run(t, func(t *testing.T, dir string) (logger.Store, error) {
			return Open(dir, Options{})
		})
	})
	t.Run("resource_name", func(t *testing.T) {
		storetest.Run(t, func(t *testing.T, dir string) (logger.Store, error) {
			return Open(dir, Options{PartitionBy: "resource_name"})
		})
	})
	t.Run("user_id, small segments, sync", func(t *testing.T) {
		storetest.Run(t, func(t *testing.T, dir string) (logger.Store, error) {
			return Open(dir, Options{PartitionBy: "user_id", SegmentBytes: 4096, Sync: true})
		})
	})
	t.Run("held, resource_id", func(t *testing.T) {
		storetest.RunHeld(t, func(t *testing.T, dir string) (logger.Store, error) {
			return Open(dir, Options{PartitionBy: "resource_id", SegmentBytes: 4096})
		})
	})
}

// TestManyPartitions writes to more partitions than the Store keeps open
// at once: the least recently used are closed and reopened, and Close
// fsyncs them all.
func TestManyPartitions(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, Options{PartitionBy: "resource_id"})
	require.NoError(t, err)
	evs := storetest.Events(8, 3000)
	for i := range evs {
		evs[i].ResourceID = fmt.Sprintf("r%03d", i%300)
	}
	for i := 0; i < len(evs); i += 700 {
		require.NoError(t, s.Write(context.Background(), evs[i:min(i+700, len(evs))]))
		require.LessOrEqual(t, s.open.Len(), MaxOpenSegments)
	}
	require.NotEmpty(t, s.unsynced)
	requireHolds(t, s, evs)
	require.NoError(t, s.Close())
	require.Empty(t, s.unsynced)
	s = openT(t, dir, Options{PartitionBy: "resource_id"})
	requireHolds(t, s, evs)
	got, err := s.Query(context.Background(), logger.Filter{ResourceID: "r042"})
	require.NoError(t, err)
	require.Len(t, got, 10)
}

// An event handed over again is appended again: Query returns each copy,
// the same event, next to each other in the order (see "Redelivery" in
// the package documentation).
func TestRedeliveryKeepsEachCopy(t *testing.T) {
	s, err := Open(t.TempDir(), Options{})
	require.NoError(t, err)
	defer s.Close()
	ctx := context.Background()
	evs := storetest.Events(12, 30)
	require.NoError(t, s.Write(ctx, evs))
	require.NoError(t, s.Write(ctx, evs[20:]))
	got, err := s.Query(ctx, logger.Filter{Ascending: true})
	require.NoError(t, err)
	require.Len(t, got, 40)
	seen := map[string]int{}
	for i, ev := range got {
		if seen[ev.ID]++; seen[ev.ID] == 2 {
			require.Equal(t, got[i-1], ev, "a copy follows its event")
		}
	}
	for i, ev := range evs {
		require.Equal(t, 1+min(1, i/20), seen[ev.ID], "event %d", i)
	}
}
