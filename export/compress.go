package export

import (
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/auditlog/auditlog/internal/fsafe"
)

// compressFile writes src.gz next to src by way of a temporary file,
// fsyncs it, renames it into place, fsyncs the folder, and only then
// removes src. A crash at any point leaves src, or a complete src.gz.
// A src removed meanwhile (by retention) is not an error.
//
// Nothing is followed: src must be a regular file, opened without
// following a link; whatever is at the temporary name (a file a crash
// left, a link) is removed, not written through, and the temporary file
// created anew with O_EXCL; the rename replaces a link at src.gz, not its
// target; and src is removed only while it is still the file compressed.
func compressFile(src string) (err error) {
	in, err := fsafe.Open(src)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("auditlog: journal: compress: %w", err)
	}
	defer in.Close()
	dst := src + gzipExt
	tmp := dst + ".tmp"
	if err := os.Remove(tmp); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("auditlog: journal: compress: %w", err)
	}
	out, err := fsafe.OpenFile(tmp, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("auditlog: journal: compress: %w", err)
	}
	defer func() {
		if err != nil {
			out.Close()
			_ = removeIfSame(tmp, out) // the temporary file is the journal's own
			err = fmt.Errorf("auditlog: journal: compress %s: %w", src, err)
		}
	}()
	zw := gzip.NewWriter(out)
	if _, err = io.Copy(zw, in); err != nil {
		return err
	}
	if err = zw.Close(); err != nil {
		return err
	}
	if err = out.Sync(); err != nil {
		return err
	}
	if err = out.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp, dst); err != nil {
		return err
	}
	dir := filepath.Dir(src)
	if err = SyncDir(dir); err != nil {
		return err
	}
	if err = removeIfSame(src, in); err != nil {
		return err
	}
	return SyncDir(dir)
}

// removeIfSame removes path when it still names the file f has open,
// without following a link; a file that is gone is not an error.
func removeIfSame(path string, f *os.File) error {
	pfi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	ffi, err := f.Stat()
	if err != nil {
		return err
	}
	if !os.SameFile(pfi, ffi) {
		return fmt.Errorf("%s was replaced while it was compressed: left alone", path)
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}
