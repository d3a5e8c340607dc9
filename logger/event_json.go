package logger

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// MarshalJSON encodes the event as one JSON object with the keys of the
// journal format, in this order, each omitted when empty: event_id, seq,
// timestamp (RFC 3339, UTC, nanoseconds), operation, status, category,
// user_id, user_name, user_email, session_id, ip_address, user_agent,
// resource_type, resource_id, resource_name, entry_ids, changes
// ([{"field","old","new"}]), previous_state, new_state, request
// ({"method","path","status_code"}), run_id, parent_run_id, description,
// tags, metadata, duration_ms (float milliseconds), error_message,
// error_stack, source. Map keys are sorted.
//
// It never fails: a value that cannot be encoded (NaN, a channel, a
// cycle, a value nested more than 32 levels deep) is replaced by a string
// that names the problem, and an event of more than a million values is
// cut down as Options.MaxEventBytes describes, Metadata
// ["auditlog_truncated"] saying what was dropped.
func (ev Event) MarshalJSON() (b []byte, err error) {
	defer func() {
		// The caller's values are contained: their methods' panics are
		// caught where they are called, and anything else ends here.
		if r := recover(); r != nil {
			e := newEncoder(nil, math.MaxInt)
			e.event(&Event{ID: ev.ID, Seq: ev.Seq, Time: ev.Time, Operation: ev.Operation, Status: ev.Status,
				Metadata: map[string]any{"auditlog_encode_errors": fmt.Sprintf("panic while encoding: %v", r)}})
			b, err = e.buf, nil
		}
	}()
	e := newEncoder(nil, math.MaxInt)
	e.event(&ev)
	if e.over {
		// More values than one event may hold: cut down as the logger
		// cuts an event above MaxEventBytes.
		t, _ := truncateEvent(&ev, overBudget-1, measure(nil, math.MaxInt))
		e.reset()
		e.event(t)
		if e.over {
			e.reset()
			e.event(&Event{ID: ev.ID, Seq: ev.Seq, Time: ev.Time, Operation: ev.Operation, Status: ev.Status,
				Metadata: map[string]any{"auditlog_truncated": "everything"}})
		}
	}
	return e.buf, nil
}

