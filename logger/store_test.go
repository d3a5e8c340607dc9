package logger_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/logger"
)

// recordingStore keeps what it is given; err or panics make Write fail.
type recordingStore struct {
	mu     sync.Mutex
	evs    []logger.Event
	saves  int
	err    error
	panics bool
}

func (s *recordingStore) Write(_ context.Context, evs []logger.Event) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.saves++
	if s.panics {
		panic("store bug")
	}
	if s.err != nil {
		return s.err
	}
	s.evs = append(s.evs, evs...) // the logger reuses the slice: copy
	return nil
}

func (s *recordingStore) events() []logger.Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]logger.Event(nil), s.evs...)
}

func (*recordingStore) Query(context.Context, logger.Filter) ([]logger.Event, error) { return nil, nil }
func (*recordingStore) Count(context.Context, logger.Filter) (int, error)            { return 0, nil }
func (*recordingStore) DeleteBefore(context.Context, time.Time) (int, error)         { return 0, nil }
func (*recordingStore) Close() error                                                 { return nil }

func TestStoresReceiveEveryEventAsStored(t *testing.T) {
	a, b := &recordingStore{}, &recordingStore{}
	l := newLogger(t, logger.Options{MaxEvents: 100, Stores: []logger.Store{a, b}})
	ctx := logger.WithActor(context.Background(), logger.Actor{UserID: "ann"})
	const n = 1500 // several batches, and more than the ring keeps
	for i := range n {
		ev := logger.Event{Operation: logger.OpStore, EntryIDs: []string{"e"}, Metadata: map[string]any{"password": "p", "i": i}}
		if i%100 == 0 {
			require.NoError(t, l.LogBatch(ctx, []logger.Event{ev, ev}))
			continue
		}
		require.NoError(t, l.Log(ctx, ev))
	}
	require.NoError(t, l.FlushSinks(t.Context()))
	total := n + n/100
	for _, s := range []*recordingStore{a, b} {
		evs := s.events()
		require.Len(t, evs, total)
		for i, ev := range evs {
			require.Equal(t, uint64(i+1), ev.Seq, "in sequence order")
			require.True(t, isUUIDv7(ev.ID))
			require.False(t, ev.Time.IsZero())
			require.Equal(t, "ann", ev.UserID)
			require.Equal(t, logger.StatusSuccess, ev.Status)
			require.Equal(t, logger.Redacted, ev.Metadata["password"], "stores get masked events")
		}
	}
	// What the ring still holds is what the stores got.
	require.Equal(t, l.Query(logger.Filter{Ascending: true}), a.events()[total-100:])
	require.Zero(t, l.Statistics().Failed)
}

func TestCloseSavesEverythingQueued(t *testing.T) {
	s := &recordingStore{}
	l, err := logger.New(logger.Options{Stores: []logger.Store{s}})
	require.NoError(t, err)
	for range 2000 {
		require.NoError(t, l.Log(context.Background(), logger.Event{Operation: logger.OpRecall}))
	}
	require.NoError(t, l.Close())
	require.Len(t, s.events(), 2000)
}

func TestNilStoreIsRejected(t *testing.T) {
	_, err := logger.New(logger.Options{Stores: []logger.Store{nil}})
	require.ErrorIs(t, err, logger.ErrInvalidOptions)
}
