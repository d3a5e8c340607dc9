package logger_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/auditlog/auditlog/logger"
)

func ExampleLogger_ExportToFile() {
	dir, err := os.MkdirTemp("", "auditlog-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)

	l, _ := logger.New(logger.Options{Now: exampleClock, Source: "api-1"})
	defer l.Close()
	ctx := context.Background()
	start := exampleClock().Add(-time.Minute)
	_ = l.Log(ctx, logger.Event{ID: "evt-1", Time: start, Operation: logger.OpLogin, UserID: "alice"})
	_ = l.Log(ctx, logger.Event{ID: "evt-2", Time: start.Add(time.Second), Operation: logger.OpStore, UserID: "alice",
		EntryIDs: []string{"e-1"}, Duration: 1500 * time.Microsecond})

	// The extension chooses the format: .json, .jsonl, .ndjson, .csv,
	// each optionally followed by .gz.
	path := filepath.Join(dir, "audit.json")
	n, err := l.ExportToFile(path)
	fmt.Println(n, err)
	b, _ := os.ReadFile(path)
	fmt.Print(string(b))

	// It never overwrites.
	_, err = l.ExportToFile(path)
	fmt.Println(err != nil)

	// Another logger imports the file: IDs and times are kept, Seq is its
	// own. Imported again, the file adds nothing: each event ID is held
	// once.
	other, _ := logger.New(logger.Options{Now: exampleClock})
	defer other.Close()
	_ = other.Log(ctx, logger.Event{ID: "evt-0", Time: start.Add(-time.Hour), Operation: logger.OpCreate})
	res, err := other.Import(ctx, path)
	fmt.Printf("%+v %v\n", res, err)
	res, err = other.Import(ctx, path)
	fmt.Printf("%+v %v\n", res, err)
	for _, ev := range other.Query(logger.Filter{Ascending: true}) {
		fmt.Println(ev.Seq, ev.ID, ev.Time.Format(time.RFC3339), ev.Operation)
	}
	// Output:
	// 2 <nil>
	// {"events": [
	// {"event_id":"evt-1","seq":1,"timestamp":"2024-06-01T11:59:00Z","operation":"LOGIN","status":"SUCCESS","user_id":"alice","source":"api-1"},
	// {"event_id":"evt-2","seq":2,"timestamp":"2024-06-01T11:59:01Z","operation":"STORE","status":"SUCCESS","user_id":"alice","entry_ids":["e-1"],"duration_ms":1.5,"source":"api-1"}
	// ], "total_events": 2, "exported_at": "2024-06-01T12:00:00Z"}
	// true
	// {New:2 Existing:0} <nil>
	// {New:0 Existing:2} <nil>
	// 1 evt-0 2024-06-01T10:59:00Z CREATE
	// 2 evt-1 2024-06-01T11:59:00Z LOGIN
	// 3 evt-2 2024-06-01T11:59:01Z STORE
}

func ExampleReadEvents() {
	dir, err := os.MkdirTemp("", "auditlog-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)

	// What the original Python system (axon) wrote: a bare array, lower
	// case names, timestamps without a zone (UTC).
	path := filepath.Join(dir, "axon-export.json")
	_ = os.WriteFile(path, []byte(`[
  {"event_id": "evt_abc123", "timestamp": "2025-01-15T10:30:45.123456", "operation": "store", "status": "success", "user_id": "u1"},
  {"event_id": "evt_def456", "timestamp": "2025-01-15T10:31:00", "operation": "recall", "status": "failure", "axon_only": true}
]`), 0o600)
	events, err := logger.ReadEvents(path)
	if err != nil {
		panic(err)
	}
	for _, ev := range events {
		fmt.Println(ev.ID, ev.Time.Format(time.RFC3339Nano), ev.Operation, ev.Status, ev.UserID)
	}
	// Output:
	// evt_abc123 2025-01-15T10:30:45.123456Z STORE SUCCESS u1
	// evt_def456 2025-01-15T10:31:00Z RECALL FAILURE
}
