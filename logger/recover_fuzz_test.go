package logger_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/auditlog/auditlog/export"
	"github.com/auditlog/auditlog/logger"
)

// FuzzRecover writes arbitrary bytes as a journal and starts a logger
// that recovers from it: New either fails with an error or starts, and a
// started logger logs and closes cleanly, whatever the bytes.
func FuzzRecover(f *testing.F) {
	seed := t0Journal(f)
	f.Add(seed)
	f.Add(seed[:len(seed)/2])
	f.Add([]byte(`{"seq":1,"operation":"STORE"}` + "\n" + `{"seq":1,"operation":"STORE"}` + "\n"))
	f.Add([]byte(`{"seq":5,"operation":"store","timestamp":"2026-01-01T00:00:00Z"}` + "\n" + `{"seq":9,"operation":"READ","status":"FAILURE","duration_ms":1e3}` + "\n"))
	f.Add([]byte("not json\n{}\n[]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, export.JournalName), data, 0o600); err != nil {
			t.Fatal(err)
		}
		l, err := logger.New(logger.Options{MaxEvents: 4, Journal: &logger.JournalOptions{Dir: dir, Recover: true}})
		if err != nil {
			return
		}
		before := l.Statistics()
		if err := l.Log(context.Background(), logger.Event{Operation: logger.OpStore}); err != nil {
			t.Fatal(err)
		}
		_ = l.Query(logger.Filter{})
		if err := l.Close(); err != nil {
			t.Fatal(err)
		}
		if got := l.Statistics().TotalEvents; got != before.TotalEvents+1 {
			t.Fatalf("TotalEvents %d after one more event, was %d", got, before.TotalEvents)
		}
	})
}

// t0Journal returns the bytes of a small valid journal.
func t0Journal(f *testing.F) []byte {
	dir := f.TempDir()
	l, err := logger.New(logger.Options{Journal: &logger.JournalOptions{Dir: dir}})
	if err != nil {
		f.Fatal(err)
	}
	for _, op := range []logger.Operation{logger.OpStore, logger.OpRecall, logger.OpForget} {
		if err := l.Log(context.Background(), logger.Event{Operation: op, UserID: "u", Metadata: map[string]any{"k": 1}}); err != nil {
			f.Fatal(err)
		}
	}
	if err := l.Close(); err != nil {
		f.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, export.JournalName))
	if err != nil {
		f.Fatal(err)
	}
	return b
}
