// Package fsafe opens, creates and checks the library's own files and
// folders so that nothing planted in them can redirect the library to
// another file.
//
// Every file the library opens inside its folders goes through [OpenFile]:
// a symbolic link at the last element of the path is refused, not
// followed (O_NOFOLLOW); a FIFO or device does not block the open
// (O_NONBLOCK) and is refused because it is not a regular file. Every
// folder the library writes into goes through [Dir]: it is created 0700
// when missing, and an existing one that is writable by its group or by
// others is refused, the way sshd's StrictModes refuses such a folder.
//
// The errors name the path, and wrap [ErrNotRegular] or [ErrUnsafeDir]
// (and the system's error, such as syscall.ELOOP), so callers can tell
// them apart with errors.Is.
package fsafe
