package logger

import (
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"time"

	"github.com/auditlog/auditlog/stats"
)

// Defaults for the zero fields of Options.
const (
	// DefaultMaxEvents is how many events the ring keeps when
	// Options.MaxEvents is 0.
	DefaultMaxEvents = 10_000
	// DefaultQueueSize is the queue's capacity when Options.QueueSize is
	// 0: enough for a burst of a few milliseconds of the writer's work,
	// about 2 MB of memory.
	DefaultQueueSize = 4096
	// DefaultMaxUsers is how many of the most active users keep their
	// counters, besides those with events in memory, when
	// Options.MaxUsers is 0: 10,000.
	DefaultMaxUsers = stats.DefaultMaxUsers
)

// Options configure a Logger. The zero value is the safe default: keep
// the last 10,000 events, block the caller while the queue is full, evict
// the oldest event when the ring is full. Options are read once, by New.
type Options struct {
	// MaxEvents is how many events the ring keeps in memory, indexed for
	// Query. Default DefaultMaxEvents. Memory grows with it: see
	// BENCHMARKS.md for the bytes held per event.
	MaxEvents int

	// MaxUsers bounds the per-user counters that UserStatistics reads,
	// whatever the number of distinct user ids the events carry (a login
	// endpoint that logs the names it is sent must not grow the logger
	// without end). Default DefaultMaxUsers.
	//
	// A user with an event in memory always keeps its counters. When
	// 2 × MaxUsers users have counters, the next new user folds every
	// user that has no event in memory and is not among the MaxUsers most
	// active of those (by number of events counted); this happens again
	// when twice as many users as the fold left have counters. A folded
	// user's events stay in every total (Stats.TotalEvents, ByOperation,
	// ByStatus, the durations) and are counted in Stats.FoldedEvents;
	// UserStatistics answers the zero value for it, as for an unknown
	// user, until it comes back (see UserStats.Partial). So at most
	// 2 × (MaxUsers + MaxEvents) users have counters (see BENCHMARKS.md
	// for the bytes each costs), and a user never loses its counters
	// while it has an event in memory or is among the MaxUsers most
	// active users.
	MaxUsers int

	// QueueSize is how many events (or batches) may wait between Log and
	// the writer goroutine. Default DefaultQueueSize. Each slot costs
	// about 500 bytes, allocated by New.
	QueueSize int

	// DropWhenFull makes Log return ErrDropped at once when the queue is
	// full, instead of waiting for room. Every drop is counted in
	// Stats.Dropped. Off by default: an audit trail should not lose
	// events to a burst.
	DropWhenFull bool

	// NoRotation makes Log return ErrFull once MaxEvents events have been
	// accepted, instead of evicting the oldest event from the ring. The
	// decision is made in Log, never after the fact.
	NoRotation bool

	// ErrorHandler, if set, is called with every background failure (an
	// event that could not be encoded as given, a failed journal write),
	// usually from the writer goroutine; also from New's goroutine during
	// recovery, from the journal's compression goroutine, from each
	// sink's goroutine (a failed Write, a buffer full), and from a
	// reader's goroutine if a stored event cannot be read back. It may be called from several goroutines at
	// once. It must not block for long: the writer waits for it. It must
	// not call the Logger's methods, which may wait for the writer it is
	// holding up. A panic in it is recovered.
	ErrorHandler func(error)

	// Source names this instance in every event it logs (Event.Source,
	// journal key "source"), so that a store shared by many instances
	// tells their events apart: Filter.Source selects them, and events of
	// several instances are ordered by time, then source, then seq.
	// Default DefaultSource(): the host name, the program's name and the
	// process ID, as in "web-1/agentd[4121]". At most 256 bytes of
	// printable UTF-8.
	Source string

	// Now is the clock, for tests. Default time.Now.
	Now func() time.Time

	// Journal, when set, writes every accepted event to a durable JSON
	// Lines journal before it enters the ring. Nil keeps events in memory
	// only. See JournalOptions.
	Journal *JournalOptions

	// MaxEventBytes caps the encoded size of one event (its journal
	// line). An event above it is cut down, largest free-form values
	// first, and marked in Metadata["auditlog_truncated"]; ErrorHandler
	// hears of it. Default DefaultMaxEventBytes (256 KiB); at least 4 KiB,
	// and no more than the journal's file size.
	//
	// It also bounds what an event costs the writer, whatever its values
	// hold: encoding stops as soon as the event passes MaxEventBytes, or
	// has visited more than a million values, before a long string is
	// copied or a large slice or map is walked, and the event is then cut
	// down as above. Values of any type (maps, slices, structs, pointers,
	// a MarshalJSON's output) nested more than 32 levels deep are replaced
	// by a "!BADVALUE" string, with the problem noted in
	// Metadata["auditlog_encode_errors"], so every line written can be
	// read back.
	MaxEventBytes int

	// Mask configures the masking of secrets, on by default: values under
	// keys such as "password", "api_key" or "Authorization" are stored as
	// Redacted. See MaskOptions.
	Mask MaskOptions

	// Mirror, when set, also receives every event, as stored (masked): a
	// console audit trail for development, as with
	// slog.New(slog.NewTextHandler(os.Stderr, nil)). Each event is one
	// record with the message MirrorMessage, the event's time, level Info
	// for SUCCESS and Warn otherwise, and the event's fields as attributes
	// under the journal's keys. The handler gets the context of the Log
	// call, without its cancellation, so that a handler that reads the
	// caller's trace from it (an OpenTelemetry bridge) sees it. The Mirror
	// is a sink (named MirrorSinkName in Stats.Sinks) with a buffer of
	// its own, even with a journal: a slow handler never holds up Log; a
	// handler's error or panic goes to ErrorHandler and is not retried.
	Mirror *slog.Logger

	// Sinks receive every event, as stored (masked, with its ID, Seq,
	// Source and Time), a batch at a time, in seq order: stores (see
	// Store, and packages store/sqlite, store/file, store/postgres),
	// exporters (package sink/otlp). The key names the sink: 1 to 64
	// letters, digits, '.', '_' or '-'.
	//
	// Each sink has a goroutine of its own, so that a slow, failing or
	// stuck sink holds up nothing else: Log, Flush, Query, Count and
	// Statistics never wait for a sink, and a sink's progress and errors
	// are in Stats.Sinks. A Write that fails (an error or a panic) is
	// reported to ErrorHandler and tried again with the same events,
	// after a wait that grows (see DeliveryOptions).
	//
	// With a journal, the journal is the sinks' spool: each sink reads it
	// at its own pace, across rotations and compressed files, from a
	// cursor it keeps in the journal's folder (sink-<name>.cursor, saved
	// and fsynced after each batch the sink takes). A sink that was down
	// catches up from its cursor after the next New; a new sink starts at
	// the oldest event in the journal. Delivery is at least once: after a
	// crash, the events after the last saved cursor are handed over
	// again. Without a journal, each sink has a bounded buffer (see
	// DeliveryOptions.BufferSize) whose drops are counted.
	//
	// Close gives the sinks DeliveryOptions.CloseTimeout to take what
	// they have not taken, then cancels their context. FlushSinks waits
	// for them. The logger does not close the sinks: close them after
	// the logger. A sink's Write must not call the Logger's methods but
	// the read methods (Query, Count, Statistics).
	Sinks map[string]Sink

	// Stores are sinks, each named "store-<i>" after its index, as if in
	// Sinks (see Sinks): keep the order of Stores from one start to the
	// next, or move them to Sinks under names of their own.
	Stores []Store

	// Delivery tunes the sinks' batches, buffers, retries and Close. See
	// DeliveryOptions.
	Delivery DeliveryOptions

	// Health sets when Logger.Health calls the logger degraded: how far
	// behind a sink may be, how full the queue, over what window drops
	// and rejections count. See HealthOptions.
	Health HealthOptions
}

