package compare

import (
	"context"
	"io"
	"log/slog"
	"time"

	"github.com/google/uuid"
	"github.com/rs/zerolog"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/auditlog/auditlog/logger"
)

// Peer is a logging library a user might pick instead of auditlog to
// record audit events: it writes each event as one JSON line,
// synchronously, before the call returns.
//
// Every peer writes the same fields, the ones auditlog's journal keeps
// for the workload's events: event_id (a fresh UUIDv7, since there is no
// writer goroutine to assign it later), timestamp (RFC 3339 with
// nanoseconds), operation, status, user_id, session_id, entry_ids,
// metadata (an object) and duration_ms, plus the library's own level and
// message (and slog's and zap's time of the call).
type Peer struct {
	// Name is "slog", "zap" or "zerolog".
	Name string
	// New returns a function that writes one event to w. The function is
	// safe for concurrent use when w is.
	New func(w io.Writer) func(ev *logger.Event)
}

// Peers are the three logging libraries, each set up as a competent user
// would for an audit trail:
//
//   - slog: log/slog's JSON handler, LogAttrs with typed attributes;
//   - zap: a core with the production JSON encoder config (times as
//     RFC 3339 with nanoseconds), without the sampler (an audit trail must
//     not sample) and without caller annotation, typed fields, zap.Any for
//     the metadata map;
//   - zerolog: typed fields, the metadata map as a nested dictionary,
//     times with nanoseconds (zerolog.TimeFieldFormat, set by this
//     package).
var Peers = []Peer{
	{Name: "slog", New: newSlog},
	{Name: "zap", New: newZap},
	{Name: "zerolog", New: newZerolog},
}

func newSlog(w io.Writer) func(ev *logger.Event) {
	log := slog.New(slog.NewJSONHandler(w, nil))
	ctx := context.Background()
	return func(ev *logger.Event) {
		log.LogAttrs(ctx, slog.LevelInfo, "audit",
			slog.String("event_id", uuid.Must(uuid.NewV7()).String()),
			slog.Time("timestamp", ev.Time),
			slog.String("operation", string(ev.Operation)),
			slog.String("status", string(ev.Status)),
			slog.String("user_id", ev.UserID),
			slog.String("session_id", ev.SessionID),
			slog.Any("entry_ids", ev.EntryIDs),
			slog.Any("metadata", ev.Metadata),
			slog.Float64("duration_ms", durationMs(ev.Duration)),
		)
	}
}

func newZap(w io.Writer) func(ev *logger.Event) {
	cfg := zap.NewProductionEncoderConfig()
	cfg.EncodeTime = zapcore.RFC3339NanoTimeEncoder
	enc := zapcore.NewJSONEncoder(cfg)
	log := zap.New(zapcore.NewCore(enc, zapcore.AddSync(w), zapcore.InfoLevel))
	return func(ev *logger.Event) {
		log.Info("audit",
			zap.String("event_id", uuid.Must(uuid.NewV7()).String()),
			zap.Time("timestamp", ev.Time),
			zap.String("operation", string(ev.Operation)),
			zap.String("status", string(ev.Status)),
			zap.String("user_id", ev.UserID),
			zap.String("session_id", ev.SessionID),
			zap.Strings("entry_ids", ev.EntryIDs),
			zap.Any("metadata", ev.Metadata),
			zap.Float64("duration_ms", durationMs(ev.Duration)),
		)
	}
}

// zerolog's time format is global: set it once, to RFC 3339 with
// nanoseconds, as an audit trail needs (its default drops the fraction).
func init() { zerolog.TimeFieldFormat = time.RFC3339Nano }

func newZerolog(w io.Writer) func(ev *logger.Event) {
	log := zerolog.New(w)
	return func(ev *logger.Event) {
		log.Info().
			Str("event_id", uuid.Must(uuid.NewV7()).String()).
			Time("timestamp", ev.Time).
			Str("operation", string(ev.Operation)).
			Str("status", string(ev.Status)).
			Str("user_id", ev.UserID).
			Str("session_id", ev.SessionID).
			Strs("entry_ids", ev.EntryIDs).
			Dict("metadata", zerolog.Dict().Fields(ev.Metadata)).
			Float64("duration_ms", durationMs(ev.Duration)).
			Msg("audit")
	}
}

// durationMs is d in float milliseconds, as the journal's duration_ms.
func durationMs(d time.Duration) float64 { return float64(d) / 1e6 }
