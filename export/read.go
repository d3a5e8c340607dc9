package export

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/auditlog/auditlog/internal/fsafe"
)

// maxRecord is the largest line (JSON Lines, CSV) or element (array,
// document) the readers accept: MaxLineBytes, 64 MiB. A line longer than
// this is taken for corruption rather than read into memory without end.
// A variable for the tests only.
var maxRecord = MaxLineBytes

// errTooLong is returned, wrapped in ErrCorrupt, for a record over
// maxRecord.
var errTooLong = errors.New("longer than 64 MiB")

// ReadFile reads the events of the file path, in any format ReadFrom
// takes; errors name the file. See ReadFrom and ReadFileFunc.
func ReadFile(path string) ([]json.RawMessage, Format, error) {
	var events []json.RawMessage
	f, err := ReadFileFunc(path, func(ev json.RawMessage) error {
		events = append(events, ev)
		return nil
	})
	return collected(events, f, err)
}

// ReadFileFunc reads the events of the file path one at a time, as
// ReadFromFunc does; errors name the file.
//
// path is a file the caller chose: a symbolic link is followed, but what
// it leads to must be a regular file. A FIFO, a device, a socket or a
// folder is refused with an error naming the path, without waiting for a
// writer at the other end of a FIFO. To read such a stream, open it and
// call ReadFromFunc.
func ReadFileFunc(path string, fn func(json.RawMessage) error) (Format, error) {
	f, err := fsafe.OpenGiven(path)
	if err != nil {
		return 0, fmt.Errorf("auditlog: export: %w", err)
	}
	defer f.Close() // read only: Close has nothing to report
	return readFrom(f, path, fn)
}

// ReadFrom reads every event from r and tells in which format they were.
// Each event returned is one JSON object, compacted. It holds every event
// in memory: ReadFromFunc reads them one at a time.
//
// Input compressed with gzip is recognised by its magic bytes, whatever
// the file is called. A UTF-8 byte order mark is skipped. The format is
// then told from the content:
//   - the first byte that is not white space is '[': a bare JSON array of
//     objects (FormatArray);
//   - it is '{', and the first value is an object with an "events" key
//     holding an array and no "event_id" key: a document
//     (FormatDocument, as WriteDocument writes it and axon did); its
//     other keys are not checked;
//   - it is '{' otherwise: JSON Lines, one object per line
//     (FormatJSONLines); blank lines and '\r' before '\n' are skipped;
//   - anything else: CSV (FormatCSV) whose header names columns of
//     WriteCSV, in any order, at least event_id, timestamp and operation;
//     an unknown or repeated column is an error. Cells go back to JSON as
//     WriteCSV describes, so that a read gives back, as equivalent JSON,
//     what WriteCSV was given (up to the losses it lists).
//
// Input that is empty or only white space is no events, as JSON Lines
// (what WriteJSONLines writes for no events), and no error.
//
// Every other problem is an error wrapping ErrCorrupt that names the line
// (JSON Lines, CSV) or the index of the event (array, document) or the
// byte offset (the JSON around the events), and the cause; no events are
// returned with it, with one exception: a torn last line. When the last
// line of JSON Lines has no '\n' after it and is not valid JSON, it is the
// mark of a writer stopped mid-line (a crash). ReadFrom then returns the
// events before it together with an error wrapping ErrCorrupt that names
// the line, so that the caller decides: drop the torn line, or refuse the
// file. Errors of r itself are returned wrapped, without ErrCorrupt.
//
// A line, a CSV record or an element of an array longer than
// MaxLineBytes (64 MiB) is corruption too, found as it is read: no more
// than that is held for one event.
func ReadFrom(r io.Reader) ([]json.RawMessage, Format, error) {
	var events []json.RawMessage
	f, err := ReadFromFunc(r, func(ev json.RawMessage) error {
		events = append(events, ev)
		return nil
	})
	return collected(events, f, err)
}

