package main

import (
	"fmt"
	"io"
	"slices"

	"github.com/spf13/cobra"

	"github.com/auditlog/auditlog/export"
)

func newExport(a *app) *cobra.Command {
	var sel selectFlags
	var out, format string
	cmd := &cobra.Command{
		Use:   "export SOURCE... --out FILE",
		Short: "Write the events that match the filters to a file",
		Long: `Write the events of the sources that match the filters to a new file, oldest
first, in the format its name gives: .json (the document {"events": [...],
"total_events": N, "exported_at": ...}), .jsonl or .ndjson (JSON Lines), .csv,
each optionally followed by .gz (gzipped). --format (json, jsonl, csv, array)
overrides the name. --out - writes to standard output (JSON Lines unless
--format says otherwise).

The file is created 0600 and never overwritten; it is on disk (fsync) when
the command succeeds, and no partial file is left when it fails. --limit
keeps the newest N events of the selection (the oldest N with --asc); the
file is written in time order either way. Every library reader
(logger.ReadEvents, auditlog query, auditlog import) reads it back.`,
		Example: examplesOf("export"),
		Args:    sourceArgs,
		RunE: a.runE(func(_ *cobra.Command, args []string) error {
			f, err := sel.filter(a.now)
			if err != nil {
				return err
			}
			if out == "" {
				return usageErrorf("export needs --out FILE (or --out - for standard output)")
			}
			var ef export.Format
			switch {
			case format != "":
				if err := checkFormat(format, eventFormats[1:]); err != nil {
					return err
				}
				ef, _ = exportFormat(format)
			case out == "-":
				ef = export.FormatJSONLines
			default:
				if ef, err = export.FormatFromPath(out); err != nil {
					return usageErrorf("--out %s: the name gives no format: want .json, .jsonl, .ndjson or .csv, optionally followed by .gz, or --format", out)
				}
			}
			ks, err := a.selectEvents(args, f)
			if err != nil {
				return err
			}
			if !f.Ascending {
				slices.Reverse(ks)
			}
			n := len(ks)
			write := func(w io.Writer) error { return writeSelection(w, formatName(ef), ks) }
			if out == "-" {
				return write(a.stdout)
			}
			if err := export.CreateFile(out, write); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "exported %d events to %s (%s)\n", n, out, ef)
			return nil
		}),
	}
	sel.add(cmd.Flags(), true)
	cmd.Flags().StringVarP(&out, "out", "o", "", "the file to write (- for standard output)")
	cmd.Flags().StringVar(&format, "format", "", "json, jsonl, csv or array (default: from the file's name)")
	return cmd
}
