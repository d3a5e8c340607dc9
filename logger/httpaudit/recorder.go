package httpaudit

import (
	"bufio"
	"net"
	"net/http"
	"sync/atomic"
)

// recorder remembers what the client sent, the status code a handler
// wrote, and the user SetUser named. It passes Flush and Hijack through to the writer it
// wraps, and Unwrap lets http.ResponseController reach that writer's
// other methods.
type recorder struct {
	http.ResponseWriter
	sent   sent
	status int
	// user is named by SetUser, which a handler behind http.TimeoutHandler
	// may call from its own goroutine while the request is audited.
	user atomic.Pointer[string]
	// wait is the context the request's event is logged with, kept here
	// to save an allocation per request.
	wait logWait
}

// WriteHeader remembers the first final status: an informational one
// (103 Early Hints, say) comes before the status of the response, but
// 101 Switching Protocols is final.
func (r *recorder) WriteHeader(code int) {
	if r.status == 0 && (code >= 200 || code == http.StatusSwitchingProtocols) {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

// Flush flushes the wrapped writer, when it can.
func (r *recorder) Flush() {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	_ = http.NewResponseController(r.ResponseWriter).Flush()
}

// Hijack hands the connection over, when the wrapped writer can; a
// hijacked request is audited as 101 Switching Protocols unless the
// handler wrote a status before.
func (r *recorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, rw, err := http.NewResponseController(r.ResponseWriter).Hijack()
	if err == nil && r.status == 0 {
		r.status = http.StatusSwitchingProtocols
	}
	return conn, rw, err
}

// Unwrap returns the wrapped writer, for http.ResponseController.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
