package httpaudit_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/auditlog/auditlog/logger"
	"github.com/auditlog/auditlog/logger/httpaudit"
)

// Benchmarks of the middleware beside the bare handler it wraps, served
// in process with a pre-built request and a writer that discards what it
// is given (so that httptest.ResponseRecorder's own allocations are not
// measured). As logger's BenchmarkLog, the timer stops every benchRound
// requests while the writer applies the queued events: the figure is the
// request's cost while the queue has room. BENCHMARKS.md holds the
// figures.

const benchRound = 8192

// discardWriter is a ResponseWriter that keeps nothing but its header map,
// reused from request to request.
type discardWriter struct {
	h      http.Header
	status int
	n      int
}

func (w *discardWriter) Header() http.Header { return w.h }

func (w *discardWriter) WriteHeader(code int) { w.status = code }

func (w *discardWriter) Write(p []byte) (int, error) {
	w.n += len(p)
	return len(p), nil
}

var benchBody = []byte(`{"id":42,"name":"item"}`)

// benchHandler answers 200 with a small body.
var benchHandler = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(benchBody)
})

// BenchmarkMiddleware serves one request per op, for each case bare (the
// handler alone) and audited (the handler behind httpaudit.Middleware):
// GET and POST are audited, /healthz is in Exclude and shows what an
// excluded path costs.
func BenchmarkMiddleware(b *testing.B) {
	for _, c := range []struct {
		name, method, target string
	}{
		{"GET", http.MethodGet, "/items/42"},
		{"POST", http.MethodPost, "/items"},
		{"excluded", http.MethodGet, "/healthz"},
	} {
		for _, wrapped := range []bool{false, true} {
			name := c.name + "/bare"
			if wrapped {
				name = c.name + "/audited"
			}
			b.Run(name, func(b *testing.B) {
				l, err := logger.New(logger.Options{MaxEvents: 100_000, QueueSize: benchRound})
				if err != nil {
					b.Fatal(err)
				}
				b.Cleanup(func() { _ = l.Close() })
				var h http.Handler = benchHandler
				if wrapped {
					mw, err := httpaudit.Middleware(httpaudit.Config{
						Logger:  l,
						Exclude: []string{"/healthz", "/static/"},
						User:    func(r *http.Request) string { return r.Header.Get("X-User") },
					})
					if err != nil {
						b.Fatal(err)
					}
					h = mw(benchHandler)
				}
				req := httptest.NewRequest(c.method, c.target, nil)
				req.Header.Set("User-Agent", "bench/1.0")
				req.Header.Set("X-User", "user-7")
				req.RemoteAddr = "192.0.2.1:5555"
				w := &discardWriter{h: make(http.Header)}

				b.ReportAllocs()
				b.ResetTimer()
				for done := 0; done < b.N; {
					n := min(benchRound, b.N-done)
					for range n {
						h.ServeHTTP(w, req)
					}
					done += n
					b.StopTimer()
					if err := l.Flush(context.Background()); err != nil {
						b.Fatal(err)
					}
					b.StartTimer()
				}
				if w.status != http.StatusOK || w.n == 0 {
					b.Fatalf("the handler answered %d with %d bytes", w.status, w.n)
				}
				want := int64(0)
				if wrapped && c.name != "excluded" {
					want = int64(b.N)
				}
				if got := l.Statistics().TotalEvents; got != want {
					b.Fatalf("%d events audited, want %d", got, want)
				}
			})
		}
	}
}
