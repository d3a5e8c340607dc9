package storetest

import (
	"context"
	"slices"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/logger"
	"github.com/auditlog/auditlog/store"
)

// RunCounted runs the tests of a store that is a store.CountingWriter:
// WriteCounted returns how many events it stored, exactly, for batches
// that repeat what the store holds or repeat an ID within themselves,
// and for writers that store the same events at once.
func RunCounted(t *testing.T, open Opener) {
	t.Run("WriteCounted", func(t *testing.T) { testCounted(t, open) })
	t.Run("ConcurrentWriteCounted", func(t *testing.T) { testConcurrentCounted(t, open) })
}

func testCounted(t *testing.T, open Opener) {
	ctx := context.Background()
	evs := Events(seed(t), 400)
	s, _ := filled(t, open, evs[:100])
	w, ok := s.(store.CountingWriter)
	require.True(t, ok, "the store is a store.CountingWriter")
	for _, c := range []struct {
		name   string
		batch  []logger.Event
		stored int
	}{
		{"all held", evs[:100], 0},
		{"half held", evs[50:150], 50},
		{"an ID twice in the batch", append(slices.Clone(evs[150:160]), evs[155], evs[159]), 10},
		{"new, in another order", reversed(evs[160:400]), 240},
		{"empty", nil, 0},
	} {
		n, err := w.WriteCounted(ctx, c.batch)
		require.NoError(t, err, c.name)
		require.Equal(t, c.stored, n, c.name)
	}
	check(t, s, evs, filters(evs))
}

func testConcurrentCounted(t *testing.T, open Opener) {
	evs := Events(seed(t), 600)
	dir := t.TempDir()
	const writers = 4
	counts := make([]int, writers)
	errs := make([]error, writers)
	stores := make([]store.CountingWriter, writers)
	for i := range stores {
		s, err := open(t, dir)
		require.NoError(t, err)
		t.Cleanup(func() { _ = s.Close() })
		stores[i] = s.(store.CountingWriter)
	}
	var wg sync.WaitGroup
	for i := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Every writer writes every event, from an offset of its own,
			// in batches that overlap.
			for j := 0; j < len(evs) && errs[i] == nil; j += 50 {
				from := (j + i*len(evs)/writers) % len(evs)
				var n int
				n, errs[i] = stores[i].WriteCounted(context.Background(), evs[from:min(from+75, len(evs))])
				counts[i] += n
			}
		}()
	}
	wg.Wait()
	total := 0
	for i := range writers {
		require.NoError(t, errs[i], "writer %d", i)
		total += counts[i]
	}
	require.Equal(t, len(evs), total, "each event counted stored once, by one writer")
}

// reversed returns a copy of evs in the reverse order.
func reversed(evs []logger.Event) []logger.Event {
	out := slices.Clone(evs)
	slices.Reverse(out)
	return out
}
