package export_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/export"
)

func TestCreateFileRoundTrip(t *testing.T) {
	at := time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		want export.Format
		gz   bool
	}{
		{"events.json", export.FormatDocument, false},
		{"events.json.gz", export.FormatDocument, true},
		{"events.jsonl", export.FormatJSONLines, false},
		{"events.ndjson", export.FormatJSONLines, false},
		{"events.jsonl.gz", export.FormatJSONLines, true},
		{"EVENTS.NDJSON.GZ", export.FormatJSONLines, true},
		{"events.csv", export.FormatCSV, false},
		{"events.csv.gz", export.FormatCSV, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), tc.name)
			f, err := export.FormatFromPath(path)
			require.NoError(t, err)
			require.Equal(t, tc.want, f)
			require.NoError(t, export.CreateFile(path, func(w io.Writer) error {
				return export.WriteFormat(w, f, sampleEvents(), at)
			}))

			raw, err := os.ReadFile(path)
			require.NoError(t, err)
			require.Equal(t, tc.gz, bytes.HasPrefix(raw, []byte{0x1f, 0x8b}), "gzip")
			if runtime.GOOS != "windows" {
				info, err := os.Stat(path)
				require.NoError(t, err)
				require.Equal(t, fs.FileMode(0o600), info.Mode().Perm())
			}

			events, got, err := export.ReadFile(path)
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
			requireSameEvents(t, sampleEvents(), events)
		})
	}
}

func TestCreateFileNeverOverwrites(t *testing.T) {
	path := filepath.Join(t.TempDir(), "events.jsonl")
	require.NoError(t, os.WriteFile(path, []byte("precious\n"), 0o644))
	called := false
	err := export.CreateFile(path, func(io.Writer) error { called = true; return nil })
	require.ErrorIs(t, err, export.ErrExists)
	require.ErrorIs(t, err, fs.ErrExist)
	require.Contains(t, err.Error(), path)
	require.False(t, called, "write must not run")
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, "precious\n", string(got))

	// A folder, or a dangling symbolic link, is in the way too.
	dir := t.TempDir()
	require.ErrorIs(t, export.CreateFile(dir, func(io.Writer) error { return nil }), export.ErrExists)
	if runtime.GOOS != "windows" {
		link := filepath.Join(dir, "link.jsonl")
		require.NoError(t, os.Symlink(filepath.Join(dir, "nowhere"), link))
		require.ErrorIs(t, export.CreateFile(link, func(io.Writer) error { return nil }), export.ErrExists)
		_, err := os.Stat(filepath.Join(dir, "nowhere"))
		require.ErrorIs(t, err, fs.ErrNotExist, "nothing created through the link")
	}
}

func TestCreateFileRemovesPartialFile(t *testing.T) {
	errBoom := errors.New("boom")
	for _, name := range []string{"events.jsonl", "events.jsonl.gz"} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), name)
			err := export.CreateFile(path, func(w io.Writer) error {
				_, err := w.Write(bytes.Repeat([]byte("x"), 200<<10)) // past the buffer
				require.NoError(t, err)
				return errBoom
			})
			require.Equal(t, errBoom, err, "write's error as it is")
			_, err = os.Stat(path)
			require.ErrorIs(t, err, fs.ErrNotExist)

			// An event that is not an object: nothing is left either.
			err = export.CreateFile(path, func(w io.Writer) error {
				return export.WriteJSONLines(w, []json.RawMessage{json.RawMessage(`{}`), json.RawMessage(`[]`)})
			})
			require.ErrorContains(t, err, "event 1")
			_, err = os.Stat(path)
			require.ErrorIs(t, err, fs.ErrNotExist)

			// A panic in write: the file goes, the panic goes on.
			require.PanicsWithValue(t, "write panicked", func() {
				_ = export.CreateFile(path, func(w io.Writer) error {
					_, _ = w.Write([]byte("partial"))
					panic("write panicked")
				})
			})
			_, err = os.Stat(path)
			require.ErrorIs(t, err, fs.ErrNotExist)
		})
	}
}

func TestCreateFileMissingFolder(t *testing.T) {
	path := filepath.Join(t.TempDir(), "no", "such", "events.jsonl")
	err := export.CreateFile(path, func(io.Writer) error { return nil })
	require.ErrorIs(t, err, fs.ErrNotExist)
	require.NotErrorIs(t, err, export.ErrExists)
	require.Contains(t, err.Error(), "auditlog: export: ")
}

// TestCreateFileRemovesOnlyItsOwnFile: when write fails after someone put
// another file at the path (moving the partial one aside), the cleanup
// leaves their file alone.
func TestCreateFileRemovesOnlyItsOwnFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "events.jsonl")
	errWrite := errors.New("write failed")
	err := export.CreateFile(path, func(io.Writer) error {
		require.NoError(t, os.Rename(path, path+".partial"))
		require.NoError(t, os.WriteFile(path, []byte("someone else's\n"), 0o600))
		return errWrite
	})
	require.ErrorIs(t, err, errWrite)
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, "someone else's\n", string(b))
}
