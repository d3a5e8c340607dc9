package otlp_test

import (
	"compress/gzip"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
)

// receiver is an OTLP/HTTP logs endpoint that decodes every request with
// the collector's own pdata, so the wire format is checked by the
// reference implementation. It answers with status (200 when zero), and
// keeps what it accepted.
type receiver struct {
	t   testing.TB
	srv *httptest.Server

	mu       sync.Mutex
	status   int
	answer   string        // the body of an answer that is not 200
	rejected int64         // records a 200 answer says it rejected (partial success)
	acceptN  int           // when set, requests after the first acceptN answer 503
	sizes    []int         // the size of each request's body, uncompressed
	block    chan struct{} // when set, a request waits for it to close
	arrived  chan struct{} // when set, told of each request before it waits
	requests int           // every request, accepted or not
	headers  []http.Header
	accepted []plog.Logs
}

// newReceiver starts a receiver on a loopback port; the test stops it.
func newReceiver(t testing.TB) *receiver {
	r := &receiver{t: t}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.close)
	return r
}

// url is the receiver's logs endpoint.
func (r *receiver) url() string { return r.srv.URL + "/v1/logs" }

func (r *receiver) close() {
	r.mu.Lock()
	if r.block != nil {
		select {
		case <-r.block:
		default:
			close(r.block)
		}
	}
	r.mu.Unlock()
	r.srv.Close()
}

// setStatus makes the receiver answer code, without keeping what it got
// unless code is 200.
func (r *receiver) setStatus(code int) {
	r.mu.Lock()
	r.status = code
	r.mu.Unlock()
}

// restart stops the receiver, so that connections are refused, and
// returns a function that starts it again on the same address.
func (r *receiver) restart() (start func()) {
	addr := r.srv.Listener.Addr().String()
	r.srv.Close()
	return func() {
		l, err := net.Listen("tcp", addr)
		if err != nil {
			r.t.Fatalf("listening again on %s: %v", addr, err)
		}
		r.srv = httptest.NewUnstartedServer(http.HandlerFunc(r.serve))
		r.srv.Listener.Close()
		r.srv.Listener = l
		r.srv.Start()
	}
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	r.requests++
	r.headers = append(r.headers, req.Header.Clone())
	status, answer, rejected, block, arrived := r.status, r.answer, r.rejected, r.block, r.arrived
	r.mu.Unlock()
	if arrived != nil {
		arrived <- struct{}{}
	}
	if block != nil {
		<-block
	}
	if req.Method != http.MethodPost || req.URL.Path != "/v1/logs" {
		http.Error(w, "want POST /v1/logs, got "+req.Method+" "+req.URL.Path, http.StatusNotFound)
		return
	}
	if ct := req.Header.Get("Content-Type"); ct != "application/x-protobuf" {
		http.Error(w, "want a protobuf body, got "+ct, http.StatusUnsupportedMediaType)
		return
	}
	var body io.Reader = req.Body
	if req.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(req.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		body = zr
	}
	data, err := io.ReadAll(body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	r.mu.Lock()
	r.sizes = append(r.sizes, len(data))
	if r.acceptN > 0 && len(r.accepted) >= r.acceptN {
		status = http.StatusServiceUnavailable
	}
	r.mu.Unlock()
	if status != 0 && status != http.StatusOK {
		if answer == "" {
			answer = "receiver unavailable"
		}
		http.Error(w, answer, status)
		return
	}
	ereq := plogotlp.NewExportRequest()
	if err := ereq.UnmarshalProto(data); err != nil {
		r.t.Errorf("the collector's pdata cannot decode the request: %v", err)
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	eresp := plogotlp.NewExportResponse()
	if rejected > 0 {
		eresp.PartialSuccess().SetRejectedLogRecords(rejected)
		eresp.PartialSuccess().SetErrorMessage("record too large")
	} else {
		r.mu.Lock()
		r.accepted = append(r.accepted, ereq.Logs())
		r.mu.Unlock()
	}
	resp, err := eresp.MarshalProto()
	if err != nil {
		r.t.Errorf("encoding the response: %v", err)
	}
	w.Header().Set("Content-Type", "application/x-protobuf")
	_, _ = w.Write(resp)
}

// records returns every log record accepted so far, in order.
func (r *receiver) records() []plog.LogRecord {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []plog.LogRecord
	for _, ld := range r.accepted {
		for i := 0; i < ld.ResourceLogs().Len(); i++ {
			rl := ld.ResourceLogs().At(i)
			for j := 0; j < rl.ScopeLogs().Len(); j++ {
				lrs := rl.ScopeLogs().At(j).LogRecords()
				for k := 0; k < lrs.Len(); k++ {
					out = append(out, lrs.At(k))
				}
			}
		}
	}
	return out
}

// requestCount returns how many requests arrived, accepted or not.
func (r *receiver) requestCount() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.requests
}

// lastHeader returns the headers of the last request.
func (r *receiver) lastHeader() http.Header {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.headers) == 0 {
		return nil
	}
	return r.headers[len(r.headers)-1]
}

// batches returns what was accepted, one plog.Logs per request.
func (r *receiver) batches() []plog.Logs {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]plog.Logs(nil), r.accepted...)
}

// requestSizes returns the size of each request's body, uncompressed.
func (r *receiver) requestSizes() []int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]int(nil), r.sizes...)
}
