package logger

import (
	"encoding/hex"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/auditlog/auditlog/export"
)

// chainKeysLen is the most the chain adds to a line: its
// ,"chain":...,"prev_hash":...,"hash":... keys and its newline.
const chainKeysLen = export.KeysLen

// encodeObj encodes the journal line of p (without the chain's keys)
// into l.w.obj and returns it: the indexed fields first, then the cold
// fields as the record keeps them, so the cold values are encoded once
// for the ring and the journal.
func (l *Logger) encodeObj(p *pendingRecord, ev *Event, customID string) []byte {
	w := &l.w
	b := append(w.obj[:0], `{"event_id":`...)
	if p.rec.hasID {
		b = append(b, '"')
		b = appendUUID(b, p.rec.id)
		b = append(b, '"')
	} else {
		b = appendString(b, customID)
	}
	b = append(b, `,"seq":`...)
	b = strconv.AppendUint(b, p.seq, 10)
	b = append(b, `,"timestamp":"`...)
	b = ev.Time.UTC().AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","operation":`...)
	b = appendString(b, string(ev.Operation))
	b = append(b, `,"status":"`...)
	b = append(b, statusCodes[p.rec.status]...)
	b = append(b, '"')
	b = appendField(b, "category", ev.Category)
	b = appendField(b, "user_id", ev.UserID)
	b = appendField(b, "session_id", ev.SessionID)
	b = appendField(b, "resource_type", ev.ResourceType)
	b = appendField(b, "resource_id", ev.ResourceID)
	if len(ev.EntryIDs) > 0 {
		b = append(b, `,"entry_ids":[`...)
		for i, id := range ev.EntryIDs {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, id)
		}
		b = append(b, ']')
	}
	b = appendField(b, "run_id", ev.RunID)
	b = appendField(b, "source", ev.Source)
	if ev.Duration != 0 {
		b = append(b, `,"duration_ms":`...)
		b = appendMillis(b, ev.Duration)
	}
	if cold := p.rec.cold; len(cold) > 2 {
		inner := cold[1 : len(cold)-1]
		if customID != "" {
			// The cold part starts with the custom event_id, written above.
			skip := len(`"event_id":`) + len(appendString(nil, customID))
			inner = inner[skip:]
			if len(inner) > 0 && inner[0] == ',' {
				inner = inner[1:]
			}
		}
		if len(inner) > 0 {
			b = append(b, ',')
			b = append(b, inner...)
		}
	}
	b = append(b, '}')
	w.obj = b
	return b
}

func appendField(b []byte, key, v string) []byte {
	if v == "" {
		return b
	}
	b = append(b, ',', '"')
	b = append(b, key...)
	b = append(b, '"', ':')
	return appendString(b, v)
}

func appendUUID(b []byte, id uuid.UUID) []byte {
	var s [36]byte
	hex.Encode(s[0:8], id[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], id[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], id[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], id[8:10])
	s[23] = '-'
	hex.Encode(s[24:], id[10:])
	return append(b, s[:]...)
}

// lineSize returns the size of p's journal line, or a lower bound of it
// when that is above the cap. With a journal it encodes the line (into
// l.w.obj) when it may fit; without one it adds up a bound, and encodes
// only when the bound is above the cap.
func (l *Logger) lineSize(p *pendingRecord, ev *Event, customID string) int {
	w := &l.w
	keys := 0
	if w.chain != nil {
		keys = chainKeysLen
	}
	n := len(ev.Operation) + len(ev.Category) + len(ev.UserID) + len(ev.SessionID) +
		len(ev.ResourceType) + len(ev.ResourceID) + len(ev.RunID) + len(ev.Source)
	for _, id := range ev.EntryIDs {
		n += len(id) + 3
	}
	if n+len(p.rec.cold) > w.maxEventBytes {
		return n + len(p.rec.cold) // above the cap (the cold part holds a custom ID): not worth copying
	}
	if w.j == nil && len(p.rec.cold)+6*(n+len(customID))+256 <= w.maxEventBytes {
		return 0
	}
	return len(l.encodeObj(p, ev, customID)) + keys + 1
}

// truncate returns a copy of ev cut to fit in Options.MaxEventBytes (see
// truncateEvent), and reports it to ErrorHandler.
func (l *Logger) truncate(seq uint64, ev *Event, size int) *Event {
	limit := l.w.maxEventBytes - chainKeysLen - 512 // room for the note and the indexed fields' keys
	t, note := truncateEvent(ev, limit, measure(l.w.enc.mask, l.w.maxEventBytes))
	over := fmt.Sprintf("%d bytes encoded, above MaxEventBytes %d", size, l.w.maxEventBytes)
	if size >= overBudget {
		over = fmt.Sprintf("encoding stopped past MaxEventBytes %d or a million values", l.w.maxEventBytes)
	}
	l.report(fmt.Errorf("auditlog: event %d: %s: dropped %s", seq, over, note))
	return t
}

