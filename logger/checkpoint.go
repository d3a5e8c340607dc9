package logger

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/auditlog/auditlog/export"
)

// Defaults of CheckpointOptions.
const (
	// DefaultCheckpointEvery is CheckpointOptions.Every when 0.
	DefaultCheckpointEvery = 100_000
	// DefaultCheckpointInterval is CheckpointOptions.Interval when 0.
	DefaultCheckpointInterval = time.Minute
	// checkpointQueue bounds the checkpoints waiting for Publish.
	checkpointQueue = 64
)

// CheckpointOptions turn on signed checkpoints of the journal: the writer
// keeps the Merkle tree of the journal's lines (export.Tree: one leaf
// hash per line, and on average one node hash) and signs a checkpoint of
// it (export.Checkpoint: the log's name, the number of lines, the root
// hash) every Every lines or Interval, when the journal rotates, before
// retention removes a file, and at Close. Each is appended, fsynced, to
// the file export.CheckpointsName ("checkpoints") in the journal's
// folder, and given to Publish.
//
// A checkpoint is signed only once the lines it covers are fsynced, so
// that no crash leaves a checkpoint of lines the journal lost: a
// checkpoint that falls due is signed at the writer's next fsync, which
// it never adds to. Against a
// checkpoint, export.CheckEvidence (auditlog verify --pubkey) shows what
// the hash chain cannot: lines cut from the end, a journal replaced by a
// re-chained forgery, rotated files removed by hand rather than by
// retention; export.ProveInclusion (auditlog prove) proves one event is
// in the log to someone who holds only the public key. Someone who can
// write to the folder can also cut the checkpoints file: publish the
// checkpoints elsewhere (Publish) to keep that from going unseen.
type CheckpointOptions struct {
	// Signer signs the checkpoints; its name is the log's origin, the
	// first line of every checkpoint. export.Ed25519Signer makes one from
	// an ed25519.PrivateKey. Keep the private key away from the journal's
	// folder and its backups. nil: no checkpoints (the other fields are
	// then ignored).
	Signer note.Signer
	// Verifier checks the checkpoints already in the folder when New
	// starts, before the tree goes on from them. nil: the Signer's own,
	// when it has a method Verifier() note.Verifier (the signers of
	// export.Ed25519Signer do); New refuses a Signer without one.
	Verifier note.Verifier
	// Every signs a checkpoint once this many lines were written since
	// the last, at the writer's next fsync (JournalOptions.SyncInterval
	// apart at most). Default DefaultCheckpointEvery (100,000).
	Every int
	// Interval signs a checkpoint this long after the last when lines
	// were written since, at the writer's next fsync. Default
	// DefaultCheckpointInterval (a minute).
	Interval time.Duration
	// Publish, when set, is given each checkpoint once it is in the
	// checkpoints file, to keep it elsewhere: another machine, a store, a
	// witness. It runs in a goroutine of its own, one checkpoint at a
	// time, never holding up the writer; its error is reported to
	// Options.ErrorHandler. When 64 checkpoints wait for it, the next is
	// not given to it and that is reported. Close waits for it at most
	// Delivery.CloseTimeout, then cancels its context.
	Publish func(ctx context.Context, c export.SignedCheckpoint) error
}

// check validates o and fills its defaults.
func (o *CheckpointOptions) check() error {
	if o.Signer == nil {
		return nil
	}
	switch {
	case o.Every < 0, o.Interval < 0:
		return fmt.Errorf("%w: Journal.Checkpoints.Every and Interval must not be negative", ErrInvalidOptions)
	}
	if _, err := (export.Checkpoint{Origin: o.Signer.Name(), Root: export.NewTree().Root()}).Body(); err != nil {
		return fmt.Errorf("%w: Journal.Checkpoints.Signer: its name is not a log's origin: %w", ErrInvalidOptions, err)
	}
	if o.Verifier == nil {
		if s, ok := o.Signer.(interface{ Verifier() note.Verifier }); ok {
			o.Verifier = s.Verifier()
		} else {
			return fmt.Errorf("%w: Journal.Checkpoints.Verifier is required with a Signer not made by export.Ed25519Signer", ErrInvalidOptions)
		}
	}
	if o.Verifier.Name() != o.Signer.Name() || o.Verifier.KeyHash() != o.Signer.KeyHash() {
		return fmt.Errorf("%w: Journal.Checkpoints.Verifier (%s+%08x) is not the Signer's key (%s+%08x)",
			ErrInvalidOptions, o.Verifier.Name(), o.Verifier.KeyHash(), o.Signer.Name(), o.Signer.KeyHash())
	}
	if o.Every == 0 {
		o.Every = DefaultCheckpointEvery
	}
	if o.Interval == 0 {
		o.Interval = DefaultCheckpointInterval
	}
	return nil
}

