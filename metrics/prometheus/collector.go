package auditprom

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/auditlog/auditlog/logger"
)

// Collector is a prometheus.Collector over one logger. It exposes:
//
// Counters:
//   - auditlog_events_total{operation}: events applied, by operation
//     (Stats.ByOperation).
//   - auditlog_events_by_status_total{status}: the same events by status
//     (Stats.ByStatus). The logger counts operations and statuses apart,
//     so there is no series per (operation, status) pair.
//   - auditlog_events_dropped_total, auditlog_events_rejected_total,
//     auditlog_events_evicted_total, auditlog_events_failed_total,
//     auditlog_journal_errors_total: Stats.Dropped, Rejected, Evicted,
//     Failed, JournalErrors.
//   - auditlog_users_folded_total, auditlog_users_folded_events_total:
//     Stats.FoldedUsers and FoldedEvents.
//   - auditlog_sink_delivered_events_total{sink},
//     auditlog_sink_errors_total{sink},
//     auditlog_sink_dropped_events_total{sink}: each sink's
//     SinkStats.DeliveredEvents, Errors, Dropped.
//
// Gauges:
//   - auditlog_queue_depth_events, auditlog_queue_capacity_events:
//     Stats.QueueDepth and QueueCapacity.
//   - auditlog_events_unwritten: Stats.Unwritten, events waiting to be
//     written to a failing journal.
//   - auditlog_events_in_memory, auditlog_events_in_memory_max:
//     Stats.EventsInMemory and MaxEvents.
//   - auditlog_users_tracked: Stats.TrackedUsers.
//   - auditlog_sink_lag_events{sink}, auditlog_sink_lag_seconds{sink}:
//     SinkStats.LagEvents and LagSeconds.
//   - auditlog_health_state{state}: 1 for the current Health state ("ok",
//     "degraded" or "failing"), 0 for the others.
//   - auditlog_health_reasons{kind}: how many reasons of each
//     HealthKind Health reports now.
//
// Summary:
//   - auditlog_event_duration_seconds: the durations events carried,
//     with _count and _sum (Stats.DurationCount, DurationSum) and the
//     quantiles 0.5, 0.95 and 0.99 since the logger started
//     (Stats.P50DurationMs, P95, P99), each within 1/32 of the exact
//     value.
type Collector struct {
	l      *logger.Logger
	labels prometheus.Labels
	descs  []*prometheus.Desc

	events, byStatus                                *prometheus.Desc
	dropped, rejected, evicted, failed, journalErrs *prometheus.Desc
	foldedUsers, foldedEvents                       *prometheus.Desc
	sinkDelivered, sinkErrors, sinkDropped          *prometheus.Desc
	queueDepth, queueCap, unwritten                 *prometheus.Desc
	inMemory, inMemoryMax, trackedUsers             *prometheus.Desc
	sinkLagEvents, sinkLagSeconds                   *prometheus.Desc
	healthState, healthReasons                      *prometheus.Desc
	duration                                        *prometheus.Desc
}

// healthKinds are the kinds auditlog_health_reasons always reports, 0
// when absent, so that an alert on one has a series to read.
var healthKinds = []logger.HealthKind{
	logger.HealthClosed, logger.HealthJournalFailing, logger.HealthSinkLagging,
	logger.HealthQueueFull, logger.HealthDropped, logger.HealthRejected,
}

// healthStates are the states of auditlog_health_state.
var healthStates = []logger.HealthState{logger.HealthOK, logger.HealthDegraded, logger.HealthFailing}

