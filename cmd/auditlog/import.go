package main

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/spf13/cobra"

	"github.com/auditlog/auditlog/logger"
	"github.com/auditlog/auditlog/store"
)

// importBatch is how many events import hands the logger at once.
const importBatch = 1000

func newImport(a *app) *cobra.Command {
	var sel selectFlags
	cmd := &cobra.Command{
		Use:   "import SOURCE URL",
		Short: "Copy the events of a file into a store",
		Long: `Copy the events of SOURCE that match the filters into the store at URL
(file://DIR, sqlite://FILE), oldest first. SOURCE is an exported file in any
of the library's formats (gzipped or not, axon's exports too), a journal
folder, or another store's URL.

The events go to the store through a logger, as logger.Logger.Import takes
them: checked, masked (values under sensitive keys are replaced before they
are stored), their event IDs and timestamps kept, their seq numbered anew in
the order they are imported. Importing twice stores the events twice.`,
		Example: examplesOf("import"),
		Args:    exactArgs(2, "a source and a store URL"),
		RunE: a.runE(func(_ *cobra.Command, args []string) error {
			f, err := sel.filter(a.now)
			if err != nil {
				return err
			}
			f.Ascending = true
			s, err := store.Open(args[1])
			if err != nil {
				return err
			}
			events, err := a.selectEvents(args[:1], f)
			if err != nil {
				s.Close()
				return err
			}
			n, err := importEvents(a.ctx, s, events)
			if cerr := s.Close(); err == nil && cerr != nil {
				err = cerr
			}
			if err != nil {
				return fmt.Errorf("importing into %s: %w", args[1], err)
			}
			fmt.Fprintf(a.stdout, "imported %d events into %s\n", n, args[1])
			return nil
		}),
	}
	sel.add(cmd.Flags(), false)
	return cmd
}

// importEvents logs events through a logger whose only sink is s, and
// returns how many reached it.
func importEvents(ctx context.Context, s logger.Store, events []logger.Event) (int, error) {
	var mu sync.Mutex
	var errs []error
	l, err := logger.New(logger.Options{
		MaxEvents: importBatch,
		Stores:    []logger.Store{s},
		ErrorHandler: func(err error) {
			mu.Lock()
			defer mu.Unlock()
			if len(errs) < 5 {
				errs = append(errs, err)
			}
		},
	})
	if err != nil {
		return 0, err
	}
	for len(events) > 0 && err == nil {
		n := min(importBatch, len(events))
		batch := events[:n]
		for i := range batch {
			batch[i].Seq = 0 // numbered by the logger
		}
		err = l.LogBatch(ctx, batch)
		events = events[n:]
	}
	if cerr := l.Close(); err == nil {
		err = cerr
	}
	st := l.Statistics()
	mu.Lock()
	defer mu.Unlock()
	if err == nil && st.Failed > 0 {
		err = fmt.Errorf("the store refused %d events: %w", st.Failed, errors.Join(errs...))
	}
	return int(st.TotalEvents - st.Failed), err
}
