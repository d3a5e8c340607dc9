package logger_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/export"
	"github.com/auditlog/auditlog/logger"
)

// writeUsers writes a journal of n STORE events, event i by user u<i>,
// and returns its current file.
func writeUsers(t *testing.T, dir string, key []byte, n int) string {
	t.Helper()
	l, err := logger.New(logger.Options{Journal: &logger.JournalOptions{Dir: dir, HashKey: key}})
	require.NoError(t, err)
	for i := 1; i <= n; i++ {
		require.NoError(t, l.Log(context.Background(), logger.Event{Operation: logger.OpStore, UserID: fmt.Sprintf("u%d", i)}))
	}
	require.NoError(t, l.Close())
	return filepath.Join(dir, export.JournalName)
}

// editLine replaces old by new in line num (from 1) of path.
func editLine(t *testing.T, path string, num int, old, new string) {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	lines := bytes.SplitAfter(b, []byte("\n"))
	require.Contains(t, string(lines[num-1]), old)
	lines[num-1] = bytes.Replace(lines[num-1], []byte(old), []byte(new), 1)
	require.NoError(t, os.WriteFile(path, bytes.Join(lines, nil), 0o600))
}

// A line whose content does not match its hash (an event forged by
// editing a line) is not recovered: it is not in Query nor in the
// statistics, is counted in Failed, and ErrorHandler names its file and
// line. The events around it count in the statistics, and those after
// it refill the ring.
func TestRecoverSkipsAForgedLine(t *testing.T) {
	for _, key := range [][]byte{nil, []byte("k3y")} {
		t.Run(fmt.Sprintf("key=%q", key), func(t *testing.T) {
			dir := t.TempDir()
			cur := writeUsers(t, dir, key, 5)
			editLine(t, cur, 3, `"user_id":"u3"`, `"user_id":"mallory"`)

			var rep reports
			l, err := logger.New(logger.Options{ErrorHandler: rep.handle, Journal: &logger.JournalOptions{Dir: dir, HashKey: key, Recover: true}})
			require.NoError(t, err)
			require.Empty(t, l.Query(logger.Filter{UserID: "mallory"}), "the forged event is not recovered")
			require.Zero(t, l.UserStatistics("mallory").TotalOperations)
			require.Equal(t, int64(1), l.Statistics().Failed)
			require.Contains(t, rep.all(), cur+" line 3")
			require.Contains(t, rep.all(), "does not match its hash")
			require.Equal(t, int64(4), l.Statistics().TotalEvents)
			for _, u := range []string{"u1", "u2", "u4", "u5"} {
				require.Equal(t, int64(1), l.UserStatistics(u).TotalOperations, u)
			}
			// The ring holds consecutive seqs up to the highest: the events
			// after the forged line.
			for _, u := range []string{"u4", "u5"} {
				require.Len(t, l.Query(logger.Filter{UserID: u}), 1, u)
			}
			require.NoError(t, l.Log(context.Background(), logger.Event{Operation: logger.OpStore}))
			require.NoError(t, l.Close())
			// The chain went on: the forged line is the one problem.
			r, err := export.Verify(dir, key)
			require.NoError(t, err)
			require.Equal(t, int64(1), r.ProblemCount, "%v", r.Problems)
			require.Equal(t, 3, r.First().Line)
		})
	}
}

