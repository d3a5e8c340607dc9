package logger

import (
	"time"

	"github.com/auditlog/auditlog/stats"
)

// Stats are the logger's figures at one moment. Counters are int64.
type Stats struct {
	// TotalEvents counts every event applied since New, evicted ones
	// included.
	TotalEvents int64
	// EventsInMemory is how many events the ring holds; MaxEvents how
	// many it may hold.
	EventsInMemory int64
	MaxEvents      int64
	// SuccessRate is successes ÷ TotalEvents: 0 with no events, never NaN.
	SuccessRate float64
	// AvgDurationMs averages the events that carry a duration; 0 when
	// none does. The percentiles come from a histogram and are within
	// 1/32 of the exact value.
	AvgDurationMs float64
	P50DurationMs float64
	P95DurationMs float64
	P99DurationMs float64
	// DurationCount is how many events carried a duration, and
	// DurationSum the sum of their durations.
	DurationCount int64
	DurationSum   time.Duration
	ByOperation   map[Operation]int64
	ByStatus      map[Status]int64

	// Dropped counts events refused with ErrDropped; Rejected every other
	// event Log or LogBatch refused (invalid, ErrFull, ErrClosed, context
	// ended). Neither is in TotalEvents.
	Dropped  int64
	Rejected int64
	// Evicted counts events the ring let go to make room.
	Evicted int64
	// Failed counts events accepted but not applied everywhere (the
	// ErrorHandler heard why): events Close could not write to a failing
	// journal, events a sink without a journal had not taken when Close
	// stopped waiting (once per sink), journal lines and files New could
	// not read or whose seq did not increase. Events a sink will not get
	// are also in its SinkStats.Dropped.
	Failed int64
	// JournalErrors counts failed journal operations (write, rotate,
	// fsync), each retried; Unwritten is how many applied events wait to
	// be written to the journal (0 when it is healthy or absent).
	JournalErrors int64
	Unwritten     int64
	// QueueDepth is how many items wait in the queue, of QueueCapacity
	// (Options.QueueSize).
	QueueDepth    int64
	QueueCapacity int64

	// TrackedUsers is how many users have counters of their own, which
	// UserStatistics reads. FoldedUsers counts the users whose counters
	// were folded to bound memory (see Options.MaxUsers; a user folded
	// twice counts twice), and FoldedEvents the events they had, which
	// every total above still counts: the events of the tracked users,
	// FoldedEvents and the events without a user add up to TotalEvents.
	TrackedUsers int64
	FoldedUsers  int64
	FoldedEvents int64

	// Sinks are the figures of each sink, by name (see SinkStats); nil
	// without sinks. StatisticsFor leaves them out.
	Sinks []SinkStats
}

// UserStats are one user's figures, over every event of that user since
// New, evicted ones included. An unknown user gets the zero value, and so
// does a user whose counters were folded (see Options.MaxUsers): its
// events are then in Stats.FoldedEvents.
type UserStats struct {
	UserID          string
	TotalOperations int64
	LastActivity    time.Time
	// MostCommonOperation is the user's most frequent operation; ties go
	// to the alphabetically first, so the answer is stable.
	MostCommonOperation Operation
	ByOperation         map[Operation]int64
	// Failures counts the user's events with StatusFailure.
	Failures int64
	// Partial is true when the user may have been folded (see
	// Options.MaxUsers) before its counters began: its earlier events are
	// then missing from these figures (they are in every total of Stats).
	// The logger remembers folded users in a filter of fixed size that
	// never misses one but may, rarely while few users have been folded
	// and more often after hundreds of thousands, take another user for
	// one of them. When false, every event of the user is counted.
	Partial bool
}

// Statistics returns the logger's figures. It reads kept counters, so its
// cost does not depend on the number of events; it sees every event whose
// Log returned before it was called.
func (l *Logger) Statistics() Stats {
	l.barrier()
	return l.snapshot()
}

