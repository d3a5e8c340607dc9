package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/auditlog/auditlog/export"
	"github.com/auditlog/auditlog/logger"
)

// The output formats of query: a table for people, and the formats the
// library exports.
const (
	fmtTable = "table"
	fmtJSON  = "json"  // the document {"events": [...], "total_events": N, "exported_at": ...}
	fmtJSONL = "jsonl" // one event per line
	fmtCSV   = "csv"
	fmtArray = "array" // a bare JSON array
)

var eventFormats = []string{fmtTable, fmtJSON, fmtJSONL, fmtCSV, fmtArray}

// exportFormat maps a format name to the library's Format.
func exportFormat(name string) (export.Format, bool) {
	switch name {
	case fmtJSON:
		return export.FormatDocument, true
	case fmtJSONL, "ndjson":
		return export.FormatJSONLines, true
	case fmtCSV:
		return export.FormatCSV, true
	case fmtArray:
		return export.FormatArray, true
	}
	return 0, false
}

// checkFormat returns a usage error when name is not one of formats.
func checkFormat(name string, formats []string) error {
	for _, f := range formats {
		if name == f {
			return nil
		}
	}
	return usageErrorf("invalid --format %q: want %s", name, strings.Join(formats, ", "))
}

// writeEvents writes events in the format name.
func writeEvents(w io.Writer, name string, events []logger.Event) error {
	if name == fmtTable {
		return writeTable(w, events)
	}
	f, _ := exportFormat(name) // checked with the flags
	return logger.WriteEvents(w, f, events)
}

// tableHeader are the columns of the table.
var tableHeader = []string{"TIME", "SEQ", "OPERATION", "STATUS", "USER", "RESOURCE", "DURATION", "DETAIL"}

// writeTable writes events as a table whose columns are aligned with
// spaces. Values are cleaned for a terminal (cell) and long ones cut.
func writeTable(w io.Writer, events []logger.Event) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(tableHeader, "\t"))
	for i := range events {
		fmt.Fprintln(tw, strings.Join(tableRow(&events[i]), "\t"))
	}
	return tw.Flush()
}

// tableRow is the table's row of ev.
func tableRow(ev *logger.Event) []string {
	st := ev.Status
	if st == "" {
		st = logger.StatusSuccess
	}
	res := ev.ResourceType
	if ev.ResourceID != "" {
		res += "/" + ev.ResourceID
	}
	dur := "-"
	if ev.Duration > 0 {
		dur = formatMillis(ev.Duration)
	}
	detail := ev.Description
	if ev.ErrorMessage != "" {
		if detail != "" {
			detail += ": "
		}
		detail += ev.ErrorMessage
	}
	if detail == "" && len(ev.EntryIDs) > 0 {
		detail = "entries " + strings.Join(ev.EntryIDs, ",")
	}
	return []string{
		ev.Time.UTC().Format("2006-01-02T15:04:05.000Z"),
		strconv.FormatUint(ev.Seq, 10),
		cell(string(ev.Operation), 24),
		string(st),
		orDash(cell(ev.UserID, 24)),
		orDash(cell(res, 40)),
		dur,
		cell(detail, 60),
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// formatMillis writes d in milliseconds, with up to three decimals.
func formatMillis(d time.Duration) string {
	return strconv.FormatFloat(float64(d)/1e6, 'f', -1, 64) + " ms"
}

// cell makes s safe to print in a terminal, on one line: control
// and format characters (escape sequences, newlines, tabs, bidirectional
// overrides) are written as Go escapes, so that an event cannot move the cursor or forge a row, and s
// is cut to max runes.
func cell(s string, max int) string {
	var b strings.Builder
	n := 0
	for i, r := range s {
		if n == max {
			if i < len(s) {
				b.WriteString("…")
			}
			break
		}
		switch {
		case r == utf8.RuneError:
			b.WriteRune('\uFFFD')
		case unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029':
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteRune(r)
		}
		n++
	}
	return b.String()
}
