package file

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/logger"
	"github.com/auditlog/auditlog/store/storetest"
)

// TestTornLastLine writes a torn last line by hand, unterminated or
// terminated but not an event, into a folder closed cleanly (so Open
// repairs nothing): readers skip it, and Write goes on in a new segment.
func TestTornLastLine(t *testing.T) {
	for name, torn := range map[string]string{
		"unterminated":         `{"event_id":"torn","seq":99,"timest`,
		"unterminated object":  `{"event_id":"torn","seq":99}`,
		"undecodable":          "{\"event_id\":\"torn\",\"timestamp\":\"not a time\"}\n",
		"garbage":              "\x00\x00\x00\x00\n",
		"zeros, no newline":    "\x00\x00\x00\x00",
		"half a line and more": "{\"event_id\":\"t\n",
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			evs := storetest.Events(1, 200)
			s, err := Open(dir, Options{})
			require.NoError(t, err)
			require.NoError(t, s.Write(context.Background(), evs))
			require.NoError(t, s.Close())
			segs := segmentFiles(t, dir)
			require.NotEmpty(t, segs)
			for _, seg := range segs {
				appendFile(t, seg, torn)
			}

			s = openT(t, dir, Options{})
			require.Zero(t, s.repaired, "a folder closed cleanly is not repaired")
			requireHolds(t, s, evs)
			for _, f := range []logger.Filter{{UserID: "bob"}, {Operation: logger.OpForget}, {EntryIDs: []string{"e1"}}} {
				got, err := s.Query(context.Background(), f)
				require.NoError(t, err, "%+v", f)
				require.NotEmpty(t, got)
			}
			n, err := s.Count(context.Background(), logger.Filter{UserID: "alice"})
			require.NoError(t, err)
			require.NotZero(t, n)

			more := storetest.Events(2, 30)
			for i := range more {
				more[i].ID += "-more"
			}
			require.NoError(t, s.Write(context.Background(), more))
			requireHolds(t, s, append(evs, more...))
			for _, seg := range segs {
				b, err := os.ReadFile(seg)
				require.NoError(t, err)
				require.True(t, strings.HasSuffix(string(b), torn), "a segment with a torn end is never appended to")
			}

			// DeleteBefore counts and drops the torn line with the rest.
			n, err = s.DeleteBefore(context.Background(), storetest.Start.AddDate(0, 1, 0))
			require.NoError(t, err)
			require.Equal(t, len(evs)+len(more), n)
			requireHolds(t, s, nil)
		})
	}
}

// TestCorruptLineInTheMiddle: a line that is not an event, followed by
// others, is an error naming the file and the line, whatever the filter.
func TestCorruptLineInTheMiddle(t *testing.T) {
	for name, bad := range map[string]string{
		"not json":     "not json at all",
		"broken json":  `{"event_id":"x","seq":`,
		"bad field":    `{"event_id":"x","timestamp":"yesterday"}`,
		"zeros":        "\x00\x00\x00",
		"not an event": `[1,2,3]`,
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			evs := storetest.Events(1, 50)
			for i := range evs {
				evs[i].Time = storetest.Start // one partition, one segment
			}
			s, err := Open(dir, Options{})
			require.NoError(t, err)
			require.NoError(t, s.Write(context.Background(), evs))
			require.NoError(t, s.Close())
			segs := segmentFiles(t, dir)
			require.Len(t, segs, 1)
			b, err := os.ReadFile(segs[0])
			require.NoError(t, err)
			lines := bytes.SplitAfter(b, []byte("\n"))
			var out []byte
			for i, l := range lines {
				if i == 10 {
					out = append(out, bad+"\n"...)
				}
				out = append(out, l...)
			}
			require.NoError(t, os.WriteFile(segs[0], out, 0o600))

			s = openT(t, dir, Options{})
			_, err = s.Query(context.Background(), logger.Filter{})
			require.ErrorIs(t, err, ErrCorrupt)
			require.ErrorContains(t, err, segs[0]+": line 11")
			_, err = s.Count(context.Background(), logger.Filter{})
			require.ErrorIs(t, err, ErrCorrupt)
			_, err = s.DeleteBefore(context.Background(), storetest.Start.Add(1))
			require.ErrorIs(t, err, ErrCorrupt)
			if name != "bad field" && name != "broken json" {
				// A line the prefilter passes over is still checked for
				// the shape of an object.
				_, err = s.Query(context.Background(), logger.Filter{UserID: "nobody at all"})
				require.ErrorIs(t, err, ErrCorrupt, "selective query")
			}
		})
	}
}

