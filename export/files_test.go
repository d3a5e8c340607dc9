package export_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/export"
)

func TestJournalFiles(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{
		"audit-2020-01-02T00-00-00.000.jsonl":        "c\n",
		"audit-2019-12-31T23-59-59.999.jsonl.gz":     "a\n",
		"audit-2020-01-01T00-00-00.000.jsonl":        "b plain\n",
		"audit-2020-01-01T00-00-00.000.jsonl.gz":     "b gzipped\n",
		"audit-2020-01-01T00-00-00.001.jsonl.gz":     "b2\n",
		"audit-2021-06-01T12-30-45.123.jsonl":        "d\n",
		export.JournalName:                           "current\n",
		"audit-2020-01-01T00-00-00.000.jsonl.gz.tmp": "half-compressed",
		"audit-2020-01-01T00-00-00.jsonl":            "no milliseconds",
		"audit-foo.jsonl":                            "not a time",
		"audit-2020-13-01T00-00-00.000.jsonl":        "month 13",
		"audit.jsonl.bak":                            "x",
		"other.txt":                                  "x",
		"audit-2020-01-01T00-00-00.000.log":          "x",
	} {
		b := []byte(content)
		if strings.HasSuffix(name, ".gz") {
			b = gzipped(t, b)
		}
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), b, 0o600))
	}
	// A folder with a backup's name is not a file.
	require.NoError(t, os.Mkdir(filepath.Join(dir, "audit-2022-01-01T00-00-00.000.jsonl"), 0o700))

	files, err := export.JournalFiles(dir)
	require.NoError(t, err)
	want := []export.JournalFile{
		{Path: filepath.Join(dir, "audit-2019-12-31T23-59-59.999.jsonl.gz"), Rotated: time.Date(2019, 12, 31, 23, 59, 59, 999e6, time.UTC), Gzip: true},
		{Path: filepath.Join(dir, "audit-2020-01-01T00-00-00.000.jsonl"), Rotated: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)},
		{Path: filepath.Join(dir, "audit-2020-01-01T00-00-00.001.jsonl.gz"), Rotated: time.Date(2020, 1, 1, 0, 0, 0, 1e6, time.UTC), Gzip: true},
		{Path: filepath.Join(dir, "audit-2020-01-02T00-00-00.000.jsonl"), Rotated: time.Date(2020, 1, 2, 0, 0, 0, 0, time.UTC)},
		{Path: filepath.Join(dir, "audit-2021-06-01T12-30-45.123.jsonl"), Rotated: time.Date(2021, 6, 1, 12, 30, 45, 123e6, time.UTC)},
		{Path: filepath.Join(dir, export.JournalName)},
	}
	require.Equal(t, want, files)
	require.Equal(t, []string{"a", "b plain", "b2", "c", "d", "current"}, readJournal(t, dir))

	t.Run("no current file", func(t *testing.T) {
		require.NoError(t, os.Remove(filepath.Join(dir, export.JournalName)))
		files, err := export.JournalFiles(dir)
		require.NoError(t, err)
		require.Equal(t, want[:len(want)-1], files)
	})
	t.Run("empty folder", func(t *testing.T) {
		files, err := export.JournalFiles(t.TempDir())
		require.NoError(t, err)
		require.Empty(t, files)
	})
	t.Run("missing folder", func(t *testing.T) {
		_, err := export.JournalFiles(filepath.Join(t.TempDir(), "none"))
		require.ErrorIs(t, err, os.ErrNotExist)
		require.ErrorIs(t, export.ReadJournal(filepath.Join(t.TempDir(), "none"), func(export.Line) error { return nil }), os.ErrNotExist)
	})
}

type gotLine struct {
	Num  int
	Data string
	Torn bool
}

func readFileLines(t *testing.T, f export.JournalFile) ([]gotLine, error) {
	t.Helper()
	var got []gotLine
	err := export.ReadJournalFile(f, func(l export.Line) error {
		require.True(t, l.File == f.Path || l.File == f.Path+".gz", l.File)
		require.NotContains(t, string(l.Data), "\n")
		got = append(got, gotLine{l.Num, string(l.Data), l.Torn})
		return nil
	})
	return got, err
}