// maxBatch is how many queued items, and about how many events, the
// writer takes at once: it stops taking once it holds maxBatch events, so
// that the applier holds the write lock for a bounded time (a LogBatch
// larger than that is still applied whole).
const maxBatch = 512

func (o Options) withDefaults() (Options, error) {
	if o.MaxEvents < 0 {
		return o, fmt.Errorf("%w: MaxEvents %d is negative", ErrInvalidOptions, o.MaxEvents)
	}
	if o.QueueSize < 0 {
		return o, fmt.Errorf("%w: QueueSize %d is negative", ErrInvalidOptions, o.QueueSize)
	}
	if o.MaxUsers < 0 {
		return o, fmt.Errorf("%w: MaxUsers %d is negative", ErrInvalidOptions, o.MaxUsers)
	}
	const limit = 1 << 30
	if o.MaxEvents > limit {
		return o, fmt.Errorf("%w: MaxEvents %d is above %d", ErrInvalidOptions, o.MaxEvents, limit)
	}
	if o.MaxUsers > limit {
		return o, fmt.Errorf("%w: MaxUsers %d is above %d", ErrInvalidOptions, o.MaxUsers, limit)
	}
	if o.QueueSize > 1<<24 {
		return o, fmt.Errorf("%w: QueueSize %d is above %d", ErrInvalidOptions, o.QueueSize, 1<<24)
	}
	if o.MaxEventBytes < 0 || o.MaxEventBytes > 0 && o.MaxEventBytes < minMaxEventBytes {
		return o, fmt.Errorf("%w: MaxEventBytes %d is below %d", ErrInvalidOptions, o.MaxEventBytes, minMaxEventBytes)
	}
	o.Stores = slices.Clone(o.Stores)
	o.Sinks = maps.Clone(o.Sinks)
	if _, _, err := o.namedSinks(); err != nil {
		return o, err
	}
	if err := o.Delivery.withDefaults(); err != nil {
		return o, err
	}
	if err := o.Health.withDefaults(); err != nil {
		return o, err
	}
	if o.MaxEventBytes == 0 {
		o.MaxEventBytes = DefaultMaxEventBytes
	}
	if o.Journal != nil {
		jo := *o.Journal // Options are read once: later changes to the caller's struct do nothing
		if jo.HashKey != nil {
			jo.HashKey = append(make([]byte, 0, len(jo.HashKey)), jo.HashKey...)
		}
		o.Journal = &jo
		if err := o.Journal.check(o.MaxEventBytes); err != nil {
			return o, err
		}
		if err := o.Journal.Checkpoints.check(); err != nil {
			return o, err
		}
		if o.Journal.SyncInterval == 0 {
			o.Journal.SyncInterval = DefaultSyncInterval
		}
	}
	if o.MaxEvents == 0 {
		o.MaxEvents = DefaultMaxEvents
	}
	if o.QueueSize == 0 {
		o.QueueSize = DefaultQueueSize
	}
	if o.MaxUsers == 0 {
		o.MaxUsers = DefaultMaxUsers
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Source == "" {
		o.Source = DefaultSource()
	}
	if err := checkSource(o.Source); err != nil {
		return o, err
	}
	return o, nil
}
