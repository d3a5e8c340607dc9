package main

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"
)

// TestMain runs the child process of api-2 when this test binary is
// started as one.
func TestMain(m *testing.M) {
	if dir := os.Getenv(childEnv); dir != "" {
		if err := child(dir, os.Getenv(storeEnv), os.Stdin, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "central: api-2:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestCentral runs the example: after api-2 is killed with events in its
// journal that the store never acknowledged, and restarted, the central
// store holds every acknowledged event of every instance exactly once.
func TestCentral(t *testing.T) {
	var out bytes.Buffer
	if err := run(&out); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	got := out.String()
	_, got, _ = strings.Cut(got, "\n") // the store's kind, SQLite or PostgreSQL
	want := `api-2 killed: 150 events synced to its journal, 61 of them in the central store, the sink's cursor at seq 60
api-2 restarted: its sink delivered 240 events, 90 of them caught up from the journal
api-1: 300 events stored, 300 distinct IDs, 0 acknowledged events missing, 0 stored twice
api-2: 300 events stored, 300 distinct IDs, 0 acknowledged events missing, 0 stored twice
api-3: 300 events stored, 300 distinct IDs, 0 acknowledged events missing, 0 stored twice
every acknowledged event once: 900 events from 3 instances
`
	if got != want {
		t.Errorf("output:\n%s\nwant:\n%s", got, want)
	}
}
