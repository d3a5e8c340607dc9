package workload

import (
	"fmt"
	"time"

	"github.com/auditlog/auditlog/logger"
)

// Users is the number of distinct users.
const Users = 1000

// Ops are the six memory operations.
var Ops = []logger.Operation{logger.OpStore, logger.OpRecall, logger.OpForget, logger.OpCompact, logger.OpExport, logger.OpImport}

// Start is the time of event 0.
var Start = time.Date(2026, 1, 15, 10, 30, 0, 0, time.UTC)

// Step is the time between two consecutive events.
const Step = time.Microsecond

const (
	entryPool = 1 << 20 // distinct entry ids
	mdPool    = 4096    // distinct metadata maps
)

// Gen makes events. Event(i) allocates nothing: strings, entry-id slices
// and metadata maps come from pools built by New, the way a program's
// events share their users and their callers' maps.
type Gen struct {
	seed    uint64
	users   []string
	entries []string
	md      []map[string]any
}

// New builds the pools for seed.
func New(seed uint64) *Gen {
	g := &Gen{seed: seed, users: make([]string, Users), entries: make([]string, entryPool), md: make([]map[string]any, mdPool)}
	for i := range g.users {
		g.users[i] = fmt.Sprintf("user-%04d", i)
	}
	for i := range g.entries {
		g.entries[i] = fmt.Sprintf("mem-%07d", i)
	}
	sources := []string{"agent", "api", "scheduler", "cli"}
	for i := range g.md {
		r := mix(seed ^ uint64(i)*0x9e3779b97f4a7c15)
		m := map[string]any{
			"source": sources[r%4],
			"tokens": int((r >> 8) % 4000),
		}
		if r>>20&1 == 1 {
			m["score"] = float64((r>>24)%1000) / 1000
		}
		g.md[i] = m
	}
	return g
}

// mix is splitmix64's finaliser: a cheap, well-spread hash.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// Event returns event number i of the workload.
func (g *Gen) Event(i int) logger.Event {
	r := mix(g.seed ^ uint64(i))
	st := logger.StatusSuccess
	switch p := r % 100; {
	case p >= 98:
		st = logger.StatusPartial
	case p >= 90:
		st = logger.StatusFailure
	}
	e := (2 * i) % entryPool
	return logger.Event{
		Time:      Start.Add(time.Duration(i) * Step),
		Operation: Ops[(r>>8)%uint64(len(Ops))],
		Status:    st,
		UserID:    g.users[(r>>16)%Users],
		EntryIDs:  g.entries[e : e+2 : e+2],
		Metadata:  g.md[(r>>32)%mdPool],
		Duration:  time.Millisecond + time.Duration((r>>40)%49_000)*time.Microsecond,
	}
}

// Stored returns event number i of the workload as a logger hands it to a
// store: with its Seq (i+1), an ID in the form of the logger's UUIDv7s and
// a Source.
func (g *Gen) Stored(i int) logger.Event {
	ev := g.Event(i)
	ev.Seq = uint64(i + 1)
	ev.Source = "web-1/agentd[4121]"
	ev.ID = fmt.Sprintf("019bc1a2-%04x-7%03x-8%03x-%012x", i>>28&0xffff, i>>16&0xfff, i>>4&0xfff, i)
	return ev
}

// User returns the id of user u (0 ≤ u < Users).
func (g *Gen) User(u int) string { return g.users[u] }

// QueryFilter is the benchmark query over the first n events: one user
// (User(7)), one operation (STORE), the last 10% of their time range. The
// in-memory, store and peer benchmarks all run it.
func QueryFilter(g *Gen, n int) logger.Filter {
	return logger.Filter{
		UserID:    g.User(7),
		Operation: logger.OpStore,
		Since:     Start.Add(time.Duration(n-n/10) * Step),
	}
}
