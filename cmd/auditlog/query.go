package main

import (
	"github.com/spf13/cobra"

	"github.com/auditlog/auditlog/logger"
)

func newQuery(a *app) *cobra.Command {
	var sel selectFlags
	var format string
	cmd := &cobra.Command{
		Use:   "query SOURCE...",
		Short: "Print the events that match the filters",
		Long: `Print the events of the sources that match every filter given, newest first
(--asc: oldest first), ordered by time, then source (the instance that logged
the event), then seq, then event ID. When the events come from several
instances, the table shows each one's source.

A SOURCE is a journal folder, an exported file or a store URL; events of
several sources are merged. On a terminal the events are a table; piped, they
are JSON Lines. --format chooses: table, jsonl, json (the document
{"events": [...], "total_events": N, "exported_at": ...}), csv or array.

With --limit, only that many events are held in memory while the sources are
read; without it, every match is (its journal line, to be decoded at the end).
JSON Lines and CSV are written as the events are decoded; the table (to align
its columns), a JSON document and an array are built whole first.`,
		Example: examplesOf("query"),
		Args:    sourceArgs,
		RunE: a.runE(func(_ *cobra.Command, args []string) error {
			f, err := sel.filter(a.now)
			if err != nil {
				return err
			}
			if format == "" {
				format = fmtJSONL
				if a.stdoutTTY {
					format = fmtTable
				}
			}
			if err := checkFormat(format, eventFormats); err != nil {
				return err
			}
			ks, err := a.selectEvents(args, f)
			if err != nil {
				return err
			}
			return writeSelection(a.stdout, format, ks)
		}),
	}
	sel.add(cmd.Flags(), true)
	cmd.Flags().StringVar(&format, "format", "", "table, jsonl, json, csv or array (default: table on a terminal, jsonl otherwise)")
	return cmd
}

// selectEvents opens the sources args and returns their events that f
// selects, in its order and window, not yet decoded.
func (a *app) selectEvents(args []string, f logger.Filter) ([]kept, error) {
	srcs, err := openSources(args)
	if err != nil {
		return nil, err
	}
	return a.selectFrom(srcs, f)
}

// selectFrom returns the events of srcs that f selects.
func (a *app) selectFrom(srcs []*source, f logger.Filter) ([]kept, error) {
	prog := newProgress(a, srcs)
	sel := newSelector(f)
	err := scan(a.ctx, srcs, f, sel.keep, true, prog, a.warn, func(ms []match) error {
		sel.add(ms)
		return nil
	})
	if err != nil {
		prog.stop()
		return nil, err
	}
	prog.finish()
	return sel.result(), nil
}
