package main

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/logger"
	"github.com/auditlog/auditlog/store/sqlite"
	"github.com/auditlog/auditlog/store/storetest"
)

// keptEvents returns n events to import, as a selection keeps them.
func keptEvents(n int) []kept {
	evs := storetest.Events(7, n)
	ks := make([]kept, n)
	for i := range evs {
		ev := evs[i]
		ks[i] = kept{t: ev.Time.UnixNano(), source: ev.Source, seq: ev.Seq, id: ev.ID, ev: &ev}
	}
	return ks
}

// faultyStore is a store that takes its first takes Writes, then fails
// every Write with err (or panics, when panics is set).
type faultyStore struct {
	*storetest.Memory
	takes  int
	err    error
	panics bool

	mu     sync.Mutex
	writes int
}

func (s *faultyStore) Write(ctx context.Context, evs []logger.Event) error {
	s.mu.Lock()
	s.writes++
	n := s.writes
	s.mu.Unlock()
	if n > s.takes {
		if s.panics {
			panic(s.err)
		}
		return s.err
	}
	return s.Memory.Write(ctx, evs)
}

// A store that refuses events ends the import with its error, at its
// first refusal, and the count is what the store took: the import
// neither hangs on a store the logger would retry forever, nor counts
// events the store never took.
func TestImportStoreRefuses(t *testing.T) {
	full := errors.New("disk full")
	for _, c := range []struct {
		name   string
		takes  int
		panics bool
	}{
		{"at once", 0, false},
		{"after two batches", 2, false},
		{"with a panic, after a batch", 1, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			ks := keptEvents(5 * chunkSize) // eachChunk lets go of what it decodes
			s := &faultyStore{Memory: storetest.NewMemory(), takes: c.takes, err: full, panics: c.panics}
			n, _, err := importEvents(context.Background(), s, ks)
			require.ErrorIs(t, err, errStoreRefused)
			require.ErrorContains(t, err, "disk full", "the store's own error")
			stored, cerr := s.Count(context.Background(), logger.Filter{})
			require.NoError(t, cerr)
			require.Equal(t, stored, n, "the count is the events the store took")
			require.Less(t, n, len(ks))
			require.ErrorContains(t, err, "after "+formatInt(n)+" of "+formatInt(len(ks))+" events")
			s.mu.Lock()
			defer s.mu.Unlock()
			require.Equal(t, c.takes+1, s.writes, "no Write after the first refusal")
		})
	}
}

// blockedStore's Write waits for its context, as a store waiting on a
// server that does not answer; started is closed at the first Write.
type blockedStore struct {
	*storetest.Memory
	once    sync.Once
	started chan struct{}
}

func (s *blockedStore) Write(ctx context.Context, _ []logger.Event) error {
	s.once.Do(func() { close(s.started) })
	<-ctx.Done()
	return ctx.Err()
}

// The user's interrupt ends an import that waits for its store.
func TestImportInterrupted(t *testing.T) {
	s := &blockedStore{Memory: storetest.NewMemory(), started: make(chan struct{})}
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-s.started; cancel() }()
	n, _, err := importEvents(ctx, s, keptEvents(3*chunkSize))
	require.ErrorIs(t, err, context.Canceled)
	require.Zero(t, n)
}

// slowStore takes a second of the bubble's clock per Write.
type slowStore struct{ *storetest.Memory }

func (s slowStore) Write(ctx context.Context, evs []logger.Event) error {
	time.Sleep(time.Second) // the bubble's clock: a store slower than the logger
	return s.Memory.Write(ctx, evs)
}

// A store far slower than the logger gets every event: the import waits
// for it rather than overflow its buffer (of logger.DefaultSinkBuffer
// events by default) or give up at Close.
func TestImportSlowStoreGetsEverything(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ks := keptEvents(logger.DefaultSinkBuffer + 3*chunkSize)
		s := slowStore{storetest.NewMemory()}
		n, _, err := importEvents(context.Background(), s, ks)
		require.NoError(t, err)
		require.Equal(t, len(ks), n)
		stored, err := s.Count(context.Background(), logger.Filter{})
		require.NoError(t, err)
		require.Equal(t, len(ks), stored)
	})
}

// importNew passes over what a store without store.IDHolder holds too
// (store.HeldIDs reads its events), and an ID the selection repeats.
func TestImportNewIntoAnyStore(t *testing.T) {
	ctx := context.Background()
	s := storetest.NewMemory()
	ks := keptEvents(3 * chunkSize)
	res, err := importNew(ctx, s, ks[:2*chunkSize])
	require.NoError(t, err)
	require.Equal(t, importResult{new: 2 * chunkSize}, res)

	ks = keptEvents(3 * chunkSize)
	again := append(ks[chunkSize:], ks[len(ks)-1], ks[len(ks)-2])
	res, err = importNew(ctx, s, again)
	require.NoError(t, err)
	require.Equal(t, importResult{new: chunkSize, existing: chunkSize + 2}, res)
	n, err := s.Count(ctx, logger.Filter{})
	require.NoError(t, err)
	require.Equal(t, 3*chunkSize, n)
}

// racingStore is a SQLite store into which another writer stores the
// events of also just after the import looked its IDs up, as another
// program importing the same export at the same time would.
type racingStore struct {
	*sqlite.Store
	other *sqlite.Store
	also  []logger.Event
}

func (s racingStore) HeldIDs(ctx context.Context, ids []string) ([]string, error) {
	held, err := s.Store.HeldIDs(ctx, ids)
	if err == nil {
		err = s.other.Write(ctx, s.also)
	}
	return held, err
}

// The counts are exact in a store that counts what it stores, even when
// another writer stores some of the same events during the import.
func TestImportCountsWhatTheStoreStored(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "audit.db")
	open := func() *sqlite.Store {
		s, err := sqlite.Open(path, sqlite.Options{})
		require.NoError(t, err)
		t.Cleanup(func() { _ = s.Close() })
		return s
	}
	ks := keptEvents(2 * chunkSize)
	also := make([]logger.Event, 0, 100)
	for i := range 100 {
		also = append(also, *ks[i*7].ev)
	}
	s := racingStore{Store: open(), other: open(), also: also}
	res, err := importNew(ctx, s, ks)
	require.NoError(t, err)
	require.Equal(t, importResult{new: 2*chunkSize - 100, existing: 100}, res)
	n, err := s.Count(ctx, logger.Filter{})
	require.NoError(t, err)
	require.Equal(t, 2*chunkSize, n)
}
