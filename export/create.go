package export

import (
	"bufio"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/auditlog/auditlog/internal/fsafe"
)

// CreateFile creates the file path, mode 0600, and hands write a writer
// for it; it never overwrites: when path exists it returns an error
// wrapping ErrExists (and fs.ErrExist) and leaves the file alone. Writes
// go through a bufio.Writer and, when path ends in ".gz" (in any case),
// through gzip. When write returns, CreateFile flushes, fsyncs the file,
// closes it and fsyncs its folder, so the file is on disk when it
// returns nil.
//
// On any failure, write's own error (returned as it is) included, and if
// write panics, the partial file is removed; except when only the fsync
// of the folder fails: the error says so and the complete file stays.
// The folder must exist.
func CreateFile(path string, write func(io.Writer) error) (err error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("%w: %s", ErrExists, path)
		}
		return fmt.Errorf("auditlog: export: %w", err)
	}
	created, err := f.Stat()
	if err != nil {
		_ = f.Close()
		_ = os.Remove(path) // just created, empty
		return fmt.Errorf("auditlog: export: %w", err)
	}
	done := false
	defer func() {
		if !done {
			// A failure or a panic in write: leave nothing half written,
			// removing the file created here and nothing put in its place
			// since. The errors of Close and Remove add nothing to the one
			// that got us here.
			_ = f.Close()
			_ = fsafe.RemoveSame(path, created)
		}
	}()

	bw := bufio.NewWriterSize(f, 64<<10)
	var w io.Writer = bw
	var zw *gzip.Writer
	if strings.HasSuffix(strings.ToLower(path), ".gz") {
		zw = gzip.NewWriter(bw)
		w = zw
	}
	if err := write(w); err != nil {
		return err
	}
	if zw != nil {
		if err := zw.Close(); err != nil {
			return fmt.Errorf("auditlog: export: %s: %w", path, err)
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("auditlog: export: %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("auditlog: export: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("auditlog: export: %w", err)
	}
	if err := SyncDir(filepath.Dir(path)); err != nil {
		// The file is complete but its name may not survive a crash;
		// the caller is told, and the file stays: removing it now could
		// fail the same way.
		done = true
		return fmt.Errorf("auditlog: export: %s written, but syncing its folder: %w", path, err)
	}
	done = true
	return nil
}

// SyncDir fsyncs the folder dir, so that a file just created in it keeps
// its name after a crash. Windows cannot open a folder for syncing and
// does not need it.
func SyncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := fsafe.OpenDir(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}
