package failpoint

import (
	"sync"
	"sync/atomic"
)

var (
	enabled atomic.Int32 // how many names are enabled
	mu      sync.RWMutex
	points  = map[string]func() error{}
)

// Enable makes Eval(name) return what f returns, until the returned
// function is called. f is called on every Eval of name, from whatever
// goroutine reaches the place, so it may count calls or fail only some
// of them; a nil result lets the operation proceed.
func Enable(name string, f func() error) (disable func()) {
	mu.Lock()
	if _, ok := points[name]; !ok {
		enabled.Add(1)
	}
	points[name] = f
	mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			mu.Lock()
			if _, ok := points[name]; ok {
				delete(points, name)
				enabled.Add(-1)
			}
			mu.Unlock()
		})
	}
}

// Eval returns the error injected at name, or nil when none is.
func Eval(name string) error {
	if enabled.Load() == 0 {
		return nil
	}
	mu.RLock()
	f := points[name]
	mu.RUnlock()
	if f == nil {
		return nil
	}
	return f()
}

// ShortWrite is an error that a write place may return from its fault to
// say that the first N bytes reach the file before the failure, as a
// full disk does.
type ShortWrite struct {
	N   int
	Err error
}

// Error says the write was short, and why.
func (s *ShortWrite) Error() string { return "short write: " + s.Err.Error() }

// Unwrap returns the underlying error.
func (s *ShortWrite) Unwrap() error { return s.Err }
