package logger_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/export"
	"github.com/auditlog/auditlog/internal/failpoint"
	"github.com/auditlog/auditlog/logger"
)

// seqLine is a journal line of seq n, as an earlier logger wrote it.
func seqLine(n uint64, entry string) string {
	return fmt.Sprintf(`{"event_id":"e-%d","seq":%d,"timestamp":"2026-01-15T10:30:00Z","operation":"STORE","status":"SUCCESS","user_id":"u","entry_ids":[%q]}`, n, n, entry)
}

// seqJournal writes the seqs as the lines of the current file.
func seqJournal(t *testing.T, seqs ...uint64) string {
	t.Helper()
	dir := t.TempDir()
	var b strings.Builder
	for _, n := range seqs {
		b.WriteString(seqLine(n, fmt.Sprintf("old-%d", n)) + "\n")
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, export.JournalName), []byte(b.String()), 0o600))
	return dir
}

// reports collects what ErrorHandler hears.
type reports struct {
	mu   sync.Mutex
	errs []string
}

func (r *reports) handle(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, err.Error())
}

func (r *reports) all() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.errs, "\n")
}

// A journal whose seq goes backwards (a line copied back, a file restored,
// two loggers in one folder) never makes a new event reuse a seq on disk:
// with or without Recover, New starts, the next seq is above the highest
// seq in the journal, and each line out of order is reported and counted
// in Stats.Failed.
func TestJournalSeqGoingBackwardsIsNeverReused(t *testing.T) {
	for _, tc := range []struct {
		name   string
		seqs   []uint64
		next   uint64
		back   int      // lines whose seq does not increase
		named  []string // what the reports name
		inRing []uint64 // with Recover, the seqs the ring holds before the new event
	}{
		{"a line copied to the end", []uint64{1, 2, 3, 4, 5, 3}, 6, 1, []string{"line 6: seq 3 is not above 5"}, []uint64{1, 2, 3, 4, 5}},
		{"two lines back at the end", []uint64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 4, 5}, 11, 2, []string{"line 11: seq 4", "line 12: seq 5"}, []uint64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}},
		{"a high seq in the middle", []uint64{1, 2, 50, 3, 4}, 51, 2, []string{"line 4: seq 3 is not above 50"}, []uint64{50}},
		{"back, then on", []uint64{1, 2, 3, 2, 4, 5}, 6, 1, []string{"line 4: seq 2"}, []uint64{1, 2, 3, 4, 5}},
		{"a repeated seq", []uint64{1, 2, 2}, 3, 1, []string{"line 3: seq 2 is not above 2"}, []uint64{1, 2}},
	} {
		for _, recover := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/Recover=%v", tc.name, recover), func(t *testing.T) {
				dir := seqJournal(t, tc.seqs...)
				var rep reports
				l, err := logger.New(logger.Options{ErrorHandler: rep.handle,
					Journal: &logger.JournalOptions{Dir: dir, NoChain: true, Recover: recover}})
				require.NoError(t, err, "a damaged journal does not stop New")
				for _, n := range tc.named {
					require.Contains(t, rep.all(), n)
				}
				require.Contains(t, rep.all(), filepath.Join(dir, export.JournalName))
				require.Equal(t, int64(tc.back), l.Statistics().Failed)
				if recover {
					var got []uint64
					for _, ev := range l.Query(logger.Filter{Ascending: true}) {
						got = append(got, ev.Seq)
					}
					require.Equal(t, tc.inRing, got)
					require.Equal(t, int64(len(tc.seqs)), l.Statistics().TotalEvents, "every event on disk counts in the statistics")
				}
				require.NoError(t, l.Log(context.Background(), logger.Event{Operation: logger.OpStore, EntryIDs: []string{"new"}}))
				got := l.Query(logger.Filter{EntryIDs: []string{"new"}})
				require.Len(t, got, 1)
				require.Equal(t, tc.next, got[0].Seq)
				require.NoError(t, l.Close())
				lines := readJournal(t, dir)
				require.Equal(t, tc.next, lines[len(lines)-1].Seq)
				for _, jl := range lines[:len(lines)-1] {
					require.Less(t, jl.Seq, tc.next, "seq %d is on disk already", jl.Seq)
				}
			})
		}
	}
}