// ReadFromFunc reads the events of r, in any format ReadFrom takes, and
// calls fn with each, in order, as it reads it: it holds one event at a
// time (at most MaxLineBytes of it, and the buffers of its reading), so
// that a file of any size, or a small gzip stream that inflates to
// gigabytes, is read in bounded memory. Each event is one JSON object,
// compacted, the caller's to keep. An error fn returns stops the reading
// and is returned as it is; so a limit stops reading early.
//
// It returns the format, and the errors ReadFrom describes. An error may
// come after fn has been called with the events before it: a torn last
// line, or corruption further on. Callers who want all or nothing keep
// the events until ReadFromFunc returns nil.
func ReadFromFunc(r io.Reader, fn func(json.RawMessage) error) (Format, error) {
	return readFrom(r, "", fn)
}

// collected is what ReadFile and ReadFrom return: the events, unless err
// is corruption other than a torn last line.
func collected(events []json.RawMessage, f Format, err error) ([]json.RawMessage, Format, error) {
	var torn *tornError
	if err != nil && !errors.As(err, &torn) {
		return nil, f, err
	}
	return events, f, err
}

// reader is the state of one ReadFromFunc.
type reader struct {
	name    string // the file, for messages; "" for ReadFrom
	br      *bufio.Reader
	emit    func(json.RawMessage) error
	line    int   // lines consumed so far
	skipped int64 // bytes consumed before the first value (BOM, space)
	buf     []byte
	str     bytes.Buffer // for appendJSONString
	enc     *json.Encoder
}

func readFrom(r io.Reader, name string, fn func(json.RawMessage) error) (Format, error) {
	rd := &reader{name: name, br: bufio.NewReaderSize(sourceReader{r}, 64<<10), emit: fn}
	magic, err := rd.br.Peek(2)
	if err != nil && err != io.EOF {
		return 0, rd.fail("", err)
	}
	if len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(rd.br)
		if err != nil {
			return 0, rd.fail("gzip header", err)
		}
		// zr.Close only reports a pending error, which a read reports too.
		rd.br = bufio.NewReaderSize(gzipReader{zr}, 64<<10)
	}
	if b, _ := rd.br.Peek(3); string(b) == "\ufeff" {
		rd.skipped += 3
		_, _ = rd.br.Discard(3) // peeked: cannot fail
	}
	c, err := rd.skipSpace()
	if err == io.EOF {
		return FormatJSONLines, nil
	}
	if err != nil {
		return 0, rd.fail(fmt.Sprintf("line %d", rd.line+1), err)
	}
	switch c {
	case '[':
		return FormatArray, rd.readArray()
	case '{':
		return rd.readObjects()
	}
	return FormatCSV, rd.readCSV()
}