// snapshot reads the kept counters as they stand, without waiting for
// the writer.
func (l *Logger) snapshot() Stats {
	l.mu.RLock()
	sum := l.counters.Summary()
	s := Stats{
		EventsInMemory: int64(l.ring.n),
		Evicted:        l.evicted,
		Failed:         l.failed,
	}
	l.mu.RUnlock()
	fillSummary(&s, &sum)
	s.MaxEvents = int64(l.opts.MaxEvents)
	s.Dropped = l.dropped.Load()
	s.Rejected = l.rejected.Load()
	s.QueueDepth = int64(len(l.ch))
	s.QueueCapacity = int64(cap(l.ch))
	s.JournalErrors = l.journalErrors.Load()
	s.Unwritten = l.unwritten.Load()
	s.Sinks = l.sinkStats()
	return s
}

// StatisticsFor returns the figures of the events in memory that match f
// (Limit and Offset ignored): TotalEvents and EventsInMemory are the
// number of matches, and the counters that are not about events
// (Dropped, Rejected, Evicted, Failed, QueueDepth, QueueCapacity,
// JournalErrors, Unwritten) and those of users (TrackedUsers,
// FoldedUsers, FoldedEvents) are 0. Its cost follows the number of
// matches.
func (l *Logger) StatisticsFor(f Filter) Stats {
	l.barrier()
	c := stats.NewCounters[Operation, Status]()
	l.mu.RLock()
	sel := l.selectSeqs(&f)
	for i := range sel.len() {
		r := l.ring.at(sel.at(i))
		c.Add(stats.Sample[Operation, Status]{
			Operation: Operation(r.op.Key()),
			Status:    statusCodes[r.status],
			Duration:  r.dur,
			Success:   r.status == 0,
		})
	}
	l.mu.RUnlock()
	sum := c.Summary()
	s := Stats{EventsInMemory: sum.Total, MaxEvents: int64(l.opts.MaxEvents)}
	fillSummary(&s, &sum)
	return s
}

func fillSummary(s *Stats, sum *stats.Summary[Operation, Status]) {
	s.TotalEvents = sum.Total
	if sum.Total > 0 {
		s.SuccessRate = float64(sum.Success) / float64(sum.Total)
	}
	if sum.DurationCount > 0 {
		s.AvgDurationMs = float64(sum.DurationSum) / float64(sum.DurationCount) / 1e6
	}
	s.DurationCount = sum.DurationCount
	s.DurationSum = time.Duration(sum.DurationSum)
	s.P50DurationMs = float64(sum.P50) / 1e6
	s.P95DurationMs = float64(sum.P95) / 1e6
	s.P99DurationMs = float64(sum.P99) / 1e6
	s.ByOperation = sum.ByOperation
	s.ByStatus = sum.ByStatus
	s.TrackedUsers = sum.Users
	s.FoldedUsers = sum.FoldedUsers
	s.FoldedEvents = sum.FoldedSamples
}

// newCounters returns the running statistics of a logger with opts: a
// user with an event in the ring keeps its counters.
func newCounters(opts Options) *stats.Counters[Operation, Status] {
	return stats.NewCountersWithLimit[Operation, Status](stats.UserLimit{MaxUsers: opts.MaxUsers, Recent: opts.MaxEvents})
}

// UserStatistics returns the figures of one user. A user keeps its
// counters while it has an event in memory or is among the
// Options.MaxUsers most active users; its figures count every one of its
// events unless UserStats.Partial says otherwise.
func (l *Logger) UserStatistics(userID string) UserStats {
	l.barrier()
	l.mu.RLock()
	u, ok := l.counters.User(userID)
	l.mu.RUnlock()
	if !ok {
		return UserStats{}
	}
	us := UserStats{
		UserID:          userID,
		TotalOperations: u.Total,
		LastActivity:    time.Unix(0, u.LastUnixNano).UTC(),
		ByOperation:     u.ByOperation,
		Failures:        u.Failures,
		Partial:         u.Partial,
	}
	var best int64
	for op, n := range u.ByOperation {
		if n > best || n == best && op < us.MostCommonOperation {
			us.MostCommonOperation, best = op, n
		}
	}
	return us
}
