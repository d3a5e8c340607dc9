package logger_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/mod/sumdb/note"

	"github.com/auditlog/auditlog/export"
	"github.com/auditlog/auditlog/internal/failpoint"
	"github.com/auditlog/auditlog/logger"
)

const testOrigin = "example.com/audit"

// testKey returns a signer and a verifier of a fixed Ed25519 key, the
// seed's first byte given.
func testKey(t *testing.T, b byte) (note.Signer, note.Verifier) {
	t.Helper()
	priv := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{b}, ed25519.SeedSize))
	s, err := export.Ed25519Signer(testOrigin, priv)
	require.NoError(t, err)
	v, err := export.Ed25519Verifier(testOrigin, priv.Public().(ed25519.PublicKey))
	require.NoError(t, err)
	return s, v
}

// signedJournal writes n events, in batches of 100, to a journal in dir
// with checkpoints every 1,000 lines and 1 MB files, and closes it.
func signedJournal(t *testing.T, dir string, n int, jo logger.JournalOptions) {
	t.Helper()
	s, _ := testKey(t, 1)
	jo.Dir, jo.MaxSizeMB = dir, 1
	jo.Checkpoints = logger.CheckpointOptions{Signer: s, Every: 1000}
	var rep reports
	l, err := logger.New(logger.Options{MaxEvents: 1000, ErrorHandler: rep.handle, Journal: &jo})
	require.NoError(t, err)
	logEvents(t, l, n)
	require.NoError(t, l.Close())
	require.Empty(t, rep.all())
}

// logEvents logs n events of a few users, with a note long enough that
// 1 MB files rotate every few thousand, and waits for them to be fsynced
// every 1,000 (a checkpoint that falls due is signed after an fsync).
func logEvents(t *testing.T, l *logger.Logger, n int) {
	t.Helper()
	pad := strings.Repeat("x", 200)
	batch := make([]logger.Event, 0, 100)
	for i := range n {
		batch = append(batch, logger.Event{Operation: logger.OpStore, UserID: fmt.Sprintf("user-%d", i%7),
			Metadata: map[string]any{"i": i, "note": pad}})
		if len(batch) == cap(batch) || i == n-1 {
			require.NoError(t, l.LogBatch(context.Background(), batch))
			batch = batch[:0]
		}
		if i%1000 == 999 {
			require.NoError(t, l.Sync())
		}
	}
	require.NoError(t, l.Flush(context.Background()))
}

// evidence reads the checkpoints of dir with v and checks the journal
// against them.
func evidence(t *testing.T, dir string, v note.Verifier) (*export.Evidence, []export.SignedCheckpoint) {
	t.Helper()
	signed, err := export.ReadCheckpoints(dir, v)
	require.NoError(t, err)
	cps := make([]export.Checkpoint, len(signed))
	for i, s := range signed {
		cps[i] = s.Checkpoint
	}
	e, err := export.CheckEvidence(dir, cps)
	require.NoError(t, err)
	return e, signed
}

func journalLines(t *testing.T, dir string) int {
	n := 0
	require.NoError(t, export.ReadJournal(dir, func(export.Line) error { n++; return nil }))
	return n
}

