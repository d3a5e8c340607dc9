package export

import (
	"errors"
	"fmt"
	"io/fs"
)

var (
	// ErrUnknownFormat is returned, wrapped, by FormatFromPath for a path
	// whose extension names no format, and by WriteFormat for a Format
	// that is not one of the constants.
	ErrUnknownFormat = errors.New("auditlog: export: unknown format")

	// ErrExists is returned, wrapped with the path, by CreateFile when an
	// export would overwrite an existing file. It wraps fs.ErrExist, so
	// errors.Is(err, fs.ErrExist) holds too.
	ErrExists = fmt.Errorf("auditlog: export: %w", fs.ErrExist)

	// ErrCorrupt is returned, wrapped with the file (when known), the
	// line, record or element, and the cause, by ReadFile and ReadFrom
	// when an import file cannot be read: broken JSON or gzip, a value
	// that is not a JSON object, a CSV header or cell it does not know, a
	// line over the size limit.
	ErrCorrupt = errors.New("auditlog: export: corrupt input")
)
