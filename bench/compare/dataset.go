package compare

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/auditlog/auditlog/logger"
)

// Dataset holds the first n events of the workload in every form a
// contender for the query and the statistics reads: a slice, a logger
// whose ring holds all of them, a SQLite database, and the files the slog
// Peer wrote through lumberjack.
type Dataset struct {
	// Events are the events, in order.
	Events []logger.Event
	// Logger holds them all in memory (MaxEvents n, every index).
	Logger *logger.Logger
	// SQLite holds them in a table, inserted as the ingestion contender
	// inserts them.
	SQLite *SQLite
	// SlogDir is the folder of the slog Peer's JSON Lines files.
	SlogDir string
}

// NewDataset builds the dataset of the first n events, its files in dir.
// Close releases it.
func NewDataset(n int, dir string) (_ *Dataset, err error) {
	d := &Dataset{Events: Events(n), SlogDir: filepath.Join(dir, "slog")}
	defer func() {
		if err != nil {
			err = errors.Join(err, d.Close())
		}
	}()
	if d.Logger, err = logger.New(logger.Options{MaxEvents: n}); err != nil {
		return nil, err
	}
	if err := fill(d.Logger, d.Events); err != nil {
		return nil, err
	}
	if d.SQLite, err = OpenSQLite(filepath.Join(dir, "audit.db")); err != nil {
		return nil, err
	}
	for i := 0; i < n; i += SQLiteBatch {
		if err := d.SQLite.Insert(d.Events[i:min(i+SQLiteBatch, n)]); err != nil {
			return nil, err
		}
	}
	if err := d.SQLite.Checkpoint(); err != nil {
		return nil, err
	}
	if err := os.Mkdir(d.SlogDir, 0o700); err != nil {
		return nil, err
	}
	if err := WriteSlog(d.SlogDir, func(i int) logger.Event { return d.Events[i] }, n); err != nil {
		return nil, err
	}
	return d, nil
}

// fill logs events into l in batches of 1,000 and waits until they are
// applied.
func fill(l *logger.Logger, events []logger.Event) error {
	ctx := context.Background()
	for i := 0; i < len(events); i += 1000 {
		if err := l.LogBatch(ctx, events[i:min(i+1000, len(events))]); err != nil {
			return err
		}
	}
	return l.Flush(ctx)
}

// Close closes the logger and the database. The files stay in the
// folder given to NewDataset.
func (d *Dataset) Close() error {
	var errs []error
	if d.Logger != nil {
		errs = append(errs, d.Logger.Close())
	}
	if d.SQLite != nil {
		errs = append(errs, d.SQLite.Close())
	}
	return errors.Join(errs...)
}

// Querier is a contender for the query: it answers a Filter with the
// matching events, newest first.
type Querier struct {
	// Name names the contender: "auditlog-Query", "linear-scan", ...
	Name string
	// Query answers f.
	Query func(f logger.Filter) ([]logger.Event, error)
}

// Bench runs the query as a benchmark, one answer per op.
func (q Querier) Bench(b *testing.B, f logger.Filter) {
	b.ReportAllocs()
	bench(b, q.loop(f))
}

// Measure runs the query with testing.Benchmark.
func (q Querier) Measure(f logger.Filter) (testing.BenchmarkResult, error) {
	return measure(q.loop(f))
}

func (q Querier) loop(f logger.Filter) func(b *testing.B) error {
	return func(b *testing.B) error {
		b.ResetTimer()
		for range b.N {
			if _, err := q.Query(f); err != nil {
				return err
			}
		}
		return nil
	}
}

// Queriers returns the contenders for the query over d:
//
//   - auditlog-Query: Logger.Query, every returned event decoded;
//   - linear-scan: Scan over the slice;
//   - sqlite: SQLite.Query, through the (user_id, time) index;
//   - slog-file: ReadSlog, reading the slog files back with a substring
//     pre-filter.
func (d *Dataset) Queriers() []Querier {
	return []Querier{
		{Name: "auditlog-Query", Query: func(f logger.Filter) ([]logger.Event, error) { return d.Logger.Query(f), nil }},
		{Name: "linear-scan", Query: func(f logger.Filter) ([]logger.Event, error) { return Scan(d.Events, f), nil }},
		{Name: "sqlite", Query: d.SQLite.Query},
		{Name: "slog-file", Query: func(f logger.Filter) ([]logger.Event, error) { return ReadSlog(d.SlogDir, f) }},
	}
}

// StatsSource is a contender for the statistics: it computes Figures
// over every event it holds.
type StatsSource struct {
	// Name names the contender: "auditlog-Statistics" or "sqlite".
	Name string
	// Figures computes the figures.
	Figures func() (Figures, error)
	// Call, when set, is what Bench and Measure time instead of Figures:
	// the call a user of the contender makes, without the conversion to
	// Figures that only the check needs.
	Call func() error
}

// Bench runs the computation as a benchmark, once per op.
func (s StatsSource) Bench(b *testing.B) {
	b.ReportAllocs()
	bench(b, s.loop)
}

// Measure runs the computation with testing.Benchmark.
func (s StatsSource) Measure() (testing.BenchmarkResult, error) {
	return measure(s.loop)
}

func (s StatsSource) loop(b *testing.B) error {
	call := s.Call
	if call == nil {
		call = func() error { _, err := s.Figures(); return err }
	}
	b.ResetTimer()
	for range b.N {
		if err := call(); err != nil {
			return err
		}
	}
	return nil
}

// StatsSources returns the contenders for the statistics over d:
//
//   - auditlog-Statistics: Logger.Statistics, read from kept counters
//     (timed alone: its Stats hold the figures a user reads);
//   - sqlite: one SQL aggregate over the table, finished in Go
//     (SQLite.Figures).
func (d *Dataset) StatsSources() []StatsSource {
	return []StatsSource{
		{
			Name:    "auditlog-Statistics",
			Figures: func() (Figures, error) { return FiguresOf(d.Logger.Statistics()), nil },
			Call:    func() error { _ = d.Logger.Statistics(); return nil },
		},
		{Name: "sqlite", Figures: d.SQLite.Figures},
	}
}
