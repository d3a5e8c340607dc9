package auditexpvar

import "errors"

var (
	// ErrNameTaken is returned when Publish is given a name expvar
	// already publishes.
	ErrNameTaken = errors.New("auditlog: expvar name already published")
	// ErrNoLogger is returned when Publish is given a nil logger or an
	// empty name.
	ErrNoLogger = errors.New("auditlog: expvar needs a logger and a name")
)
