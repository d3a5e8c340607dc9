package export

import "errors"

// ErrCorrupt is returned, wrapped with the file and line, when a file cannot be read.
var ErrCorrupt = errors.New("auditlog: export: corrupt file")
