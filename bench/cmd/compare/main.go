package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/auditlog/auditlog/bench/compare"
)

// config is what the flags set.
type config struct {
	events, rounds int
	noWrite        bool
	out            string
}

func main() {
	var cfg config
	flag.IntVar(&cfg.events, "events", 1_000_000, "events per ingestion run and in the query, statistics and memory dataset")
	flag.IntVar(&cfg.rounds, "rounds", 5, "rounds; each runs every contender once")
	flag.BoolVar(&cfg.noWrite, "nowrite", false, "print the table without writing it into -out")
	flag.StringVar(&cfg.out, "out", "../BENCHMARKS.md", "the Markdown file whose compare section is rewritten")
	flag.Parse()
	if err := run(cfg); err != nil {
		fmt.Fprintln(os.Stderr, "compare:", err)
		os.Exit(1)
	}
}

// logf prints progress to standard error.
func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, format+"\n", args...)
}

func run(cfg config) error {
	if cfg.events < 1000 || cfg.rounds < 1 {
		return errors.New("-events must be at least 1,000 and -rounds at least 1")
	}
	if err := checkRows(); err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "auditlog-compare-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	res := newResults(cfg.rounds)
	start := time.Now()
	if err := firstPass(cfg, dir, res); err != nil {
		return err
	}
	if err := secondPass(cfg, dir, res); err != nil {
		return err
	}
	logf("done in %v", time.Since(start).Round(time.Second))

	rounds := fmt.Sprintf("%d rounds", cfg.rounds)
	if cfg.rounds == 1 {
		rounds = "1 round"
	}
	section := fmt.Sprintf("Measured %s with `%s`: %s events, %s; %s.\n\n%s%s",
		time.Now().UTC().Format("2006-01-02"), command(), thousands(float64(cfg.events)), rounds, machine(), res.table(), legend)
	fmt.Print(section)
	if cfg.noWrite {
		return nil
	}
	if err := writeSection(cfg.out, section); err != nil {
		return err
	}
	logf("wrote %s", cfg.out)
	return nil
}

// legend follows the table.
const legend = `
Median: the median over the rounds (bold for auditlog's own rows); range:
the lowest and highest round. auditlog's advantage: how many times less
time or space auditlog takes than the contender, or how many more events
per second it ingests, than the auditlog row named in the cell (the
journal against the peers writing files); computed within each round,
then the median. Below 1, the contender is ahead.
`

// command is the command line that ran this.
func command() string {
	c := "cd bench && go run ./cmd/compare"
	if len(os.Args) > 1 {
		c += " " + strings.Join(os.Args[1:], " ")
	}
	return c
}

// rotate returns xs starting at element r mod len(xs), so that no
// contender always runs first in its round.
func rotate[T any](xs []T, r int) []T {
	k := r % len(xs)
	return append(append([]T(nil), xs[k:]...), xs[:k]...)
}

// firstPass runs, in rounds, the caller costs, the ingestion runs and the
// live heap, with nothing else held in memory.
func firstPass(cfg config, dir string, res *results) error {
	callers := compare.Callers(dir)
	ingesters := compare.Ingesters()
	for r := range cfg.rounds {
		logf("round %d of %d: caller cost, ingestion, heap", r+1, cfg.rounds)
		for _, c := range rotate(callers, r) {
			m, err := c.Measure()
			if err != nil {
				return fmt.Errorf("caller %s: %w", c.Name, err)
			}
			key := "caller/" + c.Name
			res.add(key, compare.NsPerOp(m))
			res.addAllocs(key, float64(m.AllocsPerOp()))
			logf("  %-36s %s, %d allocs/op", key, format(nanos, compare.NsPerOp(m)), m.AllocsPerOp())
		}
		for _, in := range rotate(ingesters, r) {
			d, err := os.MkdirTemp(dir, "ingest-")
			if err != nil {
				return err
			}
			x, err := in.Run(cfg.events, d)
			if err != nil {
				return err
			}
			if x.Stored != int64(cfg.events) {
				return fmt.Errorf("ingest %s: %d events stored of %d", in.Name, x.Stored, cfg.events)
			}
			if err := os.RemoveAll(d); err != nil {
				return err
			}
			res.add("ingest/"+in.Name, x.PerSecond())
			if x.DiskBytes > 0 {
				res.add("disk/"+in.Name, float64(x.DiskBytes)/float64(cfg.events))
			}
			logf("  %-36s %s (%v)", "ingest/"+in.Name, format(rate, x.PerSecond()), x.Elapsed.Round(time.Millisecond))
		}
		per, err := compare.HeapPerEvent(cfg.events)
		if err != nil {
			return fmt.Errorf("heap: %w", err)
		}
		res.add(heapAuditlog, per)
		logf("  %-36s %.0f B/event", heapAuditlog, per)
	}
	return nil
}

