package fsafe

import "os"

// OpenGiven opens for reading a file whose path the user gave (a command
// line argument, a path passed to a read function), unlike OpenFile,
// which is for the files the library finds in its own folders. A
// symbolic link is followed, since the user chose it, but what it leads
// to must be a regular file: a FIFO, a device, a socket or a folder is
// refused with an error wrapping ErrNotRegular, without blocking on a
// FIFO that has no writer.
func OpenGiven(name string) (*os.File, error) {
	f, err := openFollow(name)
	if err != nil {
		return nil, err
	}
	return regularOrClose(f, name)
}
