package export_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/export"
)

// bomb returns a gzip stream of about inflated bytes in the format f,
// made of the same small event repeated: a few kilobytes that inflate to
// as much as the test asks. It is a series of gzip members, which readers
// of gzip read as one stream, so that it is made in no time: one member
// of 1 MiB of events, compressed once, repeated.
func bomb(t testing.TB, f export.Format, inflated int) []byte {
	t.Helper()
	const event = `{"event_id":"e","timestamp":"2025-01-15T10:30:45Z","operation":"READ","user_id":"alice","metadata":{"k":"v"}}`
	var head, line, tail string
	switch f {
	case export.FormatJSONLines:
		line = event + "\n"
	case export.FormatArray:
		head, line, tail = "[\n", event+",\n", event+"]\n"
	case export.FormatDocument:
		head, line, tail = "{\"events\": [\n", event+",\n", event+"], \"total_events\": 0}\n"
	case export.FormatCSV:
		head, line = "event_id,timestamp,operation,user_id\n", "e,2025-01-15T10:30:45Z,READ,alice\n"
	}
	member := func(s string) []byte {
		var buf bytes.Buffer
		zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		require.NoError(t, err)
		_, err = zw.Write([]byte(s))
		require.NoError(t, err)
		require.NoError(t, zw.Close())
		return buf.Bytes()
	}
	body := member(strings.Repeat(line, 1<<20/len(line)))
	out := member(head)
	for range inflated >> 20 {
		out = append(out, body...)
	}
	return append(out, member(tail)...)
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// heap returns the bytes of live heap objects, after a collection.
func heap() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// totalAlloc returns the bytes allocated since the program started.
func totalAlloc() uint64 {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.TotalAlloc
}

var errEnough = errors.New("enough")

// TestReadFromFuncStopsEarly reads the first events of a gzip stream that
// inflates to 256 MB, in each format: reading stops with the callback,
// having read a few kilobytes of the stream and allocated a few
// megabytes, not the 256 MB inside.
func TestReadFromFuncStopsEarly(t *testing.T) {
	for _, f := range []export.Format{export.FormatJSONLines, export.FormatCSV, export.FormatArray, export.FormatDocument} {
		t.Run(f.String(), func(t *testing.T) {
			gz := bomb(t, f, 256<<20)
			t.Logf("%d bytes of gzip", len(gz))
			src := &countingReader{r: bytes.NewReader(gz)}
			n := 0
			before := totalAlloc()
			format, err := export.ReadFromFunc(src, func(ev json.RawMessage) error {
				require.Contains(t, string(ev), `"operation":"READ"`)
				if n++; n == 10 {
					return errEnough
				}
				return nil
			})
			allocated := totalAlloc() - before
			require.ErrorIs(t, err, errEnough)
			require.Same(t, errEnough, err, "the callback's error, as it is")
			require.Equal(t, f, format)
			require.Equal(t, 10, n)
			require.Less(t, src.n, int64(256<<10), "bytes of the stream read")
			require.Less(t, allocated, uint64(8<<20), "bytes allocated")
		})
	}
}

// TestReadFromFuncBoundedHeap reads every event of a gzip stream that
// inflates to 12 MB, in each format, and samples the live heap as it
// goes: it stays within 2 MB of where it began.
func TestReadFromFuncBoundedHeap(t *testing.T) {
	for _, f := range []export.Format{export.FormatJSONLines, export.FormatCSV, export.FormatArray, export.FormatDocument} {
		t.Run(f.String(), func(t *testing.T) {
			gz := bomb(t, f, 12<<20)
			base := heap()
			var peak uint64
			n := 0
			format, err := export.ReadFromFunc(bytes.NewReader(gz), func(json.RawMessage) error {
				if n++; n%10000 == 0 {
					peak = max(peak, heap())
				}
				return nil
			})
			require.NoError(t, err)
			require.Equal(t, f, format)
			require.Greater(t, n, 100000)
			grown := int64(peak) - int64(base)
			t.Logf("%d events; live heap grew by %d bytes at most", n, grown)
			require.Less(t, grown, int64(2<<20), "live heap while reading")
		})
	}
}

// endless is a reader of head, then filler forever.
type endless struct {
	head   []byte
	filler byte
	n      int64
}

func (e *endless) Read(p []byte) (int, error) {
	k := copy(p, e.head)
	e.head = e.head[k:]
	for i := k; i < len(p); i++ {
		p[i] = e.filler
	}
	e.n += int64(len(p))
	return len(p), nil
}

// TestReadEndlessRecord gives each format a record that never ends: the
// reader stops once it passes the limit (here 1 MiB, to keep the test
// short; TestReadRecordLimit tries the real one), having read little
// more than the limit, and says which record.
func TestReadEndlessRecord(t *testing.T) {
	const limit = 1 << 20
	defer export.SetMaxRecord(limit)()
	tests := []struct{ name, head, msg string }{
		{"jsonl line", "{}\n{\"a\":\"", "line 2: longer than"},
		{"jsonl first line", "{\"a\":\"", "longer than"},
		{"array element", "[{},\n{\"a\":\"", "event 1: longer than"},
		{"document element", "{\"events\": [{},\n{\"a\":\"", "event 1: longer than"},
		{"document on one line", "{\"events\": [{}, {\"a\":\"", "event 1: longer than"},
		{"document other key", "{\"events\": [{}],\n\"x\":\"", "longer than"},
		{"csv record", "event_id,timestamp,operation\n\"", "CSV record 1: longer than"},
	}
	for _, tc := range tests {
		for _, gz := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/gzip=%v", tc.name, gz), func(t *testing.T) {
				var src io.Reader = &endless{head: []byte(tc.head), filler: 'x'}
				if gz {
					pr := gzipStream(src)
					defer pr.Close() // ends the compressing goroutine
					src = pr
				}
				base := heap()
				var peak uint64
				src = &sampling{r: src, peak: &peak}
				_, err := export.ReadFromFunc(src, func(json.RawMessage) error { return nil })
				require.ErrorIs(t, err, export.ErrCorrupt)
				require.ErrorContains(t, err, tc.msg)
				read := src.(*sampling).n
				require.Less(t, read, int64(3*limit), "bytes read")
				require.Less(t, int64(peak)-int64(base), int64(8*limit), "live heap while reading")
			})
		}
	}
}

