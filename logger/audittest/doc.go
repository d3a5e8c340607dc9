// Package audittest records what code under test audits, for the tests
// of programs that use package logger: the way zaptest/observer serves
// zap's users, and in place of patching a logger with mocks.
//
// A [Recorder] is a real [logger.Logger], in memory, whose events the test
// reads back. What a call to Log recorded is visible as soon as Log
// returns, so a test needs no waiting:
//
//	func TestForgetIsAudited(t *testing.T) {
//		rec := audittest.New(t)
//		forget(ctx, rec.Logger, "u1", "mem-1") // the code under test
//		ev := rec.RequireLogged(t, audittest.Match{Operation: logger.OpForget, EntryID: "mem-1"})
//		require.Equal(t, "u1", ev.UserID)
//	}
package audittest
