package logger_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/auditlog/auditlog/logger"
)

func ExampleLogger_Health() {
	var elapsed atomic.Int64 // seconds after noon, for a clock the example moves
	clock := func() time.Time { return exampleClock().Add(time.Duration(elapsed.Load()) * time.Second) }
	l, err := logger.New(logger.Options{Now: clock})
	if err != nil {
		panic(err)
	}
	defer l.Close()
	fmt.Println(l.Health().State)

	// An event Log cannot accept is refused, and counts for a minute.
	_ = l.Log(context.Background(), logger.Event{Operation: "not an operation"})
	h := l.Health()
	fmt.Println(h.State)
	for _, r := range h.Reasons {
		fmt.Printf("%s (%d): %v\n", r.Kind, r.Count, r)
	}

	elapsed.Store(60)
	fmt.Println(l.Health().State)
	// Output:
	// ok
	// degraded
	// rejected (1): 1 event rejected in the last 1m0s
	// ok
}
