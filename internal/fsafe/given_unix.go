//go:build unix

package fsafe

import (
	"os"
	"syscall"
)

// openFollow opens name for reading with O_NONBLOCK, so that a FIFO does
// not block the open. Reads of a regular file ignore O_NONBLOCK; anything
// else is refused by OpenGiven.
func openFollow(name string) (*os.File, error) {
	return os.OpenFile(name, os.O_RDONLY|syscall.O_NONBLOCK, 0)
}
