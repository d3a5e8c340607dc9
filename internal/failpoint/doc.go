// Package failpoint injects faults into named places of the library's
// file operations, for tests, the way bbolt's failpoints do: a place
// calls [Eval] with its name and, when a test has enabled that name, gets
// back the error the test chose instead of doing its work.
//
// When nothing is enabled, Eval costs one atomic load.
package failpoint
