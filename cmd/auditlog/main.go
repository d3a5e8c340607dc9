package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr,
		term.IsTerminal(int(os.Stdout.Fd())), term.IsTerminal(int(os.Stderr.Fd())))
	stop()
	os.Exit(code)
}

// app is what the commands share: where they write, and what kind of
// files those are.
type app struct {
	ctx        context.Context
	stdout     *bufio.Writer
	stderr     io.Writer
	stdoutTTY  bool // standard output is a terminal: tables by default
	stderrTTY  bool // standard error is a terminal: progress bars
	noProgress bool
	ran        bool      // a command's own code ran (see runE)
	now        time.Time // the time --since and --until count back from
}

// warn writes a warning on standard error.
func (a *app) warn(msg string) {
	fmt.Fprintf(a.stderr, "auditlog: warning: %s\n", msg)
}

// run runs the command line args and returns the exit status: 0 on
// success, 1 on failure (an error, a broken hash chain), 2 on a mistake
// in the command line. Errors are written to stderr on one line.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, stdoutTTY, stderrTTY bool) int {
	a := &app{
		ctx: ctx, stdout: bufio.NewWriterSize(stdout, 64<<10), stderr: stderr,
		stdoutTTY: stdoutTTY, stderrTTY: stderrTTY, now: time.Now(),
	}
	root := newRoot(a)
	root.SetArgs(args)
	root.SetOut(a.stdout)
	root.SetErr(stderr)
	cmd, err := root.ExecuteC()
	if ferr := a.stdout.Flush(); err == nil && ferr != nil && !errors.Is(ferr, syscall.EPIPE) {
		err = fmt.Errorf("writing the output: %w", ferr)
	}
	if err == nil {
		return 0
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code // already reported
	}
	if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
		err = errors.New("interrupted")
	}
	msg := "auditlog: " + oneLine(err.Error(), args)
	var ue *usageError
	if errors.As(err, &ue) || !a.ran {
		fmt.Fprintf(stderr, "%s (see %s --help)\n", msg, cmd.CommandPath())
		return 2
	}
	fmt.Fprintln(stderr, msg)
	return 1
}

// runE wraps a command's code, to tell its errors from those cobra
// finds before it runs (an unknown command or flag, a flag value pflag
// refused, the wrong number of arguments), which are mistakes in the
// command line.
func (a *app) runE(fn func(cmd *cobra.Command, args []string) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		a.ran = true
		return fn(cmd, args)
	}
}

// exitError ends the run with a status, its message already written.
type exitError struct{ code int }

func (e *exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

func newRoot(a *app) *cobra.Command {
	root := &cobra.Command{
		Use:   "auditlog",
		Short: "Read, check and move audit trails written by github.com/auditlog/auditlog",
		Long: `auditlog reads the audit trails that github.com/auditlog/auditlog writes:
a journal folder (audit.jsonl and its rotated files, gzipped or not), a file
exported in any of the library's formats (JSON document, JSON Lines, CSV, JSON
array, gzipped or not), or a store named by URL (file://DIR, sqlite://FILE).

It selects events with the fields of logger.Filter, computes statistics,
verifies the hash chain, follows a journal as it grows, exports a selection,
imports a file into a store, and writes the monthly HTML report. With the
log's public key it prints a journal's latest signed checkpoint, writes the
proof that one event is in it, and checks such a proof offline.

Exit status: 0 on success, 1 on an error or a broken hash chain, 2 on a
mistake in the command line.`,
		Example:       examplesOf(""),
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.PersistentFlags().BoolVar(&a.noProgress, "no-progress", false, "never show a progress bar (shown on a terminal when reading 4 files or 32 MB or more)")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &usageError{err} })
	root.CompletionOptions.DisableDefaultCmd = true
	root.AddCommand(
		newQuery(a),
		newStats(a),
		newVerify(a),
		newTail(a),
		newExport(a),
		newImport(a),
		newReport(a),
		newCheckpoint(a),
		newProve(a),
		newVerifyProof(a),
	)
	return root
}

// sourceArgs requires at least one source argument.
func sourceArgs(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return usageErrorf("%s needs a journal folder, an exported file or a store URL", cmd.CommandPath())
	}
	return nil
}

// exactArgs requires n arguments, naming them.
func exactArgs(n int, names string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return usageErrorf("%s takes %s, got %d arguments", cmd.CommandPath(), names, len(args))
		}
		return nil
	}
}

// packagePrefixes are the names that the library's errors start with,
// which say nothing to someone at a terminal.
var packagePrefixes = map[string]bool{"auditlog": true, "export": true, "store": true, "store/file": true}

// oneLine returns msg on one line, without the library's package
// prefixes, wherever wrapping put them: "audit.jsonl: line 3: auditlog:
// invalid event: ..." reads "audit.jsonl: line 3: invalid event: ...".
// A part that is one of the command line's args is the user's own (a
// folder named export), and is kept.
func oneLine(msg string, args []string) string {
	msg = strings.Join(strings.Fields(msg), " ")
	parts := strings.Split(msg, ": ")
	kept := parts[:0]
	for i, p := range parts {
		if i < len(parts)-1 && packagePrefixes[p] && !slices.Contains(args, p) {
			continue
		}
		kept = append(kept, p)
	}
	return strings.Join(kept, ": ")
}
