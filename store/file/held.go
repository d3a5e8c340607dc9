package file

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"unicode/utf8"

	"github.com/auditlog/auditlog/export"
	"github.com/auditlog/auditlog/store"
)

var _ store.IDHolder = (*Store)(nil)

// HeldIDs returns the IDs among ids of the events the folder holds, each
// once. The store keeps no index of IDs: HeldIDs reads every segment of
// every partition once, taking from each line its event_id alone (the
// line's first key, as MarshalJSON writes it, read without decoding the
// rest), in memory bounded by ids and one line. Its cost is that of
// reading the whole folder; a caller with many IDs to look up asks for
// them in one call. A torn last line is skipped as Query skips it; a
// line whose event_id cannot be read, and that is not the last of its
// segment, is an error wrapping ErrCorrupt naming the file and the line.
//
// Write does not use it: the file store keeps every copy it is given
// (see "Redelivery" in the package documentation). A caller that wants
// each event once, such as the command auditlog import, leaves out of
// its Write the events whose IDs HeldIDs returned.
func (s *Store) HeldIDs(ctx context.Context, ids []string) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("store/file: %w", err)
	}
	s.life.RLock()
	defer s.life.RUnlock()
	if s.closed {
		return nil, ErrClosed
	}
	want := make(map[string]bool, len(ids)) // true once found
	for _, id := range ids {
		if id != "" {
			want[id] = false
		}
	}
	if len(want) == 0 {
		return nil, nil
	}
	parts, err := s.partitions(nil)
	if err != nil {
		return nil, err
	}
	var held []string
	lr := lineReaders.Get().(*export.LineReader)
	defer lineReaders.Put(lr)
	for _, p := range parts {
		segs, err := segments(p.path)
		if err != nil {
			return nil, err
		}
		for _, path := range segs {
			err := readIDs(ctx, lr, path, func(id string) {
				if found, ok := want[id]; ok && !found {
					want[id] = true
					held = append(held, id)
				}
			})
			if err != nil {
				return nil, err
			}
		}
	}
	return held, nil
}

// idPrefix is how MarshalJSON begins a line whose event has an ID.
var idPrefix = []byte(`{"event_id":"`)

// readIDs calls fn with the event_id of each line of the segment path
// that has one, skipping a torn last line, as readSegment does.
func readIDs(ctx context.Context, lr *export.LineReader, path string, fn func(string)) error {
	return eachLine(ctx, lr, path, func(l export.Line) error {
		d := l.Data
		if rest, ok := bytes.CutPrefix(d, idPrefix); ok && d[len(d)-1] == '}' {
			// The ID is the bytes up to the closing quote, unless it
			// holds an escape, which decoding reads.
			if end := bytes.IndexAny(rest, `"\`); end >= 0 && rest[end] == '"' && utf8.Valid(rest[:end]) {
				fn(string(rest[:end]))
				return nil
			}
		}
		var ev struct {
			ID string `json:"event_id"`
		}
		if err := json.Unmarshal(d, &ev); err != nil {
			return fmt.Errorf("%w: %s: line %d: %w", ErrCorrupt, path, l.Num, err)
		}
		if ev.ID != "" {
			fn(ev.ID)
		}
		return nil
	})
}
