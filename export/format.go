package export

import (
	"fmt"
	"path/filepath"
	"strings"
)

// Format is a file format for exported events. The zero Format is none
// of them.
type Format int

// The formats.
const (
	// FormatDocument is one JSON object:
	// {"events": [...], "total_events": N, "exported_at": "<RFC 3339>"},
	// the format of the original (axon) export.
	FormatDocument Format = iota + 1
	// FormatJSONLines is one event per line (JSON Lines, NDJSON), the
	// format of the journal.
	FormatJSONLines
	// FormatCSV is a header row and one row per event, for spreadsheets.
	// See WriteCSV for the columns.
	FormatCSV
	// FormatArray is a bare JSON array of events.
	FormatArray
)

// String returns the format's name: "document", "jsonl", "csv" or
// "array", or "Format(n)" for anything else.
func (f Format) String() string {
	switch f {
	case FormatDocument:
		return "document"
	case FormatJSONLines:
		return "jsonl"
	case FormatCSV:
		return "csv"
	case FormatArray:
		return "array"
	}
	return fmt.Sprintf("Format(%d)", int(f))
}

// FormatFromPath returns the format named by path's extension, in any
// case: ".json" gives FormatDocument, ".jsonl" and ".ndjson" give
// FormatJSONLines, ".csv" gives FormatCSV. Each may be followed by ".gz"
// (CreateFile then compresses the file). Anything else is an error
// wrapping ErrUnknownFormat. No extension names FormatArray: a bare array
// is read (ReadFrom detects it) and written (WriteFormat), never chosen by
// name.
func FormatFromPath(path string) (Format, error) {
	name := strings.ToLower(filepath.Base(path))
	name = strings.TrimSuffix(name, ".gz")
	switch filepath.Ext(name) {
	case ".json":
		return FormatDocument, nil
	case ".jsonl", ".ndjson":
		return FormatJSONLines, nil
	case ".csv":
		return FormatCSV, nil
	}
	return 0, fmt.Errorf("%w: %q: want .json, .jsonl, .ndjson or .csv, optionally followed by .gz", ErrUnknownFormat, filepath.Base(path))
}