// fail wraps err, met at where ("line 3", "event 2"), in ErrCorrupt with
// the file's name, or, for an error of the source, says it could not be
// read.
func (rd *reader) fail(where string, err error) error {
	var se *sourceError
	if errors.As(err, &se) {
		if rd.name != "" {
			return fmt.Errorf("auditlog: export: reading %s: %w", rd.name, se.err)
		}
		return fmt.Errorf("auditlog: export: reading: %w", se.err)
	}
	switch {
	case rd.name != "" && where != "":
		where = rd.name + ": " + where
	case rd.name != "":
		where = rd.name
	case where == "":
		return fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	return fmt.Errorf("%w: %s: %w", ErrCorrupt, where, err)
}

// skipSpace consumes JSON white space, counting lines, and returns the
// first other byte, left unread.
func (rd *reader) skipSpace() (byte, error) {
	for {
		c, err := rd.br.ReadByte()
		if err != nil {
			return 0, err
		}
		switch c {
		case '\n':
			rd.line++
			fallthrough
		case ' ', '\t', '\r':
			rd.skipped++
			continue
		}
		_ = rd.br.UnreadByte() // just read: cannot fail
		return c, nil
	}
}

// readLine returns the next line without its '\n', and whether it had
// one; io.EOF at the end. The line is rd.buf: valid until the next call.
// A line over maxRecord gives errTooLong, with what was read of it (a
// little more than maxRecord).
func (rd *reader) readLine() (line []byte, nl bool, err error) {
	rd.buf = rd.buf[:0]
	for {
		frag, err := rd.br.ReadSlice('\n')
		rd.buf = append(rd.buf, frag...)
		if len(rd.buf) > maxRecord+1 { // +1: the '\n'
			// Keep what was read: a document may go on.
			return rd.buf, false, errTooLong
		}
		switch err {
		case nil:
			rd.line++
			return rd.buf[:len(rd.buf)-1], true, nil
		case bufio.ErrBufferFull:
			continue
		case io.EOF:
			if len(rd.buf) == 0 {
				return nil, false, io.EOF
			}
			return rd.buf, false, nil
		}
		return rd.buf, false, err
	}
}

// trimJSONSpace trims JSON white space from both ends of b.
func trimJSONSpace(b []byte) []byte { return bytes.Trim(b, " \t\r\n") }

// readObjects reads input that starts with '{': a document or JSON Lines.
func (rd *reader) readObjects() (Format, error) {
	n := rd.line + 1
	line, nl, err := rd.readLine()
	if err != nil && err != errTooLong {
		return 0, rd.fail(fmt.Sprintf("line %d", n), err)
	}
	first := trimJSONSpace(line)
	if err == nil && json.Valid(first) {
		if !isDocument(first) {
			return FormatJSONLines, rd.readJSONLines(n, first)
		}
	} else if err == nil && !nl {
		// The only line, torn: no events before it.
		return FormatJSONLines, rd.fail(fmt.Sprintf("line %d", n), &tornError{jsonError(first)})
	}
	// A document (on one line, or over several), or nothing valid. The
	// line read is read again by the decoder: let go of rd.buf, which may
	// be as long as a line may be.
	head := []byte(line)
	if nl {
		head = append(head, '\n')
	}
	rd.buf = nil
	return FormatDocument, rd.readDocument(io.MultiReader(bytes.NewReader(head), rd.br))
}

// isDocument reports whether obj, one valid JSON object, is a document:
// an "events" key holding an array, and no "event_id".
func isDocument(obj []byte) bool {
	var m map[string]json.RawMessage
	if json.Unmarshal(obj, &m) != nil {
		return false
	}
	ev, ok := m["events"]
	_, isEvent := m["event_id"]
	return ok && len(ev) > 0 && ev[0] == '[' && !isEvent
}

// jsonError returns why b is not valid JSON.
func jsonError(b []byte) error {
	var v json.RawMessage
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	return errors.New("invalid JSON")
}

// tornError is the cause of a torn last line of JSON Lines.
type tornError struct{ err error }

func (e *tornError) Error() string {
	return "torn last line (no newline at the end): " + e.err.Error()
}
func (e *tornError) Unwrap() error { return e.err }

// readJSONLines reads JSON Lines whose first line, first, line n, has
// been read.
func (rd *reader) readJSONLines(n int, first []byte) error {
	obj, err := compactObject(first)
	if err != nil {
		return rd.fail(fmt.Sprintf("line %d", n), err)
	}
	if err := rd.emit(obj); err != nil {
		return err
	}
	for {
		n := rd.line + 1
		line, nl, err := rd.readLine()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return rd.fail(fmt.Sprintf("line %d", n), err)
		}
		line = trimJSONSpace(line)
		if len(line) == 0 {
			continue
		}
		obj, err := compactObject(line)
		if err != nil {
			if !nl && !json.Valid(line) {
				return rd.fail(fmt.Sprintf("line %d", n), &tornError{err})
			}
			return rd.fail(fmt.Sprintf("line %d", n), err)
		}
		if err := rd.emit(obj); err != nil {
			return err
		}
	}
}

