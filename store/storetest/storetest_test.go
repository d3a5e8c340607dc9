package storetest_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/auditlog/auditlog/logger"
	"github.com/auditlog/auditlog/store"
	"github.com/auditlog/auditlog/store/storetest"
)

// memStore is the simplest store that can pass: a slice behind a lock,
// kept per folder so that reopening finds it. It checks the suite itself.
type memStore struct {
	disk   *[]logger.Event
	closed bool
}

var (
	disksMu sync.Mutex
	disks   = map[string]*[]logger.Event{}
)

func openMem(t *testing.T, dir string) (logger.Store, error) {
	disksMu.Lock()
	defer disksMu.Unlock()
	if disks[dir] == nil {
		disks[dir] = new([]logger.Event)
	}
	return &memStore{disk: disks[dir]}, nil
}

var errClosed = errors.New("closed")

func (m *memStore) Save(ctx context.Context, evs []logger.Event) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	disksMu.Lock()
	defer disksMu.Unlock()
	if m.closed {
		return errClosed
	}
	*m.disk = append(*m.disk, evs...)
	return nil
}

func (m *memStore) snapshot(ctx context.Context, f *logger.Filter) ([]logger.Event, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := store.CheckFilter(f); err != nil {
		return nil, err
	}
	disksMu.Lock()
	defer disksMu.Unlock()
	if m.closed {
		return nil, errClosed
	}
	return slices.Clone(*m.disk), nil
}

func (m *memStore) Query(ctx context.Context, f logger.Filter) ([]logger.Event, error) {
	evs, err := m.snapshot(ctx, &f)
	if err != nil {
		return nil, err
	}
	return store.Select(evs, f), nil
}

func (m *memStore) Count(ctx context.Context, f logger.Filter) (int, error) {
	f.Limit, f.Offset = 0, 0
	evs, err := m.Query(ctx, f)
	return len(evs), err
}

func (m *memStore) DeleteBefore(ctx context.Context, t time.Time) (int, error) {
	disksMu.Lock()
	defer disksMu.Unlock()
	if m.closed {
		return 0, errClosed
	}
	n := len(*m.disk)
	*m.disk = slices.DeleteFunc(*m.disk, func(ev logger.Event) bool { return ev.Time.Before(t) })
	return n - len(*m.disk), nil
}

func (m *memStore) Close() error {
	disksMu.Lock()
	defer disksMu.Unlock()
	m.closed = true
	return nil
}

func TestSuiteOnAMemoryStore(t *testing.T) {
	storetest.Run(t, openMem)
}
