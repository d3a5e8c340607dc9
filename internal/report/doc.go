// Package report writes the monthly compliance report of an audit trail
// as one self-contained HTML file: the month's events, users, operations,
// each user's stores, recalls and deletions, the failures, and charts of
// events per day and by operation, drawn as inline SVG so that the page
// needs no script, no network and no other file to be read offline, and
// a provenance section: the inputs and the status of their hash chain,
// the sources and the seq range of their events, the filters, when the
// report was made and by what. Its print stylesheet puts each section on
// a page of its own, under a header with the month and the generation
// time, each page numbered "Page n of N".
//
// A day is called a possible gap in auditing only when it was over when
// the report was made, lies wholly in the period selected, and has no
// event.
//
// Every value that comes from an event is escaped by html/template, and
// its control, bidirectional and zero-width characters are shown as
// escapes, as the command line shows them (see internal/printable): an
// audit trail holds what users typed.
package report
