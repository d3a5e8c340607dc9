package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync/atomic"
	"time"

	"github.com/spf13/cobra"

	"github.com/auditlog/auditlog/logger"
	"github.com/auditlog/auditlog/store"
)

func newImport(a *app) *cobra.Command {
	var sel selectFlags
	cmd := &cobra.Command{
		Use:   "import SOURCE URL",
		Short: "Copy the events of a file into a store",
		Long: `Copy the events of SOURCE that match the filters into the store at URL
(file://DIR, sqlite://FILE, postgres://...), oldest first. SOURCE is an
exported file in any of the library's formats (gzipped or not, axon's
exports too), a journal folder, or another store's URL.

The events go to the store through a logger, as logger.Logger.Import takes
them: checked, masked (values under sensitive keys are replaced before they
are stored), their event IDs and timestamps kept, their seq numbered anew in
the order they are imported, their source kept.

Importing is idempotent: an event whose event ID the store already holds,
or that an earlier event of SOURCE carried, is passed over, so importing
the same export twice, or exports that overlap, stores each event once, in
every store. The import says how many events were new and how many were
already there. An event without an ID is always new: the logger gives it
one. The IDs are looked up once, before the first event is written. The
counts are exact in sqlite:// and postgres://, which say how many events
of each write they stored, even while another program writes the same
events; in file://, which one program writes at a time, they are exact
unless another program wrote there between the look-up and the import's
first write.

The import waits until the store has taken every event; the first error
of the store ends it, with that error and the number of events the store
took before.`,
		Example: examplesOf("import"),
		Args:    exactArgs(2, "a source and a store URL"),
		RunE: a.runE(func(_ *cobra.Command, args []string) error {
			f, err := sel.filter(a.now)
			if err != nil {
				return err
			}
			f.Ascending = true
			srcs, err := openSources(args[:1])
			if err != nil {
				return err
			}
			ks, err := a.selectFrom(srcs, f)
			if err != nil {
				return err
			}
			// Every event is checked before the store is opened and the
			// first is logged, so that a bad line imports nothing (and
			// makes no store) rather than importing the events before it.
			if err := validate(ks); err != nil {
				return err
			}
			s, err := store.Open(args[1])
			if err != nil {
				return err
			}
			res, err := importNew(a.ctx, s, ks)
			if cerr := s.Close(); err == nil && cerr != nil {
				err = cerr
			}
			if err != nil {
				return fmt.Errorf("importing into %s: %w", store.Redacted(args[1]), err)
			}
			fmt.Fprintf(a.stdout, "imported %s into %s: %s new, %s already there\n",
				plural(int64(res.new+res.existing), "event"), store.Redacted(args[1]), thousands(int64(res.new)), thousands(int64(res.existing)))
			return nil
		}),
	}
	sel.add(cmd.Flags(), false)
	return cmd
}

// validate decodes every event of ks and checks it as Log would, naming
// the file and line of the first it would refuse.
func validate(ks []kept) error {
	for i := range ks {
		ev, err := ks[i].decode()
		if err == nil {
			if ev.Time.IsZero() {
				ev.Time = time.Now() // as the logger will stamp it
			}
			err = ev.Validate()
			if err != nil && ks[i].file != "" {
				err = lineError(ks[i].file, ks[i].line, err)
			}
		}
		if err != nil {
			return fmt.Errorf("nothing imported: %w", err)
		}
	}
	return nil
}

// importResult says what an import did with the events of its
// selection: how many were new, and written to the store, and how many
// were already there (held by the store, or carried by an earlier event
// of the selection) and passed over.
type importResult struct{ new, existing int }

