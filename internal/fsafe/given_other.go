//go:build !unix

package fsafe

import "os"

// openFollow, where opening cannot be kept from blocking, checks with Stat
// before opening.
func openFollow(name string) (*os.File, error) {
	fi, err := os.Stat(name)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, notRegular("open", name, fi.Mode())
	}
	return os.Open(name)
}