func TestCheckpointsCoverTheJournal(t *testing.T) {
	dir := t.TempDir()
	signedJournal(t, dir, 12_000, logger.JournalOptions{Compress: true})
	_, v := testKey(t, 1)
	e, signed := evidence(t, dir, v)
	require.True(t, e.OK(), "%v", e.Problems)
	require.Equal(t, uint64(12_000), e.Lines)
	require.Equal(t, uint64(12_000), e.Latest.Size, "Close signs the last lines")
	require.Equal(t, len(signed), e.Matched)
	require.GreaterOrEqual(t, len(signed), 12, "one every 1,000 lines, and one at each rotation")
	files, err := export.JournalFiles(dir)
	require.NoError(t, err)
	require.Greater(t, len(files), 3)
	rotations := 0
	for _, s := range signed {
		info, err := s.Info()
		require.NoError(t, err)
		require.False(t, info.Time.IsZero())
		if info.File != "" {
			rotations++
		}
	}
	require.Equal(t, len(files)-1, rotations, "a checkpoint at each rotation")

	// Every event can be proved in the last checkpoint, and every
	// checkpoint is consistent with the last.
	seed := rand.Uint64()
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	last := signed[len(signed)-1]
	for range 5 {
		seq := 1 + rng.Uint64N(12_000)
		line, p, err := export.ProveInclusion(dir, export.SeqIs(seq), last.Checkpoint)
		require.NoError(t, err)
		_, err = export.VerifyInclusion(line.Data, p, last.Note, v)
		require.NoError(t, err)
	}
	for _, s := range signed[:len(signed)-1] {
		p, err := export.ProveConsistency(dir, s.Checkpoint, last.Checkpoint)
		require.NoError(t, err)
		require.NoError(t, export.VerifyConsistency(p, s.Note, last.Note, v))
	}
}

func TestCheckpointsResumeAfterRestart(t *testing.T) {
	for _, recover := range []bool{false, true} {
		t.Run(fmt.Sprintf("recover=%v", recover), func(t *testing.T) {
			dir := t.TempDir()
			signedJournal(t, dir, 5_000, logger.JournalOptions{})
			signedJournal(t, dir, 4_321, logger.JournalOptions{Recover: recover})
			_, v := testKey(t, 1)
			e, signed := evidence(t, dir, v)
			require.True(t, e.OK(), "%v", e.Problems)
			require.Equal(t, uint64(9_321), e.Latest.Size)
			first, last := signed[0], signed[len(signed)-1]
			p, err := export.ProveConsistency(dir, first.Checkpoint, last.Checkpoint)
			require.NoError(t, err)
			require.NoError(t, export.VerifyConsistency(p, first.Note, last.Note, v))
		})
	}
}

func TestCheckpointsShowATailCut(t *testing.T) {
	dir := t.TempDir()
	signedJournal(t, dir, 3_000, logger.JournalOptions{})
	_, v := testKey(t, 1)
	cur := filepath.Join(dir, export.JournalName)
	data, err := os.ReadFile(cur)
	require.NoError(t, err)
	lines := bytes.SplitAfter(data, []byte("\n"))
	kept := bytes.Join(lines[:len(lines)-4], nil) // the last is empty: 3 lines cut
	require.NoError(t, os.WriteFile(cur, kept, 0o600))
	rep := requireVerifies(t, dir, nil)
	require.True(t, rep.OK(), "the chain alone cannot see it")

	e, _ := evidence(t, dir, v)
	require.False(t, e.OK())
	require.Len(t, e.Problems, 1)
	p := e.Problems[0]
	require.Equal(t, export.TailCut, p.Kind)
	require.Equal(t, cur, p.File)
	require.Equal(t, bytes.Count(kept, []byte("\n")), p.Line, "the journal's last line")
	require.Contains(t, p.Detail, "3 more lines")

	// The logger reports it when it starts on the journal.
	var got errorList
	s, _ := testKey(t, 1)
	l, err := logger.New(logger.Options{ErrorHandler: got.handle, Journal: &logger.JournalOptions{Dir: dir, Checkpoints: logger.CheckpointOptions{Signer: s}}})
	require.NoError(t, err)
	require.NoError(t, l.Close())
	require.True(t, got.any(func(err error) bool {
		return errors.Is(err, logger.ErrChainBroken) && errors.Is(err, export.ErrJournalMismatch) && strings.Contains(err.Error(), "cut from its end")
	}), "%v", got.errs)
}

// errorList keeps the errors an ErrorHandler is given.
type errorList struct {
	mu   sync.Mutex
	errs []error
}

func (r *errorList) handle(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, err)
}

// any reports whether an error reported matches f.
func (r *errorList) any(f func(error) bool) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, err := range r.errs {
		if f(err) {
			return true
		}
	}
	return false
}

