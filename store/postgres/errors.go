package postgres

import "errors"

// ErrClosed is returned, wrapped, by every method of a Store after Close.
var ErrClosed = errors.New("postgres: store closed")

// ErrNotAStore is returned, wrapped, by Open when the table it names
// exists but is not an auditlog store of a version this package reads.
var ErrNotAStore = errors.New("postgres: not an auditlog store")

// ErrInvalidOptions is returned, wrapped, by Open and OpenURL for an
// Options value or a URL parameter they cannot use: a schema or table name
// that is not a plain lower-case SQL identifier, a negative timeout.
var ErrInvalidOptions = errors.New("postgres: invalid options")
