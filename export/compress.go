package export

import (
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// compressor gzips rotated files while the journal runs, one pass over
// the folder each time a rotation signals it, until Close.
func (j *Journal) compressor() {
	defer j.wg.Done()
	for range j.compress {
		files, err := JournalFiles(j.opts.Dir)
		if err != nil {
			j.report(err)
			continue
		}
		for _, f := range files {
			if f.Rotated.IsZero() || f.Gzip {
				continue
			}
			if err := compressFile(f.Path); err != nil {
				j.report(err)
			}
		}
	}
}

func (j *Journal) report(err error) {
	if j.opts.OnError != nil {
		j.opts.OnError(err)
	}
}

// compressFile writes src.gz next to src by way of a temporary file,
// fsyncs it, renames it into place, fsyncs the folder, and only then
// removes src. A crash at any point leaves src, or a complete src.gz.
// A src removed meanwhile (by retention) is not an error.
func compressFile(src string) (err error) {
	in, err := os.Open(src)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("auditlog: journal: compress: %w", err)
	}
	defer in.Close()
	dst := src + gzipExt
	tmp := dst + ".tmp"
	out, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("auditlog: journal: compress: %w", err)
	}
	defer func() {
		if err != nil {
			out.Close()
			os.Remove(tmp)
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
	if err = os.Remove(src); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return SyncDir(dir)
}
