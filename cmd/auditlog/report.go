package main

import (
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/auditlog/auditlog/export"
	"github.com/auditlog/auditlog/internal/report"
)

func newReport(a *app) *cobra.Command {
	var sel selectFlags
	var month, out string
	cmd := &cobra.Command{
		Use:   "report SOURCE... --month YYYY-MM --html FILE",
		Short: "Write the monthly compliance report as one HTML page",
		Long: `Write the compliance report of one month (UTC) of the events of the sources
that match the filters: the month's events, users, operations, each user's
activity, the failures, the events of each day with the days without any, and
charts, as one self-contained HTML file that needs no network to be read.

The file is created 0600 and never overwritten; --html - writes the page to
standard output.`,
		Example: examplesOf("report"),
		Args:    sourceArgs,
		RunE: a.runE(func(_ *cobra.Command, args []string) error {
			f, err := sel.filter(a.now)
			if err != nil {
				return err
			}
			if month == "" || out == "" {
				return usageErrorf("report needs --month YYYY-MM and --html FILE")
			}
			start, err := time.Parse("2006-01", month)
			if err != nil {
				return usageErrorf("invalid --month %q: want YYYY-MM, as 2026-01", month)
			}
			end := start.AddDate(0, 1, 0).Add(-time.Nanosecond)
			if f.Since.Before(start) {
				f.Since = start
			}
			if f.Until.IsZero() || f.Until.After(end) {
				f.Until = end
			}
			f.Ascending = true
			ks, err := a.selectEvents(args, f)
			if err != nil {
				return err
			}
			events, err := decodeAll(ks)
			if err != nil {
				return err
			}
			write := func(w io.Writer) error { return report.Write(w, events, start) }
			if out == "-" {
				return write(a.stdout)
			}
			if err := export.CreateFile(out, write); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "wrote the report of %s (%d events) to %s\n", start.Format("January 2006"), len(events), out)
			return nil
		}),
	}
	sel.add(cmd.Flags(), false)
	cmd.Flags().StringVar(&month, "month", "", "the month, YYYY-MM (UTC)")
	cmd.Flags().StringVar(&out, "html", "", "the HTML file to write (- for standard output)")
	return cmd
}
