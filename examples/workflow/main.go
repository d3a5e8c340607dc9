// Command workflow plays a scheduler that keeps one audit per run of its
// workflows, on both persistent stores: the Hive-partitioned files and
// SQLite, each opened from a URL. For each store it:
//
//   - runs every hourly release of two workflows over three days, skipping
//     a release that already has an audit (so a second pass runs nothing);
//   - finds every audit of a workflow, the one of the release at 10:30 on
//     15 January, and the latest;
//   - cleans up the audits older than two days, and says how many went.
//
// Run it with go run ./examples/workflow; it works in a temporary folder
// and removes it.
package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/auditlog/auditlog/logger"
	"github.com/auditlog/auditlog/store"
	_ "github.com/auditlog/auditlog/store/file"   // registers file://
	_ "github.com/auditlog/auditlog/store/sqlite" // registers sqlite://
)

var (
	workflows = []string{"data-pipeline", "nightly-report"}
	first     = time.Date(2026, 1, 13, 0, 30, 0, 0, time.UTC)
	releases  = 72 // hourly, three days
)

func main() {
	dir, err := os.MkdirTemp("", "auditlog-workflow-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	root := filepath.Join(dir, "audits")
	for _, st := range []struct{ name, url string }{
		{"file store", "file://" + root + "?partition=resource_name"},
		{"SQLite store", "sqlite://" + filepath.Join(dir, "audit.db")},
	} {
		fmt.Println("==", st.name)
		if err := play(st.url); err != nil {
			log.Fatal(err)
		}
	}
	// The file store's folders, Hive-style, as analytical engines read
	// them in place: one per workflow, then one per day.
	fmt.Println("== the file store's folders")
	workflows, _ := os.ReadDir(root)
	for _, wf := range workflows {
		if !wf.IsDir() {
			continue // the store's lock file
		}
		days, _ := os.ReadDir(filepath.Join(root, wf.Name()))
		fmt.Printf("%s/ %d days: %s/ ... %s/\n", wf.Name(), len(days), days[0].Name(), days[len(days)-1].Name())
	}
}

// play runs the scheduler against the store at url, then asks it the
// scheduler's questions.
func play(url string) error {
	s, err := store.Open(url)
	if err != nil {
		return err
	}
	defer s.Close()
	// The scheduler's clock: each run takes ten minutes of it.
	now := first
	l, err := logger.New(logger.Options{Stores: []logger.Store{s}, Now: func() time.Time { return now }})
	if err != nil {
		return err
	}
	defer l.Close()
	ctx := context.Background()
	runs := store.Runs{Store: s, Now: func() time.Time { return now }}

	for pass := 1; pass <= 2; pass++ {
		ran, skipped := 0, 0
		for h := range releases {
			release := first.Add(time.Duration(h) * time.Hour)
			for _, wf := range workflows {
				done, err := runs.Exists(ctx, wf, release)
				if err != nil {
					return err
				}
				if done {
					skipped++
					continue
				}
				now = release.Add(time.Minute) // started a minute after its release
				_ = l.Track(ctx, logger.OpCreate, func(context.Context) error {
					now = now.Add(10 * time.Minute)
					return work(wf, release)
				}, store.RunAudit(wf, release))
				ran++
			}
			if err := l.FlushSinks(ctx); err != nil { // the audits are in the store
				return err
			}
		}
		fmt.Printf("pass %d: %d runs, %d skipped (already audited)\n", pass, ran, skipped)
	}

	all, err := runs.Audits(ctx, "data-pipeline")
	if err != nil {
		return err
	}
	failed := 0
	for _, ev := range all {
		if ev.Status == logger.StatusFailure {
			failed++
		}
	}
	fmt.Printf("data-pipeline: %d audits, %d failed\n", len(all), failed)
	at := time.Date(2026, 1, 15, 10, 30, 0, 0, time.UTC)
	if ev, ok, err := runs.Find(ctx, "data-pipeline", at); err != nil {
		return err
	} else if ok {
		fmt.Printf("release %s: %s, ran %s for %s %s\n", at.Format("Jan 2 15:04"), ev.RunID,
			ev.Time.Format("15:04"), ev.Duration, ev.Status)
	}
	if ev, ok, err := runs.Find(ctx, "nightly-report", time.Time{}); err != nil {
		return err
	} else if ok {
		fmt.Printf("latest nightly-report: %s %s\n", ev.RunID, ev.Status)
	}
	removed, err := runs.Cleanup(ctx, 2)
	if err != nil {
		return err
	}
	left, err := s.Count(ctx, logger.Filter{ResourceType: store.RunResourceType})
	if err != nil {
		return err
	}
	fmt.Printf("cleanup older than 2 days: %d removed, %d left\n", removed, left)
	return nil
}

// work is the workflow: the report fails when its upstream, the
// pipeline's run of the same hour, is one of the few that fail.
func work(wf string, release time.Time) error {
	if release.Hour()%11 == 5 {
		if wf == "data-pipeline" {
			return errors.New("source table missing")
		}
		return errors.New("upstream data-pipeline failed")
	}
	return nil
}
