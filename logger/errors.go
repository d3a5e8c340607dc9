package logger

import "errors"

var (
	// ErrClosed is returned by Log and LogBatch after Close.
	ErrClosed = errors.New("auditlog: logger closed")

	// ErrDropped is returned by Log and LogBatch in drop mode
	// (Options.DropWhenFull) when the queue has no room. The event is
	// counted in Stats.Dropped.
	ErrDropped = errors.New("auditlog: queue full, event dropped")

	// ErrFull is returned by Log and LogBatch in no-rotation mode
	// (Options.NoRotation) when the ring has no room left. It is decided
	// when Log is called, never after the fact; the event is counted in
	// Stats.Rejected.
	ErrFull = errors.New("auditlog: ring full and rotation disabled")

	// ErrInvalidEvent is returned, wrapped with the reason, by Log and
	// LogBatch for an event the logger cannot accept: an empty or
	// malformed operation, an unknown status, a negative duration, a time
	// outside the years 1678 to 2262.
	ErrInvalidEvent = errors.New("auditlog: invalid event")

	// ErrChainBroken is reported, wrapped with the file and line, to
	// Options.ErrorHandler when JournalOptions.Recover reads a journal
	// line that does not verify (its content does not match its hash,
	// with HashKey when set, or it is not chained), which is not
	// recovered, or a line that does not chain to the line before it.
	ErrChainBroken = errors.New("auditlog: journal: hash chain broken")

	// ErrInvalidOptions is returned, wrapped with the reason, by New for
	// options it cannot honour.
	ErrInvalidOptions = errors.New("auditlog: invalid options")

	// ErrInvalidOperation is returned, wrapped, by ParseOperation.
	ErrInvalidOperation = errors.New("auditlog: invalid operation")

	// ErrInvalidStatus is returned, wrapped, by ParseStatus.
	ErrInvalidStatus = errors.New("auditlog: invalid status")

	// ErrUndeliverable is for a Sink's Write to wrap when trying the same
	// events again cannot succeed (a receiver that refuses the request as
	// malformed or too large): the logger then gives the batch up for
	// that sink, counts it in SinkStats.Dropped, reports it to
	// ErrorHandler, and goes on with the next events. Any other error
	// makes the logger try the same events again.
	ErrUndeliverable = errors.New("auditlog: events refused for good")
)
