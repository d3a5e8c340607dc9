package audittest_test

import (
	"fmt"

	"github.com/auditlog/auditlog/logger"
	"github.com/auditlog/auditlog/logger/audittest"
)

// A Match names the fields a test cares about; Recorder.RequireLogged,
// RequireNotLogged and Find select the recorded events with it (see the
// package documentation for a whole test).
func ExampleMatch() {
	m := audittest.Match{Operation: logger.OpForget, EntryID: "mem-1"}
	fmt.Println(m)
	fmt.Println(m.Matches(logger.Event{Operation: logger.OpForget, EntryIDs: []string{"mem-1", "mem-2"}}))
	fmt.Println(m.Matches(logger.Event{Operation: logger.OpStore, EntryIDs: []string{"mem-1"}}))
	// Output:
	// Operation=FORGET EntryID=mem-1
	// true
	// false
}
