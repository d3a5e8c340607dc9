package httpaudit_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/logger"
	"github.com/auditlog/auditlog/logger/audittest"
	"github.com/auditlog/auditlog/logger/httpaudit"
)

// heldStore is a logger.Store whose Write waits until release is closed:
// it holds the logger's applier, and so its queue, full.
type heldStore struct {
	release chan struct{}
	saved   atomic.Int64
}

func (s *heldStore) Write(_ context.Context, events []logger.Event) error {
	<-s.release
	s.saved.Add(int64(len(events)))
	return nil
}

func (s *heldStore) Query(context.Context, logger.Filter) ([]logger.Event, error) { return nil, nil }
func (s *heldStore) Count(context.Context, logger.Filter) (int, error)            { return 0, nil }
func (s *heldStore) DeleteBefore(context.Context, time.Time) (int, error)         { return 0, nil }
func (s *heldStore) Close() error                                                 { return nil }

// fillQueue logs events until the logger's queue is full, which it stays
// while store is held, and returns how many it logged. The last Log,
// refused, is counted in Stats.Rejected. (Statistics waits for the queue
// to drain: it must not be called while the store is held.)
func fillQueue(t *testing.T, l *logger.Logger) int {
	t.Helper()
	done, cancel := context.WithCancel(context.Background())
	cancel()
	n := 0
	for {
		synctest.Wait() // the writer and the applier take what they can
		if err := l.Log(done, logger.Event{Operation: logger.OpStore}); err != nil {
			require.ErrorIs(t, err, context.Canceled)
			return n
		}
		n++
	}
}

// A client that hangs up while the logger's queue is full does not take
// its request's event with it: the handler ran, the event is logged once
// there is room.
func TestClientHangUpWhileQueueIsFull(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store := &heldStore{release: make(chan struct{})}
		rec := audittest.NewWith(t, logger.Options{QueueSize: 1, Stores: []logger.Store{store}})
		var reported atomic.Int64
		h := wrap(t, httpaudit.Config{
			Logger:       rec.Logger,
			ErrorHandler: func(*http.Request, error) { reported.Add(1) },
		}, statusHandler)
		queued := fillQueue(t, rec.Logger)

		const clients = 20
		var wg sync.WaitGroup
		for range clients {
			ctx, hangUp := context.WithCancel(context.Background())
			hangUp() // the client is gone by the time the event is logged
			wg.Go(func() {
				req := httptest.NewRequestWithContext(ctx, "DELETE", "/api/items/1", nil)
				h.ServeHTTP(httptest.NewRecorder(), req)
			})
		}
		synctest.Wait() // every request has run its handler and waits for room
		close(store.release)
		wg.Wait()
		require.NoError(t, rec.Flush(context.Background()))

		require.Len(t, rec.Find(audittest.Match{Operation: logger.OpDelete}), clients, "every request that ran is audited")
		require.Equal(t, int64(1), rec.Statistics().Rejected, "fillQueue's Log alone")
		require.Zero(t, reported.Load())
		require.Equal(t, int64(queued+clients), store.saved.Load())
	})
}

// The wait for room in the queue is bounded by LogTimeout: past it, the
// request goes on unaudited, the logger counts the event as rejected and
// ErrorHandler hears of it.
func TestLogTimeoutBoundsTheWait(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store := &heldStore{release: make(chan struct{})}
		rec := audittest.NewWith(t, logger.Options{QueueSize: 1, Stores: []logger.Store{store}})
		var mu sync.Mutex
		var errs []error
		h := wrap(t, httpaudit.Config{
			Logger:     rec.Logger,
			LogTimeout: time.Minute,
			ErrorHandler: func(r *http.Request, err error) {
				mu.Lock()
				defer mu.Unlock()
				require.Equal(t, "/api/items/1", r.URL.Path)
				errs = append(errs, err)
			},
		}, statusHandler)
		fillQueue(t, rec.Logger)

		start := time.Now()
		w := serve(h, "DELETE", "/api/items/1", nil, "")
		require.Equal(t, http.StatusOK, w.Code, "the response is untouched")
		require.Equal(t, time.Minute, time.Since(start), "the request waited LogTimeout (the bubble's clock)")
		require.Len(t, errs, 1)
		require.True(t, errors.Is(errs[0], context.DeadlineExceeded), "%v", errs[0])
		require.ErrorContains(t, errs[0], "httpaudit: DELETE /api/items/1 not audited")
		close(store.release)
		require.NoError(t, rec.Flush(context.Background()))
		require.Equal(t, int64(2), rec.Statistics().Rejected, "fillQueue's Log and the request's")
		rec.RequireNotLogged(t, audittest.Match{Operation: logger.OpDelete})
	})
}

func TestLogTimeoutDefault(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store := &heldStore{release: make(chan struct{})}
		defer close(store.release)
		rec := audittest.NewWith(t, logger.Options{QueueSize: 1, Stores: []logger.Store{store}})
		h := wrap(t, httpaudit.Config{Logger: rec.Logger}, statusHandler)
		fillQueue(t, rec.Logger)
		start := time.Now()
		serve(h, "POST", "/x", nil, "")
		require.Equal(t, httpaudit.DefaultLogTimeout, time.Since(start))
	})
}

// An audited request costs four allocations of the middleware's (the
// recorder, the context that carries it, the request that carries that
// context, the event's Request): no timer for LogTimeout while the queue
// has room. The logger's goroutines are held still, so that their own
// allocations are not counted.
func TestAuditedRequestAllocations(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store := &heldStore{release: make(chan struct{})}
		rec := audittest.NewWith(t, logger.Options{QueueSize: 2048, Stores: []logger.Store{store}})
		h := wrap(t, httpaudit.Config{Logger: rec.Logger, Exclude: []string{"/static"}}, benchHandler)
		require.NoError(t, rec.Log(context.Background(), logger.Event{Operation: logger.OpStore}))
		synctest.Wait() // the applier holds the event, the writer waits for it
		req := httptest.NewRequest("DELETE", "/api/users/42", nil)
		req.Header.Set("User-Agent", "test/1.0")
		req.RemoteAddr = "192.0.2.1:5555"
		w := &discardWriter{h: make(http.Header)}
		allocs := testing.AllocsPerRun(1000, func() { h.ServeHTTP(w, req) })
		require.LessOrEqual(t, allocs, 4.0)
		close(store.release)
		require.NoError(t, rec.Flush(context.Background()))
		require.Equal(t, int64(1002), rec.Statistics().TotalEvents)
	})
}
