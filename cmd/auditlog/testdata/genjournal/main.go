// Command genjournal writes a journal of the benchmark workload
// (internal/workload) through the library, for measuring auditlog query
// on a large journal:
//
//	go run ./cmd/auditlog/testdata/genjournal -dir /tmp/audit_1m -events 1000000
//
// Events are spread evenly over January 2026 but for two days without any
// (the 10th and the 20th), so that auditlog stats has gaps to flag. The
// journal is rotated every 64 MB and rotated files are gzipped, as a
// production journal would be.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/auditlog/auditlog/internal/workload"
	"github.com/auditlog/auditlog/logger"
)

func main() {
	dir := flag.String("dir", "", "the journal's folder (must not exist)")
	n := flag.Int("events", 1_000_000, "how many events to write")
	size := flag.Int("size", 64, "rotate the journal at this many MB")
	flag.Parse()
	if *dir == "" {
		log.Fatal("genjournal: -dir is required")
	}
	if _, err := os.Stat(*dir); err == nil {
		log.Fatalf("genjournal: %s exists", *dir)
	}
	l, err := logger.New(logger.Options{
		MaxEvents: 1024,
		Journal:   &logger.JournalOptions{Dir: *dir, MaxSizeMB: *size, Compress: true},
	})
	if err != nil {
		log.Fatal(err)
	}
	g := workload.New(1)
	ctx := context.Background()
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var days []int // the days of January with events, from 0
	for d := range 31 {
		if d != 9 && d != 19 {
			days = append(days, d)
		}
	}
	span := time.Duration(len(days)) * 24 * time.Hour
	batch := make([]logger.Event, 0, 512)
	for i := range *n {
		ev := g.Event(i)
		at := time.Duration(int64(span) / int64(*n) * int64(i))
		day := int(at / (24 * time.Hour))
		ev.Time = start.Add(time.Duration(days[day])*24*time.Hour + at%(24*time.Hour))
		ev.ResourceType, ev.ResourceID = "memory", ev.EntryIDs[0]
		ev.SessionID = fmt.Sprintf("s-%s-%d", ev.UserID, day)
		ev.Category = "DATA"
		batch = append(batch, ev)
		if len(batch) == cap(batch) {
			if err := l.LogBatch(ctx, batch); err != nil {
				log.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	if err := l.LogBatch(ctx, batch); err != nil {
		log.Fatal(err)
	}
	if err := l.Close(); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d events in %s\n", *n, *dir)
}