// checkpointer keeps the Merkle tree of the journal and signs its
// checkpoints, in a goroutine of its own, so that hashing the lines
// takes nothing from the writer on a machine with a core to spare: the
// writer hands it, in order, each run of lines written, each rotation,
// and each request to sign (once the lines before it are fsynced). The
// fields marked "writer" are the writer goroutine's; mu guards what the
// housekeeping goroutine also uses to sign a retention record.
type checkpointer struct {
	opts CheckpointOptions
	tree *export.Tree // the goroutine's
	in   chan cpItem
	done chan struct{}

	lines      uint64    // writer: lines handed over, with the ones resumed
	signedSize uint64    // writer: lines at the last request to sign
	signedAt   time.Time // writer: when it was made

	mu     sync.Mutex
	log    *export.CheckpointLog
	latest export.Checkpoint // the last signed, without extensions

	pub       chan export.SignedCheckpoint
	pubDone   chan struct{}
	pubCtx    context.Context
	pubCancel context.CancelFunc
}

// cpItem is one thing for the checkpointer to do, in the order of the
// journal.
type cpItem struct {
	lines   *[]byte // lines written, to append; returned to linesPool
	rotated string  // a file rotated: sign, with the tree's state
	sign    bool    // sign a checkpoint of the tree
}

// cpQueue bounds the items waiting for the checkpointer: past it, the
// writer waits, so that no line is left out of the tree.
const cpQueue = 64

// linesPool recycles the copies of the lines handed to the checkpointer.
var linesPool = sync.Pool{New: func() any { return new([]byte) }}

// openCheckpoints opens the checkpoints file of the journal in dir,
// checks the checkpoints in it, resumes the tree of the journal from
// them, and starts the checkpointer. A checkpoints file whose first
// checkpoint is not signed by the key is refused (the key is not the
// log's); a later one that is not is reported, and the ones before it
// used. A journal that does not match its checkpoints (lines cut from
// the end or changed) is reported, and the tree goes on from the lines
// on disk: export.CheckEvidence names what is wrong.
func (l *Logger) openCheckpoints(dir string) (*checkpointer, error) {
	o := l.opts.Journal.Checkpoints
	log, torn, err := export.OpenCheckpointLog(dir)
	if err != nil {
		return nil, err
	}
	if torn > 0 {
		l.report(fmt.Errorf("auditlog: checkpoints: cut off a torn last entry of %d bytes (a write cut short by a crash)", torn))
	}
	signed, err := export.ReadCheckpoints(dir, o.Verifier)
	if err != nil {
		if len(signed) == 0 && (errors.Is(err, export.ErrNotSigned) || errors.Is(err, export.ErrWrongOrigin)) {
			_ = log.Close() // refused: the error says why
			return nil, fmt.Errorf("%w: Journal.Checkpoints.Signer: the checkpoints in %s are not signed by its key (%s+%08x): %w",
				ErrInvalidOptions, dir, o.Signer.Name(), o.Signer.KeyHash(), err)
		}
		l.report(fmt.Errorf("auditlog: checkpoints: %w; going on from the %d before it", err, len(signed)))
	}
	cps := make([]export.Checkpoint, len(signed))
	for i, s := range signed {
		cps[i] = s.Checkpoint
	}
	tree, err := export.ResumeTree(dir, cps)
	if tree == nil {
		_ = log.Close() // the tree cannot be built: the error says why
		return nil, fmt.Errorf("auditlog: checkpoints: %w", err)
	}
	if err != nil {
		l.report(fmt.Errorf("auditlog: checkpoints: %w: %w", ErrChainBroken, err))
	}
	c := &checkpointer{opts: o, tree: tree, log: log, lines: tree.Size(), signedAt: time.Now(),
		in: make(chan cpItem, cpQueue), done: make(chan struct{})}
	if n := len(signed); n > 0 {
		last := signed[n-1].Checkpoint
		c.latest = export.Checkpoint{Origin: last.Origin, Size: last.Size, Root: last.Root}
		if last.Size <= tree.Size() {
			c.signedSize = last.Size
		}
		if info, err := last.Info(); err == nil && !info.Time.IsZero() {
			c.signedAt = info.Time
		}
	} else {
		c.latest = export.Checkpoint{Origin: o.Signer.Name(), Root: export.NewTree().Root()}
	}
	if o.Publish != nil {
		c.pub = make(chan export.SignedCheckpoint, checkpointQueue)
		c.pubDone = make(chan struct{})
		c.pubCtx, c.pubCancel = context.WithCancel(context.Background())
		go l.publishCheckpoints(c)
	}
	go l.runCheckpointer(c)
	return c, nil
}

