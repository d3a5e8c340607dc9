package otlp_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"time"

	"go.opentelemetry.io/collector/pdata/plog/plogotlp"

	"github.com/auditlog/auditlog/logger"
	"github.com/auditlog/auditlog/sink/otlp"
)

// Example sends two events to a receiver that stands in for an
// OpenTelemetry Collector and prints the records it decodes.
func Example() {
	collector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		req := plogotlp.NewExportRequest()
		if err := req.UnmarshalProto(body); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		rl := req.Logs().ResourceLogs().At(0)
		service, _ := rl.Resource().Attributes().Get("service.name")
		records := rl.ScopeLogs().At(0).LogRecords()
		for i := 0; i < records.Len(); i++ {
			lr := records.At(i)
			user, _ := lr.Attributes().Get("user.id")
			fmt.Printf("%s %s %s %s %q user.id=%s\n", service.AsString(),
				lr.Timestamp().AsTime().Format(time.RFC3339), lr.EventName(),
				lr.SeverityText(), lr.Body().AsString(), user.AsString())
		}
	}))
	defer collector.Close()

	sink, err := otlp.New(context.Background(), otlp.Options{
		URL:         collector.URL + "/v1/logs",
		ServiceName: "billing",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer sink.Close()

	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	err = sink.Write(context.Background(), []logger.Event{
		{ID: "01", Seq: 1, Time: at, Operation: logger.OpLogin, UserID: "u-1"},
		{ID: "02", Seq: 2, Time: at, Operation: logger.OpDelete, Status: logger.StatusFailure,
			UserID: "u-1", Description: "invoice is locked"},
	})
	fmt.Println("accepted:", err == nil)
	// Output:
	// billing 2026-01-02T03:04:05Z audit.login INFO "LOGIN SUCCESS" user.id=u-1
	// billing 2026-01-02T03:04:05Z audit.delete WARN "invoice is locked" user.id=u-1
	// accepted: true
}
