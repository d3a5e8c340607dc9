// Command memory wraps a small memory store of an AI agent with the audit
// logger, runs a day of its use by three users, and then answers the two
// questions the audit systems it replaces were built for:
//
//   - the compliance report: events, users, operations, per user the
//     stores, recalls and deletions, and the failures;
//   - the security monitor: excessive deletions in an hour, repeated
//     failures in 15 minutes, unusual exports in a day.
//
// Every figure comes from Query, Count, StatisticsFor and UserStatistics.
//
//	go run ./examples/memory
package main

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/auditlog/auditlog/logger"
)

// Thresholds of the security monitor, as the original documentation set
// them.
const (
	maxDeletionsPerHour = 10
	maxFailuresPer15Min = 5
	maxExportsPerDay    = 3
)

func main() {
	l, err := logger.New(logger.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer l.Close()
	store := NewStore(l)

	as := func(user string) context.Context {
		return logger.WithActor(context.Background(), logger.Actor{UserID: user, SessionID: "sess-" + user})
	}
	alice, bob, mallory := as("alice"), as("bob"), as("mallory")

	// alice: ordinary use.
	for _, text := range []string{"prefers tea", "meeting on Fridays", "prefers tea"} {
		_, _ = store.Store(alice, text, "profile")
	}
	_, _ = store.Recall(alice, "profile")
	_ = store.Update(alice, "mem-2", "meeting on Thursdays")
	_, _ = store.Compact(alice)

	// bob: a bulk import, a few failures.
	_ = store.Import(bob, []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l"})
	for range 6 {
		_ = store.Forget(bob, "mem-404") // no such memory
	}
	_, _ = store.Store(bob, "") // an empty memory is refused

	// mallory: deletes in bulk and exports again and again.
	for i := 4; i <= 16; i++ {
		_ = store.Forget(mallory, fmt.Sprintf("mem-%d", i))
	}
	for range 4 {
		_, _ = store.Export(mallory)
	}

	report(l)
	monitor(l)
}

// report prints the compliance report of the events held.
func report(l *logger.Logger) {
	day := logger.Filter{Since: time.Now().Add(-24 * time.Hour)}
	st := l.StatisticsFor(day)
	fmt.Println("== compliance report, the last 24 hours ==")
	fmt.Printf("events: %d, success rate %.0f%%\n", st.TotalEvents, 100*st.SuccessRate)
	fmt.Println("by operation:", st.ByOperation)
	for _, user := range []string{"alice", "bob", "mallory"} {
		us := l.UserStatistics(user)
		deleted := l.Count(logger.Filter{UserID: user, Operation: logger.OpForget, Status: logger.StatusSuccess, Since: day.Since})
		fmt.Printf("  %-8s %2d operations: %d stores, %d recalls, %d deletions (%d attempted), %d failures\n", user, us.TotalOperations,
			us.ByOperation[logger.OpStore], us.ByOperation[logger.OpRecall], deleted, us.ByOperation[logger.OpForget], us.Failures)
	}
	fmt.Println("failures:")
	for _, ev := range l.Query(logger.Filter{Status: logger.StatusFailure, Limit: 3, Ascending: true}) {
		fmt.Printf("  %s %s %v: %s\n", ev.UserID, ev.Operation, ev.EntryIDs, ev.ErrorMessage)
	}
	fmt.Printf("  ... %d in all\n", l.Count(logger.Filter{Status: logger.StatusFailure}))
	changes := l.Query(logger.Filter{Operation: logger.OpUpdate, Limit: 1})
	if len(changes) == 1 {
		for _, c := range changes[0].Changes {
			fmt.Printf("change by %s to %s: %s %q -> %q\n", changes[0].UserID, changes[0].ResourceID, c.Field, c.Old, c.New)
		}
	}
}

// monitor prints the alerts of the security monitor.
func monitor(l *logger.Logger) {
	fmt.Println("== security monitor ==")
	now := time.Now()
	alerts := 0
	for _, user := range []string{"alice", "bob", "mallory"} {
		if n := l.Count(logger.Filter{UserID: user, Operation: logger.OpForget, Status: logger.StatusSuccess, Since: now.Add(-time.Hour)}); n > maxDeletionsPerHour {
			fmt.Printf("ALERT %s: %d deletions in the last hour (limit %d)\n", user, n, maxDeletionsPerHour)
			alerts++
		}
		if n := l.Count(logger.Filter{UserID: user, Status: logger.StatusFailure, Since: now.Add(-15 * time.Minute)}); n > maxFailuresPer15Min {
			fmt.Printf("ALERT %s: %d failures in the last 15 minutes (limit %d)\n", user, n, maxFailuresPer15Min)
			alerts++
		}
		if n := l.Count(logger.Filter{UserID: user, Operation: logger.OpExport, Since: now.Add(-24 * time.Hour)}); n > maxExportsPerDay {
			fmt.Printf("ALERT %s: %d exports in the last day (limit %d)\n", user, n, maxExportsPerDay)
			alerts++
		}
	}
	fmt.Printf("%d alerts\n", alerts)
}
