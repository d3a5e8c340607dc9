package stats

// Sample describes one event to the counters. O and S are the types of
// operation and status names.
type Sample[O, S ~string] struct {
	Operation O
	Status    S
	User      string // "" for events without a user
	UnixNano  int64  // the event's time
	Duration  int64  // nanoseconds; 0 means the event carries none
	Success   bool   // the event succeeded
	Failure   bool   // the event failed
}

// Counters are the running statistics of a stream of samples. Make them
// with [NewCounters].
type Counters[O, S ~string] struct {
	total    int64
	success  int64
	durCount int64
	durSum   int64
	hist     Histogram
	byOp     counts[O]
	byStatus counts[S]
	users    map[string]*user[O]
}

type user[O ~string] struct {
	total, failures int64
	last            int64
	byOp            counts[O]
}

// NewCounters returns empty counters.
func NewCounters[O, S ~string]() *Counters[O, S] {
	return &Counters[O, S]{users: make(map[string]*user[O])}
}

// Add counts s. It is O(1): a few counter updates and a histogram
// bucket.
func (c *Counters[O, S]) Add(s Sample[O, S]) {
	c.total++
	if s.Success {
		c.success++
	}
	if s.Duration > 0 {
		c.durCount++
		c.durSum += s.Duration
		c.hist.Add(s.Duration)
	}
	c.byOp.add(s.Operation)
	c.byStatus.add(s.Status)
	if s.User == "" {
		return
	}
	u := c.users[s.User]
	if u == nil {
		u = &user[O]{last: s.UnixNano}
		c.users[s.User] = u
	}
	u.total++
	if s.Failure {
		u.failures++
	}
	u.last = max(u.last, s.UnixNano)
	u.byOp.add(s.Operation)
}

// Summary is a copy of the counters at one moment.
type Summary[O, S ~string] struct {
	Total, Success int64
	DurationCount  int64 // samples that carried a duration
	DurationSum    int64 // nanoseconds
	P50, P95, P99  int64 // nanoseconds; 0 with no durations
	ByOperation    map[O]int64
	ByStatus       map[S]int64
}

var percentiles = []float64{0.50, 0.95, 0.99}

// Summary returns a copy of the counters. Its cost depends on the number
// of distinct operations and statuses, never on the number of samples.
func (c *Counters[O, S]) Summary() Summary[O, S] {
	var p [3]int64
	c.hist.Quantiles(percentiles, p[:])
	return Summary[O, S]{
		Total: c.total, Success: c.success,
		DurationCount: c.durCount, DurationSum: c.durSum,
		P50: p[0], P95: p[1], P99: p[2],
		ByOperation: c.byOp.clone(),
		ByStatus:    c.byStatus.clone(),
	}
}

// UserSummary is a copy of one user's counters.
type UserSummary[O ~string] struct {
	Total, Failures int64
	LastUnixNano    int64
	ByOperation     map[O]int64
}

// User returns a copy of the counters of user id, and false when no sample
// carried that user.
func (c *Counters[O, S]) User(id string) (UserSummary[O], bool) {
	u := c.users[id]
	if u == nil {
		return UserSummary[O]{}, false
	}
	return UserSummary[O]{Total: u.total, Failures: u.failures, LastUnixNano: u.last, ByOperation: u.byOp.clone()}, true
}

// Users reports how many distinct users the counters hold.
func (c *Counters[O, S]) Users() int { return len(c.users) }
