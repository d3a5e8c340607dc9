package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/mod/sumdb/note"

	"github.com/auditlog/auditlog/export"
	"github.com/auditlog/auditlog/internal/failpoint"
	"github.com/auditlog/auditlog/logger"
	"github.com/auditlog/auditlog/store"
)

// bin is the auditlog binary, built once by TestMain; fix is the fixture
// every test reads (and none writes).
var (
	bin string
	fix *fixture
)

func TestMain(m *testing.M) {
	os.Exit(testMain(m))
}

func testMain(m *testing.M) int {
	tmp, err := os.MkdirTemp("", "auditlog-cli-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(tmp)
	bin = filepath.Join(tmp, "auditlog")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building auditlog:", err)
		return 1
	}
	if fix, err = newFixture(filepath.Join(tmp, "fixture"), time.Now()); err != nil {
		fmt.Fprintln(os.Stderr, "writing the fixture:", err)
		return 1
	}
	return m.Run()
}

// result is what a run of the binary gave.
type result struct {
	stdout, stderr string
	code           int
	args           []string
}

// runIn runs the binary with args in dir, stdin empty, stdout and stderr
// pipes.
func runIn(t *testing.T, dir string, args ...string) result {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else {
		require.NoError(t, err)
	}
	return result{out.String(), errb.String(), code, args}
}

// runCLI runs the binary in the fixture's folder.
func runCLI(t *testing.T, args ...string) result {
	t.Helper()
	return runIn(t, fix.dir, args...)
}

// ok requires a run to succeed, and says what it printed when not.
func (r result) ok(t *testing.T) result {
	t.Helper()
	require.Equal(t, 0, r.code, "stderr: %s\nstdout: %.2000s", r.stderr, r.stdout)
	return r
}

// fails requires a run to fail with code and one line on stderr that
// holds every part of want.
func (r result) fails(t *testing.T, code int, want ...string) {
	t.Helper()
	require.Equal(t, code, r.code, "stderr: %s\nstdout: %.2000s", r.stderr, r.stdout)
	require.Equal(t, 1, strings.Count(r.stderr, "\n"), "one line on stderr: %q", r.stderr)
	require.True(t, strings.HasPrefix(r.stderr, "auditlog: "), r.stderr)
	for _, pkg := range []string{"auditlog", "export", "store/file"} {
		if !slices.Contains(r.args, pkg) { // else a name the user gave
			require.NotContains(t, r.stderr, ": "+pkg+": ", "a package's prefix inside the message")
		}
	}
	for _, w := range want {
		require.Contains(t, r.stderr, w)
	}
}

// decodeLines decodes JSON Lines of events.
func decodeLines(t *testing.T, s string) []logger.Event {
	t.Helper()
	var evs []logger.Event
	sc := bufio.NewScanner(strings.NewReader(s))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var ev logger.Event
		require.NoError(t, ev.UnmarshalJSON(sc.Bytes()), sc.Text())
		evs = append(evs, ev)
	}
	require.NoError(t, sc.Err())
	return evs
}

// ids lists the event IDs of evs.
func ids(evs []logger.Event) []string {
	out := make([]string, len(evs))
	for i := range evs {
		out[i] = evs[i].ID
	}
	return out
}

// fixture is a folder holding what the examples use (see example):
// audit_logs, keyed_logs, audit.key, january.json, audits.
type fixture struct {
	dir    string
	now    time.Time      // when it was written
	events []logger.Event // every event of audit_logs, as the journal holds them
	keyed  []logger.Event // those of keyed_logs
	key    []byte
	files  int           // files of audit_logs
	pub    note.Verifier // of the checkpoints of audit_logs, in audit.pub
}

// fixtureOrigin names the log of audit_logs, whose checkpoints are signed.
const fixtureOrigin = "example.com/audit"

var (
	january   = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	users     = []string{"alice", "bob", "carol", "dave"}
	ops       = []logger.Operation{logger.OpStore, logger.OpRecall, logger.OpForget, logger.OpUpdate, logger.OpStore, logger.OpRecall, logger.OpLogin}
	emptyDays = []string{"2026-01-10", "2026-01-20"}
)

