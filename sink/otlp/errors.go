package otlp

import "errors"

// ErrInvalidOptions is returned by New when a field of Options cannot be
// used; the error names the field.
var ErrInvalidOptions = errors.New("auditlog: otlp: invalid options")

// ErrClosed is returned by Write after Close.
var ErrClosed = errors.New("auditlog: otlp: sink closed")

// ErrNotAccepted is returned by Write when the receiver did not accept
// the whole batch: it could not be reached, answered with an error
// status, rejected some of the records, or did not answer within
// Options.Timeout or before the context ended. The batch may be sent
// again.
var ErrNotAccepted = errors.New("auditlog: otlp: batch not accepted")