func TestReadJournalFile(t *testing.T) {
	long := strings.Repeat("L", 600<<10) // longer than the reader's buffer
	for _, tc := range []struct {
		name, content string
		want          []gotLine
	}{
		{"empty", "", nil},
		{"one line", "{}\n", []gotLine{{1, "{}", false}}},
		{"numbers", "a\nb\nc\n", []gotLine{{1, "a", false}, {2, "b", false}, {3, "c", false}}},
		{"blank lines skipped, counted", "\na\n\n  \t\nb\n\n", []gotLine{{2, "a", false}, {5, "b", false}}},
		{"torn last line", "a\nb", []gotLine{{1, "a", false}, {2, "b", true}}},
		{"only a torn line", "abc", []gotLine{{1, "abc", true}}},
		{"blank torn line", "a\n  ", []gotLine{{1, "a", false}}},
		{"crlf", "a\r\nb\r\nc", []gotLine{{1, "a", false}, {2, "b", false}, {3, "c", true}}},
		{"crlf blank", "a\r\n\r\nb\r\n", []gotLine{{1, "a", false}, {3, "b", false}}},
		{"lone cr kept inside", "a\rb\n", []gotLine{{1, "a\rb", false}}},
		{"long lines", "x\n" + long + "\n" + long + "y", []gotLine{{1, "x", false}, {2, long, false}, {3, long + "y", true}}},
	} {
		for _, gz := range []bool{false, true} {
			name := tc.name
			if gz {
				name += " gzip"
			}
			t.Run(name, func(t *testing.T) {
				dir := t.TempDir()
				b := []byte(tc.content)
				path := filepath.Join(dir, export.JournalName)
				if gz {
					b = gzipped(t, b)
					path = backupPath(dir, "2020-01-01T00-00-00.000") + ".gz"
				}
				require.NoError(t, os.WriteFile(path, b, 0o600))
				files, err := export.JournalFiles(dir)
				require.NoError(t, err)
				require.Len(t, files, 1)
				require.Equal(t, gz, files[0].Gzip)
				got, err := readFileLines(t, files[0])
				require.NoError(t, err)
				require.Equal(t, tc.want, got)
			})
		}
	}
}

func TestReadJournalStops(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(backupPath(dir, "2020-01-01T00-00-00.000"), []byte("a\nb\n"), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, export.JournalName), []byte("c\nd\n"), 0o600))
	stop := errors.New("stop")
	var seen []string
	err := export.ReadJournal(dir, func(l export.Line) error {
		seen = append(seen, string(l.Data))
		if string(l.Data) == "c" {
			return stop
		}
		return nil
	})
	require.Equal(t, stop, err, "fn's error is returned as is")
	require.Equal(t, []string{"a", "b", "c"}, seen)
}

func TestReadJournalFileCompressedMeanwhile(t *testing.T) {
	// A rotated file listed plain and compressed before it is read is
	// read under its new name.
	dir := t.TempDir()
	path := backupPath(dir, "2020-01-01T00-00-00.000")
	require.NoError(t, os.WriteFile(path, []byte("a\n"), 0o600))
	files, err := export.JournalFiles(dir)
	require.NoError(t, err)
	require.NoError(t, os.Remove(path))
	require.NoError(t, os.WriteFile(path+".gz", gzipped(t, []byte("a\n")), 0o600))
	var got []export.Line
	require.NoError(t, export.ReadJournalFile(files[0], func(l export.Line) error {
		l.Data = bytes.Clone(l.Data)
		got = append(got, l)
		return nil
	}))
	require.Equal(t, []export.Line{{File: path + ".gz", Num: 1, Data: []byte("a")}}, got)

	require.NoError(t, os.Remove(path+".gz"))
	_, err = readFileLines(t, files[0])
	require.ErrorIs(t, err, os.ErrNotExist, "removed by retention")
}

func TestReadJournalFileCorrupt(t *testing.T) {
	var content []byte
	for i := range 2000 {
		content = append(content, numbered(i, 1, 50+i%70)...)
	}
	full := gzipped(t, content)
	lines := splitLines(content)
	flip := func(i int) []byte {
		b := bytes.Clone(full)
		b[i] ^= 0x55
		return b
	}
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"not gzip", content},
		{"empty", nil},
		{"header only", full[:5]},
		{"cut in the middle", full[:len(full)/2]},
		{"cut before the trailer", full[:len(full)-4]},
		{"byte flipped in the middle", flip(len(full) / 2)},
		{"byte flipped in the checksum", flip(len(full) - 6)},
		{"byte flipped in the length", flip(len(full) - 2)},
		{"garbage after the stream", append(bytes.Clone(full), "garbage"...)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := backupPath(dir, "2020-01-01T00-00-00.000") + ".gz"
			require.NoError(t, os.WriteFile(path, tc.data, 0o600))
			var got []string
			err := export.ReadJournalFile(export.JournalFile{Path: path, Rotated: time.Unix(1, 0), Gzip: true}, func(l export.Line) error {
				require.False(t, l.Torn)
				got = append(got, string(l.Data))
				return nil
			})
			require.ErrorIs(t, err, export.ErrCorrupt)
			require.ErrorContains(t, err, path)
			// What fn was given are whole lines, a prefix of the file.
			if tc.name != "byte flipped in the middle" { // may decode to other lines
				require.LessOrEqual(t, len(got), len(lines))
				for i, l := range got {
					require.Equal(t, lines[i], l, "line %d", i+1)
				}
			}
		})
	}
}

func TestReadJournalLineTooLong(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, export.JournalName)
	f, err := os.Create(path)
	require.NoError(t, err)
	_, err = f.WriteString("a\n")
	require.NoError(t, err)
	chunk := bytes.Repeat([]byte("x"), 1<<20)
	for range export.MaxLineBytes >> 20 {
		_, err = f.Write(chunk)
		require.NoError(t, err)
	}
	_, err = f.WriteString("x\nb\n") // one byte over
	require.NoError(t, err)
	require.NoError(t, f.Close())

	var got []int
	err = export.ReadJournal(dir, func(l export.Line) error {
		got = append(got, len(l.Data))
		return nil
	})
	require.ErrorIs(t, err, export.ErrCorrupt)
	require.ErrorContains(t, err, path+": line 2:")
	require.Equal(t, []int{1}, got)
}
