//go:build !unix

package fsafe

import (
	"io/fs"
	"os"
)

// openNoFollow, where there is no O_NOFOLLOW, checks with Lstat before
// opening and that the same file was opened after.
func openNoFollow(name string, flag int, perm os.FileMode) (*os.File, error) {
	before, err := os.Lstat(name)
	if err == nil && !before.Mode().IsRegular() {
		return nil, notRegular("open", name, before.Mode())
	}
	f, err := os.OpenFile(name, flag, perm)
	if err != nil {
		return nil, err
	}
	after, err := os.Lstat(name)
	if err != nil || !after.Mode().IsRegular() {
		f.Close()
		if err != nil {
			return nil, err
		}
		return nil, notRegular("open", name, after.Mode())
	}
	return f, nil
}

func isLoop(error) bool { return false }

// unsafeDirMode: file modes say nothing of access elsewhere (ACLs).
func unsafeDirMode(fs.FileMode) bool { return false }

// OpenDir opens the folder dir for reading, and refuses anything else.
func OpenDir(dir string) (*os.File, error) {
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, err
	}
	if !fi.IsDir() {
		return nil, notRegular("open", dir, fi.Mode())
	}
	return os.Open(dir)
}
