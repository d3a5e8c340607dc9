package logger

import (
	"errors"
	"fmt"
	"time"

	"github.com/auditlog/auditlog/export"
)

// Defaults of JournalOptions and Options.MaxEventBytes.
const (
	// DefaultSyncInterval is how often the writer fsyncs the journal when
	// JournalOptions.SyncInterval is 0.
	DefaultSyncInterval = time.Second
	// DefaultMaxEventBytes caps an event's journal line when
	// Options.MaxEventBytes is 0.
	DefaultMaxEventBytes = 256 << 10
	// minMaxEventBytes is the smallest cap New accepts: room for the
	// indexed fields and the chain's keys.
	minMaxEventBytes = 4 << 10
)

// JournalOptions turn on the durable journal: every accepted event is
// appended, as one line of JSON, to audit.jsonl in Dir, before it enters
// the ring. Rotated files keep lumberjack's names
// (audit-2026-01-15T10-30-45.000.jsonl, .gz when compressed); each is a
// complete JSON Lines export of the events in it. A line holds the keys
// of Event.MarshalJSON, the indexed fields first (event_id, seq,
// timestamp, operation, status, ...) so that the other values are encoded
// once for the ring and the journal, then chain (how the line is
// chained: "sha256", or "hmac-sha256" with HashKey), prev_hash and hash;
// readers must not depend on the order of keys. See package export for the hash
// chain and the readers.
//
// The journal never follows a symbolic link in Dir, and nothing outside
// Dir is opened, written, renamed or removed: an audit.jsonl that is a
// link, a FIFO or a device (export.ErrNotRegular), or a hard link
// (export.ErrHardLinked), is refused with an error naming it, by New or,
// when put there later, on the next write; an entry of a rotated file's
// name that is a link, a FIFO or a device is refused by New and the
// readers, and left alone and reported while the journal runs.
type JournalOptions struct {
	// Dir is the journal's folder, created 0700 when missing; files are
	// created 0600. An existing folder that is writable by its group or
	// by others is refused by New with an error naming it (wrapping
	// export.ErrUnsafeDir), since anyone who can write into it could
	// plant files there: chmod go-w it, or choose another. Required.
	Dir string
	// MaxSizeMB rotates the current file before it would reach this many
	// megabytes. Default 100.
	MaxSizeMB int
	// MaxBackups is how many rotated files to keep, the newest by the
	// times in their names; 0 keeps all (unless MaxAge removes them). A
	// rotated file named after the current time (planted, or rotated
	// while the clock ran ahead) is kept, not counted, and reported to
	// Options.ErrorHandler.
	MaxBackups int
	// MaxAge removes rotated files older than this, by the times in their
	// names. 0 keeps them regardless of age.
	MaxAge time.Duration
	// Compress gzips rotated files.
	Compress bool
	// RotateEvery also rotates the current file once it is this old and
	// holds an event. 0 rotates by size only.
	RotateEvery time.Duration
	// SyncInterval is how often the writer fsyncs the journal. Default
	// DefaultSyncInterval (1s). A negative value fsyncs after every batch
	// the writer takes, which costs about a disk flush per batch.
	//
	// What a crash costs: an event is handed to the operating system as
	// soon as the writer takes it, so a crash of the process loses
	// nothing that Log accepted and the writer reached. A crash of the
	// machine (power, kernel) may lose what was written since the last
	// fsync: at most SyncInterval of events. Logger.Sync fsyncs on demand
	// and returns once everything accepted before it is on disk.
	SyncInterval time.Duration
	// HashKey keys the hash chain: nil chains lines with SHA-256, a key
	// with HMAC-SHA256. Only a keyed chain, whose key is kept away from
	// the journal, shows deliberate tampering; see export.Chain. Each
	// line says how it is chained ("chain":"hmac-sha256" or "sha256"):
	// New refuses (ErrInvalidOptions) to go on with a keyed journal
	// without HashKey, or with a SHA-256 one with it, which would leave a
	// journal no single key verifies; start a new journal in another
	// folder to change.
	HashKey []byte
	// Checkpoints turns on signed checkpoints of the journal: see
	// CheckpointOptions. Off unless Checkpoints.Signer is set.
	Checkpoints CheckpointOptions
	// NoChain leaves prev_hash and hash out of the lines.
	NoChain bool
	// Recover reads the journal back when New starts: the newest
	// MaxEvents events refill the ring and the statistics are rebuilt
	// from every event in the files still on disk. With or without it,
	// new events go on above the highest seq New reads: every line with
	// Recover; without, every line of the current file and the last line
	// of each rotated one (the journal writes each file above every seq
	// before it, and keeps a compressed file's last line in its gzip
	// header), so that starting does not read the whole journal. See New.
	//
	// Recover checks the chain of what it reads back (with HashKey when
	// set): a line whose content does not match its hash (edited, or
	// added by someone without the key), or that is not chained, is not
	// recovered (neither in the ring nor in the statistics) and is
	// reported to ErrorHandler, naming its file and line (wrapping
	// ErrChainBroken), and counted in Stats.Failed; a line that matches
	// its hash but does not follow the line before it (lines removed,
	// inserted or reordered) is recovered, reported and counted. When no
	// line matches its hash with HashKey, the key is not the journal's:
	// New refuses it. Without Recover, New checks the hash of the line
	// it goes on from, and reports a mismatch.
	Recover bool
}

