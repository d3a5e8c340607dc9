package sqlite_test

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/logger"
	"github.com/auditlog/auditlog/store/sqlite"
)

// The delivery crash test: rounds of a child process that logs with a
// journal and this store as a sink, calls Sync now and then, and is
// killed (SIGKILL); then a logger on the same journal and store delivers
// the rest.
const (
	deliveryDirEnv   = "AUDITLOG_DELIVERY_CRASH_DIR" // the child's folder: journal/ and central.db
	deliveryRoundEnv = "AUDITLOG_DELIVERY_CRASH_ROUND"
	deliverySyncEnv  = "AUDITLOG_DELIVERY_CRASH_SYNC_EVERY"
	deliverySlowEnv  = "AUDITLOG_DELIVERY_CRASH_SLOW"
	deliverySeedEnv  = "AUDITLOG_DELIVERY_CRASH_SEED" // set to replay a run
	deliverySink     = "central"
	deliverySource   = "instance-1" // every round is the same instance, restarted
	deliveryRounds   = 5
)

// deliveryOptions are the options of the logger of a round, and of the
// one that delivers the rest: the same journal, the same sink's name (so
// the same cursor), rotating every megabyte into compressed files, so
// that the sink follows the journal across rotations and into .gz files.
func deliveryOptions(dir string, s logger.Sink) logger.Options {
	return logger.Options{
		Source:    deliverySource,
		MaxEvents: 1 << 20,
		Journal:   &logger.JournalOptions{Dir: filepath.Join(dir, "journal"), MaxSizeMB: 1, Compress: true, Recover: true},
		Sinks:     map[string]logger.Sink{deliverySink: s},
	}
}

// deliveryEvent is event i of round r: its ID and time say which.
func deliveryEvent(r, i int) logger.Event {
	return logger.Event{
		ID:        deliveryID(r, i),
		Time:      time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(r*1_000_000+i) * time.Millisecond),
		Operation: logger.OpStore,
		UserID:    "user-" + strconv.Itoa(i%7),
		Metadata:  map[string]any{"round": r, "i": i, "pad": strings.Repeat("p", 2000)},
	}
}

func deliveryID(r, i int) string { return fmt.Sprintf("r%d-%07d", r, i) }

// TestDeliveryCrashChild is a round of TestDeliveryCrash; run on its own,
// with no folder named in the environment, it does nothing. It logs
// until it is killed, calls Sync every few events, and prints "synced I
// D" after each Sync that returned nil: events 0 to I of its round are
// acknowledged, and the sink has taken the journal up to seq D. A slow
// round hands the store one event per Write, each fsynced, so that the
// sink lags behind the journal.
func TestDeliveryCrashChild(t *testing.T) {
	dir := os.Getenv(deliveryDirEnv)
	if dir == "" {
		return
	}
	round, err := strconv.Atoi(os.Getenv(deliveryRoundEnv))
	require.NoError(t, err)
	every, err := strconv.Atoi(os.Getenv(deliverySyncEnv))
	require.NoError(t, err)
	slow := os.Getenv(deliverySlowEnv) == "1"
	sopts := sqlite.Options{}
	if slow {
		sopts.Synchronous = sqlite.SyncFull
	}
	s, err := sqlite.Open(filepath.Join(dir, "central.db"), sopts)
	require.NoError(t, err)
	opts := deliveryOptions(dir, s)
	if slow {
		opts.Delivery.BatchSize = 1
	}
	opts.ErrorHandler = func(err error) { fmt.Fprintln(os.Stderr, "child:", err) }
	l, err := logger.New(opts)
	require.NoError(t, err)
	ctx := context.Background()
	for i := 0; ; i++ {
		require.NoError(t, l.Log(ctx, deliveryEvent(round, i)))
		if (i+1)%every == 0 {
			require.NoError(t, l.Sync())
			fmt.Printf("synced %d %d\n", i, l.Statistics().Sinks[0].Delivered)
		}
	}
}

