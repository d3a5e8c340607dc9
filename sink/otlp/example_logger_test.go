package otlp_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"

	"go.opentelemetry.io/collector/pdata/plog/plogotlp"

	"github.com/auditlog/auditlog/logger"
	"github.com/auditlog/auditlog/sink/otlp"
)

// Example_logger gives the sink to a logger with a journal: the logger
// hands it every event from the journal, from a goroutine of its own,
// and retries while the collector is unavailable.
func Example_logger() {
	collector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		req := plogotlp.NewExportRequest()
		if err := req.UnmarshalProto(body); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		records := req.Logs().ResourceLogs().At(0).ScopeLogs().At(0).LogRecords()
		for i := 0; i < records.Len(); i++ {
			lr := records.At(i)
			user, _ := lr.Attributes().Get("user.id")
			source, _ := lr.Attributes().Get("auditlog.source")
			fmt.Println(lr.EventName(), lr.SeverityText(), user.AsString(), source.AsString())
		}
	}))
	defer collector.Close()

	sink, err := otlp.New(context.Background(), otlp.Options{URL: collector.URL + "/v1/logs"})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer sink.Close() // after the logger's Close

	dir, err := os.MkdirTemp("", "otlp-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	l, err := logger.New(logger.Options{
		Source:  "web-1",
		Journal: &logger.JournalOptions{Dir: dir},
		Sinks:   map[string]logger.Sink{"otel": sink},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer l.Close()

	ctx := context.Background()
	_ = l.Log(ctx, logger.Event{Operation: logger.OpLogin, UserID: "u-1"})
	_ = l.Log(ctx, logger.Event{Operation: logger.OpDelete, Status: logger.StatusFailure, UserID: "u-1"})
	if err := l.FlushSinks(ctx); err != nil { // for the example: Log never waits for a sink
		fmt.Println(err)
	}
	// Output:
	// audit.login INFO u-1 web-1
	// audit.delete WARN u-1 web-1
}
