package httpaudit_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/export"
	"github.com/auditlog/auditlog/internal/failpoint"
	"github.com/auditlog/auditlog/logger"
	"github.com/auditlog/auditlog/logger/httpaudit"
)

// healthDoc is the documented body of HealthHandler, decoded strictly:
// a field renamed or added without its documentation fails the tests.
type healthDoc struct {
	State   string `json:"state"`
	Time    string `json:"time"`
	Reasons []struct {
		Kind          string  `json:"kind"`
		State         string  `json:"state"`
		Message       string  `json:"message"`
		Since         string  `json:"since"`
		Error         string  `json:"error"`
		Unwritten     int64   `json:"unwritten"`
		Sink          string  `json:"sink"`
		LagEvents     int64   `json:"lag_events"`
		LagSeconds    float64 `json:"lag_seconds"`
		QueueDepth    int64   `json:"queue_depth"`
		QueueCapacity int64   `json:"queue_capacity"`
		Count         int64   `json:"count"`
		WindowSeconds float64 `json:"window_seconds"`
	} `json:"reasons"`
}

var healthNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// probe sends method to HealthHandler(l) and returns the response and
// its decoded body (zero for an empty body).
func probe(t *testing.T, l *logger.Logger, method string) (*http.Response, []byte, healthDoc) {
	t.Helper()
	rec := httptest.NewRecorder()
	httpaudit.HealthHandler(l).ServeHTTP(rec, httptest.NewRequest(method, "/healthz", nil))
	res := rec.Result()
	body := rec.Body.Bytes()
	var doc healthDoc
	if len(body) > 0 && res.Header.Get("Content-Type") == "application/json" {
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		require.NoError(t, dec.Decode(&doc), "%s", body)
	}
	return res, body, doc
}

func newHealthLogger(t *testing.T, opts logger.Options) *logger.Logger {
	t.Helper()
	opts.Now = func() time.Time { return healthNow }
	l, err := logger.New(opts)
	require.NoError(t, err)
	t.Cleanup(func() { _ = l.Close() })
	return l
}

func TestHealthHandlerOK(t *testing.T) {
	l := newHealthLogger(t, logger.Options{})
	res, body, doc := probe(t, l, http.MethodGet)
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Equal(t, "application/json", res.Header.Get("Content-Type"))
	require.Equal(t, "no-store", res.Header.Get("Cache-Control"))
	require.Equal(t, "ok", doc.State)
	require.Equal(t, "2026-03-01T12:00:00Z", doc.Time)
	require.Contains(t, string(body), `"reasons":[]`, "an empty list, not null")

	res, body, _ = probe(t, l, http.MethodHead)
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Empty(t, body)
}

func TestHealthHandlerDegradedIs200(t *testing.T) {
	l := newHealthLogger(t, logger.Options{})
	require.Error(t, l.Log(context.Background(), logger.Event{Operation: "not valid"}))
	res, _, doc := probe(t, l, http.MethodGet)
	require.Equal(t, http.StatusOK, res.StatusCode, "a degraded logger still records: the probe passes")
	require.Equal(t, "degraded", doc.State)
	require.Len(t, doc.Reasons, 1)
	r := doc.Reasons[0]
	require.Equal(t, "rejected", r.Kind)
	require.Equal(t, "degraded", r.State)
	require.Equal(t, int64(1), r.Count)
	require.Equal(t, 60.0, r.WindowSeconds)
	require.Equal(t, "1 event rejected in the last 1m0s", r.Message)
}

func TestHealthHandlerJournalFailingIs503ThenOK(t *testing.T) {
	reports := make(chan error, 100)
	l := newHealthLogger(t, logger.Options{Journal: &logger.JournalOptions{Dir: t.TempDir()},
		ErrorHandler: func(err error) {
			select {
			case reports <- err:
			default:
			}
		}})
	heal := failpoint.Enable(export.FailWrite, func() error { return syscall.EIO })
	t.Cleanup(heal)
	require.NoError(t, l.Log(context.Background(), logger.Event{Operation: logger.OpStore}))
	<-reports

	res, _, doc := probe(t, l, http.MethodGet)
	require.Equal(t, http.StatusServiceUnavailable, res.StatusCode)
	require.Equal(t, "failing", doc.State)
	require.Len(t, doc.Reasons, 1)
	r := doc.Reasons[0]
	require.Equal(t, "journal_failing", r.Kind)
	require.Equal(t, "failing", r.State)
	require.Equal(t, "2026-03-01T12:00:00Z", r.Since)
	require.Contains(t, r.Error, syscall.EIO.Error())
	require.Equal(t, int64(1), r.Unwritten)

	res, body, _ := probe(t, l, http.MethodHead)
	require.Equal(t, http.StatusServiceUnavailable, res.StatusCode)
	require.Empty(t, body)

	heal()
	require.NoError(t, l.Flush(context.Background()))
	res, _, doc = probe(t, l, http.MethodGet)
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Equal(t, "ok", doc.State)
}

func TestHealthHandlerClosedIs503(t *testing.T) {
	l := newHealthLogger(t, logger.Options{})
	require.NoError(t, l.Close())
	res, _, doc := probe(t, l, http.MethodGet)
	require.Equal(t, http.StatusServiceUnavailable, res.StatusCode)
	require.Equal(t, "failing", doc.State)
	require.Len(t, doc.Reasons, 1)
	require.Equal(t, "closed", doc.Reasons[0].Kind)
}

func TestHealthHandlerNilLoggerIs503(t *testing.T) {
	res, _, doc := probe(t, nil, http.MethodGet)
	require.Equal(t, http.StatusServiceUnavailable, res.StatusCode)
	require.Equal(t, "failing", doc.State)
	require.Len(t, doc.Reasons, 1)
	require.Equal(t, "no_logger", doc.Reasons[0].Kind)
}

func TestHealthHandlerRefusesOtherMethods(t *testing.T) {
	l := newHealthLogger(t, logger.Options{})
	for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodDelete} {
		res, _, _ := probe(t, l, m)
		require.Equal(t, http.StatusMethodNotAllowed, res.StatusCode, m)
		require.Equal(t, "GET, HEAD", res.Header.Get("Allow"))
	}
}