// truncateEvent returns a copy of ev cut to measure no more than limit,
// as Kubernetes' audit truncation does: the largest free-form values
// (metadata, states, changes, stack, ...) are dropped, largest first,
// until the event fits (a request whose path is long keeps its method,
// its status and the first maxCutPath bytes of its path); if it still
// does not, long strings are cut. The
// copy's Metadata says what was dropped under "auditlog_truncated", and
// so does the note returned.
func truncateEvent(ev *Event, limit int, measure func(*Event) int) (*Event, string) {
	t := *ev
	request := "request"
	if r := t.Request; r != nil && len(r.Path) > maxCutPath {
		request = "request path cut" // method and status are kept
	}
	type field struct {
		name string
		size int
		drop func()
	}
	fields := []field{
		{"metadata", measure(&Event{Metadata: t.Metadata}), func() { t.Metadata = nil }},
		{"previous_state", measure(&Event{PreviousState: t.PreviousState}), func() { t.PreviousState = nil }},
		{"new_state", measure(&Event{NewState: t.NewState}), func() { t.NewState = nil }},
		{"changes", measure(&Event{Changes: t.Changes}), func() { t.Changes = nil }},
		{"error_stack", len(t.ErrorStack), func() { t.ErrorStack = "" }},
		{"description", len(t.Description), func() { t.Description = "" }},
		{"tags", measure(&Event{Tags: t.Tags}), func() { t.Tags = nil }},
		{"entry_ids", measure(&Event{EntryIDs: t.EntryIDs}), func() { t.EntryIDs = nil }},
		{"user_agent", len(t.UserAgent), func() { t.UserAgent = "" }},
		{request, measure(&Event{Request: t.Request}), func() { t.Request = cutRequest(t.Request) }},
		{"error_message", len(t.ErrorMessage), func() { t.ErrorMessage = "" }},
		{"resource_name", len(t.ResourceName), func() { t.ResourceName = "" }},
	}
	sort.SliceStable(fields, func(i, j int) bool { return fields[i].size > fields[j].size })
	var dropped []string
	for _, f := range fields {
		if measure(&t) <= limit || f.size <= 2 {
			break
		}
		f.drop()
		dropped = append(dropped, f.name)
	}
	if measure(&t) > limit {
		cut := max(16, min(limit/96, 1<<20))
		for _, s := range []*string{&t.ID, &t.UserID, &t.UserName, &t.UserEmail, &t.SessionID, &t.IPAddress,
			&t.Category, &t.ResourceType, &t.ResourceID, &t.RunID, &t.ParentRunID, &t.Source} {
			if len(*s) > cut {
				*s = cutString(*s, cut)
				dropped = append(dropped, "long strings cut")
			}
		}
	}
	note := strings.Join(dropped, ",")
	md := make(map[string]any, len(t.Metadata)+1)
	for k, v := range t.Metadata {
		md[k] = v
	}
	md["auditlog_truncated"] = note
	t.Metadata = md
	return &t, note
}

// maxCutPath is the length a long Request.Path is cut to when an event is
// cut down: the method, the status and the start of the path say what
// the request was.
const maxCutPath = 1024

// cutRequest returns r with a long path cut to maxCutPath, or nil when
// its path is not what makes it long.
func cutRequest(r *Request) *Request {
	if r == nil || len(r.Path) <= maxCutPath {
		return nil
	}
	return &Request{Method: cutString(r.Method, 64), Path: cutString(r.Path, maxCutPath), StatusCode: r.StatusCode}
}

// overBudget is what measure returns, added to the size it saw, for an
// event that passes a budget of the encoder: above any real size.
const overBudget = 1 << 40

// measure returns a function that returns the length of an event's JSON
// as the logger writes it (masked with mask), within the budget of limit
// bytes: past it, or when encoding panics, overBudget and more.
func measure(mask *masker, limit int) func(*Event) int {
	e := newEncoder(mask, limit)
	return func(ev *Event) (n int) {
		defer func() {
			if recover() != nil {
				n = overBudget
			}
		}()
		e.reset()
		e.event(ev)
		if e.over {
			return overBudget + e.size()
		}
		return len(e.buf)
	}
}

// cutString cuts s to at most n bytes, at a rune boundary.
func cutString(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