// importNew imports into s the events of ks whose IDs s does not hold,
// each ID once (the first of ks that carries it); events without an ID
// are all imported. It looks the IDs up in s once, before the first
// event is written (store.HeldIDs).
func importNew(ctx context.Context, s logger.Store, ks []kept) (importResult, error) {
	ids := make([]string, 0, len(ks))
	for i := range ks {
		if ks[i].id != "" {
			ids = append(ids, ks[i].id)
		}
	}
	held, err := store.HeldIDs(ctx, s, ids)
	if err != nil {
		return importResult{}, fmt.Errorf("looking for the events already there: %w", err)
	}
	seen := make(map[string]bool, len(ids))
	fresh := ks[:0]
	for _, k := range ks {
		if k.id != "" {
			if held[k.id] || seen[k.id] {
				continue
			}
			seen[k.id] = true
		}
		fresh = append(fresh, k)
	}
	if len(fresh) == 0 {
		return importResult{existing: len(ks)}, nil
	}
	_, stored, err := importEvents(ctx, s, fresh)
	return importResult{new: stored, existing: len(ks) - stored}, err
}

// importEvents logs the events of ks through a logger whose only sink is
// s, a chunk at a time, and waits after each chunk until s has taken it
// (so that s's buffer never overflows however slow s is, and a refusal
// stops the import early). It returns how many events s acknowledged
// (taken) and how many of them it stored: as many, unless s is a
// store.CountingWriter, which says how many it stored rather than passed
// over, their IDs being stored already (by another writer meanwhile).
// The first Write of s that fails ends the import with its error, as
// does the end of ctx (the user's interrupt); what s took before stays
// in it.
func importEvents(ctx context.Context, s logger.Store, ks []kept) (taken, stored int, err error) {
	ctx, stop := context.WithCancelCause(ctx)
	defer stop(nil)
	sink := &refusal{s: s, stop: stop}
	sink.counting, _ = s.(store.CountingWriter)
	l, err := logger.New(logger.Options{
		MaxEvents: chunkSize,
		Sinks:     map[string]logger.Sink{importSinkName: sink},
		// Close has nothing left to wait for once FlushSinks returned,
		// and must not wait for a store that refuses.
		Delivery: logger.DeliveryOptions{BufferSize: chunkSize, CloseTimeout: -1},
	})
	if err != nil {
		return 0, 0, err
	}
	err = eachChunk(ks, func(evs []logger.Event) error {
		for i := range evs {
			evs[i].Seq = 0 // numbered by the logger
		}
		// LogBatch keeps the slices and maps of the events: give it its own.
		if err := l.LogBatch(ctx, slices.Clone(evs)); err != nil {
			return err
		}
		return l.FlushSinks(ctx, importSinkName)
	})
	if cerr := l.Close(); err == nil {
		err = cerr
	}
	st := l.Statistics().Sinks[0]
	n := int(st.DeliveredEvents)
	switch {
	case context.Cause(ctx) != nil && err != nil:
		err = context.Cause(ctx)
	case err == nil && st.Dropped > 0:
		err = fmt.Errorf("%d events were not handed to the store", st.Dropped)
	case err == nil && n != len(ks):
		err = fmt.Errorf("the store took %d events of %d", n, len(ks))
	}
	stored = n
	if sink.counting != nil {
		stored = int(sink.stored.Load())
	}
	if err != nil {
		return n, stored, fmt.Errorf("after %d of %d events: %w", n, len(ks), err)
	}
	return n, stored, nil
}

// errStoreRefused is returned when the store fails a Write during an
// import.
var errStoreRefused = errors.New("the store refused events")

// importSinkName names the store among the import logger's sinks.
const importSinkName = "store"

// refusal is the import's sink: s, whose first failed Write (an error or
// a panic) stops the import with that error, rather than being tried
// again for as long as the logger lives.
type refusal struct {
	s    logger.Sink
	stop context.CancelCauseFunc

	// counting is s, when it can count what it stores; stored adds up
	// its counts.
	counting store.CountingWriter
	stored   atomic.Int64
}

func (r *refusal) Write(ctx context.Context, evs []logger.Event) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("panic: %v", v)
		}
		if err != nil && ctx.Err() == nil {
			r.stop(fmt.Errorf("%w: %w", errStoreRefused, err))
		}
	}()
	if r.counting == nil {
		return r.s.Write(ctx, evs)
	}
	n, err := r.counting.WriteCounted(ctx, evs)
	r.stored.Add(int64(n))
	return err
}

// Close does nothing: the import closes the store.
func (r *refusal) Close() error { return nil }
