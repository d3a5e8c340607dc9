package storetest

import (
	"context"
	"errors"
	"slices"
	"sync"
	"time"

	"github.com/auditlog/auditlog/logger"
	"github.com/auditlog/auditlog/store"
)

// ErrClosed is returned by a closed Memory.
var ErrClosed = errors.New("storetest: store closed")

// Memory is the simplest logger.Store: events in a slice, selected by
// store.Select. It is the reference the suite is checked against, and a
// store for tests of code that takes a logger.Store. It keeps each event
// ID once: Write passes over an event whose ID it holds (events without
// an ID are all kept).
type Memory struct {
	data   *memData
	closed bool // guarded by data.mu
}

type memData struct {
	mu  sync.Mutex
	evs []logger.Event
	ids map[string]bool // the IDs in evs
}

// NewMemory returns an empty Memory.
func NewMemory() *Memory { return &Memory{data: &memData{ids: map[string]bool{}}} }

// Reopen returns a new handle on the events of m, as opening a store's
// folder again would; m may be closed.
func (m *Memory) Reopen() *Memory { return &Memory{data: m.data} }

// Write implements logger.Store.
func (m *Memory) Write(ctx context.Context, evs []logger.Event) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.data.mu.Lock()
	defer m.data.mu.Unlock()
	if m.closed {
		return ErrClosed
	}
	for i := range evs {
		if err := evs[i].Validate(); err != nil {
			return err
		}
	}
	for _, ev := range evs {
		if ev.ID != "" {
			if m.data.ids[ev.ID] {
				continue
			}
			m.data.ids[ev.ID] = true
		}
		m.data.evs = append(m.data.evs, ev)
	}
	return nil
}

// Query implements logger.Store.
func (m *Memory) Query(ctx context.Context, f logger.Filter) ([]logger.Event, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := store.CheckFilter(&f); err != nil {
		return nil, err
	}
	m.data.mu.Lock()
	if m.closed {
		m.data.mu.Unlock()
		return nil, ErrClosed
	}
	evs := slices.Clone(m.data.evs)
	m.data.mu.Unlock()
	return store.Select(evs, f), nil
}

// Count implements logger.Store.
func (m *Memory) Count(ctx context.Context, f logger.Filter) (int, error) {
	f.Limit, f.Offset = 0, 0
	evs, err := m.Query(ctx, f)
	return len(evs), err
}

// DeleteBefore implements logger.Store.
func (m *Memory) DeleteBefore(ctx context.Context, t time.Time) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	m.data.mu.Lock()
	defer m.data.mu.Unlock()
	if m.closed {
		return 0, ErrClosed
	}
	n := len(m.data.evs)
	m.data.evs = slices.DeleteFunc(m.data.evs, func(ev logger.Event) bool {
		if ev.Time.Before(t) {
			delete(m.data.ids, ev.ID)
			return true
		}
		return false
	})
	return n - len(m.data.evs), nil
}

// Close implements logger.Store.
func (m *Memory) Close() error {
	m.data.mu.Lock()
	defer m.data.mu.Unlock()
	m.closed = true
	return nil
}
