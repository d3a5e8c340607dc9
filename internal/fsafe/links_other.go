//go:build !unix

package fsafe

import "io/fs"

// linkCount: the link count is not at hand here.
func linkCount(fs.FileInfo) uint64 { return 0 }