// Lines added to a keyed journal by someone without its key (chained
// with SHA-256, or not chained at all) are not recovered.
func TestRecoverSkipsLinesAddedWithoutTheKey(t *testing.T) {
	key := []byte("k3y")
	dir := t.TempDir()
	cur := writeUsers(t, dir, key, 3)
	b, err := os.ReadFile(cur)
	require.NoError(t, err)
	var last struct{ Hash string }
	require.NoError(t, json.Unmarshal(bytes.Split(bytes.TrimSpace(b), []byte("\n"))[2], &last))
	obj := []byte(`{"event_id":"f-1","seq":4,"timestamp":"2026-01-15T10:30:00Z","operation":"STORE","status":"SUCCESS","user_id":"mallory"}`)
	b = export.NewChain(nil, last.Hash).Append(b, obj) // a SHA-256 line
	b = append(b, `{"event_id":"f-2","seq":5,"timestamp":"2026-01-15T10:30:00Z","operation":"STORE","status":"SUCCESS","user_id":"mallory"}`+"\n"...)
	require.NoError(t, os.WriteFile(cur, b, 0o600))

	var rep reports
	l, err := logger.New(logger.Options{ErrorHandler: rep.handle, Journal: &logger.JournalOptions{Dir: dir, HashKey: key, Recover: true}})
	require.NoError(t, err)
	require.Empty(t, l.Query(logger.Filter{UserID: "mallory"}))
	require.Equal(t, int64(2), l.Statistics().Failed)
	require.Contains(t, rep.all(), cur+" line 4")
	require.Contains(t, rep.all(), cur+" line 5")
	require.Contains(t, rep.all(), "sha256")
	require.Equal(t, int64(3), l.Statistics().TotalEvents)
	require.Equal(t, int64(1), l.UserStatistics("u3").TotalOperations)
	require.NoError(t, l.Close())
}

// A line removed from the middle: the events left are recovered, and
// the break is reported, naming the line after it, and counted.
func TestRecoverReportsARemovedLine(t *testing.T) {
	dir := t.TempDir()
	key := []byte("k3y")
	cur := writeUsers(t, dir, key, 5)
	b, err := os.ReadFile(cur)
	require.NoError(t, err)
	lines := bytes.SplitAfter(b, []byte("\n"))
	require.NoError(t, os.WriteFile(cur, bytes.Join(append(lines[:2:2], lines[3:]...), nil), 0o600))

	var rep reports
	l, err := logger.New(logger.Options{ErrorHandler: rep.handle, Journal: &logger.JournalOptions{Dir: dir, HashKey: key, Recover: true}})
	require.NoError(t, err)
	require.Equal(t, int64(4), l.Statistics().TotalEvents)
	require.Equal(t, int64(1), l.Statistics().Failed)
	require.Contains(t, rep.all(), cur+" line 3")
	require.Contains(t, rep.all(), "removed, inserted or reordered")
	require.NoError(t, l.Close())
}

// A keyed journal reopened without its key, a SHA-256 journal reopened
// with one, and (with Recover) a keyed journal reopened with another
// key, are refused by New with an error that says so: going on would
// leave a journal no single key verifies.
func TestJournalReopenedWithAnotherKeyIsRefused(t *testing.T) {
	for _, tc := range []struct {
		name           string
		written, given []byte
		recover        bool
		want           string
	}{
		{"keyed without the key", []byte("k3y"), nil, false, `"chain":"hmac-sha256"`},
		{"keyed without the key, Recover", []byte("k3y"), nil, true, `"chain":"hmac-sha256"`},
		{"SHA-256 with a key", nil, []byte("k3y"), false, `"chain":"sha256"`},
		{"SHA-256 with a key, Recover", nil, []byte("k3y"), true, `"chain":"sha256"`},
		{"keyed with another key, Recover", []byte("k3y"), []byte("other"), true, "no line of the journal"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeUsers(t, dir, tc.written, 3)
			before, err := os.ReadFile(filepath.Join(dir, export.JournalName))
			require.NoError(t, err)
			_, err = logger.New(logger.Options{Journal: &logger.JournalOptions{Dir: dir, HashKey: tc.given, Recover: tc.recover}})
			require.ErrorIs(t, err, logger.ErrInvalidOptions)
			require.ErrorContains(t, err, "Journal.HashKey")
			require.ErrorContains(t, err, tc.want)
			after, err := os.ReadFile(filepath.Join(dir, export.JournalName))
			require.NoError(t, err)
			require.Equal(t, before, after, "nothing written")
		})
	}

	// Without Recover, a wrong key is seen on the line the chain goes on
	// from, and reported.
	dir := t.TempDir()
	cur := writeUsers(t, dir, []byte("k3y"), 3)
	var rep reports
	l, err := logger.New(logger.Options{ErrorHandler: rep.handle, Journal: &logger.JournalOptions{Dir: dir, HashKey: []byte("other")}})
	require.NoError(t, err)
	require.Contains(t, rep.all(), cur+" line 3 does not match its hash with Journal.HashKey")
	require.Equal(t, int64(1), l.Statistics().Failed)
	require.NoError(t, l.Close())
}