// compactObject returns a compact copy of b, which must be one JSON
// object.
func compactObject(b []byte) (json.RawMessage, error) {
	b = trimJSONSpace(b)
	if len(b) == 0 || b[0] != '{' {
		return nil, checkObject(b) // says why
	}
	var out bytes.Buffer
	out.Grow(len(b))
	if err := json.Compact(&out, b); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// readArray reads a bare JSON array of objects from rd.br.
func (rd *reader) readArray() error {
	lr := &limitReader{r: rd.br}
	dec := json.NewDecoder(lr)
	if err := rd.expect(dec, json.Delim('[')); err != nil {
		return err
	}
	if err := rd.readEvents(dec, lr); err != nil {
		return err
	}
	return rd.end(dec)
}

// readDocument reads a document from r: an object with an "events" array.
// Its other values are skipped, each within maxRecord.
func (rd *reader) readDocument(r io.Reader) error {
	lr := &limitReader{r: r}
	dec := json.NewDecoder(lr)
	if err := rd.expect(dec, json.Delim('{')); err != nil {
		return err
	}
	found := false
	for dec.More() {
		lr.reset()
		tok, err := dec.Token()
		if err != nil {
			return rd.failAt(dec, err)
		}
		key, _ := tok.(string) // object keys are strings
		switch key {
		case "events":
			if found {
				return rd.failAt(dec, errors.New(`"events" appears twice`))
			}
			found = true
			if err := rd.expect(dec, json.Delim('[')); err != nil {
				return err
			}
			if err := rd.readEvents(dec, lr); err != nil {
				return err
			}
		case "event_id":
			return rd.failAt(dec, errors.New(`an object with "event_id" is an event, not a document, and JSON Lines need one event per line`))
		default:
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return rd.failAt(dec, err)
			}
		}
	}
	if err := rd.expect(dec, json.Delim('}')); err != nil {
		return err
	}
	if !found {
		return rd.failAt(dec, errors.New(`not JSON Lines (the first line is not one object), and not a document (no "events" array)`))
	}
	return rd.end(dec)
}

// readEvents reads the elements of an array whose '[' dec has read, one
// at a time, and its ']'.
func (rd *reader) readEvents(dec *json.Decoder, lr *limitReader) error {
	for i := 0; dec.More(); i++ {
		lr.reset()
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return rd.fail(fmt.Sprintf("event %d", i), err)
		}
		obj, err := compactObject(raw)
		if err != nil {
			return rd.fail(fmt.Sprintf("event %d", i), err)
		}
		if err := rd.emit(obj); err != nil {
			return err
		}
	}
	return rd.expect(dec, json.Delim(']'))
}

// expect reads the next token, which must be want.
func (rd *reader) expect(dec *json.Decoder, want json.Delim) error {
	tok, err := dec.Token()
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	if err != nil {
		return rd.failAt(dec, err)
	}
	if d, ok := tok.(json.Delim); !ok || d != want {
		return rd.failAt(dec, fmt.Errorf("found %v, want %v", tok, want))
	}
	return nil
}

// end checks that nothing but white space follows the value dec read.
func (rd *reader) end(dec *json.Decoder) error {
	_, err := dec.Token()
	if err == io.EOF {
		return nil
	}
	if err == nil {
		err = errors.New("data after the end of the JSON value")
	}
	return rd.failAt(dec, err)
}

// failAt is fail at the byte dec has reached.
func (rd *reader) failAt(dec *json.Decoder, err error) error {
	return rd.fail(fmt.Sprintf("byte %d", rd.skipped+dec.InputOffset()), err)
}

// readCSV reads CSV as WriteCSV writes it, a record at a time.
func (rd *reader) readCSV() error {
	lr := &limitReader{r: rd.br}
	cr := csv.NewReader(lr)
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		return rd.csvFail(cr, 0, err)
	}
	line, _ := cr.FieldPos(0)
	headerLine := rd.line + line
	pos := make([]int, len(csvColumns)) // column of csvColumns[i] in the file, or -1
	for i := range pos {
		pos[i] = -1
	}
	for i, name := range header {
		c := csvColumn(name)
		switch {
		case c < 0:
			return rd.fail(fmt.Sprintf("line %d", headerLine), fmt.Errorf("not JSON, and not a CSV of events: unknown column %.40q", name))
		case pos[c] >= 0:
			return rd.fail(fmt.Sprintf("line %d", headerLine), fmt.Errorf("column %q appears twice", name))
		}
		pos[c] = i
	}
	for _, need := range [...]string{"event_id", "timestamp", "operation"} {
		if pos[csvColumn(need)] < 0 {
			return rd.fail(fmt.Sprintf("line %d", headerLine), fmt.Errorf("CSV header has no %s column", need))
		}
	}

	for n := 1; ; n++ {
		lr.reset()
		rec, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return rd.csvFail(cr, n, err)
		}
		line, _ := cr.FieldPos(0)
		obj, err := rd.csvObject(rec, pos)
		if err != nil {
			return rd.fail(fmt.Sprintf("line %d", rd.line+line), err)
		}
		if err := rd.emit(obj); err != nil {
			return err
		}
	}
}

