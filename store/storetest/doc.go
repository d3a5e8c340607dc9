// Package storetest is the conformance suite of logger.Store: run it
// against a store, and it checks everything the interface promises
// (filters alone and combined, inclusive time bounds, order, limit and
// offset, counts, cleanup by age, reopening, concurrent readers during
// writes, bad input, SQL-injection attempts) against a model, the same
// events selected in memory by store.Select, and, with the store behind a
// logger, against Logger.Query and Logger.Count over the same events.
//
// The tests' events are random; each test prints its seed, and
// STORETEST_SEED=n replays it.
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T, dir string) (logger.Store, error) {
//			return mystore.Open(filepath.Join(dir, "audit.db"))
//		})
//	}
package storetest
