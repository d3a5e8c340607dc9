// Package report writes the monthly compliance report of an audit trail
// as one self-contained HTML file: the month's events, users, operations,
// each user's stores, recalls and deletions, the failures, and charts of
// events per day and by operation, drawn as inline SVG so that the page
// needs no script, no network and no other file to be read offline.
//
// Every value that comes from an event is escaped by html/template, and
// its control, bidirectional and zero-width characters are shown as
// escapes, as the command line shows them (see internal/printable): an
// audit trail holds what users typed.
package report