// secondPass builds the dataset, checks that the contenders agree on it,
// then runs, in rounds, the queries and the statistics.
func secondPass(cfg config, dir string, res *results) (err error) {
	logf("building the dataset of %s events", thousands(float64(cfg.events)))
	t0 := time.Now()
	d, err := compare.NewDataset(cfg.events, dir)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, d.Close()) }()
	logf("  built in %v", time.Since(t0).Round(time.Second))
	f := compare.QueryFilter(cfg.events)
	want := compare.Scan(d.Events, f)
	if len(want) == 0 {
		return errors.New("the benchmark query matches nothing")
	}
	for _, q := range d.Queriers() {
		got, err := q.Query(f)
		if err != nil {
			return fmt.Errorf("query %s: %w", q.Name, err)
		}
		if err := compare.SameEvents(want, got); err != nil {
			return fmt.Errorf("query %s: %w", q.Name, err)
		}
	}
	figures := compare.FiguresOfEvents(d.Events)
	for _, s := range d.StatsSources() {
		got, err := s.Figures()
		if err != nil {
			return fmt.Errorf("statistics %s: %w", s.Name, err)
		}
		if err := figures.Agree(got); err != nil {
			return fmt.Errorf("statistics %s: %w", s.Name, err)
		}
	}
	logf("  every query contender returns the same %d events; the statistics agree", len(want))

	queriers, sources := d.Queriers(), d.StatsSources()
	for r := range cfg.rounds {
		logf("round %d of %d: query, statistics", r+1, cfg.rounds)
		for _, q := range rotate(queriers, r) {
			m, err := q.Measure(f)
			if err != nil {
				return fmt.Errorf("query %s: %w", q.Name, err)
			}
			res.add("query/"+q.Name, compare.NsPerOp(m))
			logf("  %-36s %s", "query/"+q.Name, format(nanos, compare.NsPerOp(m)))
		}
		for _, s := range rotate(sources, r) {
			m, err := s.Measure()
			if err != nil {
				return fmt.Errorf("statistics %s: %w", s.Name, err)
			}
			res.add("stats/"+s.Name, compare.NsPerOp(m))
			logf("  %-36s %s", "stats/"+s.Name, format(nanos, compare.NsPerOp(m)))
		}
	}
	return nil
}

// checkRows checks that the table has a row for every contender, and a
// contender for every row.
func checkRows() error {
	keys := map[string]bool{heapAuditlog: true}
	for _, c := range compare.Callers("") {
		keys["caller/"+c.Name] = true
	}
	for _, in := range compare.Ingesters() {
		keys["ingest/"+in.Name] = true
		if in.Name != "auditlog-memory" {
			keys["disk/"+in.Name] = true
		}
	}
	var d compare.Dataset
	for _, q := range d.Queriers() {
		keys["query/"+q.Name] = true
	}
	for _, s := range d.StatsSources() {
		keys["stats/"+s.Name] = true
	}
	have := map[string]bool{}
	for _, rw := range rows {
		if !keys[rw.key] {
			return fmt.Errorf("row %s names no contender", rw.key)
		}
		have[rw.key] = true
		for _, ref := range rw.refs {
			if !keys[ref] {
				return fmt.Errorf("row %s compares with %s, no contender", rw.key, ref)
			}
		}
	}
	for k := range keys {
		if !have[k] {
			return fmt.Errorf("contender %s has no row", k)
		}
	}
	return nil
}