// event appends the JSON object of ev.
func (e *valueEncoder) event(ev *Event) {
	e.buf = append(e.buf, '{')
	first := true
	key := func(k string) {
		if !first {
			e.buf = append(e.buf, ',')
		}
		first = false
		e.buf = append(e.buf, '"')
		e.buf = append(e.buf, k...)
		e.buf = append(e.buf, '"', ':')
	}
	str := func(k, v string) {
		if v == "" {
			return
		}
		key(k)
		if len(v) > e.limit-len(e.buf) {
			e.overflow(len(v))
			return
		}
		e.buf = appendString(e.buf, v)
	}
	str("event_id", ev.ID)
	if ev.Seq != 0 {
		key("seq")
		e.buf = strconv.AppendUint(e.buf, ev.Seq, 10)
	}
	if !ev.Time.IsZero() {
		key("timestamp")
		e.buf = append(e.buf, '"')
		e.buf = ev.Time.UTC().AppendFormat(e.buf, time.RFC3339Nano)
		e.buf = append(e.buf, '"')
	}
	str("operation", string(ev.Operation))
	str("status", string(ev.Status))
	str("category", ev.Category)
	str("user_id", ev.UserID)
	str("user_name", ev.UserName)
	str("user_email", ev.UserEmail)
	str("session_id", ev.SessionID)
	str("ip_address", ev.IPAddress)
	str("user_agent", ev.UserAgent)
	str("resource_type", ev.ResourceType)
	str("resource_id", ev.ResourceID)
	str("resource_name", ev.ResourceName)
	if len(ev.EntryIDs) > 0 {
		key("entry_ids")
		e.strings(ev.EntryIDs)
	}
	if len(ev.Changes) > 0 {
		key("changes")
		e.buf = append(e.buf, '[')
		if !e.fits(len(ev.Changes), 30) { // {"field":"","old":0,"new":0}
			return
		}
		for i, c := range ev.Changes {
			if i > 0 {
				e.buf = append(e.buf, ',')
			}
			e.buf = append(e.buf, `{"field":`...)
			e.str(c.Field)
			e.buf = append(e.buf, `,"old":`...)
			e.path = append(e.path[:0], "changes", c.Field, "old")
			secret := e.mask != nil && e.mask.sensitive(c.Field)
			if secret {
				e.masked(c.Old, 1)
			} else {
				e.value(c.Old, 1)
			}
			e.buf = append(e.buf, `,"new":`...)
			e.path[2] = "new"
			if secret {
				e.masked(c.New, 1)
			} else {
				e.value(c.New, 1)
			}
			e.buf = append(e.buf, '}')
			if e.over {
				return
			}
		}
		e.buf = append(e.buf, ']')
	}
	if len(ev.PreviousState) > 0 {
		key("previous_state")
		e.path = append(e.path[:0], "previous_state")
		e.object(ev.PreviousState, 0)
	}
	if len(ev.NewState) > 0 {
		key("new_state")
		e.path = append(e.path[:0], "new_state")
		e.object(ev.NewState, 0)
	}
	if r := ev.Request; r != nil && *r != (Request{}) {
		key("request")
		e.buf = append(e.buf, '{')
		sep := false
		if r.Method != "" {
			e.buf = append(e.buf, `"method":`...)
			e.str(r.Method)
			sep = true
		}
		if r.Path != "" {
			if sep {
				e.buf = append(e.buf, ',')
			}
			e.buf = append(e.buf, `"path":`...)
			path := r.Path
			if e.mask != nil && len(path) <= e.limit-len(e.buf) {
				path, _ = e.maskQuery(path)
			}
			e.str(path)
			sep = true
		}
		if r.StatusCode != 0 {
			if sep {
				e.buf = append(e.buf, ',')
			}
			e.buf = append(e.buf, `"status_code":`...)
			e.buf = strconv.AppendInt(e.buf, int64(r.StatusCode), 10)
		}
		e.buf = append(e.buf, '}')
	}
	str("run_id", ev.RunID)
	str("parent_run_id", ev.ParentRunID)
	str("description", ev.Description)
	if len(ev.Tags) > 0 {
		key("tags")
		e.strings(ev.Tags)
	}
	if len(ev.Metadata) > 0 {
		key("metadata")
		e.path = append(e.path[:0], "metadata")
		e.object(ev.Metadata, 0)
	}
	if ev.Duration != 0 {
		key("duration_ms")
		e.buf = appendMillis(e.buf, ev.Duration)
	}
	str("error_message", ev.ErrorMessage)
	str("error_stack", ev.ErrorStack)
	str("source", ev.Source)
	e.buf = append(e.buf, '}')
}

// appendMillis writes d as exact decimal milliseconds: 1.5ms is "1.5",
// 1ns is "0.000001".
func appendMillis(buf []byte, d time.Duration) []byte {
	ns := int64(d)
	if ns < 0 {
		buf = append(buf, '-')
		if ns == math.MinInt64 {
			return append(buf, "9223372036854.775808"...)
		}
		ns = -ns
	}
	buf = strconv.AppendInt(buf, ns/1e6, 10)
	frac := ns % 1e6
	if frac == 0 {
		return buf
	}
	var digits [7]byte
	digits[0] = '.'
	for i := 6; i >= 1; i-- {
		digits[i] = byte('0' + frac%10)
		frac /= 10
	}
	n := 7
	for digits[n-1] == '0' {
		n--
	}
	return append(buf, digits[:n]...)
}

// eventJSON is the decoding shape of Event.
type eventJSON struct {
	ID            string         `json:"event_id"`
	Seq           uint64         `json:"seq"`
	Timestamp     *time.Time     `json:"timestamp"`
	Operation     Operation      `json:"operation"`
	Status        Status         `json:"status"`
	Category      string         `json:"category"`
	UserID        string         `json:"user_id"`
	UserName      string         `json:"user_name"`
	UserEmail     string         `json:"user_email"`
	SessionID     string         `json:"session_id"`
	IPAddress     string         `json:"ip_address"`
	UserAgent     string         `json:"user_agent"`
	ResourceType  string         `json:"resource_type"`
	ResourceID    string         `json:"resource_id"`
	ResourceName  string         `json:"resource_name"`
	EntryIDs      []string       `json:"entry_ids"`
	Changes       []Change       `json:"changes"`
	PreviousState map[string]any `json:"previous_state"`
	NewState      map[string]any `json:"new_state"`
	Request       *Request       `json:"request"`
	RunID         string         `json:"run_id"`
	ParentRunID   string         `json:"parent_run_id"`
	Description   string         `json:"description"`
	Tags          []string       `json:"tags"`
	Metadata      map[string]any `json:"metadata"`
	DurationMs    jsonNumber     `json:"duration_ms"`
	ErrorMessage  string         `json:"error_message"`
	ErrorStack    string         `json:"error_stack"`
	Source        string         `json:"source"`
}