// TestRepairAfterUncleanStop: a Store dropped without Close leaves its
// lock file marked; the next Open cuts every torn last line, so that the
// segments are whole JSON Lines for other engines, and removes the
// temporary files of an interrupted DeleteBefore.
func TestRepairAfterUncleanStop(t *testing.T) {
	dir := t.TempDir()
	evs := storetest.Events(5, 300)
	s, err := Open(dir, Options{PartitionBy: "resource_name"})
	require.NoError(t, err)
	require.NoError(t, s.Write(context.Background(), evs))
	abandon(s)

	segs := segmentFiles(t, dir)
	require.Greater(t, len(segs), 3)
	appendFile(t, segs[0], `{"event_id":"torn","seq":1`)
	appendFile(t, segs[1], "{\"event_id\":\"torn\",\"timestamp\":\"x\"}\n")
	appendFile(t, segs[2], "\x00\x00\x00")
	tmp := filepath.Join(filepath.Dir(segs[3]), tempPrefix+filepath.Base(segs[3]))
	require.NoError(t, os.WriteFile(tmp, []byte("half"), 0o600))

	s = openT(t, dir, Options{PartitionBy: "resource_name"})
	require.Equal(t, 3, s.repaired)
	require.NoFileExists(t, tmp)
	for _, seg := range segmentFiles(t, dir) {
		b, err := os.ReadFile(seg)
		require.NoError(t, err)
		require.True(t, bytes.HasSuffix(b, []byte("\n")), seg)
		for _, l := range bytes.Split(bytes.TrimSuffix(b, []byte("\n")), []byte("\n")) {
			require.True(t, json.Valid(l), "%s: %q", seg, l)
		}
	}
	requireHolds(t, s, evs)
	lock, err := os.ReadFile(filepath.Join(dir, lockName))
	require.NoError(t, err)
	require.Empty(t, lock, "marked clean after the repair")
}

// TestOneWriter: a second Store on the same folder reads, but cannot
// write while the first holds the folder; it can once the first closes.
// Its Open repairs nothing while the first one writes.
func TestOneWriter(t *testing.T) {
	dir := t.TempDir()
	evs := storetest.Events(3, 100)
	s1, err := Open(dir, Options{})
	require.NoError(t, err)
	require.NoError(t, s1.Write(context.Background(), evs[:50]))
	segs := segmentFiles(t, dir)
	appendFile(t, segs[0], `{"event_id":"in flight`) // as a write under way

	s2 := openT(t, dir, Options{})
	require.Zero(t, s2.repaired, "no repair while a writer holds the folder")
	requireHolds(t, s2, evs[:50])
	require.ErrorIs(t, s2.Write(context.Background(), evs[50:]), ErrLocked)
	_, err = s2.DeleteBefore(context.Background(), storetest.Start)
	require.ErrorIs(t, err, ErrLocked)

	require.NoError(t, s1.Close())
	require.NoError(t, s2.Write(context.Background(), evs[50:]))
	requireHolds(t, s2, evs)
}

func TestClosedStore(t *testing.T) {
	s, err := Open(t.TempDir(), Options{})
	require.NoError(t, err)
	require.NoError(t, s.Close())
	require.NoError(t, s.Close())
	ctx := context.Background()
	require.ErrorIs(t, s.Write(ctx, storetest.Events(1, 1)), ErrClosed)
	_, err = s.Query(ctx, logger.Filter{})
	require.ErrorIs(t, err, ErrClosed)
	_, err = s.Count(ctx, logger.Filter{})
	require.ErrorIs(t, err, ErrClosed)
	_, err = s.DeleteBefore(ctx, storetest.Start)
	require.ErrorIs(t, err, ErrClosed)
}
