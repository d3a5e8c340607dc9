// Central shows one audit trail across several instances of a service:
// three instances, api-1 to api-3, each with its own logger and journal,
// deliver their events to one central store. Midway, api-2 is stopped
// hard: it runs in a child process, which is killed (SIGKILL) while the
// central store is not answering it, so that it dies with events synced
// to its journal that the store never acknowledged. A new logger on the
// same journal folder then catches up from the sink's cursor. At the end
// a query over the central store finds every event that an instance's
// Sync acknowledged exactly once, with its source.
//
// The central store is PostgreSQL when AUDITLOG_POSTGRES_URL is set (the
// table central_example, unless the URL names one with ?table=, emptied
// first), and a SQLite file in a temporary folder otherwise:
//
//	go run ./examples/central
//	AUDITLOG_POSTGRES_URL='postgres:///auditlog?host=/run/postgresql' go run ./examples/central
//
// It exits 1 if an acknowledged event is missing or stored twice.
package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/auditlog/auditlog/logger"
	"github.com/auditlog/auditlog/store"
	_ "github.com/auditlog/auditlog/store/postgres" // registers postgres://
	_ "github.com/auditlog/auditlog/store/sqlite"   // registers sqlite://
)

const (
	perInstance = 300             // events each instance logs
	half        = perInstance / 2 // logged before api-2 is killed
	delivered   = 60              // api-2's events the store acknowledged before it stopped answering
	sinkName    = "central"       // the cursor file is sink-central.cursor in each journal folder
)

// The child process (api-2 before its crash) is this program, started
// with childEnv set to its journal folder and storeEnv to the store's URL.
const (
	childEnv = "AUDITLOG_CENTRAL_CHILD"
	storeEnv = "AUDITLOG_CENTRAL_STORE"
)

var sources = []string{"api-1", "api-2", "api-3"}