// The highest seq counts wherever it is: in a rotated file older than the
// current one.
func TestJournalSeqAboveEveryFile(t *testing.T) {
	for _, recover := range []bool{false, true} {
		t.Run(fmt.Sprintf("Recover=%v", recover), func(t *testing.T) {
			dir := seqJournal(t, 1, 2, 3)
			rotated := filepath.Join(dir, "audit-2026-01-15T10-30-00.000.jsonl")
			var b strings.Builder
			for n := uint64(1); n <= 20; n++ {
				b.WriteString(seqLine(n, "r") + "\n")
			}
			require.NoError(t, os.WriteFile(rotated, []byte(b.String()), 0o600))
			var rep reports
			l, err := logger.New(logger.Options{ErrorHandler: rep.handle,
				Journal: &logger.JournalOptions{Dir: dir, NoChain: true, Recover: recover}})
			require.NoError(t, err)
			require.Contains(t, rep.all(), export.JournalName+" line 1: seq 1 is not above 20")
			require.NoError(t, l.Log(context.Background(), logger.Event{Operation: logger.OpStore, EntryIDs: []string{"new"}}))
			require.Equal(t, uint64(21), l.Query(logger.Filter{EntryIDs: []string{"new"}})[0].Seq)
			require.Equal(t, int64(3), l.Statistics().Failed)
			require.NoError(t, l.Close())
		})
	}
}

// With Recover, when the newest lines have a seq but cannot be read as
// events, the ring starts after them: every event it holds is found under
// its own seq.
func TestRecoverRingEndsAtTheHighestSeq(t *testing.T) {
	dir := t.TempDir()
	bad := `{"event_id":"e-6","seq":6,"timestamp":"2026-01-15T10:30:00Z","operation":"STORE","status":"BOGUS"}`
	var b strings.Builder
	for n := uint64(1); n <= 5; n++ {
		b.WriteString(seqLine(n, fmt.Sprintf("old-%d", n)) + "\n")
	}
	b.WriteString(bad + "\n")
	require.NoError(t, os.WriteFile(filepath.Join(dir, export.JournalName), []byte(b.String()), 0o600))
	var rep reports
	l, err := logger.New(logger.Options{ErrorHandler: rep.handle,
		Journal: &logger.JournalOptions{Dir: dir, NoChain: true, Recover: true}})
	require.NoError(t, err)
	require.Contains(t, rep.all(), "line 6")
	require.NoError(t, l.Log(context.Background(), logger.Event{Operation: logger.OpStore, EntryIDs: []string{"new"}}))
	got := l.Query(logger.Filter{EntryIDs: []string{"new"}})
	require.Len(t, got, 1)
	require.Equal(t, uint64(7), got[0].Seq)
	require.Equal(t, []string{"new"}, got[0].EntryIDs)
	require.Len(t, l.Query(logger.Filter{}), 1, "the ring starts after the line it could not read")
	for _, ev := range l.Query(logger.Filter{}) {
		if ev.Seq == 7 {
			continue
		}
		require.Equal(t, fmt.Sprintf("e-%d", ev.Seq), ev.ID, "event %d is found under its seq", ev.Seq)
	}
	require.Equal(t, int64(5), l.Statistics().TotalEvents-1, "the five events read count in the statistics")
	require.NoError(t, l.Close())
}

// A line New cannot read (not JSON, no seq), wherever it is, and a
// rotated file that cannot be read, never stop New: each is reported and
// counted, the seq goes on above every seq read, and the chain goes on
// from the line that carries it, so that Verify blames the bad line only.
func TestJournalUnreadableLinesDoNotStopNew(t *testing.T) {
	for _, recover := range []bool{false, true} {
		t.Run(fmt.Sprintf("Recover=%v", recover), func(t *testing.T) {
			dir := t.TempDir()
			l, err := logger.New(logger.Options{Journal: &logger.JournalOptions{Dir: dir}})
			require.NoError(t, err)
			for range 3 {
				require.NoError(t, l.Log(context.Background(), logger.Event{Operation: logger.OpStore}))
			}
			require.NoError(t, l.Close())
			cur := filepath.Join(dir, export.JournalName)
			f, err := os.OpenFile(cur, os.O_APPEND|os.O_WRONLY, 0)
			require.NoError(t, err)
			_, err = f.WriteString("not json\n{\"operation\":\"STORE\"}\n")
			require.NoError(t, err)
			require.NoError(t, f.Close())
			// A rotated file, older than the current one, that is not gzip.
			require.NoError(t, os.WriteFile(filepath.Join(dir, "audit-2026-01-01T00-00-00.000.jsonl.gz"), []byte("not gzip"), 0o600))

			var rep reports
			l, err = logger.New(logger.Options{ErrorHandler: rep.handle, Journal: &logger.JournalOptions{Dir: dir, Recover: recover}})
			require.NoError(t, err, "a damaged journal does not stop New")
			require.Contains(t, rep.all(), "audit-2026-01-01T00-00-00.000.jsonl.gz")
			require.Contains(t, rep.all(), cur+" line 4")
			require.Contains(t, rep.all(), cur+" line 5")
			require.Equal(t, int64(3), l.Statistics().Failed)
			require.NoError(t, l.Log(context.Background(), logger.Event{Operation: logger.OpStore}))
			require.NoError(t, l.Close())

			require.NoError(t, os.Remove(filepath.Join(dir, "audit-2026-01-01T00-00-00.000.jsonl.gz")))
			r, err := export.Verify(dir, nil)
			require.NoError(t, err)
			var lines []int
			for _, p := range r.Problems {
				lines = append(lines, p.Line)
			}
			require.Equal(t, []int{4, 5}, lines, "%v", r.Problems)
			require.Equal(t, uint64(4), r.LastSeq)
		})
	}
}

