//go:build race

package main

// raceEnabled is true when the tests run with the race detector, which
// makes reading tens of megabytes slow: the tests of bounds skip then.
const raceEnabled = true
