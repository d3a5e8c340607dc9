// Package jsonscan holds the small pieces of JSON syntax that the
// library's hand-written scanners share: readers that walk a line
// without decoding it, to skip what they do not need.
package jsonscan