// fixtureEvent is event i of the fixture's journal, at t.
func fixtureEvent(i int, t time.Time) logger.Event {
	ev := logger.Event{
		Time:         t,
		Operation:    ops[i%len(ops)],
		UserID:       users[i%len(users)],
		SessionID:    fmt.Sprintf("s-%d", i%10),
		Category:     "DATA",
		ResourceType: "memory",
		ResourceID:   fmt.Sprintf("m-%d", i%50),
		EntryIDs:     []string{fmt.Sprintf("m-%d", i%50), fmt.Sprintf("m-%d", (i+1)%50)},
		RunID:        fmt.Sprintf("run-%d", i%3),
		Duration:     time.Duration(1+i%40) * time.Millisecond,
		// Long enough that the journal rotates every few thousand events.
		Description: fmt.Sprintf("event %d: %s", i, strings.Repeat("lorem ipsum ", 50)),
		Metadata:    map[string]any{"n": i, "password": "hunter2"},
	}
	switch {
	case i%5 == 3:
		ev.Status, ev.ErrorMessage = logger.StatusFailure, "disk full"
	case i%13 == 5:
		ev.Status = logger.StatusPartial
	}
	if i%11 == 0 {
		ev.Duration = 0 // not measured
	}
	if i%17 == 0 {
		ev.Operation, ev.Category, ev.ResourceType, ev.ResourceID, ev.EntryIDs = logger.OpLogin, "AUTH", "", "", nil
	}
	if i%97 == 0 {
		ev.UserID = "" // the system
	}
	ev.Source = "web-1"
	return ev
}

// janEvents are how many events the fixture has in January 2026, every
// day but the 10th and the 20th; recentEvents are those of the last 20
// hours before it is written.
const (
	janEvents    = 4000
	recentEvents = 200
)

func newFixture(dir string, now time.Time) (*fixture, error) {
	f := &fixture{dir: dir, now: now, key: []byte("0123456789abcdef-the-test-hmac-key")}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	var evs []logger.Event
	var days []int
	for d := range 31 {
		if d != 9 && d != 19 {
			days = append(days, d)
		}
	}
	for i := range janEvents {
		d := days[i*len(days)/janEvents]
		within := time.Duration(i%140) * 10 * time.Minute
		evs = append(evs, fixtureEvent(i, january.AddDate(0, 0, d).Add(within)))
	}
	for i := range recentEvents {
		t := now.Add(-20 * time.Hour).Add(time.Duration(i) * (20*time.Hour - time.Minute) / recentEvents)
		evs = append(evs, fixtureEvent(janEvents+i, t))
	}
	journal := filepath.Join(dir, "audit_logs")
	priv := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, ed25519.SeedSize))
	signer, err := export.Ed25519Signer(fixtureOrigin, priv)
	if err != nil {
		return nil, err
	}
	vkey, err := export.Ed25519VerifierKey(fixtureOrigin, priv.Public().(ed25519.PublicKey))
	if err != nil {
		return nil, err
	}
	if f.pub, err = note.NewVerifier(vkey); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "audit.pub"), []byte(vkey+"\n"), 0o600); err != nil {
		return nil, err
	}
	jo := logger.JournalOptions{Dir: journal, MaxSizeMB: 1, Compress: true, Checkpoints: logger.CheckpointOptions{Signer: signer}}
	if err := writeJournal(jo, evs); err != nil {
		return nil, err
	}
	keyed := filepath.Join(dir, "keyed_logs")
	if err := writeJournal(logger.JournalOptions{Dir: keyed, HashKey: f.key}, evs[:50]); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "audit.key"), f.key, 0o600); err != nil {
		return nil, err
	}
	if f.events, err = readJournal(journal); err != nil {
		return nil, err
	}
	if f.keyed, err = readJournal(keyed); err != nil {
		return nil, err
	}
	jf, err := export.JournalFiles(journal)
	if err != nil {
		return nil, err
	}
	f.files = len(jf)
	if f.files < progressFiles+1 {
		return nil, fmt.Errorf("the journal has %d files, want more than %d", f.files, progressFiles)
	}
	jan := store.Select(slices.Clone(f.events), logger.Filter{Since: january, Until: january.AddDate(0, 1, 0).Add(-1), Ascending: true})
	if err := logger.ExportEvents(jan, filepath.Join(dir, "january.json")); err != nil {
		return nil, err
	}
	// The file store, holding the journal's events as a logger saves them.
	s, err := store.Open("file://" + filepath.Join(dir, "audits"))
	if err != nil {
		return nil, err
	}
	if err := s.Write(context.Background(), f.events); err != nil {
		s.Close()
		return nil, err
	}
	if err := s.Close(); err != nil {
		return nil, err
	}
	return f, nil
}