func (o *JournalOptions) exportOptions(onError func(error), keep func(export.JournalFile) bool) export.JournalOptions {
	return export.JournalOptions{
		Dir: o.Dir, MaxSizeMB: o.MaxSizeMB, MaxBackups: o.MaxBackups, MaxAge: o.MaxAge,
		Compress: o.Compress, RotateEvery: o.RotateEvery, OnError: onError, Keep: keep,
	}
}

func (o *JournalOptions) check(maxEventBytes int) error {
	switch {
	case o.Dir == "":
		return fmt.Errorf("%w: Journal.Dir is empty", ErrInvalidOptions)
	case o.MaxSizeMB < 0, o.MaxBackups < 0, o.MaxAge < 0, o.RotateEvery < 0:
		return fmt.Errorf("%w: Journal.MaxSizeMB, MaxBackups, MaxAge and RotateEvery must not be negative", ErrInvalidOptions)
	case o.HashKey != nil && len(o.HashKey) == 0:
		return fmt.Errorf("%w: Journal.HashKey is empty (nil chains with SHA-256; an HMAC key must not be empty)", ErrInvalidOptions)
	case o.MaxSizeMB > 1<<20:
		return fmt.Errorf("%w: Journal.MaxSizeMB %d is above %d", ErrInvalidOptions, o.MaxSizeMB, 1<<20)
	}
	size := o.MaxSizeMB
	if size == 0 {
		size = export.DefaultMaxSizeMB
	}
	if int64(maxEventBytes) >= int64(size)<<20 {
		return fmt.Errorf("%w: MaxEventBytes %d does not fit in a journal file of Journal.MaxSizeMB %d", ErrInvalidOptions, maxEventBytes, size)
	}
	return nil
}

// health is the journal's state as other goroutines see it: err is the
// last failure, nil while the journal is written, and since the time (by
// Options.Now) of the first failure of the outage; next is closed at the
// next failure, waking Sync calls that wait for a fresh answer, and cause
// is that failure, set before next is closed.
type health struct {
	err   error
	since time.Time
	next  chan struct{}
	cause error
}

// journalFailed records err as the journal's state, waking Sync callers,
// then reports it: the ErrorHandler sees Health as failing.
func (l *Logger) journalFailed(err error) {
	l.journalErrors.Add(1)
	h := l.health.Load()
	since := h.since
	if h.err == nil {
		since = l.opts.Now()
	}
	l.health.Store(&health{err: err, since: since, next: make(chan struct{})})
	h.cause = err
	close(h.next)
	l.report(err)
}

// journalHealed records that the journal is written again.
func (l *Logger) journalHealed() {
	if h := l.health.Load(); h.err != nil {
		l.health.Store(&health{next: h.next})
	}
}

