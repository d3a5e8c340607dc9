package compare

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"gopkg.in/natefinch/lumberjack.v2"

	"github.com/auditlog/auditlog/logger"
)

// SlogFileName is the name of the file the slog contenders write, in
// their own folder; lumberjack's rotated files sit beside it.
const SlogFileName = "audit.log"

// WriteSlog writes events with the slog Peer to a lumberjack file
// (100 MB files) in dir, synchronously, as the slog+lumberjack ingestion
// contender does.
func WriteSlog(dir string, events func(i int) logger.Event, n int) error {
	lj := &lumberjack.Logger{Filename: filepath.Join(dir, SlogFileName), MaxSize: 100}
	log := newSlog(lj)
	for i := range n {
		ev := events(i)
		log(&ev)
	}
	if err := lj.Close(); err != nil {
		return fmt.Errorf("compare: slog file: %w", err)
	}
	return nil
}

// slogLine is what ReadSlog decodes from a line: the fields the slog
// Peer writes.
type slogLine struct {
	Timestamp  time.Time        `json:"timestamp"`
	Operation  logger.Operation `json:"operation"`
	Status     logger.Status    `json:"status"`
	UserID     string           `json:"user_id"`
	SessionID  string           `json:"session_id"`
	EntryIDs   []string         `json:"entry_ids"`
	Metadata   map[string]any   `json:"metadata"`
	DurationMs float64          `json:"duration_ms"`
}

// ReadSlog answers f (its UserID, Operation, Status, Since and Until)
// from the JSON Lines files the slog Peer wrote in dir, the current one
// and lumberjack's rotated ones, as a competent slog user would: a
// bufio.Scanner over each file, a cheap pre-filter that keeps only the
// lines containing `"user_id":"<the user>"` (slog writes exactly that),
// json.Unmarshal of those lines, the remaining conditions checked on the
// decoded line, then a sort by time, newest first. [ReadSlogNaive]
// decodes every line instead.
func ReadSlog(dir string, f logger.Filter) ([]logger.Event, error) {
	return readSlog(dir, &f, true)
}

// ReadSlogNaive is ReadSlog without the pre-filter: it decodes every
// line, as the first version a slog user writes would.
func ReadSlogNaive(dir string, f logger.Filter) ([]logger.Event, error) {
	return readSlog(dir, &f, false)
}

func readSlog(dir string, f *logger.Filter, prefilter bool) ([]logger.Event, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.log"))
	if err != nil {
		return nil, fmt.Errorf("compare: slog file: %w", err)
	}
	var needle []byte
	if prefilter && f.UserID != "" {
		needle = strconv.AppendQuote([]byte(`"user_id":`), f.UserID)
	}
	var out []logger.Event
	for _, name := range files { // rotated files first, oldest first, then the current one
		if out, err = readSlogFile(name, needle, f, out); err != nil {
			return nil, err
		}
	}
	slices.Reverse(out)
	slices.SortStableFunc(out, func(a, b logger.Event) int { return b.Time.Compare(a.Time) })
	return out, nil
}

func readSlogFile(name string, needle []byte, f *logger.Filter, out []logger.Event) ([]logger.Event, error) {
	file, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("compare: slog file: %w", err)
	}
	defer file.Close()
	sc := bufio.NewScanner(file)
	sc.Buffer(make([]byte, 0, 256<<10), 16<<20)
	for sc.Scan() {
		line := sc.Bytes()
		if needle != nil && !bytes.Contains(line, needle) {
			continue
		}
		var l slogLine
		if err := json.Unmarshal(line, &l); err != nil {
			return nil, fmt.Errorf("compare: slog file %s: %w", name, err)
		}
		ev := logger.Event{
			Time: l.Timestamp, Operation: l.Operation, Status: l.Status,
			UserID: l.UserID, SessionID: l.SessionID, EntryIDs: l.EntryIDs, Metadata: l.Metadata,
			Duration: time.Duration(math.Round(l.DurationMs * 1e6)),
		}
		if matches(&ev, f) {
			out = append(out, ev)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("compare: slog file %s: %w", name, err)
	}
	return out, nil
}