// writeJournal logs evs through a logger with a journal, and closes it.
func writeJournal(jo logger.JournalOptions, evs []logger.Event) error {
	l, err := logger.New(logger.Options{MaxEvents: 1000, Journal: &jo})
	if err != nil {
		return err
	}
	for _, ev := range evs {
		if err := l.Log(context.Background(), ev); err != nil {
			l.Close()
			return err
		}
	}
	if err := l.Close(); err != nil {
		return err
	}
	if jo.Compress {
		return compressJournal(jo.Dir)
	}
	return nil
}

// compressJournal compresses the rotated files of the journal in dir that
// a logger's Close left plain (Close does not wait for the whole
// housekeeping pass), waiting on the FailTidy failpoint for the last.
func compressJournal(dir string) error {
	files, err := export.JournalFiles(dir)
	if err != nil {
		return err
	}
	plain := int32(0)
	for _, f := range files {
		if !f.Rotated.IsZero() && !f.Gzip {
			plain++
		}
	}
	if plain == 0 {
		return nil
	}
	var tidied atomic.Int32
	last := make(chan struct{})
	defer failpoint.Enable(export.FailTidy, func() error {
		if tidied.Add(1) == plain {
			close(last)
		}
		return nil
	})()
	j, _, err := export.OpenJournal(export.JournalOptions{Dir: dir, Compress: true})
	if err != nil {
		return err
	}
	j.StartHousekeeping()
	<-last
	return j.Close() // waits for the last file in progress
}

// readJournal reads back every event of a journal with the library.
func readJournal(dir string) ([]logger.Event, error) {
	var evs []logger.Event
	err := export.ReadJournal(dir, func(l export.Line) error {
		var ev logger.Event
		if err := ev.UnmarshalJSON(l.Data); err != nil {
			return err
		}
		evs = append(evs, ev)
		return nil
	})
	return evs, err
}

// want is the model's answer: the fixture's events that f selects, as a
// store selects them.
func want(events []logger.Event, f logger.Filter) []logger.Event {
	return store.Select(slices.Clone(events), f)
}

// copyDir copies the regular files of src into a new folder dst.
func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	require.NoError(t, os.MkdirAll(dst, 0o700))
	entries, err := os.ReadDir(src)
	require.NoError(t, err)
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dst, e.Name()), b, 0o600))
	}
}

// lineWaiter reads the lines a running command writes, so that a test
// can wait for output instead of sleeping.
type lineWaiter struct {
	mu    sync.Mutex
	lines []string
	more  chan struct{} // closed and replaced at each new line
	done  chan struct{} // closed at EOF
}

func newLineWaiter(r io.Reader) *lineWaiter {
	w := &lineWaiter{more: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(w.done)
		sc := bufio.NewScanner(r)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			w.mu.Lock()
			w.lines = append(w.lines, strings.TrimRight(sc.Text(), "\r"))
			close(w.more)
			w.more = make(chan struct{})
			w.mu.Unlock()
		}
	}()
	return w
}

// waitFor waits until at least n lines were read, for at most a minute.
func (w *lineWaiter) waitFor(t *testing.T, n int) []string {
	t.Helper()
	deadline := time.NewTimer(time.Minute)
	defer deadline.Stop()
	for {
		w.mu.Lock()
		if len(w.lines) >= n {
			lines := slices.Clone(w.lines)
			w.mu.Unlock()
			return lines
		}
		more := w.more
		w.mu.Unlock()
		select {
		case <-more:
		case <-w.done:
			w.mu.Lock()
			got := len(w.lines)
			w.mu.Unlock()
			if got < n {
				t.Fatalf("output ended after %d lines, want %d", got, n)
			}
		case <-deadline.C:
			w.mu.Lock()
			got := slices.Clone(w.lines)
			w.mu.Unlock()
			t.Fatalf("waited a minute for %d lines; got %d: %q", n, len(got), got)
		}
	}
}

func formatInt(n int) string    { return strconv.Itoa(n) }
func formatSeq(s uint64) string { return strconv.FormatUint(s, 10) }

// rawIDs decodes exported events and lists their IDs.
func rawIDs(t *testing.T, raws []json.RawMessage) []string {
	t.Helper()
	out := make([]string, len(raws))
	for i, raw := range raws {
		var ev logger.Event
		require.NoError(t, ev.UnmarshalJSON(raw))
		out[i] = ev.ID
	}
	return out
}

// decodeStats decodes the JSON of auditlog stats.
func decodeStats(t *testing.T, s string) statsReport {
	t.Helper()
	var r statsReport
	require.NoError(t, json.Unmarshal([]byte(s), &r), s)
	return r
}
