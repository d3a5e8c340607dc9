package main

import (
	"fmt"

	"github.com/spf13/cobra"
	"golang.org/x/mod/sumdb/note"

	"github.com/auditlog/auditlog/export"
)

// maxShown bounds the problems verify lists.
const maxShown = 20

func newVerify(a *app) *cobra.Command {
	var keyFile, pubkey, checkpoint string
	cmd := &cobra.Command{
		Use:   "verify DIR [--pubkey KEY [--checkpoint FILE]]",
		Short: "Check the hash chain of a journal folder",
		Long: `Walk the journal in DIR (current and rotated files, gzipped too, oldest
first) and check its hash chain: each line's hash must be that of the line
before it and of its own bytes. The first line changed, removed, inserted or
reordered, and a missing file, are named by file and line.

The exit status is 0 when the chain holds, 1 when it breaks, when a line is
not a journal event (not a JSON object with a seq), or when the journal
cannot be read. A journal with no lines has nothing to verify and passes.

A journal written with JournalOptions.HashKey is verified with --key-file, a
file whose bytes, all of them, are the key (write it without a newline).
Each line says how it is chained ("chain":"hmac-sha256" when keyed): a keyed
journal checked without its key, or with another, is reported in one line
(NOT VERIFIED), and so is a SHA-256 journal checked with a key. Every
problem is counted; the first 20 are listed. A last line cut short by a
crash is reported, not counted as a break.
Verification begins at the oldest file on disk: when retention removed older
files, it says so. The chain cannot show lines cut from the very end: keep
the last hash it prints somewhere else and compare.

With --pubkey, the log's public key (the verifier key text origin+hash+key,
or a file holding it), the journal is also checked against its signed
checkpoints: those of DIR/checkpoints and the one in --checkpoint FILE (kept
elsewhere: the folder's own file can be cut by whoever can write to it). That
shows what the chain cannot: lines cut from the end, a journal replaced by a
re-chained forgery, and rotated files removed by hand rather than by
retention, each named by file and line. No checkpoint to check against, or
one not signed by the key, fails.`,
		Example: examplesOf("verify"),
		Args:    exactArgs(1, "one journal folder"),
		RunE: a.runE(func(_ *cobra.Command, args []string) error {
			dir := args[0]
			key, err := readKeyFile(keyFile)
			if err != nil {
				return err
			}
			if checkpoint != "" && pubkey == "" {
				return usageErrorf("--checkpoint needs --pubkey, the key to check it with")
			}
			var v note.Verifier
			if pubkey != "" {
				if v, err = readVerifierKey(pubkey); err != nil {
					return err
				}
			}
			if err := checkDir(dir); err != nil {
				return err
			}
			files, err := export.JournalFiles(dir)
			if err != nil {
				return err
			}
			spin := newSpinner(a, files, "verifying")
			r, err := export.Verify(dir, key)
			if err != nil {
				spin.stop()
				return err
			}
			spin.finish()
			printVerify(a, r, key)
			ok := r.OK()
			if pubkey != "" {
				ev, err := checkEvidence(dir, v, checkpoint)
				if err != nil {
					return err
				}
				ev.print(a.stdout)
				ok = ok && ev.ok()
			}
			if !ok {
				return &exitError{code: 1}
			}
			return nil
		}),
	}
	cmd.Flags().StringVar(&keyFile, "key-file", "", "the HMAC key of the chain, the file's bytes as they are (default: a SHA-256 chain)")
	cmd.Flags().StringVar(&pubkey, "pubkey", "", "the log's public key, origin+hash+key or a file holding it: check the journal against its signed checkpoints")
	cmd.Flags().StringVar(&checkpoint, "checkpoint", "", "a signed checkpoint kept elsewhere, to check the journal against too (needs --pubkey)")
	return cmd
}

func printVerify(a *app, r *export.Report, key []byte) {
	w := a.stdout
	switch {
	case r.OK() && r.Lines == 0:
		fmt.Fprintf(w, "OK: no lines in %s: nothing to verify\n", plural(int64(len(r.Files)), "file"))
	case r.OK():
		fmt.Fprintf(w, "OK: %s in %s, seq %d to %d\n", plural(r.Lines, "line"), plural(int64(len(r.Files)), "file"), r.FirstSeq, r.LastSeq)
	case r.Key != export.KeyFits:
		fmt.Fprintf(w, "NOT VERIFIED: %s\n", keyProblem(r, key))
	default:
		shown := min(len(r.Problems), maxShown)
		fmt.Fprintf(w, "BROKEN: %s\n", problemCount(r, int64(shown)))
		for _, p := range r.Problems[:shown] {
			fmt.Fprintf(w, "  %s line %d: %s: %s\n", p.File, p.Line, p.Kind, cell(p.Detail, 200))
		}
	}
	switch {
	case r.Key != export.KeyFits:
		// No line was checked: nothing more to say of where the chain starts.
	case r.Lines > 0 && r.FirstSeq == 0 && r.Unchained == 0:
		fmt.Fprintln(w, "No line is a journal event: this is not a journal the library wrote.")
	case r.FromGenesis:
		fmt.Fprintln(w, "The chain starts at its first line.")
	case r.Lines > 0 && r.Unchained == r.Lines:
		fmt.Fprintln(w, "No line verified: a journal written with JournalOptions.NoChain has no chain to check.")
	case r.Lines > 0 && !firstLineBroken(r):
		fmt.Fprintf(w, "The chain is checked from seq %d: older files were removed (by retention), which is not tampering.\n", r.FirstSeq)
	}
	if r.Torn != nil {
		fmt.Fprintf(w, "Note: %s line %d: %s; not counted as a break.\n", r.Torn.File, r.Torn.Line, r.Torn.Detail)
	}
	if r.LastHash != "" {
		fmt.Fprintf(w, "Last hash: %s (keep it elsewhere to detect lines cut from the end)\n", r.LastHash)
	}
}

// firstLineBroken reports whether the first problem is the journal's
// first line: the chain then does not start in the middle because of
// retention, but because that line is bad.
func firstLineBroken(r *export.Report) bool {
	p := r.First()
	return p != nil && len(r.Files) > 0 && p.File == r.Files[0] && p.Line == 1
}