// linesWritten hands the lines just written to the checkpointer (the
// journal's OnWrite, in the writer goroutine).
func (l *Logger) linesWritten(lines []byte) {
	c := l.w.cp
	buf := linesPool.Get().(*[]byte)
	*buf = append((*buf)[:0], lines...)
	c.lines += uint64(bytes.Count(lines, []byte{'\n'}))
	c.in <- cpItem{lines: buf}
}

// rotated asks the checkpointer for the checkpoint of a rotation: the
// tree through the last line of the file just rotated (and fsynced),
// with its state, so that readers can go on from it once retention
// removes the file (the journal's OnRotate, in the writer goroutine).
func (l *Logger) rotated(name string) {
	c := l.w.cp
	// The rename on disk before a checkpoint names the file: else a
	// machine crash could leave its lines under the current file's name.
	if err := export.SyncDir(l.opts.Journal.Dir); err != nil {
		l.report(fmt.Errorf("auditlog: checkpoints: no checkpoint of the rotation to %s: %w", name, err))
		return
	}
	c.in <- cpItem{rotated: name}
	c.signedSize, c.signedAt = c.lines, time.Now()
}

// checkpoint asks for a checkpoint of the tree when one is due, once
// the lines it covers are fsynced: it is called after the writer's
// fsyncs, and signs nothing while lines written since the last fsync
// wait for the next one (so a checkpoint never costs an fsync of its
// own). force, at Close, fsyncs first and signs whenever lines were
// written since the last checkpoint.
func (l *Logger) checkpoint(now time.Time, force bool) {
	c := l.w.cp
	if c == nil || c.lines == c.signedSize {
		return
	}
	if !force && c.lines-c.signedSize < uint64(c.opts.Every) && now.Sub(c.signedAt) < c.opts.Interval {
		return
	}
	if l.w.dirty {
		if !force {
			return // at the next fsync
		}
		if err := l.syncJournal(); err != nil || c.lines == c.signedSize {
			return // counted and reported; or signed after the fsync
		}
	}
	c.in <- cpItem{sign: true}
	c.signedSize, c.signedAt = c.lines, now
}

// runCheckpointer is the checkpointer's goroutine.
func (l *Logger) runCheckpointer(c *checkpointer) {
	defer close(c.done)
	for it := range c.in {
		switch {
		case it.lines != nil:
			c.tree.AppendLines(*it.lines)
			if cap(*it.lines) <= 1<<20 {
				linesPool.Put(it.lines)
			}
		case it.rotated != "":
			st := c.tree.State()
			l.signOrReport(c, st.Size, c.tree.Root(), export.CheckpointInfo{File: it.rotated, Range: st.Hashes})
		case it.sign:
			l.signOrReport(c, c.tree.Size(), c.tree.Root(), export.CheckpointInfo{})
		}
	}
}

