package postgres_test

import (
	"context"
	"fmt"
	"log"
	"os"

	"github.com/auditlog/auditlog/logger"
	"github.com/auditlog/auditlog/store"
	_ "github.com/auditlog/auditlog/store/postgres" // postgres:// for store.Open
)

// One instance of a service among several, all writing one table: each
// names itself (Options.Source), and a query over the table finds every
// instance's events, or one's.
func Example() {
	s, err := store.Open(os.Getenv("AUDITLOG_POSTGRES_URL")) // postgres://auditor:...@db.example.com/audit
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()
	l, err := logger.New(logger.Options{Source: "api-2", Stores: []logger.Store{s}})
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	if err := l.Log(ctx, logger.Event{Operation: logger.OpForget, UserID: "alice", EntryIDs: []string{"m1"}}); err != nil {
		log.Fatal(err)
	}
	if err := l.FlushSinks(ctx); err != nil { // the store has every event logged
		log.Fatal(err)
	}
	if err := l.Close(); err != nil {
		log.Fatal(err)
	}

	// Every instance's FORGETs, newest first; then api-2's alone.
	all, err := s.Query(ctx, logger.Filter{Operation: logger.OpForget, Limit: 100})
	if err != nil {
		log.Fatal(err)
	}
	for _, ev := range all {
		fmt.Println(ev.Time, ev.Source, ev.UserID, ev.EntryIDs)
	}
	mine, err := s.Count(ctx, logger.Filter{Source: "api-2"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(mine, "events from api-2")
}
