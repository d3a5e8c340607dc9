package logger_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"github.com/auditlog/auditlog/logger"
)

// Masking is on by default: values under sensitive keys, in any style and
// at any depth, are stored as logger.Redacted; ordinary words that
// contain a sensitive one are left alone.
func ExampleMaskOptions() {
	l, _ := logger.New(logger.Options{Now: exampleClock})
	defer l.Close()

	_ = l.Log(context.Background(), logger.Event{
		Operation: logger.OpLogin,
		UserID:    "alice",
		Metadata: map[string]any{
			"password": "hunter2",
			"headers":  map[string]string{"Authorization": "Bearer abc", "Accept": "*/*"},
			"client":   map[string]any{"apiKey": "k-123", "keyboard": "qwerty"},
			"shipping": "express",
		},
		Request: &logger.Request{Method: "POST", Path: "/login?user=alice&token=t-9"},
	})
	ev := l.Query(logger.Filter{})[0]
	fmt.Println(ev.Metadata["password"])
	fmt.Println(ev.Metadata["headers"])
	fmt.Println(ev.Metadata["client"])
	fmt.Println(ev.Metadata["shipping"])
	fmt.Println(ev.Request.Path)
	// Output:
	// ***REDACTED***
	// map[Accept:*/* Authorization:***REDACTED***]
	// map[apiKey:***REDACTED*** keyboard:qwerty]
	// express
	// /login?user=alice&token=***REDACTED***
}

// In HMAC mode the same secret always masks to the same string, so two
// events can be seen to use the same token without it being revealed;
// HashSecret finds a known value.
func ExampleMaskOptions_hmac() {
	key := []byte("a key of 16 bytes or more, kept secret")
	l, _ := logger.New(logger.Options{Now: exampleClock, Mask: logger.MaskOptions{HMACKey: key}})
	defer l.Close()

	ctx := context.Background()
	_ = l.Log(ctx, logger.Event{Operation: logger.OpRecall, UserID: "bot-1", Metadata: map[string]any{"api_key": "k-123"}})
	_ = l.Log(ctx, logger.Event{Operation: logger.OpRecall, UserID: "bot-2", Metadata: map[string]any{"api_key": "k-123"}})
	evs := l.Query(logger.Filter{Ascending: true})
	fmt.Println(evs[0].Metadata["api_key"] == evs[1].Metadata["api_key"])
	fmt.Println(evs[0].Metadata["api_key"] == logger.HashSecret(key, "k-123"))
	fmt.Println(evs[0].Metadata["api_key"].(string)[:12])
	// Output:
	// true
	// true
	// hmac-sha256:
}

// A console audit trail for development: every event, masked, as one
// slog record, written by the logger's goroutine, not the caller.
func ExampleOptions_mirror() {
	console := slog.New(slog.NewTextHandler(os.Stdout, nil))
	l, _ := logger.New(logger.Options{Now: exampleClock, Mirror: console, Source: "api-1"})
	_ = l.Log(context.Background(), logger.Event{
		ID: "evt-1", Operation: logger.OpForget, UserID: "alice", EntryIDs: []string{"m-7"},
		Metadata: map[string]any{"reason": "user request", "session_token": "s-1"},
	})
	_ = l.Close() // or Flush: both return once the event is mirrored
	// Output:
	// time=2024-06-01T12:00:00.000Z level=INFO msg=audit event_id=evt-1 seq=1 operation=FORGET status=SUCCESS user_id=alice entry_ids=[m-7] metadata="map[reason:user request session_token:***REDACTED***]" source=api-1
}
