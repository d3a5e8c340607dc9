package logger_test

import (
	"context"
	"fmt"
	"os"

	"github.com/auditlog/auditlog/export"
	"github.com/auditlog/auditlog/logger"
)

// A journal keeps every event on disk, hash-chained; Verify checks the
// chain, and Recover refills the ring after a restart.
func ExampleJournalOptions() {
	dir, err := os.MkdirTemp("", "audit")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)

	journal := &logger.JournalOptions{Dir: dir, Recover: true}
	l, err := logger.New(logger.Options{MaxEvents: 2, Journal: journal})
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	for _, op := range []logger.Operation{logger.OpStore, logger.OpRecall, logger.OpForget} {
		if err := l.Log(ctx, logger.Event{Operation: op, UserID: "user_123"}); err != nil {
			panic(err)
		}
	}
	if err := l.Close(); err != nil { // writes and fsyncs the journal
		panic(err)
	}

	r, err := export.Verify(dir, nil)
	if err != nil {
		panic(err)
	}
	fmt.Println("verified:", r.OK(), r.Lines, "lines, seq", r.FirstSeq, "to", r.LastSeq)

	// After a restart: the ring holds the newest MaxEvents events again,
	// and the statistics count every event in the journal.
	l, err = logger.New(logger.Options{MaxEvents: 2, Journal: journal})
	if err != nil {
		panic(err)
	}
	defer l.Close()
	for _, ev := range l.Query(logger.Filter{Ascending: true}) {
		fmt.Println(ev.Seq, ev.Operation)
	}
	fmt.Println("total events:", l.Statistics().TotalEvents)
	// Output:
	// verified: true 3 lines, seq 1 to 3
	// 2 RECALL
	// 3 FORGET
	// total events: 3
}