// csvFail reports err from the CSV reader, met at record n (0: the
// header), with the lines counted from the start of the input.
func (rd *reader) csvFail(cr *csv.Reader, n int, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		moved := *pe
		moved.StartLine += rd.line
		moved.Line += rd.line
		return rd.fail("CSV", &moved)
	}
	if n == 0 {
		return rd.fail("CSV header", err)
	}
	return rd.fail(fmt.Sprintf("CSV record %d", n), err)
}

// csvObject turns a CSV row back into a JSON object, keys in the order of
// csvColumns.
func (rd *reader) csvObject(rec []string, pos []int) (json.RawMessage, error) {
	out := []byte{'{'}
	for c, col := range csvColumns {
		if pos[c] < 0 || rec[pos[c]] == "" {
			continue
		}
		cell := rec[pos[c]]
		if len(out) > 1 {
			out = append(out, ',')
		}
		out = append(out, '"')
		out = append(out, col...)
		out = append(out, '"', ':')
		if csvKind(col) == cellText {
			out = rd.appendJSONString(out, unguardFormula(cell))
			continue
		}
		if !json.Valid([]byte(cell)) {
			return nil, fmt.Errorf("column %s: %.40q is not JSON", col, cell)
		}
		var b bytes.Buffer
		_ = json.Compact(&b, []byte(cell)) // valid: cannot fail
		out = append(out, b.Bytes()...)
	}
	return append(out, '}'), nil
}

// appendJSONString appends s as a JSON string, without escaping HTML.
func (rd *reader) appendJSONString(dst []byte, s string) []byte {
	if rd.enc == nil {
		rd.enc = json.NewEncoder(&rd.str)
		rd.enc.SetEscapeHTML(false)
	}
	rd.str.Reset()
	_ = rd.enc.Encode(s) // a string always encodes
	return append(dst, bytes.TrimSuffix(rd.str.Bytes(), []byte{'\n'})...)
}

// sourceReader marks the errors of the reader given to ReadFrom, so that
// they are not taken for corruption.
type sourceReader struct{ r io.Reader }

func (s sourceReader) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	if err != nil && err != io.EOF {
		err = &sourceError{err}
	}
	return n, err
}

// gzipReader names gzip in the errors of the decompressor.
type gzipReader struct{ zr *gzip.Reader }

func (g gzipReader) Read(p []byte) (int, error) {
	n, err := g.zr.Read(p)
	var se *sourceError
	if err != nil && err != io.EOF && !errors.As(err, &se) {
		err = fmt.Errorf("gzip: %w", err)
	}
	return n, err
}

// sourceError is an error of the reader given to ReadFrom.
type sourceError struct{ err error }

func (e *sourceError) Error() string { return e.err.Error() }
func (e *sourceError) Unwrap() error { return e.err }

// limitReader fails with errTooLong once more than maxRecord bytes have
// been read since the last reset. What its reader's reader buffered
// before the reset is not counted: the limit is approximate, by a buffer.
type limitReader struct {
	r io.Reader
	n int
}

func (l *limitReader) reset() { l.n = 0 }

func (l *limitReader) Read(p []byte) (int, error) {
	left := maxRecord + 1 - l.n
	if left <= 0 {
		return 0, errTooLong
	}
	if len(p) > left {
		p = p[:left]
	}
	n, err := l.r.Read(p)
	l.n += n
	return n, err
}