// ErrJournal is returned, wrapped with the cause, by Sync and Close when
// the journal cannot be written; the events not yet written stay queued
// in memory and are retried (until Close gives up on them, counting them
// in Stats.Failed).
var ErrJournal = errors.New("auditlog: journal not written")

// writeOut hands the lines not yet in the journal to it, unless a
// failure asked to wait before the next try. On failure the lines are
// kept, to be retried; the failure is counted and reported.
func (l *Logger) writeOut() {
	if w := &l.w; w.retryIn > 0 && time.Now().Before(w.retryAt) {
		return
	}
	l.writeOutNow()
}

// writeOutNow is writeOut without waiting for the retry delay.
func (l *Logger) writeOutNow() {
	w := &l.w
	if w.j == nil {
		w.written = w.nextSeq - 1
		return
	}
	if len(w.outEnds) == 0 {
		return
	}
	defer func() { l.unwritten.Store(int64(w.unwritten())) }()
	n, err := w.j.Write(w.out)
	lines := 0
	for lines < len(w.outEnds) && w.outEnds[lines] <= n {
		lines++
	}
	if lines > 0 {
		w.written += uint64(lines)
		l.wakeSinks(w.written)
		copy(w.outEnds, w.outEnds[lines:])
		w.outEnds = w.outEnds[:len(w.outEnds)-lines]
		for i := range w.outEnds {
			w.outEnds[i] -= n
		}
		w.out = w.out[:copy(w.out, w.out[n:])]
		w.dirty = true
	}
	if err != nil {
		l.unwritten.Store(int64(w.unwritten())) // before the failure is heard of
		l.journalFailed(fmt.Errorf("%w: %w", ErrJournal, err))
		if w.retryIn == 0 {
			w.retryIn = minRetry
		} else {
			w.retryIn = min(2*w.retryIn, maxRetry)
		}
		w.retryAt = time.Now().Add(w.retryIn)
		return
	}
	w.retryIn = 0
	if len(w.out) == 0 && cap(w.out) > 4<<20 {
		w.out = nil // a long outage grew it: let it go
	}
	if l.w.syncEvery < 0 {
		l.syncJournal()
	}
	l.journalHealed()
}

// Retry delays of a failing journal: from minRetry, doubling to maxRetry.
const (
	minRetry = 5 * time.Millisecond
	maxRetry = time.Second
)

// syncJournal fsyncs the journal if anything was written since the last
// fsync, and returns the error (also counted and reported).
func (l *Logger) syncJournal() error {
	w := &l.w
	if w.j == nil {
		return nil
	}
	if err := w.j.Sync(); err != nil {
		err = fmt.Errorf("%w: %w", ErrJournal, err)
		l.journalFailed(err)
		return err
	}
	w.dirty = false
	w.lastSync = time.Now()
	if len(w.outEnds) == 0 {
		l.journalHealed()
	}
	l.checkpoint(w.lastSync, false) // what is due, now that the lines are on disk
	return nil
}

// retryNow retries a failing journal at once, for a Sync that wants a
// fresh answer.
func (l *Logger) retryNow() {
	l.retryJournal()
	l.releaseWaiters()
}

// retryJournal writes out and fsyncs a failing journal at once.
func (l *Logger) retryJournal() {
	w := &l.w
	if w.j == nil || l.health.Load().err == nil {
		return
	}
	l.writeOutNow()
	if len(w.outEnds) == 0 {
		_ = l.syncJournal() // counted and reported; Sync hears through health
	}
}

// tick runs the journal's timed work: retry, fsync, time-based rotation.
func (l *Logger) tick(now time.Time) {
	w := &l.w
	if len(w.outEnds) > 0 && !now.Before(w.retryAt) {
		l.writeOut()
	}
	if w.dirty && now.Sub(w.lastSync) >= w.syncEvery {
		_ = l.syncJournal() // counted and reported; retried on the next tick
	}
	l.checkpoint(now, false)
	if w.j.RotateDue(now) {
		if err := w.j.Rotate(); err != nil {
			l.journalFailed(fmt.Errorf("%w: %w", ErrJournal, err))
		}
	}
}