// signOrReport signs, and reports a failure.
func (l *Logger) signOrReport(c *checkpointer, size uint64, root []byte, info export.CheckpointInfo) {
	if err := l.sign(c, size, root, info); err != nil {
		l.report(err)
	}
}

// sign signs a checkpoint of the tree at size with root and the info,
// appends it to the checkpoints file and queues it for Publish.
func (l *Logger) sign(c *checkpointer, size uint64, root []byte, info export.CheckpointInfo) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	info.Time = time.Now()
	cp := export.Checkpoint{Origin: c.opts.Signer.Name(), Size: size, Root: root, Extensions: info.Extensions()}
	msg, err := signCheckpoint(cp, c.opts.Signer)
	if err == nil {
		err = c.log.Append(msg)
	}
	if err != nil {
		return fmt.Errorf("auditlog: checkpoints: %w", err)
	}
	c.latest = export.Checkpoint{Origin: cp.Origin, Size: size, Root: root}
	if c.pub != nil {
		select {
		case c.pub <- export.SignedCheckpoint{Checkpoint: cp, Note: msg}:
		default:
			l.report(fmt.Errorf("auditlog: checkpoints: %d checkpoints wait for Publish: the checkpoint of %d lines is not given to it (it is in the checkpoints file)", checkpointQueue, size))
		}
	}
	return nil
}

// signCheckpoint is export.SignCheckpoint, turning a panic of the
// application's Signer into an error.
func signCheckpoint(cp export.Checkpoint, s note.Signer) (msg []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("the Signer panicked: %v", r)
		}
	}()
	return export.SignCheckpoint(cp, s)
}

// recordRemoval signs, before retention removes the rotated file f, a
// checkpoint that records it, so that its absence is not taken for
// tampering. It runs in the journal's housekeeping goroutine. It reports
// whether to keep the file: when the record cannot be written.
func (l *Logger) recordRemoval(f export.JournalFile) (keep bool) {
	c := l.w.cp
	c.mu.Lock()
	latest := c.latest
	c.mu.Unlock()
	name := filepath.Base(f.Path)
	if f.Gzip {
		name = name[:len(name)-len(".gz")]
	}
	if err := l.sign(c, latest.Size, latest.Root, export.CheckpointInfo{Removed: name}); err != nil {
		l.report(fmt.Errorf("%w; retention keeps %s", err, f.Path))
		return true
	}
	return false
}

// stopCheckpointer waits, at Close, for the checkpointer to append what
// it was given and sign what it was asked to.
func (l *Logger) stopCheckpointer() {
	if c := l.w.cp; c != nil {
		close(c.in)
		<-c.done
	}
}

// publishCheckpoints gives the checkpoints to Publish, one at a time.
func (l *Logger) publishCheckpoints(c *checkpointer) {
	defer close(c.pubDone)
	for sc := range c.pub {
		if err := callPublish(c.pubCtx, c.opts.Publish, sc); err != nil {
			l.report(fmt.Errorf("auditlog: checkpoints: publishing the checkpoint of %d lines: %w", sc.Size, err))
		}
	}
}

// callPublish calls publish, turning a panic into an error.
func callPublish(ctx context.Context, publish func(context.Context, export.SignedCheckpoint) error, sc export.SignedCheckpoint) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("Publish panicked: %v", r)
		}
	}()
	return publish(ctx, sc)
}

// closeCheckpoints closes the checkpoints file, once the journal is
// closed, and waits for Publish at most the delivery's CloseTimeout.
func (l *Logger) closeCheckpoints() {
	c := l.w.cp
	if c == nil {
		return
	}
	c.mu.Lock()
	if err := c.log.Close(); err != nil {
		l.report(err)
	}
	c.mu.Unlock()
	if c.pub == nil {
		return
	}
	close(c.pub)
	t := time.NewTimer(max(l.opts.Delivery.CloseTimeout, 0))
	defer t.Stop()
	select {
	case <-c.pubDone:
	case <-t.C:
		c.pubCancel()
		l.report(errors.New("auditlog: checkpoints: Close did not wait for Publish to finish: its context is cancelled"))
	}
	c.pubCancel()
}
