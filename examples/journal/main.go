// Command journal shows the durable journal end to end: events written
// to a hash-chained, rotating JSON Lines journal; the chain verified; a
// restart that recovers the ring and the statistics from the journal;
// and an export of the events in memory.
//
//	go run ./examples/journal
package main

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/auditlog/auditlog/export"
	"github.com/auditlog/auditlog/logger"
)

func main() {
	dir, err := os.MkdirTemp("", "auditlog-journal-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	key := []byte("keep this key away from the journal")
	journal := &logger.JournalOptions{
		Dir:         filepath.Join(dir, "audit_logs"),
		MaxSizeMB:   1,    // small, so that this example rotates
		Compress:    true, // gzip rotated files
		HashKey:     key,  // HMAC-SHA256 chain
		Recover:     true, // refill the ring on start
		RotateEvery: 24 * time.Hour,
	}

	// First run: 20,000 events, about 9 MB of journal, so several files.
	l, err := logger.New(logger.Options{MaxEvents: 1_000, Journal: journal})
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	ops := []logger.Operation{logger.OpStore, logger.OpRecall, logger.OpForget}
	for i := range 20_000 {
		ev := logger.Event{
			Operation: ops[i%len(ops)],
			UserID:    fmt.Sprintf("user_%d", i%5),
			EntryIDs:  []string{fmt.Sprintf("entry_%d", i)},
			Metadata:  map[string]any{"i": i, "note": "an audit event with a little text in it"},
			Duration:  time.Duration(i%50) * time.Millisecond,
		}
		if i%97 == 0 {
			ev.Status, ev.ErrorMessage = logger.StatusFailure, "store unavailable"
		}
		if err := l.Log(ctx, ev); err != nil {
			log.Fatal(err)
		}
	}
	if err := l.Sync(); err != nil { // on disk now
		log.Fatal(err)
	}
	if err := l.Close(); err != nil {
		log.Fatal(err)
	}
	files, err := export.JournalFiles(journal.Dir)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("journal: %d files\n", len(files))

	// Verify the chain, with the key.
	r, err := export.Verify(journal.Dir, key)
	if err != nil {
		log.Fatal(err)
	}
	if err := r.Err(); err != nil {
		log.Fatal(err) // the first problem and how many more, or a key that does not fit
	}
	fmt.Printf("verified: %d lines, seq %d to %d, from the start of the chain: %v\n", r.Lines, r.FirstSeq, r.LastSeq, r.FromGenesis)

	// Second run: the ring and the statistics come back from the journal.
	l, err = logger.New(logger.Options{MaxEvents: 1_000, Journal: journal})
	if err != nil {
		log.Fatal(err)
	}
	defer l.Close()
	s := l.Statistics()
	fmt.Printf("after restart: %d events counted, %d in memory, success rate %.3f\n", s.TotalEvents, s.EventsInMemory, s.SuccessRate)
	fmt.Printf("user_3 forgot %d times\n", l.UserStatistics("user_3").ByOperation[logger.OpForget])
	if err := l.Log(ctx, logger.Event{Operation: logger.OpExport, UserID: "auditor"}); err != nil {
		log.Fatal(err)
	}
	last := l.Query(logger.Filter{Limit: 1})[0]
	fmt.Printf("the next event continues the sequence: seq %d\n", last.Seq)

	// Export what is in memory, and one user's failures as CSV.
	n, err := l.ExportToFile(filepath.Join(dir, "audit_trail.json"))
	if err != nil {
		log.Fatal(err)
	}
	failures := l.Query(logger.Filter{UserID: "user_1", Status: logger.StatusFailure})
	if err := logger.ExportEvents(failures, filepath.Join(dir, "user_1_failures.csv")); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("exported %d events, and %d failures of user_1 as CSV\n", n, len(failures))
}
