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
	"os"
)

// maxRecord is the largest line (JSON Lines, CSV) or element (array,
// document) ReadFrom accepts: 64 MiB. A line longer than this is taken
// for corruption rather than read into memory without end.
const maxRecord = 64 << 20

// errTooLong is returned, wrapped in ErrCorrupt, for a record over
// maxRecord.
var errTooLong = errors.New("longer than 64 MiB")

// ReadFile reads the events of the file path, in any format ReadFrom
// takes; errors name the file. See ReadFrom.
func ReadFile(path string) ([]json.RawMessage, Format, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, fmt.Errorf("auditlog: export: %w", err)
	}
	defer f.Close() // read only: Close has nothing to report
	return readFrom(f, path)
}

// ReadFrom reads every event from r and tells in which format they were.
// Each event returned is one JSON object, compacted.
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
// A line or an event longer than 64 MiB is corruption too: ReadFrom never
// holds more than that for one event beyond the events it returns. It does
// hold every event in memory.
func ReadFrom(r io.Reader) ([]json.RawMessage, Format, error) {
	return readFrom(r, "")
}

// reader is the state of one ReadFrom.
type reader struct {
	name    string // the file, for messages; "" for ReadFrom
	br      *bufio.Reader
	line    int   // lines consumed so far
	skipped int64 // bytes consumed before the first value (BOM, space)
	buf     []byte
	str     bytes.Buffer // for appendJSONString
	enc     *json.Encoder
}