// sampling is a reader that samples the live heap every 256 KiB it reads.
type sampling struct {
	r    io.Reader
	n    int64
	peak *uint64
}

func (s *sampling) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	if s.n/(256<<10) != (s.n+int64(n))/(256<<10) {
		*s.peak = max(*s.peak, heap())
	}
	s.n += int64(n)
	return n, err
}

// gzipStream compresses r as it is read, until r ends or the returned
// reader is closed.
func gzipStream(r io.Reader) *io.PipeReader {
	pr, pw := io.Pipe()
	go func() {
		zw := gzip.NewWriter(pw)
		_, err := io.Copy(zw, r)
		pw.CloseWithError(err)
	}()
	return pr
}

// TestReadFileGiven: a file named by the caller may be a symbolic link
// to a regular file; a FIFO is refused without waiting for a writer.
func TestReadFileGiven(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "events.jsonl")
	require.NoError(t, os.WriteFile(real, []byte("{\"a\":1}\n"), 0o600))
	link := filepath.Join(dir, "link.jsonl")
	require.NoError(t, os.Symlink(real, link))
	events, _, err := export.ReadFile(link)
	require.NoError(t, err)
	require.Len(t, events, 1)

	fifo := filepath.Join(dir, "fifo.jsonl")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("no FIFO here: %v", err)
	}
	_, _, err = export.ReadFile(fifo)
	require.ErrorContains(t, err, fifo)
	require.ErrorContains(t, err, "not a regular file")
	require.NotErrorIs(t, err, export.ErrCorrupt)

	_, _, err = export.ReadFile(dir)
	require.ErrorContains(t, err, "not a regular file")

	// A link to a FIFO is refused too.
	require.NoError(t, os.Symlink(fifo, filepath.Join(dir, "fifo-link")))
	_, _, err = export.ReadFile(filepath.Join(dir, "fifo-link"))
	require.ErrorContains(t, err, "not a regular file")
}
