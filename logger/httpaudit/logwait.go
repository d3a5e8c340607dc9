package httpaudit

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// logWait is the context a request's event is logged with: it carries
// the request's values but not its end (a client that hangs up does not
// take the audit of the work done for it along), and it ends timeout
// after Log first waits for room in the queue. Its timer starts only
// then, when Log asks for Done: a request that finds room costs no timer.
// It has no Deadline.
type logWait struct {
	values  context.Context
	timeout time.Duration

	once    sync.Once
	done    chan struct{}
	timer   *time.Timer
	expired atomic.Bool
}

func (w *logWait) Deadline() (time.Time, bool) { return time.Time{}, false }

func (w *logWait) Done() <-chan struct{} {
	w.once.Do(func() {
		w.done = make(chan struct{})
		w.timer = time.AfterFunc(w.timeout, func() {
			w.expired.Store(true)
			close(w.done)
		})
	})
	return w.done
}

func (w *logWait) Err() error {
	if w.expired.Load() {
		return context.DeadlineExceeded
	}
	return nil
}

func (w *logWait) Value(key any) any { return w.values.Value(key) }

// stop stops the timer, if it started, once the event is logged.
func (w *logWait) stop() {
	w.once.Do(func() {}) // no timer from now on
	if w.timer != nil {
		w.timer.Stop()
	}
}
