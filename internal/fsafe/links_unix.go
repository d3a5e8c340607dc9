//go:build unix

package fsafe

import (
	"io/fs"
	"syscall"
)

// linkCount is the number of names of the file fi describes, 0 when
// unknown.
func linkCount(fi fs.FileInfo) uint64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return uint64(st.Nlink)
	}
	return 0
}
