package export

import "time"

// SetMaxRecord sets the largest record the readers accept, for the tests
// of the limit, and returns a function that restores it.
func SetMaxRecord(n int) (restore func()) {
	old := maxRecord
	maxRecord = n
	return func() { maxRecord = old }
}

// SetJournalClock makes now the clock of the journals opened until the
// returned function is called, which restores the clock.
func SetJournalClock(now func() time.Time) (restore func()) {
	old := journalClock
	journalClock = now
	return func() { journalClock = old }
}

// Housekeep runs, to its end, a housekeeping pass of the closed journal
// j, as its housekeeper would have run it had Close not stopped it.
func Housekeep(j *Journal) {
	j.stop.Store(false)
	j.housekeep()
}

// Stopping reports whether Close has told j's housekeeper to stop.
func Stopping(j *Journal) bool { return j.stop.Load() }