func TestCheckpointsShowAReChainedForgery(t *testing.T) {
	dir := t.TempDir()
	signedJournal(t, dir, 2_500, logger.JournalOptions{})
	_, v := testKey(t, 1)
	files, err := export.JournalFiles(dir)
	require.NoError(t, err)
	require.Greater(t, len(files), 1)
	// Rewrite every file in place with the same events, one changed,
	// chained again with SHA-256 as anyone can.
	chain := export.NewChain(nil, "")
	n := 0
	type at struct {
		file string
		line int
	}
	var where []at // of each leaf
	for _, f := range files {
		var out bytes.Buffer
		require.NoError(t, export.ReadJournalFile(f, func(l export.Line) error {
			n++
			where = append(where, at{l.File, l.Num})
			cut := bytes.Index(l.Data, []byte(`,"chain":`))
			require.Positive(t, cut)
			obj := append(bytes.Clone(l.Data[:cut]), '}')
			if n == 1_234 {
				obj = regexp.MustCompile(`"user_id":"[^"]*"`).ReplaceAll(obj, []byte(`"user_id":"someone-else"`))
			}
			out.Write(chain.Append(nil, obj)) // with its newline
			return nil
		}))
		require.NoError(t, os.WriteFile(f.Path, out.Bytes(), 0o600))
	}
	require.True(t, requireVerifies(t, dir, nil).OK(), "the forged chain holds")

	e, signed := evidence(t, dir, v)
	require.False(t, e.OK())
	after := uint64(0) // the size of the first checkpoint with the changed line
	for _, s := range signed {
		if s.Size >= 1_234 && (after == 0 || s.Size < after) {
			after = s.Size
		}
	}
	require.Len(t, e.Problems, 1, "%v", e.Problems)
	p := e.Problems[0]
	require.Equal(t, export.Rewritten, p.Kind)
	require.Equal(t, where[after-1].file, p.File, "the last line of the first checkpoint that does not match")
	require.Equal(t, where[after-1].line, p.Line)
	require.Less(t, e.Matched, len(signed))
	require.Positive(t, e.Matched, "the checkpoints before the change match")
}

func TestCheckpointsTellRetentionFromRemoval(t *testing.T) {
	dir := t.TempDir()
	// Retention runs in the background: wait for it to remove a file
	// before closing (Close does not wait for a pass to finish).
	removing := make(chan struct{}, 1)
	defer failpoint.Enable(export.FailTidy, func() error {
		select {
		case removing <- struct{}{}:
		default:
		}
		return nil
	})()
	s, v := testKey(t, 1)
	var rep reports
	l, err := logger.New(logger.Options{MaxEvents: 1000, ErrorHandler: rep.handle, Journal: &logger.JournalOptions{Dir: dir,
		MaxSizeMB: 1, MaxBackups: 2, Checkpoints: logger.CheckpointOptions{Signer: s, Every: 1000}}})
	require.NoError(t, err)
	logEvents(t, l, 16_000)
	<-removing
	require.NoError(t, l.Close())
	require.Empty(t, rep.all())
	files, err := export.JournalFiles(dir)
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(files), 3, "two rotated files or more, and the current one")
	e, signed := evidence(t, dir, v)
	require.True(t, e.OK(), "%v", e.Problems)
	require.NotEmpty(t, e.Retained, "retention removed files and signed a record of each")
	require.Positive(t, e.First)
	require.Positive(t, e.Unchecked)

	// The lines kept can still be proved, from the state the checkpoint
	// of the last removed file records.
	last := signed[len(signed)-1]
	line, p, err := export.ProveInclusion(dir, export.SeqIs(e.First+5), last.Checkpoint)
	require.NoError(t, err)
	_, err = export.VerifyInclusion(line.Data, p, last.Note, v)
	require.NoError(t, err)
	_, _, err = export.ProveInclusion(dir, export.SeqIs(1), last.Checkpoint)
	require.ErrorIs(t, err, export.ErrNoSuchLine, "a line retention removed cannot be proved")

	// The oldest file removed by hand is a finding, named.
	require.NoError(t, os.Remove(files[0].Path))
	e, _ = evidence(t, dir, v)
	require.False(t, e.OK())
	require.Len(t, e.Problems, 1, "%v", e.Problems)
	require.Equal(t, export.FileRemoved, e.Problems[0].Kind)
	require.Equal(t, files[0].Path, e.Problems[0].File)
}

