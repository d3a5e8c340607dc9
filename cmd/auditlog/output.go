package main

import (
	"bytes"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/auditlog/auditlog/export"
	"github.com/auditlog/auditlog/internal/printable"
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
	case fmtJSONL:
		return export.FormatJSONLines, true
	case fmtCSV:
		return export.FormatCSV, true
	case fmtArray:
		return export.FormatArray, true
	}
	return 0, false
}

// formatName is the name of the library's Format f.
func formatName(f export.Format) string {
	for _, name := range eventFormats[1:] {
		if g, _ := exportFormat(name); g == f {
			return name
		}
	}
	return ""
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

// writeSelection writes the events of ks in the format name, decoding
// them as it goes for JSON Lines, CSV and the table; a document or an
// array is written whole, as the library writes them.
func writeSelection(w io.Writer, name string, ks []kept) error {
	switch name {
	case fmtTable:
		// The events of several instances: each row says whose it is,
		// beside its seq, which counts within the instance.
		sources := slices.ContainsFunc(ks, func(k kept) bool { return k.source != ks[0].source })
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, strings.Join(withSource(tableHeader, "SOURCE", sources), "\t"))
		err := eachChunk(ks, func(evs []logger.Event) error {
			for i := range evs {
				fmt.Fprintln(tw, strings.Join(withSource(tableRow(&evs[i]), orDash(cell(evs[i].Source, 40)), sources), "\t"))
			}
			return nil
		})
		if err != nil {
			return err
		}
		return tw.Flush()
	case fmtJSONL:
		return eachChunk(ks, func(evs []logger.Event) error {
			return logger.WriteEvents(w, export.FormatJSONLines, evs)
		})
	case fmtCSV:
		if len(ks) == 0 {
			return logger.WriteEvents(w, export.FormatCSV, nil) // the header
		}
		var buf bytes.Buffer
		first := true
		return eachChunk(ks, func(evs []logger.Event) error {
			if first {
				first = false
				return logger.WriteEvents(w, export.FormatCSV, evs)
			}
			// Every chunk's CSV begins with the header row, which has no
			// newline within it: write what follows it.
			buf.Reset()
			if err := logger.WriteEvents(&buf, export.FormatCSV, evs); err != nil {
				return err
			}
			_, rows, _ := bytes.Cut(buf.Bytes(), []byte{'\n'})
			_, err := w.Write(rows)
			return err
		})
	}
	f, _ := exportFormat(name) // checked with the flags
	events, err := decodeAll(ks)
	if err != nil {
		return err
	}
	return logger.WriteEvents(w, f, events)
}

// tableHeader are the columns of the table.
var tableHeader = []string{"TIME", "SEQ", "OPERATION", "STATUS", "USER", "RESOURCE", "DURATION", "DETAIL"}

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
		cell(string(st), 16), // a journal line's status is not checked: clean it too
		orDash(cell(ev.UserID, 24)),
		orDash(cell(res, 40)),
		dur,
		cell(detail, 60),
	}
}

// withSource returns row with source as its second column, when with.
func withSource(row []string, source string, with bool) []string {
	if !with {
		return row
	}
	return slices.Insert(slices.Clone(row), 1, source)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// formatMillis writes d in milliseconds, to the nanosecond it holds.
func formatMillis(d time.Duration) string {
	return strconv.FormatFloat(float64(d)/1e6, 'f', -1, 64) + " ms"
}

// cell makes s safe to print in a terminal, on one line, cut to max
// runes: see printable.Cut.
func cell(s string, max int) string { return printable.Cut(s, max) }
