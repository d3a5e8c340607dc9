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

// DefaultMaxUsers is UserLimit.MaxUsers when it is 0.
const DefaultMaxUsers = 10_000

// UserLimit bounds the memory of the per-user counters, whatever the
// number of distinct users the samples carry.
//
// A user is tracked (has counters of its own, which [Counters.User]
// returns) from its first sample on. When 2 × MaxUsers users are tracked,
// the next new user makes the counters fold users: every user without a
// sample among the last Recent samples, and outside the MaxUsers most
// active of those (by number of samples; among equals, the latest seen
// first), loses its own counters, and its samples are counted only in
// the totals and in Summary.FoldedSamples. The next fold comes when twice
// as many users as the fold left are tracked (and at least 2 × MaxUsers).
// So at most 2 × (MaxUsers + Recent) users are tracked, and a user is
// never folded while a sample of it is among the last Recent, nor while
// it is among the MaxUsers most active users.
type UserLimit struct {
	// MaxUsers is how many users, besides those with a sample among the
	// last Recent samples, keep their counters when users are folded.
	// Default DefaultMaxUsers.
	MaxUsers int
	// Recent is how many of the latest samples keep their users from
	// being folded: the logger passes the size of its ring, so that every
	// user with an event in memory keeps its counters. 0 keeps none.
	Recent int
}

// Counters are the running statistics of a stream of samples. Make them
// with [NewCounters] or [NewCountersWithLimit].
type Counters[O, S ~string] struct {
	total    int64
	success  int64
	durCount int64
	durSum   int64
	hist     Histogram
	byOp     counts[O]
	byStatus counts[S]
	users    map[string]*user[O]

	maxUsers      int
	recent        int64
	foldAt        int // fold when a new user comes while this many are tracked
	foldedUsers   int64
	foldedSamples int64
	folded        foldedSet // the ids folded, for UserSummary.Partial
}

type user[O ~string] struct {
	total, failures int64
	last            int64
	seen            int64 // the counters' total after the user's latest sample
	byOp            counts[O]
	partial         bool // the user may have been folded before
}

// NewCounters returns empty counters with the default UserLimit: at most
// 2 × DefaultMaxUsers users tracked.
func NewCounters[O, S ~string]() *Counters[O, S] {
	return NewCountersWithLimit[O, S](UserLimit{})
}

// NewCountersWithLimit returns empty counters whose per-user counters are
// bounded by lim. A negative field counts as 0.
func NewCountersWithLimit[O, S ~string](lim UserLimit) *Counters[O, S] {
	n := lim.MaxUsers
	if n <= 0 {
		n = DefaultMaxUsers
	}
	return &Counters[O, S]{
		users:    make(map[string]*user[O]),
		maxUsers: n,
		recent:   int64(max(lim.Recent, 0)),
		foldAt:   2 * n,
	}
}

// Add counts s. It is O(1), a few counter updates and a histogram bucket,
// but for the folding of users (see [UserLimit]), which walks the tracked
// users once each time their number has doubled: O(1) amortized.
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
		if len(c.users) >= c.foldAt {
			c.fold()
		}
		u = &user[O]{last: s.UnixNano, partial: c.folded.has(s.User)}
		c.users[s.User] = u
	}
	u.total++
	if s.Failure {
		u.failures++
	}
	u.last = max(u.last, s.UnixNano)
	u.seen = c.total
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
	// Users is how many users are tracked; FoldedUsers how many times a
	// user was folded (see [UserLimit]), and FoldedSamples the samples
	// those users had. The samples of the tracked users, FoldedSamples
	// and the samples without a user add up to Total.
	Users         int64
	FoldedUsers   int64
	FoldedSamples int64
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
		Users:       int64(len(c.users)), FoldedUsers: c.foldedUsers, FoldedSamples: c.foldedSamples,
	}
}

// UserSummary is a copy of one user's counters.
type UserSummary[O ~string] struct {
	Total, Failures int64
	LastUnixNano    int64
	ByOperation     map[O]int64
	// Partial is true when the user may have been folded before its
	// counters began: its earlier samples are then missing here. The
	// counters remember the folded ids in a filter of fixed size
	// (128 KiB, from the first fold on) that never misses one, but may
	// take a user for a folded one: about once in 40,000 after 10,000
	// folded ids, more often as more are folded. When false, every sample
	// of the user is counted.
	Partial bool
}

// User returns a copy of the counters of user id, and false when id is
// not tracked: no sample carried it, or it was folded (see [UserLimit])
// and no sample carried it since.
func (c *Counters[O, S]) User(id string) (UserSummary[O], bool) {
	u := c.users[id]
	if u == nil {
		return UserSummary[O]{}, false
	}
	return UserSummary[O]{Total: u.total, Failures: u.failures, LastUnixNano: u.last, ByOperation: u.byOp.clone(), Partial: u.partial}, true
}

// Users reports how many distinct users are tracked.
func (c *Counters[O, S]) Users() int { return len(c.users) }
