package fsafe

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

var (
	// ErrNotRegular is returned, wrapped with the path, when a file the
	// library opens or is about to remove is not a regular file: a
	// symbolic link, a FIFO, a device, a socket or a folder.
	ErrNotRegular = errors.New("not a regular file")

	// ErrUnsafeDir is returned, wrapped with the path and its mode, by
	// Dir when a folder is writable by its group or by others, or is not
	// a folder.
	ErrUnsafeDir = errors.New("folder is writable by others than its owner")
)

// OpenFile opens name like os.OpenFile, but refuses a symbolic link at
// the last element of name instead of following it, does not block on a
// FIFO, and returns an error wrapping ErrNotRegular unless what it opened
// is a regular file. With os.O_CREATE it creates the file with perm when
// missing, as os.OpenFile does.
func OpenFile(name string, flag int, perm os.FileMode) (*os.File, error) {
	f, err := openNoFollow(name, flag, perm)
	if err != nil {
		if isLoop(err) {
			return nil, &fs.PathError{Op: "open", Path: name, Err: fmt.Errorf("%w (a symbolic link)", ErrNotRegular)}
		}
		return nil, err
	}
	return regularOrClose(f, name)
}

// regularOrClose returns f when it is a regular file, and otherwise
// closes it and returns an error wrapping ErrNotRegular that names name.
func regularOrClose(f *os.File, name string) (*os.File, error) {
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, notRegular("open", name, fi.Mode())
	}
	return f, nil
}

// Open opens name for reading with OpenFile.
func Open(name string) (*os.File, error) { return OpenFile(name, os.O_RDONLY, 0) }

// Regular reports, without following a link, whether name is a regular
// file: nil when it is, an error wrapping ErrNotRegular when it is
// something else, and Lstat's error (fs.ErrNotExist when missing)
// otherwise. Use it before a rename or a removal, which act on a link
// itself but would let a planted name stand for a file.
func Regular(name string) error {
	fi, err := os.Lstat(name)
	if err != nil {
		return err
	}
	if !fi.Mode().IsRegular() {
		return notRegular("lstat", name, fi.Mode())
	}
	return nil
}

// Dir makes sure dir is a folder the library may write into: it creates
// it (and its missing parents) with mode 0700 when missing, and reports
// whether it did. An existing folder is used as it is (a symbolic link
// to a folder, given by the application, is followed), unless it is
// writable by its group or others: that is refused with an error wrapping
// ErrUnsafeDir, since anyone who can write into it can plant files there.
func Dir(dir string) (created bool, err error) {
	fi, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return false, err
		}
		created = true
		fi, err = os.Stat(dir)
	}
	if err != nil {
		return false, err
	}
	if !fi.IsDir() {
		return false, &fs.PathError{Op: "mkdir", Path: dir, Err: fmt.Errorf("%w: not a folder (mode %v)", ErrUnsafeDir, fi.Mode())}
	}
	if created && fi.Mode().Perm()&0o077 != 0 {
		// The umask cannot widen 0700, but a parent's default ACL can.
		if err := os.Chmod(dir, 0o700); err != nil {
			return true, err
		}
		return true, nil
	}
	if unsafeDirMode(fi.Mode()) {
		return false, &fs.PathError{Op: "mkdir", Path: dir, Err: fmt.Errorf("%w (mode %v): chmod go-w it, or choose another folder", ErrUnsafeDir, fi.Mode().Perm())}
	}
	return created, nil
}

// SubDir is Dir for a folder the library names itself inside a folder it
// has checked (a partition): a symbolic link there is refused, not
// followed, as a planted one would lead outside.
func SubDir(dir string) (created bool, err error) {
	fi, err := os.Lstat(dir)
	if err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		return false, &fs.PathError{Op: "mkdir", Path: dir, Err: fmt.Errorf("%w: a symbolic link", ErrUnsafeDir)}
	}
	return Dir(dir)
}

func notRegular(op, name string, mode fs.FileMode) error {
	return &fs.PathError{Op: op, Path: name, Err: fmt.Errorf("%w (%s)", ErrNotRegular, kind(mode))}
}

// kind names a file's type for an error.
func kind(m fs.FileMode) string {
	switch {
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	case m&fs.ModeNamedPipe != 0:
		return "a FIFO"
	case m&fs.ModeDevice != 0:
		return "a device"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m.IsDir():
		return "a folder"
	}
	return "mode " + m.String()
}