// The hash New continues the chain from is taken only when it is a hash:
// a planted last line whose hash holds a quote, a newline or too few
// characters does not make the next line the logger writes unreadable.
func TestJournalContinuesOnlyFromAHash(t *testing.T) {
	for name, hash := range map[string]string{
		"short":     `abc`,
		"newline":   `ab\n{\"seq\":99}`,
		"quote":     strings.Repeat("a", 30) + `\",\"x\":\"` + strings.Repeat("b", 30),
		"not hex":   strings.Repeat("z", 64),
		"too long":  strings.Repeat("a", 65),
		"uppercase": strings.Repeat("A", 64),
	} {
		for _, recover := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/Recover=%v", name, recover), func(t *testing.T) {
				dir := t.TempDir()
				line := `{"event_id":"e-1","seq":1,"timestamp":"2026-01-15T10:30:00Z","operation":"STORE","status":"SUCCESS","prev_hash":"` +
					strings.Repeat("0", 64) + `","hash":"` + hash + `"}` + "\n"
				require.NoError(t, os.WriteFile(filepath.Join(dir, export.JournalName), []byte(line), 0o600))
				var rep reports
				l, err := logger.New(logger.Options{ErrorHandler: rep.handle, Journal: &logger.JournalOptions{Dir: dir, Recover: recover}})
				require.NoError(t, err)
				require.Contains(t, rep.all(), "line 1")
				require.Contains(t, rep.all(), "hash")
				require.Equal(t, int64(1), l.Statistics().Failed)
				require.NoError(t, l.Log(context.Background(), logger.Event{Operation: logger.OpStore}))
				require.NoError(t, l.Close())
				lines := readJournal(t, dir) // every line is JSON
				require.Len(t, lines, 2)
				require.Equal(t, uint64(2), lines[1].Seq)
			})
		}
	}
}

// Without Recover, New reads the current file and the last line of each
// rotated file, from the gzip header of a compressed one: its cost does
// not grow with the journal. A compressed file whose stream is cut after
// its header is not read further, and the seq goes on above its line.
func TestJournalNewReadsTheLastLineOfRotatedFiles(t *testing.T) {
	dir := t.TempDir()
	compressing := make(chan struct{}, 1)
	defer failpoint.Enable(export.FailTidy, func() error {
		select {
		case compressing <- struct{}{}:
		default:
		}
		return nil
	})()
	j, _, err := export.OpenJournal(export.JournalOptions{Dir: dir, Compress: true})
	require.NoError(t, err)
	for n := uint64(1); n <= 5; n++ {
		_, err := j.Write([]byte(seqLine(n, "old") + "\n"))
		require.NoError(t, err)
	}
	require.NoError(t, j.Rotate())
	<-compressing
	require.NoError(t, j.Close()) // waits for the file being compressed
	files, err := export.JournalFiles(dir)
	require.NoError(t, err)
	require.Len(t, files, 2)
	require.True(t, files[0].Gzip)
	b, err := os.ReadFile(files[0].Path)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(files[0].Path, b[:len(b)/2], 0o600)) // header kept, stream cut
	require.NoError(t, os.Remove(files[1].Path))                         // no current file

	var rep reports
	l, err := logger.New(logger.Options{ErrorHandler: rep.handle, Journal: &logger.JournalOptions{Dir: dir, NoChain: true}})
	require.NoError(t, err)
	require.Empty(t, rep.all())
	require.NoError(t, l.Log(context.Background(), logger.Event{Operation: logger.OpStore, EntryIDs: []string{"new"}}))
	require.Equal(t, uint64(6), l.Query(logger.Filter{EntryIDs: []string{"new"}})[0].Seq)
	require.NoError(t, l.Close())

	// Recover reads every line: the cut stream is reported.
	l, err = logger.New(logger.Options{ErrorHandler: rep.handle, Journal: &logger.JournalOptions{Dir: dir, NoChain: true, Recover: true}})
	require.NoError(t, err)
	require.Contains(t, rep.all(), files[0].Path)
	require.NoError(t, l.Close())
}