func readFrom(r io.Reader, name string) ([]json.RawMessage, Format, error) {
	rd := &reader{name: name, br: bufio.NewReaderSize(sourceReader{r}, 64<<10)}
	magic, err := rd.br.Peek(2)
	if err != nil && err != io.EOF {
		return nil, 0, rd.fail("", err)
	}
	if len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(rd.br)
		if err != nil {
			return nil, 0, rd.fail("gzip header", err)
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
		return nil, FormatJSONLines, nil
	}
	if err != nil {
		return nil, 0, rd.fail(fmt.Sprintf("line %d", rd.line+1), err)
	}
	switch c {
	case '[':
		events, err := rd.readArray()
		return events, FormatArray, err
	case '{':
		return rd.readObjects()
	}
	events, err := rd.readCSV()
	return events, FormatCSV, err
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
func (rd *reader) readObjects() ([]json.RawMessage, Format, error) {
	n := rd.line + 1
	line, nl, err := rd.readLine()
	if err != nil && err != errTooLong {
		return nil, 0, rd.fail(fmt.Sprintf("line %d", n), err)
	}
	first := trimJSONSpace(line)
	var head io.Reader = bytes.NewReader(line)
	if nl {
		head = io.MultiReader(head, bytes.NewReader([]byte{'\n'}))
	}
	if err == nil && json.Valid(first) {
		if isDocument(first) {
			events, err := rd.readDocument(io.MultiReader(head, rd.br))
			return events, FormatDocument, err
		}
		return rd.readJSONLines(n, first)
	}
	if err == nil && !nl {
		// The only line, torn: no events before it.
		return nil, FormatJSONLines, rd.fail(fmt.Sprintf("line %d", n), fmt.Errorf("torn last line (no newline at the end): %w", jsonError(first)))
	}
	// Not one object on one line: a document over several lines (or
	// longer than a line may be), or nothing valid.
	events, err := rd.readDocument(io.MultiReader(head, rd.br))
	return events, FormatDocument, err
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

// readJSONLines reads JSON Lines whose first line, first, line n, has
// been read.
func (rd *reader) readJSONLines(n int, first []byte) ([]json.RawMessage, Format, error) {
	obj, err := compactObject(first)
	if err != nil {
		return nil, FormatJSONLines, rd.fail(fmt.Sprintf("line %d", n), err)
	}
	events := []json.RawMessage{obj}
	for {
		n := rd.line + 1
		line, nl, err := rd.readLine()
		if err == io.EOF {
			return events, FormatJSONLines, nil
		}
		if err != nil {
			return nil, FormatJSONLines, rd.fail(fmt.Sprintf("line %d", n), err)
		}
		line = trimJSONSpace(line)
		if len(line) == 0 {
			continue
		}
		obj, err := compactObject(line)
		if err != nil {
			if !nl && !json.Valid(line) {
				return events, FormatJSONLines, rd.fail(fmt.Sprintf("line %d", n), fmt.Errorf("torn last line (no newline at the end): %w", err))
			}
			return nil, FormatJSONLines, rd.fail(fmt.Sprintf("line %d", n), err)
		}
		events = append(events, obj)
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
func (rd *reader) readArray() ([]json.RawMessage, error) {
	lr := &limitReader{r: rd.br}
	dec := json.NewDecoder(lr)
	if err := rd.expect(dec, json.Delim('[')); err != nil {
		return nil, err
	}
	events, err := rd.readEvents(dec, lr)
	if err == nil {
		err = rd.end(dec)
	}
	if err != nil {
		return nil, err
	}
	return events, nil
}

// readDocument reads a document from r: an object with an "events" array.
func (rd *reader) readDocument(r io.Reader) ([]json.RawMessage, error) {
	lr := &limitReader{r: r}
	dec := json.NewDecoder(lr)
	if err := rd.expect(dec, json.Delim('{')); err != nil {
		return nil, err
	}
	var events []json.RawMessage
	found := false
	for dec.More() {
		lr.reset()
		tok, err := dec.Token()
		if err != nil {
			return nil, rd.failAt(dec, err)
		}
		key, _ := tok.(string) // object keys are strings
		switch key {
		case "events":
			if found {
				return nil, rd.failAt(dec, errors.New(`"events" appears twice`))
			}
			found = true
			if err := rd.expect(dec, json.Delim('[')); err != nil {
				return nil, err
			}
			if events, err = rd.readEvents(dec, lr); err != nil {
				return nil, err
			}
		case "event_id":
			return nil, rd.failAt(dec, errors.New(`an object with "event_id" is an event, not a document, and JSON Lines need one event per line`))
		default:
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return nil, rd.failAt(dec, err)
			}
		}
	}
	if err := rd.expect(dec, json.Delim('}')); err != nil {
		return nil, err
	}
	if !found {
		return nil, rd.failAt(dec, errors.New(`not JSON Lines (the first line is not one object), and not a document (no "events" array)`))
	}
	if err := rd.end(dec); err != nil {
		return nil, err
	}
	return events, nil
}

// readEvents reads the elements of an array whose '[' dec has read, and
// its ']'.
func (rd *reader) readEvents(dec *json.Decoder, lr *limitReader) ([]json.RawMessage, error) {
	var events []json.RawMessage
	for dec.More() {
		lr.reset()
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, rd.fail(fmt.Sprintf("event %d", len(events)), err)
		}
		obj, err := compactObject(raw)
		if err != nil {
			return nil, rd.fail(fmt.Sprintf("event %d", len(events)), err)
		}
		events = append(events, obj)
	}
	if err := rd.expect(dec, json.Delim(']')); err != nil {
		return nil, err
	}
	return events, nil
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

// readCSV reads CSV as WriteCSV writes it.
func (rd *reader) readCSV() ([]json.RawMessage, error) {
	lr := &limitReader{r: rd.br}
	cr := csv.NewReader(lr)
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		return nil, rd.csvFail(cr, 0, err)
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
			return nil, rd.fail(fmt.Sprintf("line %d", headerLine), fmt.Errorf("not JSON, and not a CSV of events: unknown column %.40q", name))
		case pos[c] >= 0:
			return nil, rd.fail(fmt.Sprintf("line %d", headerLine), fmt.Errorf("column %q appears twice", name))
		}
		pos[c] = i
	}
	for _, need := range [...]string{"event_id", "timestamp", "operation"} {
		if pos[csvColumn(need)] < 0 {
			return nil, rd.fail(fmt.Sprintf("line %d", headerLine), fmt.Errorf("CSV header has no %s column", need))
		}
	}

	var events []json.RawMessage
	for {
		lr.reset()
		rec, err := cr.Read()
		if err == io.EOF {
			return events, nil
		}
		if err != nil {
			return nil, rd.csvFail(cr, len(events)+1, err)
		}
		line, _ := cr.FieldPos(0)
		obj, err := rd.csvObject(rec, pos)
		if err != nil {
			return nil, rd.fail(fmt.Sprintf("line %d", rd.line+line), err)
		}
		events = append(events, obj)
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
