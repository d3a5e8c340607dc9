package file_test

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/auditlog/auditlog/logger"
	"github.com/auditlog/auditlog/store"
	_ "github.com/auditlog/auditlog/store/file" // registers file://
)

// A store partitioned by resource name, opened by URL: the folders it
// writes, and a query over them.
func Example() {
	dir, err := os.MkdirTemp("", "audits-")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)

	s, err := store.Open("file://" + filepath.ToSlash(dir) + "?partition=resource_name")
	if err != nil {
		panic(err)
	}
	defer s.Close()

	ctx := context.Background()
	at := time.Date(2026, 1, 10, 23, 30, 0, 0, time.UTC)
	err = s.Write(ctx, []logger.Event{
		{ID: "e1", Seq: 1, Time: at, Operation: logger.OpStore, UserID: "alice", ResourceName: "nightly"},
		{ID: "e2", Seq: 2, Time: at.Add(time.Hour), Operation: logger.OpRecall, UserID: "bob", ResourceName: "a/b"},
		{ID: "e3", Seq: 3, Time: at.Add(2 * time.Hour), Operation: logger.OpForget, UserID: "alice"},
	})
	if err != nil {
		panic(err)
	}

	_ = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(path, ".jsonl") {
			rel, _ := filepath.Rel(dir, filepath.Dir(path))
			fmt.Println(filepath.ToSlash(rel) + "/part-….jsonl")
		}
		return err
	})

	evs, err := s.Query(ctx, logger.Filter{UserID: "alice"})
	if err != nil {
		panic(err)
	}
	for _, ev := range evs {
		fmt.Printf("%s %s %s %q\n", ev.ID, ev.Time.Format(time.RFC3339), ev.Operation, ev.ResourceName)
	}
	// Output:
	// resource_name=__HIVE_DEFAULT_PARTITION__/date=2026-01-11/part-….jsonl
	// resource_name=a%2Fb/date=2026-01-11/part-….jsonl
	// resource_name=nightly/date=2026-01-10/part-….jsonl
	// e3 2026-01-11T01:30:00Z FORGET ""
	// e1 2026-01-10T23:30:00Z STORE "nightly"
}