// New returns a Collector over l. constLabels, which may be nil, are
// added to every metric: give each logger of a program a label of its
// own (for example {"log": "admin"}) to register several in one
// registry.
func New(l *logger.Logger, constLabels prometheus.Labels) *Collector {
	c := &Collector{l: l, labels: constLabels}
	d := func(name, help string, labels ...string) *prometheus.Desc {
		desc := prometheus.NewDesc("auditlog_"+name, help, labels, constLabels)
		c.descs = append(c.descs, desc)
		return desc
	}
	c.events = d("events_total", "Events applied since the logger started, by operation.", "operation")
	c.byStatus = d("events_by_status_total", "Events applied since the logger started, by status.", "status")
	c.dropped = d("events_dropped_total", "Events Log refused with ErrDropped because the queue was full.")
	c.rejected = d("events_rejected_total", "Events Log refused otherwise: invalid, queue full, logger closed, context ended.")
	c.evicted = d("events_evicted_total", "Events the in-memory ring let go to make room.")
	c.failed = d("events_failed_total", "Events accepted but not applied everywhere (journal or sink).")
	c.journalErrs = d("journal_errors_total", "Failed journal operations (write, rotate, fsync), each retried.")
	c.foldedUsers = d("users_folded_total", "Users whose counters were folded to bound memory.")
	c.foldedEvents = d("users_folded_events_total", "Events of the users whose counters were folded.")
	c.sinkDelivered = d("sink_delivered_events_total", "Events the sink acknowledged.", "sink")
	c.sinkErrors = d("sink_errors_total", "Failed writes to the sink, each retried.", "sink")
	c.sinkDropped = d("sink_dropped_events_total", "Events the sink will never get.", "sink")
	c.queueDepth = d("queue_depth_events", "Items waiting in the queue between Log and the writer.")
	c.queueCap = d("queue_capacity_events", "Capacity of the queue between Log and the writer.")
	c.unwritten = d("events_unwritten", "Applied events waiting to be written to a failing journal.")
	c.inMemory = d("events_in_memory", "Events held in the in-memory ring.")
	c.inMemoryMax = d("events_in_memory_max", "Events the in-memory ring may hold.")
	c.trackedUsers = d("users_tracked", "Users with counters of their own.")
	c.sinkLagEvents = d("sink_lag_events", "Events the sink has yet to acknowledge.", "sink")
	c.sinkLagSeconds = d("sink_lag_seconds", "Age of the oldest event the sink is being handed; 0 when caught up.", "sink")
	c.healthState = d("health_state", "1 for the logger's current health state, 0 for the others.", "state")
	c.healthReasons = d("health_reasons", "Reasons of each kind the logger's health reports now.", "kind")
	c.duration = d("event_duration_seconds", "Durations carried by events, quantiles since the logger started.")
	return c
}

// Describe sends the descriptions of every metric Collect sends.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range c.descs {
		ch <- d
	}
}

// Collect sends the logger's figures, read by StatsNow and Health
// without waiting for the writer.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	s := c.l.StatsNow()
	h := c.l.Health()
	counter := func(d *prometheus.Desc, v int64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), labels...)
	}
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	for op, n := range s.ByOperation {
		counter(c.events, n, string(op))
	}
	for st, n := range s.ByStatus {
		counter(c.byStatus, n, string(st))
	}
	counter(c.dropped, s.Dropped)
	counter(c.rejected, s.Rejected)
	counter(c.evicted, s.Evicted)
	counter(c.failed, s.Failed)
	counter(c.journalErrs, s.JournalErrors)
	counter(c.foldedUsers, s.FoldedUsers)
	counter(c.foldedEvents, s.FoldedEvents)
	gauge(c.queueDepth, float64(s.QueueDepth))
	gauge(c.queueCap, float64(s.QueueCapacity))
	gauge(c.unwritten, float64(s.Unwritten))
	gauge(c.inMemory, float64(s.EventsInMemory))
	gauge(c.inMemoryMax, float64(s.MaxEvents))
	gauge(c.trackedUsers, float64(s.TrackedUsers))
	for _, k := range s.Sinks {
		counter(c.sinkDelivered, k.DeliveredEvents, k.Name)
		counter(c.sinkErrors, k.Errors, k.Name)
		counter(c.sinkDropped, k.Dropped, k.Name)
		gauge(c.sinkLagEvents, float64(k.LagEvents), k.Name)
		gauge(c.sinkLagSeconds, k.LagSeconds, k.Name)
	}
	for _, st := range healthStates {
		v := 0.0
		if h.State == st {
			v = 1
		}
		gauge(c.healthState, v, st.String())
	}
	for _, kind := range healthKinds {
		n := 0
		for _, r := range h.Reasons {
			if r.Kind == kind {
				n++
			}
		}
		gauge(c.healthReasons, float64(n), string(kind))
	}
	ch <- prometheus.MustNewConstSummary(c.duration, uint64(max(s.DurationCount, 0)), s.DurationSum.Seconds(),
		map[float64]float64{0.5: s.P50DurationMs / 1e3, 0.95: s.P95DurationMs / 1e3, 0.99: s.P99DurationMs / 1e3})
}

var _ prometheus.Collector = (*Collector)(nil)
