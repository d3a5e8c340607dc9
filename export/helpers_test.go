package export_test

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/export"
)

// openJournal opens a journal and closes it at the end of the test.
func openJournal(t *testing.T, opts export.JournalOptions) *export.Journal {
	t.Helper()
	j, torn, err := export.OpenJournal(opts)
	require.NoError(t, err)
	require.Empty(t, torn)
	t.Cleanup(func() { j.Close() })
	return j
}

// numbered returns n lines {"seq":from..,"pad":"xx.."}\n of about size
// bytes each.
func numbered(from, n, size int) []byte {
	var b bytes.Buffer
	for i := from; i < from+n; i++ {
		l := fmt.Sprintf(`{"seq":%d,"pad":"`, i)
		pad := max(size-len(l)-3, 0)
		b.WriteString(l)
		b.WriteString(strings.Repeat("x", pad))
		b.WriteString("\"}\n")
	}
	return b.Bytes()
}

// splitLines splits p into its lines, without newlines.
func splitLines(p []byte) []string {
	s := strings.TrimSuffix(string(p), "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// readJournal returns every line of the journal in dir, in order.
func readJournal(t *testing.T, dir string) []string {
	t.Helper()
	var lines []string
	require.NoError(t, export.ReadJournal(dir, func(l export.Line) error {
		require.False(t, l.Torn, "%s line %d is torn", l.File, l.Num)
		lines = append(lines, string(l.Data))
		return nil
	}))
	return lines
}

// journalFiles returns the paths of the journal's files, oldest first.
func journalFiles(t *testing.T, dir string) []string {
	t.Helper()
	files, err := export.JournalFiles(dir)
	require.NoError(t, err)
	var paths []string
	for _, f := range files {
		paths = append(paths, f.Path)
	}
	return paths
}

// dirNames returns the names of the files in dir.
func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// readFile returns the content of a journal file, gunzipped when its
// name ends in .gz.
func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(bytes.NewReader(b))
		require.NoError(t, err)
		b, err = io.ReadAll(zr)
		require.NoError(t, err)
	}
	return b
}

// writeFile replaces the content of a journal file, gzipping it when its
// name ends in .gz.
func writeFile(t *testing.T, path string, b []byte) {
	t.Helper()
	if strings.HasSuffix(path, ".gz") {
		var z bytes.Buffer
		zw := gzip.NewWriter(&z)
		_, err := zw.Write(b)
		require.NoError(t, err)
		require.NoError(t, zw.Close())
		b = z.Bytes()
	}
	require.NoError(t, os.WriteFile(path, b, 0o600))
}

// backupPath is the path of a rotated file of the given time, as
// lumberjack names it ("2006-01-02T15-04-05.000").
func backupPath(dir, ts string) string {
	return filepath.Join(dir, "audit-"+ts+".jsonl")
}

// gzipped returns b compressed.
func gzipped(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, err := zw.Write(b)
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	return buf.Bytes()
}
