package postgres

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

// Options tune a Store. The zero value is the default.
type Options struct {
	// Schema is the PostgreSQL schema that holds the table; default
	// "auditlog". Open creates it when missing.
	Schema string

	// Table is the name of the events table; default "events". Its
	// indexes are named after it ("events_user", ...).
	Table string

	// ConnectTimeout bounds Open: connecting, and creating the schema
	// when another process holds the lock on it; default 30s.
	ConnectTimeout time.Duration
}

const (
	defaultSchema = "auditlog"
	defaultTable  = "events"
)

// identifier is what Schema and Table may be: a plain lower-case SQL
// identifier, which PostgreSQL reads the same quoted or not. The table's
// name is kept short enough that its longest index name fits PostgreSQL's
// 63 bytes, which it would otherwise cut silently.
var identifier = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)

const (
	maxSchemaLen = 63
	maxTableLen  = 40
)

func (o *Options) normalize() error {
	if o.Schema == "" {
		o.Schema = defaultSchema
	}
	if o.Table == "" {
		o.Table = defaultTable
	}
	if err := checkName("Schema", o.Schema, maxSchemaLen); err != nil {
		return err
	}
	if strings.HasPrefix(o.Schema, "pg_") {
		return fmt.Errorf("%w: Schema %q: names starting with pg_ are PostgreSQL's own", ErrInvalidOptions, o.Schema)
	}
	if err := checkName("Table", o.Table, maxTableLen); err != nil {
		return err
	}
	switch {
	case o.ConnectTimeout < 0:
		return fmt.Errorf("%w: negative ConnectTimeout %v", ErrInvalidOptions, o.ConnectTimeout)
	case o.ConnectTimeout == 0:
		o.ConnectTimeout = 30 * time.Second
	}
	return nil
}

// checkName refuses a name that is not a plain identifier of at most max
// bytes.
func checkName(field, name string, max int) error {
	if len(name) > max {
		return fmt.Errorf("%w: %s %q is longer than %d bytes", ErrInvalidOptions, field, name, max)
	}
	if !identifier.MatchString(name) {
		return fmt.Errorf("%w: %s %q: want lower-case letters, digits and _, not starting with a digit", ErrInvalidOptions, field, name)
	}
	return nil
}
