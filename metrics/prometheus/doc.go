// Package auditprom exposes a logger's figures to Prometheus: a Collector
// to register with a prometheus.Registerer. It lives in a package of its
// own, github.com/auditlog/auditlog/metrics/prometheus, so that only the
// programs that import it compile the Prometheus client; its name,
// auditprom, keeps it apart from the client's package prometheus.
//
// A scrape reads Logger.StatsNow and Logger.Health: it costs no more than
// Statistics and never waits for the logger's writer, so a stuck journal
// or sink cannot stall the scraper. The events still in the queue when a
// scrape happens appear in the next one.
//
// Every metric is named auditlog_*; see Collector for the list.
package auditprom