func main() {
	if dir := os.Getenv(childEnv); dir != "" {
		if err := child(dir, os.Getenv(storeEnv), os.Stdin, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "central: api-2:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "central:", err)
		os.Exit(1)
	}
}

func run(out io.Writer) error {
	dir, err := os.MkdirTemp("", "auditlog-central-example")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	// Bound the whole run: a step that hangs fails it instead.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	storeURL, kind, err := centralURL(dir)
	if err != nil {
		return err
	}
	central, err := store.Open(storeURL)
	if err != nil {
		return err
	}
	defer central.Close()
	// Start from an empty table (a PostgreSQL table may hold an earlier run).
	if _, err := central.DeleteBefore(ctx, time.Now().Add(time.Hour)); err != nil {
		return err
	}
	fmt.Fprintf(out, "central store: %s\n", kind)

	// api-1 and api-3 run here, each a goroutine with its own logger and
	// journal. They log half their events, wait while api-2 crashes and
	// restarts, then log the other half.
	restarted := make(chan struct{})
	var wg sync.WaitGroup
	errs := make([]error, len(sources))
	for i, src := range sources {
		if src == "api-2" {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = instance(ctx, filepath.Join(dir, src), src, central, restarted)
		}()
	}

	// api-2 runs in a child process until it is killed.
	errs[1] = crashAndRestart(ctx, out, filepath.Join(dir, "api-2"), storeURL, central, restarted)
	if errs[1] != nil {
		cancel() // api-1 and api-3 would wait for a restart that did not come
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	return check(ctx, out, central)
}

// centralURL returns the central store's URL: AUDITLOG_POSTGRES_URL, in
// the table central_example unless it names one, or a SQLite file in dir.
func centralURL(dir string) (raw, kind string, err error) {
	raw = os.Getenv("AUDITLOG_POSTGRES_URL")
	if raw == "" {
		return "sqlite://" + filepath.ToSlash(filepath.Join(dir, "central.db")), "SQLite", nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", "", fmt.Errorf("AUDITLOG_POSTGRES_URL=%s is not a URL", store.Redacted(raw))
	}
	q := u.Query()
	if q.Get("table") == "" {
		q.Set("table", "central_example")
		u.RawQuery = q.Encode()
	}
	return u.String(), "PostgreSQL", nil
}

// newLogger opens the logger of one instance: its journal in dir, and the
// central store as its sink.
func newLogger(dir, source string, sink logger.Sink) (*logger.Logger, error) {
	return logger.New(logger.Options{
		Source:  source,
		Journal: &logger.JournalOptions{Dir: dir},
		Sinks:   map[string]logger.Sink{sinkName: sink},
	})
}

// order is the i-th request of the service at an instance: the resource
// ID tells each event apart, so that the check can find every one.
func order(i int) logger.Event {
	ops := []logger.Operation{logger.OpCreate, logger.OpRead, logger.OpUpdate}
	return logger.Event{
		Operation:    ops[i%len(ops)],
		UserID:       fmt.Sprintf("user_%d", i%7),
		ResourceType: "order",
		ResourceID:   fmt.Sprintf("order-%03d", i),
	}
}

// logOrders logs the orders from to to-1, and syncs the journal: once Sync
// returns, the events are acknowledged, on disk.
func logOrders(ctx context.Context, l *logger.Logger, from, to int) error {
	for i := from; i < to; i++ {
		if err := l.Log(ctx, order(i)); err != nil {
			return err
		}
	}
	return l.Sync()
}

// instance is api-1 or api-3: half the orders, a wait, the other half,
// and a wait until the central store has them all.
func instance(ctx context.Context, dir, source string, central logger.Store, restarted <-chan struct{}) error {
	l, err := newLogger(dir, source, central)
	if err != nil {
		return err
	}
	defer l.Close()
	if err := logOrders(ctx, l, 0, half); err != nil {
		return err
	}
	select {
	case <-restarted:
	case <-ctx.Done():
		return ctx.Err()
	}
	if err := logOrders(ctx, l, half, perInstance); err != nil {
		return err
	}
	if err := l.FlushSinks(ctx); err != nil {
		return fmt.Errorf("%s: %w", source, err)
	}
	return l.Close()
}

// crashAndRestart runs api-2 in a child process until it has synced half
// its orders, kills it, and restarts it here: a new logger on the same
// journal folder, with the central store as its sink, catches up from the
// cursor the child left, then logs the other half.
func crashAndRestart(ctx context.Context, out io.Writer, dir, storeURL string, central logger.Store, restarted chan<- struct{}) error {
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, exe)
	cmd.Env = append(os.Environ(), childEnv+"="+dir, storeEnv+"="+storeURL)
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	stdin, err := cmd.StdinPipe() // the child waits on it: it ends when this process does
	if err != nil {
		return err
	}
	defer stdin.Close()
	if err := cmd.Start(); err != nil {
		return err
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || strings.TrimSpace(line) != "synced" {
		cmd.Process.Kill()
		cmd.Wait()
		return fmt.Errorf("api-2: the child process did not report its Sync (%q, %v)", line, err)
	}
	// Stopped hard: no Close, no deferred function, no flush.
	if err := cmd.Process.Kill(); err != nil {
		return err
	}
	cmd.Wait() // "signal: killed"
	n, err := central.Count(ctx, logger.Filter{Source: "api-2"})
	if err != nil {
		return err
	}

	// Restarted: the same journal folder, the store answering again. The
	// sink starts from its cursor, the last event the store acknowledged.
	l, err := newLogger(dir, "api-2", central)
	if err != nil {
		return err
	}
	defer l.Close()
	fmt.Fprintf(out, "api-2 killed: %d events synced to its journal, %d of them in the central store, the sink's cursor at seq %d\n", half, n, l.Statistics().Sinks[0].Delivered)
	close(restarted)
	if err := logOrders(ctx, l, half, perInstance); err != nil {
		return err
	}
	if err := l.FlushSinks(ctx); err != nil {
		return fmt.Errorf("api-2: %w", err)
	}
	s := l.Statistics().Sinks[0]
	fmt.Fprintf(out, "api-2 restarted: its sink delivered %d events, %d of them caught up from the journal\n", s.DeliveredEvents, s.DeliveredEvents-(perInstance-half))
	return l.Close()
}

// child is api-2 before the crash. The store acknowledges its first
// orders; then it stops answering: the next Write is stored but its
// answer never comes back (the network dropped it), and the sink waits
// for it. The child logs on, syncs, says so on out, and waits to be
// killed (or for its standard input to end, with the parent).
func child(dir, storeURL string, in io.Reader, out io.Writer) error {
	ctx := context.Background()
	central, err := store.Open(storeURL)
	if err != nil {
		return err
	}
	sink := &partition{Store: central, stored: make(chan struct{})}
	l, err := newLogger(dir, "api-2", sink)
	if err != nil {
		return err
	}
	if err := logOrders(ctx, l, 0, delivered); err != nil {
		return err
	}
	if err := l.FlushSinks(ctx); err != nil { // the cursor is at seq 60, on disk
		return err
	}
	sink.down.Store(true)
	if err := logOrders(ctx, l, delivered, delivered+1); err != nil {
		return err
	}
	<-sink.stored // the 61st order is in the store; its cursor is not
	if err := logOrders(ctx, l, delivered+1, half); err != nil {
		return err
	}
	fmt.Fprintln(out, "synced")
	io.Copy(io.Discard, in) // until killed
	return errors.New("not killed before the parent process ended")
}

// partition is the central store as api-2 sees it before the crash:
// until down is set it is the store; then its Writes reach the store
// but never return (until Close cancels them, which a killed process
// never does).
type partition struct {
	logger.Store
	down   atomic.Bool
	stored chan struct{} // closed once a Write reached the store while down
	once   sync.Once
}

func (p *partition) Write(ctx context.Context, events []logger.Event) error {
	if !p.down.Load() {
		return p.Store.Write(ctx, events)
	}
	err := p.Store.Write(ctx, events)
	p.once.Do(func() { close(p.stored) })
	if err != nil {
		return err
	}
	<-ctx.Done()
	return ctx.Err()
}

// check queries the central store: each instance's orders, each once.
func check(ctx context.Context, out io.Writer, central logger.Store) error {
	var errs []error
	total := 0
	for _, src := range sources {
		n, err := central.Count(ctx, logger.Filter{Source: src})
		if err != nil {
			return err
		}
		events, err := central.Query(ctx, logger.Filter{Source: src})
		if err != nil {
			return err
		}
		ids := make(map[string]bool, len(events))
		orders := make(map[string]int, len(events))
		for _, ev := range events {
			ids[ev.ID] = true
			orders[ev.ResourceID]++
		}
		missing, twice := 0, 0
		for i := range perInstance {
			switch orders[order(i).ResourceID] {
			case 0:
				missing++
			case 1:
			default:
				twice++
			}
		}
		fmt.Fprintf(out, "%s: %d events stored, %d distinct IDs, %d acknowledged events missing, %d stored twice\n", src, n, len(ids), missing, twice)
		if n != perInstance || len(events) != n || len(ids) != n || missing > 0 || twice > 0 {
			errs = append(errs, fmt.Errorf("%s: %d acknowledged events, %d stored (%d distinct IDs): %d missing, %d stored twice", src, perInstance, n, len(ids), missing, twice))
		}
		total += n
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	fmt.Fprintf(out, "every acknowledged event once: %d events from %d instances\n", total, len(sources))
	return nil
}
