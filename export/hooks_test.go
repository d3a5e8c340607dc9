package export

// SetMaxRecord sets the largest record the readers accept, for the tests
// of the limit, and returns a function that restores it.
func SetMaxRecord(n int) (restore func()) {
	old := maxRecord
	maxRecord = n
	return func() { maxRecord = old }
}
