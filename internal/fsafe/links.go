package fsafe

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// ErrHardLinked is returned, wrapped with the path, by SingleLink when a
// file has more than one name.
var ErrHardLinked = errors.New("has other names (hard links)")

// SingleLink returns an error wrapping ErrHardLinked, naming f, when the
// file f has open has more than one name: a hard link planted in the
// library's folder to a file elsewhere would otherwise let the library
// write into, truncate or chmod that file. Where the system does not say
// (no link count), it returns nil.
func SingleLink(f *os.File) error {
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if n := linkCount(fi); n > 1 {
		return &fs.PathError{Op: "open", Path: f.Name(), Err: fmt.Errorf("%w: %d names; the library's files have one", ErrHardLinked, n)}
	}
	return nil
}
