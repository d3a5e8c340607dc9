package auditprom_test

import (
	"log"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/auditlog/auditlog/logger"
	auditprom "github.com/auditlog/auditlog/metrics/prometheus"
)

// Register the collector and serve /metrics.
func ExampleNew() {
	l, err := logger.New(logger.Options{Journal: &logger.JournalOptions{Dir: "/var/lib/myapp/audit"}})
	if err != nil {
		log.Fatal(err)
	}
	defer l.Close()
	reg := prometheus.NewRegistry()
	reg.MustRegister(auditprom.New(l, nil))
	http.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
}
