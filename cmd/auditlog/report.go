package main

import (
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/mod/sumdb/note"

	"github.com/auditlog/auditlog/export"
	"github.com/auditlog/auditlog/internal/report"
	"github.com/auditlog/auditlog/store"
)

func newReport(a *app) *cobra.Command {
	var sel selectFlags
	var month, out, keyFile, pubkey string
	cmd := &cobra.Command{
		Use:   "report SOURCE... --month YYYY-MM --html FILE",
		Short: "Write the monthly compliance report as one HTML page",
		Long: `Write the compliance report of one month (UTC) of the events of the sources
that match the filters: the month's events, users, operations, each user's
activity, the failures, the events of each day with the days without any, and
charts, as one self-contained HTML file that needs no network to be read,
laid out to be printed (one section a page, numbered).

A day is flagged as a possible gap in auditing only when it was over when the
report was made, lies in the period selected, and has no event; with filters
that select part of the trail (--user, --op...) such a day is only a day
without matching events. Deletions count the FORGET and DELETE that
succeeded; partial and failed ones are shown apart.

The provenance section names the inputs, the sources and the seq range of
their events, the filters, when the report was made and by which version of
auditlog, and the hash chain of each journal folder, checked in full as
auditlog verify checks it (with --key-file for a keyed journal), and with
--pubkey, the log's public key, the signed checkpoints each journal matches.

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
			key, err := readKeyFile(keyFile)
			if err != nil {
				return err
			}
			var v note.Verifier
			if pubkey != "" {
				if v, err = readVerifierKey(pubkey); err != nil {
					return err
				}
			}
			end := start.AddDate(0, 1, 0).Add(-time.Nanosecond)
			if f.Since.Before(start) {
				f.Since = start
			}
			if f.Until.IsZero() || f.Until.After(end) {
				f.Until = end
			}
			f.Ascending = true
			srcs, err := openSources(args)
			if err != nil {
				return err
			}
			ks, err := a.selectFrom(srcs, f)
			if err != nil {
				return err
			}
			events, err := decodeAll(ks)
			if err != nil {
				return err
			}
			opts := report.Options{
				Generated: a.now, Since: f.Since, Until: f.Until,
				Tool: "auditlog " + toolVersion(), Filters: sel.described(month, keyFile), Partial: sel.partial(),
			}
			var signed []string
			opts.CheckpointOK = true
			for _, s := range srcs {
				in, err := describeInput(s, key)
				if err != nil {
					return err
				}
				opts.Inputs = append(opts.Inputs, in)
				if v != nil && in.Kind == "journal" {
					ev, err := checkEvidence(s.arg, v, "")
					if err != nil {
						return err
					}
					signed = append(signed, s.arg+": "+ev.status())
					opts.CheckpointOK = opts.CheckpointOK && ev.ok()
				}
			}
			opts.Checkpoint = strings.Join(signed, "; ")
			write := func(w io.Writer) error { return report.Write(w, events, start, opts) }
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
	cmd.Flags().StringVar(&keyFile, "key-file", "", "the HMAC key of the journals' chain, the file's bytes as they are (default: a SHA-256 chain)")
	cmd.Flags().StringVar(&pubkey, "pubkey", "", "the log's public key, origin+hash+key or a file holding it: check each journal against its signed checkpoints")
	return cmd
}

// readKeyFile reads the HMAC key of a chain from path, all its bytes; an
// empty path means no key.
func readKeyFile(path string) ([]byte, error) {
	if path == "" {
		return nil, nil
	}
	key, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--key-file: %w", err)
	}
	if len(key) == 0 {
		return nil, usageErrorf("--key-file %s is empty", path)
	}
	return key, nil
}

// toolVersion is the version of the main module auditlog was built from,
// "(devel)" when it has none.
func toolVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "(devel)"
}

// described lists the flags that selected the events, as given; a
// store's URL is never among them.
func (s *selectFlags) described(month, keyFile string) []report.Filter {
	fs := []report.Filter{{Name: "--month", Value: month}}
	for _, f := range [][2]string{
		{"--since", s.since}, {"--until", s.until}, {"--user", s.user}, {"--session", s.session},
		{"--op", s.op}, {"--status", s.status}, {"--category", s.category}, {"--resource", s.resource},
		{"--run", s.run}, {"--source", s.source}, {"--key-file", keyFile},
	} {
		if f[1] != "" {
			fs = append(fs, report.Filter{Name: f[0], Value: f[1]})
		}
	}
	for _, e := range s.entries {
		fs = append(fs, report.Filter{Name: "--entry", Value: e})
	}
	return fs
}

// partial reports whether the flags select part of the trail, not only a
// period of it.
func (s *selectFlags) partial() bool {
	return s.user != "" || s.session != "" || s.op != "" || s.status != "" || s.category != "" ||
		s.resource != "" || s.run != "" || s.source != "" || len(s.entries) > 0
}

// describeInput says what s is and, for a journal folder, the status of
// its hash chain, checked in full as auditlog verify checks it.
func describeInput(s *source, key []byte) (report.Input, error) {
	switch {
	case s.url != "":
		return report.Input{Name: store.Redacted(s.url), Kind: "store", Chain: "a store: no hash chain"}, nil
	case s.file != "":
		return report.Input{Name: s.file, Kind: "file", Chain: "an exported file: no hash chain"}, nil
	}
	r, err := export.Verify(s.arg, key)
	if err != nil {
		return report.Input{}, err
	}
	status, ok := chainStatus(r, key)
	return report.Input{Name: s.arg, Kind: "journal", Chain: status, ChainOK: ok}, nil
}
