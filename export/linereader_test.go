package export_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/export"
)

// One LineReader reads file after file as ReadJournalFile reads each,
// also after a file whose reading stopped in the middle of a long line.
func TestLineReaderAcrossFiles(t *testing.T) {
	dir := t.TempDir()
	long := strings.Repeat("L", 600<<10) // longer than the buffer
	contents := []string{"a\nb\n", "x\n" + long + "\n" + long + "y", "", "c\r\nd", long + "\nz\n", "e\n"}
	var lr export.LineReader
	for i, c := range contents {
		path := filepath.Join(dir, fmt.Sprintf("f%d.jsonl", i))
		require.NoError(t, os.WriteFile(path, []byte(c), 0o600))
		f := export.JournalFile{Path: path}
		want, err := readFileLines(t, f)
		require.NoError(t, err)
		var got []gotLine
		require.NoError(t, lr.ReadFile(f, func(l export.Line) error {
			got = append(got, gotLine{l.Num, string(l.Data), l.Torn})
			return nil
		}))
		require.Equal(t, want, got, "file %d", i)

		// Stop at the long line, if any: the next file starts clean.
		stop := errors.New("stop")
		err = lr.ReadFile(f, func(l export.Line) error {
			if len(l.Data) > 1000 {
				return stop
			}
			return nil
		})
		if strings.Contains(c, long) {
			require.ErrorIs(t, err, stop)
		} else {
			require.NoError(t, err)
		}
	}
}

// Reading many small files through one LineReader allocates its buffer
// once, not once a file.
func TestLineReaderAllocatesOnce(t *testing.T) {
	dir := t.TempDir()
	const files = 200
	paths := make([]string, files)
	for i := range paths {
		paths[i] = filepath.Join(dir, fmt.Sprintf("f%03d.jsonl", i))
		require.NoError(t, os.WriteFile(paths[i], []byte(`{"n":1}`+"\n"+`{"n":2}`+"\n"), 0o600))
	}
	var lr export.LineReader
	n := 0
	read := func() {
		for _, p := range paths {
			require.NoError(t, lr.ReadFile(export.JournalFile{Path: p}, func(export.Line) error { n++; return nil }))
		}
	}
	read() // the buffer
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	read()
	runtime.ReadMemStats(&after)
	require.Equal(t, 2*2*files, n)
	perFile := float64(after.TotalAlloc-before.TotalAlloc) / files
	t.Logf("%.0f bytes allocated per file", perFile)
	require.Less(t, perFile, 4096.0, "bytes allocated per file read")
}
