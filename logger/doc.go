// Package logger is an in-process, asynchronous audit logger: who did
// what, to which record, when, and whether it worked.
//
// A call to [Logger.Log] checks the event, stamps its time and hands it to
// a bounded queue; it does no I/O and allocates nothing. Two goroutines
// do everything else, a batch apart, each owning its part: the writer
// assigns each event a sequence number and a UUIDv7, encodes the fields
// that are not indexed to JSON once and writes the journal; the applier
// inserts whole batches into a ring of the last [Options.MaxEvents]
// events, its indexes and the running statistics, under one write lock
// per batch.
//
// # Reading
//
// [Logger.Query] and [Logger.Count] select events with a [Filter];
// [Logger.Statistics] and [Logger.UserStatistics] read counters kept as
// events arrive. All of them see every event whose Log returned before
// they were called (read-your-writes): when the writer is behind, they
// wait for it through the queue, never by sleeping.
//
// # Back-pressure and loss
//
// By default Log waits while the queue is full, for as long as its
// context allows. [Options.DropWhenFull] makes it return [ErrDropped] at
// once instead; [Options.NoRotation] makes it return [ErrFull] once the
// ring is full, instead of evicting the oldest event. Every event Log
// refuses is counted ([Stats.Dropped], [Stats.Rejected]); every event it
// accepts is applied, and [Stats.TotalEvents] counts it.
//
// # Masking
//
// Secrets never reach memory, the journal or the mirror: before an event
// is stored, the writer replaces every value under a sensitive key
// ("password", "api_key", "Authorization", "Set-Cookie", ...) in its
// Metadata, states, Changes and request query string with [Redacted], or
// with a keyed hash in HMAC mode, at any depth. Keys are matched by their
// words in any style, so "apiKey" and "X-Api-Key" are masked and
// "keyboard" is not. See [MaskOptions]; [Options.Mask] configures it, and
// turning it off is spelled InsecureDisable.
//
// # Sinks
//
// [Options.Sinks] deliver every event, as stored, to stores (packages
// store/sqlite, store/file, store/postgres) and exporters (package
// sink/otlp), each from a goroutine of its own, so that a slow or stuck
// sink holds up nothing: with a journal, each sink follows the journal
// from a cursor it keeps on disk, at least once, in seq order, and
// catches up after a restart; without one, each has a bounded buffer
// whose drops are counted. [Stats.Sinks] shows each sink's progress;
// [Logger.FlushSinks] waits for them. [Options.Mirror] is a sink too: it
// sends every event to a *slog.Logger, a console audit trail for
// development, with the context of its Log call. See [Sink] and
// [DeliveryOptions].
//
// Every event carries the instance that logged it ([Options.Source],
// [Event.Source]), so that one store can hold the trail of many.
//
// # In application code
//
// [WithActor] and [WithRun] put the user and the run in a context, and
// Log fills an event's empty fields from it. [Logger.Track] audits a
// function call, [Logger.Begin] a span of code that ends with
// [Span.End], and [Logger.LogChange] a change found by [Diff]. Package
// httpaudit audits HTTP requests, and package audittest records events
// for a user's own tests.
//
// # Health
//
// [Logger.Health] says how the logger is doing now, without waiting for
// the writer: ok; degraded while a sink lags, the queue is nearly full,
// or events were dropped or rejected within [HealthOptions.Window];
// failing while the journal cannot be written or after Close. Each
// condition is one [HealthReason], gone once it ends. Thresholds are in
// [Options.Health].
//
// # Failure isolation
//
// No panic reaches the caller. A value in an event that cannot be encoded
// (NaN, a channel, a cycle, a value nested more than 32 levels deep, a
// MarshalJSON that fails or panics) is replaced by a string saying so; the event is kept and notes the problem
// in Metadata under "auditlog_encode_errors"; [Options.ErrorHandler]
// hears of it. A panic in ErrorHandler or in the mirror's handler is
// contained. Track, Span and the HTTP middleware never fail the operation
// they audit because auditing failed. What one event costs is bounded by
// [Options.MaxEventBytes], whatever values it holds.
//
// # Journal
//
// With [Options.Journal] set, the writer also appends every event, as one
// line of JSON with a hash chain, to a rotating journal on disk (package
// export) before the event enters the ring; the ring is then a cache of
// the journal. [Logger.Sync] returns once everything accepted before it
// is fsynced. While the journal cannot be written the events are kept
// and retried, an event not yet written is never evicted (but by a
// LogBatch larger than the ring), and when such events fill the ring Log
// feels it as a full queue; the read methods then answer at once from the
// events applied, without waiting for the queue. With
// [JournalOptions.Recover], New reads the journal back. With
// [JournalOptions.Checkpoints], a goroutine of its own keeps the Merkle
// tree of the journal's lines and signs checkpoints of it
// ([CheckpointOptions]), against which export.CheckEvidence finds lines
// cut from the end, a rewritten history and files removed by hand, and
// export.ProveInclusion proves one event to a third party. See
// [JournalOptions].
//
// # Shutdown
//
// [Logger.Close] stops accepting events, applies every queued one, writes
// and fsyncs the journal, and stops both goroutines; calling it
// twice is fine. [Logger.Flush] waits until every event accepted before
// it has been applied and written.
package logger
