package httpaudit_test

import (
	"context"
	"errors"
	"math"
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

// heldWriter holds a logger's writer goroutine, and so its queue, until
// release is closed: New's ErrorHandler waits for release, and hold logs
// an event whose NaN value the writer must report.
type heldWriter struct {
	release chan struct{}
	once    sync.Once
}

func newHeldWriter() *heldWriter { return &heldWriter{release: make(chan struct{})} }

// errorHandler is the logger's Options.ErrorHandler.
func (h *heldWriter) errorHandler(error) { <-h.release }

// hold logs the event that holds the writer, and waits until it does.
func (h *heldWriter) hold(t *testing.T, l *logger.Logger) {
	t.Helper()
	require.NoError(t, l.Log(context.Background(), logger.Event{Operation: logger.OpStore, Metadata: map[string]any{"x": math.NaN()}}))
	t.Cleanup(h.free) // before the recorder's Close, should the test stop early
	synctest.Wait()   // the writer waits in ErrorHandler
}

// free lets the writer go on; twice is fine.
func (h *heldWriter) free() { h.once.Do(func() { close(h.release) }) }

// fillQueue logs events until the logger's queue is full, which it stays
// while the writer is held, and returns how many it logged. The last Log,
// refused, is counted in Stats.Rejected. (Statistics waits for the queue
// to drain: it must not be called while the writer is held.)
func fillQueue(t *testing.T, l *logger.Logger) int {
	t.Helper()
	done, cancel := context.WithCancel(context.Background())
	cancel()
	n := 0
	for {
		synctest.Wait() // the writer takes what it can
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
		held := newHeldWriter()
		rec := audittest.NewWith(t, logger.Options{QueueSize: 1, ErrorHandler: held.errorHandler})
		var reported atomic.Int64
		h := wrap(t, httpaudit.Config{
			Logger:       rec.Logger,
			ErrorHandler: func(*http.Request, error) { reported.Add(1) },
		}, statusHandler)
		held.hold(t, rec.Logger)
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
		held.free()
		wg.Wait()
		require.NoError(t, rec.Flush(context.Background()))

		require.Len(t, rec.Find(audittest.Match{Operation: logger.OpDelete}), clients, "every request that ran is audited")
		require.Equal(t, int64(1), rec.Statistics().Rejected, "fillQueue's Log alone")
		require.Zero(t, reported.Load())
		require.Equal(t, int64(1+queued+clients), rec.Statistics().TotalEvents, "the holding event, the queue's and the clients'")
	})
}

// The wait for room in the queue is bounded by LogTimeout: past it, the
// request goes on unaudited, the logger counts the event as rejected and
// ErrorHandler hears of it.
func TestLogTimeoutBoundsTheWait(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		held := newHeldWriter()
		rec := audittest.NewWith(t, logger.Options{QueueSize: 1, ErrorHandler: held.errorHandler})
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
		held.hold(t, rec.Logger)
		fillQueue(t, rec.Logger)

		start := time.Now()
		w := serve(h, "DELETE", "/api/items/1", nil, "")
		require.Equal(t, http.StatusOK, w.Code, "the response is untouched")
		require.Equal(t, time.Minute, time.Since(start), "the request waited LogTimeout (the bubble's clock)")
		require.Len(t, errs, 1)
		require.True(t, errors.Is(errs[0], context.DeadlineExceeded), "%v", errs[0])
		require.ErrorContains(t, errs[0], "httpaudit: DELETE /api/items/1 not audited")
		held.free()
		require.NoError(t, rec.Flush(context.Background()))
		require.Equal(t, int64(2), rec.Statistics().Rejected, "fillQueue's Log and the request's")
		rec.RequireNotLogged(t, audittest.Match{Operation: logger.OpDelete})
	})
}

func TestLogTimeoutDefault(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		held := newHeldWriter()
		rec := audittest.NewWith(t, logger.Options{QueueSize: 1, ErrorHandler: held.errorHandler})
		h := wrap(t, httpaudit.Config{Logger: rec.Logger}, statusHandler)
		held.hold(t, rec.Logger)
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
		held := newHeldWriter()
		rec := audittest.NewWith(t, logger.Options{QueueSize: 2048, ErrorHandler: held.errorHandler})
		h := wrap(t, httpaudit.Config{Logger: rec.Logger, Exclude: []string{"/static"}}, benchHandler)
		held.hold(t, rec.Logger)
		req := httptest.NewRequest("DELETE", "/api/users/42", nil)
		req.Header.Set("User-Agent", "test/1.0")
		req.RemoteAddr = "192.0.2.1:5555"
		w := &discardWriter{h: make(http.Header)}
		allocs := testing.AllocsPerRun(1000, func() { h.ServeHTTP(w, req) })
		require.LessOrEqual(t, allocs, 4.0)
		held.free()
		require.NoError(t, rec.Flush(context.Background()))
		require.Equal(t, int64(1002), rec.Statistics().TotalEvents)
	})
}