// UnmarshalJSON decodes the encoding of MarshalJSON (and of the journal)
// into ev, replacing every field. Keys it does not know (chain, prev_hash, hash)
// are ignored. Values in maps decode as encoding/json decodes into any.
func (ev *Event) UnmarshalJSON(data []byte) error {
	var j eventJSON
	if err := json.Unmarshal(data, &j); err != nil {
		return fmt.Errorf("auditlog: decoding event: %w", err)
	}
	*ev = Event{
		ID: j.ID, Seq: j.Seq, Operation: j.Operation, Status: j.Status, Category: j.Category,
		UserID: j.UserID, UserName: j.UserName, UserEmail: j.UserEmail, SessionID: j.SessionID,
		IPAddress: j.IPAddress, UserAgent: j.UserAgent,
		ResourceType: j.ResourceType, ResourceID: j.ResourceID, ResourceName: j.ResourceName,
		EntryIDs: j.EntryIDs, Changes: j.Changes, PreviousState: j.PreviousState, NewState: j.NewState,
		Request: j.Request, RunID: j.RunID, ParentRunID: j.ParentRunID, Description: j.Description,
		Tags: j.Tags, Metadata: j.Metadata, ErrorMessage: j.ErrorMessage, ErrorStack: j.ErrorStack,
		Source: j.Source,
	}
	if j.Timestamp != nil {
		t := j.Timestamp.UTC()
		if t.Before(minTime) || t.After(maxTime) {
			return fmt.Errorf("auditlog: decoding event: timestamp %s outside the years 1678 to 2262", t.Format(time.RFC3339Nano))
		}
		ev.Time = t
	}
	if j.DurationMs != "" {
		d, err := parseMillis(string(j.DurationMs))
		if err != nil {
			return fmt.Errorf("auditlog: decoding event: duration_ms %s: %w", j.DurationMs, err)
		}
		ev.Duration = d
	}
	return nil
}

// jsonNumber keeps a JSON number literal as written; unlike json.Number
// it refuses a quoted string.
type jsonNumber string

func (n *jsonNumber) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	if len(b) == 0 || b[0] != '-' && (b[0] < '0' || b[0] > '9') {
		return fmt.Errorf("%s is not a number", b)
	}
	*n = jsonNumber(b)
	return nil
}

var errDurationRange = errors.New("out of range (0 to 9223372036854.775807 ms)")

// parseMillis reads a JSON number of milliseconds as a Duration. A plain
// decimal, as appendMillis writes, is read exactly (digits beyond the
// nanosecond are rounded half away from zero); other forms, such as
// exponents, go through float64.
func parseMillis(s string) (time.Duration, error) {
	intPart, frac, hasFrac := strings.Cut(s, ".")
	if intPart == "" || strings.ContainsAny(s, "eE+") || hasFrac && frac == "" {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return 0, err
		}
		ns := math.Round(f * 1e6)
		if f < 0 || ns >= 1<<63 {
			return 0, errDurationRange
		}
		return time.Duration(ns), nil
	}
	if intPart[0] == '-' {
		if strings.Trim(intPart[1:]+frac, "0") != "" {
			return 0, errDurationRange
		}
		return 0, nil
	}
	ms, err := strconv.ParseInt(intPart, 10, 64)
	if err != nil || ms > math.MaxInt64/int64(time.Millisecond) {
		return 0, errDurationRange
	}
	ns := ms * int64(time.Millisecond)
	var sub int64
	for i := 0; i < 6; i++ {
		sub *= 10
		if i < len(frac) {
			sub += int64(frac[i] - '0')
		}
	}
	if len(frac) > 6 && frac[6] >= '5' {
		sub++
	}
	if ns > math.MaxInt64-sub {
		return 0, errDurationRange
	}
	return time.Duration(ns + sub), nil
}
