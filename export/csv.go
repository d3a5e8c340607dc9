package export

import "strings"

// csvColumns are the columns of FormatCSV, in order. Keep in step with the
// doc comment of WriteCSV.
var csvColumns = [...]string{
	"event_id", "seq", "timestamp", "operation", "status", "category",
	"user_id", "user_name", "user_email", "session_id", "ip_address", "user_agent",
	"resource_type", "resource_id", "resource_name", "entry_ids",
	"run_id", "parent_run_id", "description", "tags", "duration_ms",
	"error_message", "error_stack", "source",
	"changes", "previous_state", "new_state", "request", "metadata",
}

// cellKind says how a CSV column holds its value.
type cellKind uint8

const (
	cellText cellKind = iota // the string itself, guarded against formulas
	cellJSON                 // compact JSON text: numbers, arrays, objects
)

// csvKind returns how column col holds its value.
func csvKind(col string) cellKind {
	switch col {
	case "seq", "duration_ms", "entry_ids", "tags", "changes", "previous_state", "new_state", "request", "metadata":
		return cellJSON
	}
	return cellText
}

// csvColumn returns the position of col in csvColumns, or -1.
func csvColumn(col string) int {
	for i, c := range csvColumns {
		if c == col {
			return i
		}
	}
	return -1
}

// formulaTriggers are the first characters that make a spreadsheet read a
// cell as a formula (OWASP, CSV injection): = + - @, tab and carriage
// return; and the guard quote itself.
const formulaTriggers = "=+-@\t\r'"

// guardFormula returns the text s as it goes into a cell: with a single
// quote in front when it starts with one of formulaTriggers, and a lone
// single quote for the empty string (an empty cell is a missing key).
func guardFormula(s string) string {
	if s == "" || strings.IndexByte(formulaTriggers, s[0]) >= 0 {
		return "'" + s
	}
	return s
}

// unguardFormula undoes guardFormula.
func unguardFormula(s string) string {
	if len(s) > 0 && s[0] == '\'' {
		return s[1:]
	}
	return s
}
