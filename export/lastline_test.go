package export_test

import (
	"bytes"
	"compress/gzip"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/export"
)

// lastByReading is the last whole line of b as the readers see it: the
// last non-blank line that is not torn.
func lastByReading(t testing.TB, path string, gz bool) []byte {
	var last []byte
	err := export.ReadJournalFile(export.JournalFile{Path: path, Rotated: rotatedTime, Gzip: gz}, func(l export.Line) error {
		if !l.Torn {
			last = append(last[:0], l.Data...)
		}
		return nil
	})
	require.NoError(t, err)
	return last
}

var rotatedTime = time.Date(2026, 1, 15, 10, 30, 0, 0, time.UTC)

func TestFileLastLine(t *testing.T) {
	long := strings.Repeat("y", 300<<10) // longer than the first windows
	for _, tc := range []struct{ name, content, want string }{
		{"empty", "", ""},
		{"one line", "{\"seq\":1}\n", `{"seq":1}`},
		{"two lines", "{\"seq\":1}\n{\"seq\":2}\n", `{"seq":2}`},
		{"torn tail", "{\"seq\":1}\n{\"seq\":2}\n{\"se", `{"seq":2}`},
		{"only torn", "{\"seq\":1", ""},
		{"blank lines after", "{\"seq\":1}\n\n  \n", `{"seq":1}`},
		{"crlf", "{\"seq\":1}\r\n", `{"seq":1}`},
		{"a long last line", "{\"seq\":1}\n{\"seq\":2,\"x\":\"" + long + "\"}\n", `{"seq":2,"x":"` + long + `"}`},
		{"a long torn tail", "{\"seq\":1}\n" + long, `{"seq":1}`},
		{"a long first and only line", long + "\n", long},
		{"blank lines past a window", "{\"seq\":7}\n" + strings.Repeat(" \n", 100<<10), `{"seq":7}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "audit-2026-01-15T10-30-00.000.jsonl")
			require.NoError(t, os.WriteFile(path, []byte(tc.content), 0o600))
			got, err := export.FileLastLine(export.JournalFile{Path: path, Rotated: rotatedTime})
			require.NoError(t, err)
			require.Equal(t, tc.want, string(got))
			require.Equal(t, tc.want, string(lastByReading(t, path, false)), "as the readers see it")

			// A .gz of another writer has no line in its header: it is read whole.
			gz := path + ".gz"
			require.NoError(t, os.WriteFile(gz, gzipped(t, []byte(tc.content)), 0o600))
			got, err = export.FileLastLine(export.JournalFile{Path: gz, Rotated: rotatedTime, Gzip: true})
			require.NoError(t, err)
			require.Equal(t, tc.want, string(got))
		})
	}
}

// FuzzFileLastLine: the last line read back from the end is the one the
// readers find reading the file from its start.
func FuzzFileLastLine(f *testing.F) {
	for _, s := range []string{"", "\n", "a\nb\n", "a\nb", "a\n\n \r\n", "\r\n", "x\r\ny\r"} {
		f.Add([]byte(s))
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, b []byte) {
		path := filepath.Join(dir, "audit-2026-01-15T10-30-00.000.jsonl")
		require.NoError(t, os.WriteFile(path, b, 0o600))
		got, err := export.FileLastLine(export.JournalFile{Path: path, Rotated: rotatedTime})
		require.NoError(t, err)
		want := lastByReading(t, path, false)
		require.Equal(t, string(want), string(got))
	})
}

// A file the journal compressed carries its last line in its gzip header:
// FileLastLine reads the header, not the stream.
func TestFileLastLineFromTheHeader(t *testing.T) {
	p := numbered(1, 50, 200)
	files := []export.JournalFile{compressedFile(t, p)}
	lines := splitLines(p)

	got, err := export.FileLastLine(files[0])
	require.NoError(t, err)
	require.Equal(t, lines[len(lines)-1], string(got))

	// The stream cut after the header: the line still comes from it.
	b, err := os.ReadFile(files[0].Path)
	require.NoError(t, err)
	zr, err := gzip.NewReader(bytes.NewReader(b))
	require.NoError(t, err)
	require.Contains(t, string(zr.Extra), lines[len(lines)-1])
	headerLen := 10 + 2 + len(zr.Extra)
	require.NoError(t, os.WriteFile(files[0].Path, b[:headerLen], 0o600))
	got, err = export.FileLastLine(files[0])
	require.NoError(t, err)
	require.Equal(t, lines[len(lines)-1], string(got))
	err = export.ReadJournalFile(files[0], func(export.Line) error { return nil })
	require.True(t, errors.Is(err, export.ErrCorrupt), "the stream itself is cut: %v", err)
}

// A line too long for the header leaves it out: the file is read whole.
func TestFileLastLineTooLongForTheHeader(t *testing.T) {
	line := `{"seq":1,"x":"` + strings.Repeat("z", 70<<10) + `"}`
	got, err := export.FileLastLine(compressedFile(t, []byte(line+"\n")))
	require.NoError(t, err)
	require.Equal(t, line, string(got))
}

// compressedFile writes p to a journal, rotates it and returns the
// rotated file once the journal has compressed it.
func compressedFile(t *testing.T, p []byte) export.JournalFile {
	t.Helper()
	dir := t.TempDir()
	j := openJournal(t, export.JournalOptions{Dir: dir, Compress: true})
	_, err := j.Write(p)
	require.NoError(t, err)
	require.NoError(t, j.Rotate())
	require.NoError(t, j.Close())
	export.Housekeep(j) // Close stops housekeeping; finish its pass
	files, err := export.JournalFiles(dir)
	require.NoError(t, err)
	require.True(t, files[0].Gzip)
	return files[0]
}
