// Package storetest is the conformance suite of logger.Store: run it
// against a store, and it checks everything the interface promises
// (filters alone and combined, the events of several sources, inclusive
// time bounds, the edges of days and of the allowed years, order, limit
// and offset, counts, cleanup by age, reopening, concurrent readers during
// writes, bad input, SQL-injection attempts) against a model, the same
// events selected in memory by store.Select, and, with the store behind a
// logger, against Logger.Query and Logger.Count over the same events.
// RunDedup adds the tests of a store that keeps each event ID once when a
// logger hands events over again.
//
// The tests' events are random; each test prints its seed, and
// STORETEST_SEED=n replays it.
//
//	func TestConformance(t *testing.T) {
//		open := func(t *testing.T, dir string) (logger.Store, error) {
//			return mystore.Open(filepath.Join(dir, "audit.db"))
//		}
//		storetest.Run(t, open)
//		storetest.RunDedup(t, open) // if mystore keeps each event ID once
//	}
package storetest
