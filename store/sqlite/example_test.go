package sqlite_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/auditlog/auditlog/logger"
	"github.com/auditlog/auditlog/store/sqlite"
)

func Example() {
	dir, err := os.MkdirTemp("", "audits")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	s, err := sqlite.Open(filepath.Join(dir, "audit.db"), sqlite.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()

	ctx := context.Background()
	start := time.Date(2026, 1, 15, 10, 30, 0, 0, time.UTC)
	// The logger saves events with their ID, Seq and Time set.
	err = s.Write(ctx, []logger.Event{
		{ID: "e1", Seq: 1, Time: start, Operation: logger.OpStore, Status: logger.StatusSuccess, UserID: "alice", EntryIDs: []string{"m1"}},
		{ID: "e2", Seq: 2, Time: start.Add(time.Second), Operation: logger.OpRecall, Status: logger.StatusSuccess, UserID: "bob", EntryIDs: []string{"m1"}},
		{ID: "e3", Seq: 3, Time: start.Add(2 * time.Second), Operation: logger.OpForget, UserID: "alice", EntryIDs: []string{"m1"},
			Status: logger.StatusFailure, ErrorMessage: "entry is locked"},
	})
	if err != nil {
		log.Fatal(err)
	}

	// Everything alice did, newest first.
	evs, err := s.Query(ctx, logger.Filter{UserID: "alice"})
	if err != nil {
		log.Fatal(err)
	}
	for _, ev := range evs {
		fmt.Println(ev.Time.Format(time.TimeOnly), ev.Operation, ev.Status, ev.EntryIDs)
	}

	// Retention: drop what is older than the last event.
	n, err := s.DeleteBefore(ctx, start.Add(2*time.Second))
	if err != nil {
		log.Fatal(err)
	}
	left, err := s.Count(ctx, logger.Filter{EntryIDs: []string{"m1"}})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("removed", n, "left", left)
	// Output:
	// 10:30:02 FORGET FAILURE [m1]
	// 10:30:00 STORE SUCCESS [m1]
	// removed 2 left 1
}
