package fsafe

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// ErrReplaced is returned, wrapped with the path, by RemoveSame when the
// path no longer names the file it was given.
var ErrReplaced = errors.New("replaced by another file")

// RemoveSame removes name only while it is still the file described by
// want (from the Stat of a file the library opened or created there): a
// file or symbolic link put at name since is left alone, with an error
// wrapping ErrReplaced. A name already gone is not an error.
func RemoveSame(name string, want fs.FileInfo) error {
	fi, err := os.Lstat(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if !os.SameFile(fi, want) {
		return &fs.PathError{Op: "remove", Path: name, Err: fmt.Errorf("%w (%s): left alone", ErrReplaced, kind(fi.Mode()))}
	}
	if err := os.Remove(name); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}
