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
	srcInfo, err := in.Stat()
	if err != nil {
		return fmt.Errorf("auditlog: journal: compress: %w", err)
	}
	dst := src + gzipExt
	tmp := dst + ".tmp"
	if err := os.Remove(tmp); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("auditlog: journal: compress: %w", err)
	}
	out, err := fsafe.OpenFile(tmp, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("auditlog: journal: compress: %w", err)
	}
	tmpInfo, err := out.Stat()
	if err != nil {
		out.Close()
		return fmt.Errorf("auditlog: journal: compress: %w", err)
	}
	defer func() {
		if err != nil {
			out.Close()
			_ = fsafe.RemoveSame(tmp, tmpInfo) // the error to report is err
			err = fmt.Errorf("auditlog: journal: compress %s: %w", src, err)
		}
	}()
	zw := gzip.NewWriter(out)
	// A copy of the last line in the header lets New read it without
	// inflating the file (FileLastLine).
	last, err := tailLine(in, srcInfo.Size())
	if err != nil {
		return err
	}
	zw.Extra = lineHeader(last)
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
	if err = fsafe.RemoveSame(src, srcInfo); err != nil {
		return err
	}
	return SyncDir(dir)
}