// TestDeliveryCrash kills, round after round, a process that logs with a
// journal and an SQLite store as its sink, some rounds with a sink that
// lags far behind, and then restarts a logger on the same journal and
// store: every event a Sync acknowledged reaches the store, none is
// stored twice, and each source's events are in the store in the order
// they were logged.
func TestDeliveryCrash(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	if v := os.Getenv(deliverySeedEnv); v != "" {
		var err error
		seed, err = strconv.ParseUint(v, 10, 64)
		require.NoError(t, err)
	}
	t.Logf("seed %d (%s=%d replays it)", seed, deliverySeedEnv, seed)
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	slow := make([]bool, deliveryRounds)
	for r := range slow {
		slow[r] = rng.IntN(2) == 0
	}
	lags := rng.IntN(deliveryRounds) // at least one round lags, and one does not
	slow[lags], slow[(lags+1+rng.IntN(deliveryRounds-1))%deliveryRounds] = true, false
	dir := t.TempDir()

	synced := make([]int, deliveryRounds) // the last acknowledged event of each round
	for r := range deliveryRounds {
		every := 10 + rng.IntN(150)
		syncs := 3 + rng.IntN(12)
		synced[r] = deliveryRound(t, dir, r, every, syncs, slow[r])
	}

	// The restart: the same journal, the same store, the same sink.
	s, err := sqlite.Open(filepath.Join(dir, "central.db"), sqlite.Options{})
	require.NoError(t, err)
	defer s.Close()
	var mu sync.Mutex
	var reported []string
	opts := deliveryOptions(dir, s)
	opts.ErrorHandler = func(err error) {
		mu.Lock()
		defer mu.Unlock()
		reported = append(reported, err.Error())
	}
	l, err := logger.New(opts)
	require.NoError(t, err)
	ctx := context.Background()
	// One event more, as the restarted instance goes on: FlushSinks waits
	// for the sink to take it, and so everything the journal holds before
	// it. (FlushSinks waits for the events this logger accepted; those
	// read back from the journal are not among them.)
	require.NoError(t, l.Log(ctx, deliveryEvent(deliveryRounds, 0)))
	require.NoError(t, l.FlushSinks(ctx))
	journal := l.Query(logger.Filter{Ascending: true})
	st := l.Statistics().Sinks[0]
	require.NoError(t, l.Close())
	mu.Lock()
	t.Logf("the restart reported: %q", reported)
	mu.Unlock()
	require.Zero(t, st.Dropped, "no event missing from the journal when the sink came to it")
	require.Equal(t, journal[len(journal)-1].Seq, st.Delivered, "the sink took the whole journal")

	stored, err := s.Query(ctx, logger.Filter{Ascending: true})
	require.NoError(t, err)
	count := make(map[string]int, len(stored))
	for _, ev := range stored {
		count[ev.ID]++
	}
	for id, n := range count {
		require.Equal(t, 1, n, "event %s stored %d times", id, n)
	}
	total, err := s.Count(ctx, logger.Filter{})
	require.NoError(t, err)
	require.Equal(t, len(count), total, "the store counts each event once")
	for r := range deliveryRounds {
		for i := 0; i <= synced[r]; i++ {
			require.Equal(t, 1, count[deliveryID(r, i)], "round %d event %d was acknowledged by Sync", r, i)
		}
	}
	// The store holds the journal: every event of it, nothing else, in
	// its order and with its seq.
	require.Equal(t, len(journal), len(stored))
	require.Equal(t, deliveryID(deliveryRounds, 0), journal[len(journal)-1].ID, "the restart's event, last")
	require.Greater(t, journal[len(journal)-1].Seq, journal[len(journal)-2].Seq, "above every seq before it")
	for k := range journal {
		require.Equal(t, journal[k].ID, stored[k].ID)
		require.Equal(t, journal[k].Seq, stored[k].Seq, "event %s", stored[k].ID)
		require.Equal(t, deliverySource, stored[k].Source)
	}
	// In the order logged, per source: seq and (round, i) rise together.
	mine, err := s.Query(ctx, logger.Filter{Source: deliverySource, Ascending: true})
	require.NoError(t, err)
	require.Len(t, mine, len(stored))
	for k := 1; k < len(mine); k++ {
		a, b := mine[k-1], mine[k]
		require.Less(t, a.Seq, b.Seq, "%s before %s", a.ID, b.ID)
		ra, ia := a.Metadata["round"].(float64), a.Metadata["i"].(float64)
		rb, ib := b.Metadata["round"].(float64), b.Metadata["i"].(float64)
		require.True(t, ra < rb || ra == rb && ia < ib, "%s before %s", a.ID, b.ID)
	}
	files, err := os.ReadDir(filepath.Join(dir, "journal"))
	require.NoError(t, err)
	var names []string
	for _, f := range files {
		names = append(names, f.Name())
	}
	t.Logf("%d events stored, each once; acknowledged per round: %v; slow rounds: %v; journal folder: %v", len(stored), synced, slow, names)
}

// deliveryRound runs round r in a child that calls Sync every every
// events, kills it once it has said "synced" syncs times, and returns
// the last event of the round a Sync acknowledged.
func deliveryRound(t *testing.T, dir string, r, every, syncs int, slow bool) int {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestDeliveryCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), deliveryDirEnv+"="+dir, deliveryRoundEnv+"="+strconv.Itoa(r),
		deliverySyncEnv+"="+strconv.Itoa(every), deliverySlowEnv+"="+map[bool]string{false: "0", true: "1"}[slow])
	var stderr strings.Builder
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	acked, delivered, said := -1, uint64(0), 0
	lines := bufio.NewScanner(stdout)
	for said < syncs && lines.Scan() {
		if _, err := fmt.Sscanf(lines.Text(), "synced %d %d", &acked, &delivered); err == nil {
			said++
		}
	}
	require.NoError(t, cmd.Process.Kill()) // SIGKILL: no Close, no deferred code
	_ = cmd.Wait()                         // "signal: killed" is the point
	require.Equal(t, syncs, said, "round %d: the child ended before it was killed:\n%s", r, stderr.String())
	t.Logf("round %d (sync every %d, slow %v): killed after event %d was acknowledged; the sink had then taken up to seq %d",
		r, every, slow, acked, delivered)
	return acked
}