func TestCheckpointsOfAnotherKeyRefused(t *testing.T) {
	dir := t.TempDir()
	signedJournal(t, dir, 10, logger.JournalOptions{})
	other, _ := testKey(t, 2)
	_, err := logger.New(logger.Options{Journal: &logger.JournalOptions{Dir: dir, Checkpoints: logger.CheckpointOptions{Signer: other}}})
	require.ErrorIs(t, err, logger.ErrInvalidOptions)
	require.ErrorIs(t, err, export.ErrNotSigned)
}

// plainSigner is a note.Signer that does not know its verifier.
type plainSigner struct{ note.Signer }

func TestCheckpointOptionsRejected(t *testing.T) {
	s, v := testKey(t, 1)
	_, otherV := testKey(t, 2)
	for _, tc := range []struct {
		name string
		o    logger.CheckpointOptions
	}{
		{"negative every", logger.CheckpointOptions{Signer: s, Every: -1}},
		{"negative interval", logger.CheckpointOptions{Signer: s, Interval: -time.Second}},
		{"no verifier", logger.CheckpointOptions{Signer: plainSigner{s}}},
		{"another key's verifier", logger.CheckpointOptions{Signer: s, Verifier: otherV}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := logger.New(logger.Options{Journal: &logger.JournalOptions{Dir: t.TempDir(), Checkpoints: tc.o}})
			require.ErrorIs(t, err, logger.ErrInvalidOptions)
		})
	}
	l, err := logger.New(logger.Options{Journal: &logger.JournalOptions{Dir: t.TempDir(), Checkpoints: logger.CheckpointOptions{Signer: plainSigner{s}, Verifier: v}}})
	require.NoError(t, err, "any note.Signer, given its verifier")
	require.NoError(t, l.Close())
}

func TestCheckpointsPublished(t *testing.T) {
	dir := t.TempDir()
	s, v := testKey(t, 1)
	var mu sync.Mutex
	var got []export.SignedCheckpoint
	publish := func(_ context.Context, c export.SignedCheckpoint) error {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, c)
		if len(got) == 1 {
			return errors.New("the witness is down") // reported, not retried
		}
		return nil
	}
	var rep reports
	l, err := logger.New(logger.Options{ErrorHandler: rep.handle, Journal: &logger.JournalOptions{Dir: dir,
		Checkpoints: logger.CheckpointOptions{Signer: s, Every: 500, Publish: publish}}})
	require.NoError(t, err)
	logEvents(t, l, 2_000)
	require.NoError(t, l.Close()) // waits for Publish
	signed, err := export.ReadCheckpoints(dir, v)
	require.NoError(t, err)
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, got, len(signed), "each checkpoint of the file is published")
	for i, c := range got {
		require.Equal(t, signed[i].Note, c.Note)
		_, err := export.OpenCheckpoint(c.Note, v)
		require.NoError(t, err)
	}
	require.Contains(t, rep.all(), "the witness is down")
}

// panickySigner is a note.Signer whose Sign panics.
type panickySigner struct{ note.Signer }

func (panickySigner) Sign([]byte) ([]byte, error) { panic("the HSM is gone") }

