//go:build unix

package fsafe

import (
	"errors"
	"io/fs"
	"os"
	"syscall"
)

// openNoFollow opens name with O_NOFOLLOW and O_NONBLOCK, then puts the
// descriptor back in blocking mode (for a regular file it changes
// nothing; for a FIFO, the caller refuses it anyway).
func openNoFollow(name string, flag int, perm os.FileMode) (*os.File, error) {
	for {
		fd, err := syscall.Open(name, flag|syscall.O_NOFOLLOW|syscall.O_NONBLOCK|syscall.O_CLOEXEC, uint32(perm.Perm()))
		if errors.Is(err, syscall.EINTR) {
			continue
		}
		if err != nil {
			return nil, &fs.PathError{Op: "open", Path: name, Err: err}
		}
		if err := syscall.SetNonblock(fd, false); err != nil {
			syscall.Close(fd)
			return nil, &fs.PathError{Op: "open", Path: name, Err: err}
		}
		return os.NewFile(uintptr(fd), name), nil
	}
}

// isLoop reports whether err is what open(2) with O_NOFOLLOW returns for
// a symbolic link (ELOOP; EMLINK on FreeBSD, EFTYPE on NetBSD).
func isLoop(err error) bool {
	return errors.Is(err, syscall.ELOOP) || errors.Is(err, syscall.EMLINK)
}

// unsafeDirMode reports whether a folder's mode lets its group or others
// write into it.
func unsafeDirMode(m fs.FileMode) bool { return m.Perm()&0o022 != 0 }

// OpenDir opens the folder dir for reading (to fsync it), following a
// link to a folder but refusing anything else without blocking: a FIFO
// put in its place fails with ENOTDIR instead of waiting for a writer.
func OpenDir(dir string) (*os.File, error) {
	for {
		fd, err := syscall.Open(dir, syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_CLOEXEC, 0)
		if errors.Is(err, syscall.EINTR) {
			continue
		}
		if err != nil {
			return nil, &fs.PathError{Op: "open", Path: dir, Err: err}
		}
		return os.NewFile(uintptr(fd), dir), nil
	}
}
