package sqlite

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/auditlog/auditlog/export"
	"github.com/auditlog/auditlog/logger"
)

// The body of a row is the rest of the event: its journal line
// (Event.MarshalJSON) without the fields that have columns of their own
// (ID, Seq, Time, Operation, Status, Category, UserID, SessionID,
// ResourceType, ResourceID, RunID, Source), so that they are not stored
// twice. (A body written by version 1 of the schema may hold the source;
// the column, filled from it, is what Query reads.)
// EntryIDs stay in the body as given, in their order and with any
// repeats; the entries table is only their index.
//
// A body of compressMin bytes or more is compressed with zlib (RFC 1950,
// compress/zlib) against a preset dictionary, when that makes it
// smaller. A shorter one is kept as it is: a typical rest (entry ids, a
// small metadata map, the duration) is about 110 bytes, which deflate
// shrinks little, and compressing any body with compress/flate costs
// 15 to 20 µs (building the Huffman tables, clearing the match tables),
// about as much as inserting its row. The first byte tells the two
// apart: '{' opens a JSON object, a zlib stream starts with 0x78.
//
// A row holds a few hundred bytes, too little for deflate to find much
// repetition in on its own; the dictionary holds the keys and usual
// values of the body, so that the compressor can refer to them from the
// first byte, and it about halves a body again compared with plain zlib.
// dictV1 must never change: every compressed body refers to it, and the
// zlib header carries its Adler-32 checksum, which the reader checks. A
// better dictionary would be a dictV2, chosen on reading by that checksum.
var dictV1 = []byte(`"error_stack":"goroutine 1 [running]:\nmain.main()\n\t/src/main.go:` +
	`"user_agent":"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/","user_agent":"curl/8.` +
	`"ip_address":"192.168.0.","ip_address":"10.0.0.","user_name":"","user_email":"@example.com",` +
	`"request":{"method":"GET","path":"/api/","status_code":200},"status_code":404},"status_code":500},` +
	`"request":{"method":"POST","method":"PUT","method":"PATCH","method":"DELETE","path":"/","status_code":201},` +
	`"changes":[{"field":"status","old":null,"new":null},{"field":"title","old":"","new":""},{"field":"tags","old":[""],"new":[""]}],` +
	`"previous_state":{"status":"","title":""},"new_state":{"status":"","title":""},` +
	`"resource_name":"","parent_run_id":"run-","description":"","tags":["gdpr",""],"error_message":"failed: ",` +
	`"metadata":{"source":"agent","source":"api","source":"scheduler","source":"cli","score":0.,"tokens":},` +
	`{"entry_ids":["mem-","mem-"],"metadata":{"source":"agent","tokens":},"duration_ms":`)

// compressMin is the size from which a body is compressed.
const compressMin = 200

var writers = sync.Pool{New: func() any {
	w, err := zlib.NewWriterLevelDict(nil, zlib.DefaultCompression, dictV1)
	if err != nil {
		panic(err) // the level is a valid constant
	}
	return w
}}

// appendBody appends the body of ev to dst.
func appendBody(dst []byte, ev *logger.Event) []byte {
	rest := *ev
	rest.ID, rest.Seq, rest.Time = "", 0, time.Time{}
	rest.Operation, rest.Status, rest.Category = "", "", ""
	rest.UserID, rest.SessionID, rest.ResourceType, rest.ResourceID, rest.RunID, rest.Source = "", "", "", "", "", ""
	line, _ := rest.MarshalJSON() // never fails: see Event.MarshalJSON
	if len(line) < compressMin {
		return append(dst, line...)
	}
	start := len(dst)
	buf := bytes.NewBuffer(dst)
	w := writers.Get().(*zlib.Writer)
	w.Reset(buf)
	_, _ = w.Write(line) // a bytes.Buffer does not fail
	_ = w.Close()
	writers.Put(w)
	dst = buf.Bytes()
	if len(dst)-start >= len(line) {
		return append(dst[:start], line...)
	}
	return dst
}

// decoder decodes bodies; one per Query, not safe for concurrent use.
type decoder struct {
	src  bytes.Reader
	zr   io.ReadCloser
	line bytes.Buffer
}

// decode decodes body into ev, replacing every field; the caller then
// sets the fields that have columns.
func (d *decoder) decode(body []byte, ev *logger.Event) error {
	line := body
	if len(body) == 0 || body[0] != '{' {
		d.src.Reset(body)
		var err error
		if d.zr == nil {
			d.zr, err = zlib.NewReaderDict(&d.src, dictV1)
		} else {
			err = d.zr.(zlib.Resetter).Reset(&d.src, dictV1)
		}
		if err != nil {
			return fmt.Errorf("sqlite: corrupt event body: %w", err)
		}
		d.line.Reset()
		// A body is one event, as a journal line is: what inflates past
		// export.MaxLineBytes was not written by Write.
		if _, err := d.line.ReadFrom(io.LimitReader(d.zr, export.MaxLineBytes+1)); err != nil {
			return fmt.Errorf("sqlite: corrupt event body: %w", err)
		}
		if d.line.Len() > export.MaxLineBytes {
			d.line = bytes.Buffer{}
			return fmt.Errorf("sqlite: corrupt event body: inflates past %d bytes", export.MaxLineBytes)
		}
		line = d.line.Bytes()
	}
	if err := ev.UnmarshalJSON(line); err != nil {
		return fmt.Errorf("sqlite: corrupt event body: %w", err)
	}
	return nil
}