func TestCheckpointSignerPanicIsReported(t *testing.T) {
	s, v := testKey(t, 1)
	var rep reports
	l, err := logger.New(logger.Options{ErrorHandler: rep.handle, Journal: &logger.JournalOptions{Dir: t.TempDir(),
		Checkpoints: logger.CheckpointOptions{Signer: panickySigner{s}, Verifier: v, Every: 10}}})
	require.NoError(t, err)
	logEvents(t, l, 100)
	require.NoError(t, l.Close())
	require.Contains(t, rep.all(), "the Signer panicked: the HSM is gone")
	require.Equal(t, int64(100), l.Statistics().TotalEvents, "logging goes on")
}

// TestCheckpointsSeeEveryTamper tampers with a signed journal in one of
// the ways the hash chain alone cannot show or can, chosen at random,
// and checks that CheckEvidence reports it, of the right kind.
func TestCheckpointsSeeEveryTamper(t *testing.T) {
	seed := rand.Uint64()
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 1))
	_, v := testKey(t, 1)
	tampers := []struct {
		name string
		kind export.EvidenceKind
		do   func(t *testing.T, files []export.JournalFile)
	}{
		{"cut the tail", export.TailCut, func(t *testing.T, files []export.JournalFile) {
			cur := files[len(files)-1].Path
			lines := fileLines(t, cur)
			writeLines(t, cur, lines[:len(lines)-1-rng.IntN(min(len(lines), 50))])
		}},
		{"change a line", export.Rewritten, func(t *testing.T, files []export.JournalFile) {
			f := files[rng.IntN(len(files))].Path
			lines := fileLines(t, f)
			i := rng.IntN(len(lines))
			lines[i] = bytes.Replace(lines[i], []byte(`"user_id":"user-`), []byte(`"user_id":"USER-`), 1)
			writeLines(t, f, lines)
		}},
		{"remove a line", export.Rewritten, func(t *testing.T, files []export.JournalFile) {
			f := files[rng.IntN(len(files)-1)].Path // a rotated file: not the very last line
			lines := fileLines(t, f)
			i := rng.IntN(len(lines))
			writeLines(t, f, append(lines[:i:i], lines[i+1:]...))
		}},
		{"swap two lines", export.Rewritten, func(t *testing.T, files []export.JournalFile) {
			f := files[rng.IntN(len(files))].Path
			lines := fileLines(t, f)
			i := rng.IntN(len(lines) - 1)
			lines[i], lines[i+1] = lines[i+1], lines[i]
			writeLines(t, f, lines)
		}},
		{"remove a rotated file", export.FileRemoved, func(t *testing.T, files []export.JournalFile) {
			require.NoError(t, os.Remove(files[rng.IntN(len(files)-1)].Path))
		}},
	}
	for round := range 2 * len(tampers) {
		tp := tampers[round%len(tampers)]
		t.Run(fmt.Sprintf("%d %s", round, tp.name), func(t *testing.T) {
			dir := t.TempDir()
			signedJournal(t, dir, 3_000+rng.IntN(2_000), logger.JournalOptions{})
			e, _ := evidence(t, dir, v)
			require.True(t, e.OK(), "before: %v", e.Problems)
			files, err := export.JournalFiles(dir)
			require.NoError(t, err)
			require.Greater(t, len(files), 1, "the journal rotated")
			tp.do(t, files)
			e, _ = evidence(t, dir, v)
			require.False(t, e.OK(), "after %s", tp.name)
			kinds := map[export.EvidenceKind]bool{}
			for _, p := range e.Problems {
				kinds[p.Kind] = true
			}
			require.True(t, kinds[tp.kind], "after %s: %v", tp.name, e.Problems)
		})
	}
}

// fileLines returns the lines of a journal file, each with its newline.
func fileLines(t *testing.T, path string) [][]byte {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	lines := bytes.SplitAfter(data, []byte("\n"))
	return lines[:len(lines)-1] // the empty tail after the last newline
}

// writeLines writes lines to path, replacing it.
func writeLines(t *testing.T, path string, lines [][]byte) {
	t.Helper()
	require.NoError(t, os.WriteFile(path, bytes.Join(lines, nil), 0o600))
}