// A link planted under a rotated file's name stops New with an error that
// names it: without the list of files, no seq is known to be free.
func TestJournalPlantedRotatedLinkStopsNew(t *testing.T) {
	for _, recover := range []bool{false, true} {
		t.Run(fmt.Sprintf("Recover=%v", recover), func(t *testing.T) {
			dir := seqJournal(t, 1, 2, 3)
			victim := filepath.Join(t.TempDir(), "victim")
			require.NoError(t, os.WriteFile(victim, []byte(seqLine(99, "v")+"\n"), 0o644))
			link := filepath.Join(dir, "audit-2026-01-15T10-30-00.000.jsonl")
			require.NoError(t, os.Symlink(victim, link))
			_, err := logger.New(logger.Options{Journal: &logger.JournalOptions{Dir: dir, NoChain: true, Recover: recover}})
			require.Error(t, err)
			require.Contains(t, err.Error(), link)
			require.ErrorIs(t, err, export.ErrNotRegular)
			b, err := os.ReadFile(victim)
			require.NoError(t, err)
			require.Equal(t, seqLine(99, "v")+"\n", string(b))
		})
	}
}

// Without Recover, when the last line of a rotated file gives no seq (a
// damaged line, a seq of 0 or past the range), New reads that whole file:
// the next seq is above every seq on disk, and the damaged line is
// reported and counted once.
func TestJournalRotatedLastLineUnreadableReadsTheFile(t *testing.T) {
	for _, tc := range []struct{ name, last string }{
		{"garbage", "not json at all"},
		{"seq 0", `{"event_id":"z","seq":0,"operation":"STORE"}`},
		{"seq out of range", `{"event_id":"z","seq":99999999999999999999,"operation":"STORE"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			older := filepath.Join(dir, "audit-2026-01-15T10-30-00.000.jsonl")
			newer := filepath.Join(dir, "audit-2026-01-15T10-31-00.000.jsonl")
			require.NoError(t, os.WriteFile(older, []byte(seqLine(1, "o")+"\n"+seqLine(2, "o")+"\n"), 0o600))
			var b strings.Builder
			for n := uint64(3); n <= 20; n++ {
				b.WriteString(seqLine(n, "r") + "\n")
			}
			b.WriteString(tc.last + "\n")
			require.NoError(t, os.WriteFile(newer, []byte(b.String()), 0o600))
			require.NoError(t, os.WriteFile(filepath.Join(dir, export.JournalName), nil, 0o600))

			var rep reports
			l, err := logger.New(logger.Options{ErrorHandler: rep.handle,
				Journal: &logger.JournalOptions{Dir: dir, NoChain: true}})
			require.NoError(t, err)
			require.NoError(t, l.Log(context.Background(), logger.Event{Operation: logger.OpStore, EntryIDs: []string{"new"}}))
			require.Equal(t, uint64(21), l.Query(logger.Filter{EntryIDs: []string{"new"}})[0].Seq)
			require.Contains(t, rep.all(), newer+" line 19")
			require.Equal(t, int64(1), l.Statistics().Failed, "the damaged line counts once")
			require.NoError(t, l.Close())
		})
	}
}

// New reads the journal back before retention may remove a file: a
// rotated file past MaxAge is read whole (its events recovered, nothing
// reported as corrupt), then removed by the housekeeping New starts.
func TestJournalNewReadsBeforeRetention(t *testing.T) {
	dir := t.TempDir()
	old := filepath.Join(dir, "audit-"+time.Now().UTC().Add(-2*time.Hour).Format("2006-01-02T15-04-05.000")+".jsonl")
	var lines string
	for n := uint64(1); n <= 3; n++ {
		lines += seqLine(n, "old") + "\n"
	}
	require.NoError(t, os.WriteFile(old, []byte(lines), 0o600))
	tidying := make(chan struct{}, 1)
	defer failpoint.Enable(export.FailTidy, func() error {
		select {
		case tidying <- struct{}{}:
		default:
		}
		return nil
	})()
	var rep reports
	l, err := logger.New(logger.Options{ErrorHandler: rep.handle, Journal: &logger.JournalOptions{Dir: dir, NoChain: true, Recover: true, MaxAge: time.Hour}})
	require.NoError(t, err)
	<-tidying // New started housekeeping
	require.NoError(t, l.Close())
	require.Empty(t, rep.all())
	require.Zero(t, l.Statistics().Failed)
	require.Equal(t, int64(3), l.Statistics().ByOperation[logger.OpStore], "the events of the old file are recovered")
	require.NoFileExists(t, old)
}
