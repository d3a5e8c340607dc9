package logger

import (
	"fmt"
	"strings"
)

// Operation names what an event did. The constants cover memory stores,
// CRUD, sessions and approvals; any other upper-case name is valid too:
// an upper-case ASCII letter, then upper-case letters, digits, '_', '-'
// or '.', at most 64 bytes in all.
type Operation string

// The operations every audit trail shares.
const (
	OpStore   Operation = "STORE"
	OpRecall  Operation = "RECALL"
	OpForget  Operation = "FORGET"
	OpCompact Operation = "COMPACT"
	OpExport  Operation = "EXPORT"
	OpImport  Operation = "IMPORT"
	OpCreate  Operation = "CREATE"
	OpRead    Operation = "READ"
	OpUpdate  Operation = "UPDATE"
	OpDelete  Operation = "DELETE"
	OpLogin   Operation = "LOGIN"
	OpLogout  Operation = "LOGOUT"
	OpApprove Operation = "APPROVE"
	OpReject  Operation = "REJECT"
)

const maxOperationLen = 64

// Valid reports whether op is a well-formed operation name.
func (op Operation) Valid() bool { return op.check() == nil }

func (op Operation) check() error {
	if op == "" {
		return fmt.Errorf("empty operation")
	}
	if len(op) > maxOperationLen {
		return fmt.Errorf("operation longer than %d bytes", maxOperationLen)
	}
	for i := 0; i < len(op); i++ {
		c := op[i]
		switch {
		case 'A' <= c && c <= 'Z':
		case i > 0 && ('0' <= c && c <= '9' || c == '_' || c == '-' || c == '.'):
		default:
			return fmt.Errorf("operation %q: byte %d (%q) is not allowed (upper-case letter first, then A-Z 0-9 _ - .)", string(op), i, c)
		}
	}
	return nil
}

// ParseOperation returns the operation named s in any case, with spaces
// around it trimmed: "store", "Store" and "STORE" all give OpStore. It
// returns an error wrapping ErrInvalidOperation for a name that is empty
// or holds other characters.
func ParseOperation(s string) (Operation, error) {
	op := Operation(strings.ToUpper(strings.TrimSpace(s)))
	if err := op.check(); err != nil {
		return "", fmt.Errorf("%w: %w", ErrInvalidOperation, err)
	}
	return op, nil
}

// Status tells whether an event's operation worked.
type Status string

// The statuses. An event logged with an empty status is stored as
// StatusSuccess.
const (
	StatusSuccess Status = "SUCCESS"
	StatusFailure Status = "FAILURE"
	StatusPartial Status = "PARTIAL"
)

// Valid reports whether s is one of the three statuses.
func (s Status) Valid() bool {
	return s == StatusSuccess || s == StatusFailure || s == StatusPartial
}

// ParseStatus returns the status named s in any case, with spaces around
// it trimmed: "success" gives StatusSuccess. It returns an error wrapping
// ErrInvalidStatus for anything else, the empty string included.
func ParseStatus(s string) (Status, error) {
	st := Status(strings.ToUpper(strings.TrimSpace(s)))
	if !st.Valid() {
		return "", fmt.Errorf("%w: %q is not SUCCESS, FAILURE or PARTIAL", ErrInvalidStatus, s)
	}
	return st, nil
}
