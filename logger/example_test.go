package logger_test

import (
	"context"
	"fmt"
	"time"

	"github.com/auditlog/auditlog/logger"
)

// exampleClock is a fixed clock, so that the examples print the same
// output on every run.
func exampleClock() time.Time { return time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC) }

func ExampleNew() {
	l, err := logger.New(logger.Options{MaxEvents: 1000, Now: exampleClock})
	if err != nil {
		panic(err)
	}
	defer l.Close()

	ctx := context.Background()
	start := exampleClock().Add(-3 * time.Second)
	_ = l.Log(ctx, logger.Event{ID: "evt-1", Time: start, Operation: logger.OpLogin, UserID: "alice"})
	_ = l.Log(ctx, logger.Event{ID: "evt-2", Time: start.Add(time.Second), Operation: logger.OpStore, UserID: "alice",
		ResourceType: "memory", ResourceID: "m-1", EntryIDs: []string{"e-1"}})
	_ = l.Log(ctx, logger.Event{ID: "evt-3", Time: start.Add(2 * time.Second), Operation: logger.OpRecall, UserID: "bob",
		ResourceType: "memory", ResourceID: "m-1", Status: logger.StatusFailure, ErrorMessage: "not allowed"})
	// Time left zero: Log stamps it with the clock.
	_ = l.Log(ctx, logger.Event{ID: "evt-4", Operation: logger.OpLogout, UserID: "alice"})

	// Newest first by default.
	for _, ev := range l.Query(logger.Filter{UserID: "alice"}) {
		fmt.Println(ev.Seq, ev.ID, ev.Time.Format(time.RFC3339), ev.Operation, ev.Status)
	}
	fmt.Println("failures:", l.Count(logger.Filter{Status: logger.StatusFailure}))
	for _, ev := range l.EntityHistory("memory", "m-1", 0) {
		fmt.Println("m-1:", ev.ID, ev.UserID, ev.Operation, ev.ErrorMessage)
	}
	// Output:
	// 4 evt-4 2024-06-01T12:00:00Z LOGOUT SUCCESS
	// 2 evt-2 2024-06-01T11:59:58Z STORE SUCCESS
	// 1 evt-1 2024-06-01T11:59:57Z LOGIN SUCCESS
	// failures: 1
	// m-1: evt-3 bob RECALL not allowed
	// m-1: evt-2 alice STORE
}

func ExampleLogger_Query() {
	l, _ := logger.New(logger.Options{Now: exampleClock})
	defer l.Close()

	ctx := context.Background()
	start := exampleClock()
	for i := range 10 {
		op := logger.OpRead
		if i%3 == 0 {
			op = logger.OpUpdate
		}
		_ = l.Log(ctx, logger.Event{ID: fmt.Sprint("evt-", i), Time: start.Add(time.Duration(i) * time.Minute), Operation: op, UserID: "carol"})
	}
	// Reads between minute 2 and minute 7, both included, oldest first,
	// the second page of two.
	page := l.Query(logger.Filter{
		UserID: "carol", Operation: logger.OpRead,
		Since: start.Add(2 * time.Minute), Until: start.Add(7 * time.Minute),
		Ascending: true, Offset: 2, Limit: 2,
	})
	for _, ev := range page {
		fmt.Println(ev.ID, ev.Time.Format("15:04"))
	}
	fmt.Println("matches:", l.Count(logger.Filter{UserID: "carol", Operation: logger.OpRead, Since: start.Add(2 * time.Minute), Until: start.Add(7 * time.Minute)}))
	// Output:
	// evt-5 12:05
	// evt-7 12:07
	// matches: 4
}

func ExampleLogger_Statistics() {
	l, _ := logger.New(logger.Options{MaxEvents: 3, Now: exampleClock})
	defer l.Close()

	ctx := context.Background()
	durations := []time.Duration{10, 20, 30, 40} // milliseconds
	for i, d := range durations {
		status := logger.StatusSuccess
		if i == 3 {
			status = logger.StatusFailure
		}
		_ = l.Log(ctx, logger.Event{Operation: logger.OpStore, Status: status, Duration: d * time.Millisecond})
	}
	_ = l.Log(ctx, logger.Event{Operation: logger.OpRead})

	s := l.Statistics()
	fmt.Println("total:", s.TotalEvents, "in memory:", s.EventsInMemory, "of", s.MaxEvents, "evicted:", s.Evicted)
	fmt.Printf("success rate: %.2f\n", s.SuccessRate)
	fmt.Printf("average duration: %.1f ms\n", s.AvgDurationMs)
	fmt.Println("by operation:", s.ByOperation)
	fmt.Println("by status:", s.ByStatus)
	// Output:
	// total: 5 in memory: 3 of 3 evicted: 2
	// success rate: 0.80
	// average duration: 25.0 ms
	// by operation: map[READ:1 STORE:4]
	// by status: map[FAILURE:1 SUCCESS:4]
}

func ExampleLogger_UserStatistics() {
	l, _ := logger.New(logger.Options{Now: exampleClock})
	defer l.Close()

	ctx := context.Background()
	start := exampleClock()
	ops := []logger.Operation{logger.OpRead, logger.OpUpdate, logger.OpUpdate, logger.OpRead, logger.OpDelete}
	for i, op := range ops {
		status := logger.StatusSuccess
		if op == logger.OpDelete {
			status = logger.StatusFailure
		}
		_ = l.Log(ctx, logger.Event{Time: start.Add(time.Duration(i) * time.Hour), Operation: op, UserID: "dave", Status: status})
	}

	us := l.UserStatistics("dave")
	fmt.Println(us.UserID, us.TotalOperations, "operations,", us.Failures, "failure")
	fmt.Println("last activity:", us.LastActivity.Format(time.RFC3339))
	// READ and UPDATE tie at two each: the alphabetically first wins.
	fmt.Println("most common:", us.MostCommonOperation)
	fmt.Println(us.ByOperation)
	fmt.Printf("unknown user: %+v\n", l.UserStatistics("nobody").TotalOperations)
	// Output:
	// dave 5 operations, 1 failure
	// last activity: 2024-06-01T16:00:00Z
	// most common: READ
	// map[DELETE:1 READ:2 UPDATE:2]
	// unknown user: 0
}

func ExampleParseOperation() {
	for _, s := range []string{"store", " Recall ", "DELETE", "custom.op_2", "", "no spaces"} {
		op, err := logger.ParseOperation(s)
		if err != nil {
			fmt.Printf("%q: error\n", s)
			continue
		}
		fmt.Printf("%q: %s (standard: %v)\n", s, op, op == logger.OpStore || op == logger.OpRecall || op == logger.OpDelete)
	}
	st, _ := logger.ParseStatus("failure")
	fmt.Println(st)
	// Output:
	// "store": STORE (standard: true)
	// " Recall ": RECALL (standard: true)
	// "DELETE": DELETE (standard: true)
	// "custom.op_2": CUSTOM.OP_2 (standard: false)
	// "": error
	// "no spaces": error
	// FAILURE
}
