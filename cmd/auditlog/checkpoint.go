package main

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/auditlog/auditlog/export"
)

// checkpointReport is what checkpoint prints as JSON: the latest
// checkpoint of a journal, verified.
type checkpointReport struct {
	Origin     string   `json:"origin"`
	Size       uint64   `json:"size"`
	RootHash   string   `json:"root_hash"` // standard base64
	Extensions []string `json:"extensions"`
	Key        string   `json:"key"`   // the key that verified it: name+hash
	File       string   `json:"file"`  // the checkpoints file
	Entry      int      `json:"entry"` // its entry in the file, from 1: the last
	Note       string   `json:"note"`  // the signed note, as stored
}

func newCheckpoint(a *app) *cobra.Command {
	var pubkey, format string
	var asNote bool
	cmd := &cobra.Command{
		Use:   "checkpoint DIR --pubkey KEY",
		Short: "Print the latest signed checkpoint of a journal, verified",
		Long: `Read the signed checkpoints of the journal in DIR (the file DIR/checkpoints),
check the signature of every one with the log's public key, and print the
latest: the name of the log (its origin), the size of its Merkle tree in
lines, the tree's root hash, the key that signed it, and the extension lines
it carries.

KEY is the log's verifier key, name+hash+key (as export.Ed25519VerifierKey
writes it), or a file holding it on one line.

On a terminal the checkpoint is a table; piped, one JSON object that holds
the signed note too. --format chooses: table or json. --note prints the
signed note exactly as it is stored: save it to give to prove --checkpoint,
or publish it (to another machine, a witness) so that the log cannot later
be cut or rewritten unseen.

The exit status is 1 when the file is missing or empty, or when an entry is
not a checkpoint signed by the key (the entry is named).`,
		Example: examplesOf("checkpoint"),
		Args:    exactArgs(1, "one journal folder"),
		RunE: a.runE(func(_ *cobra.Command, args []string) error {
			dir := args[0]
			if pubkey == "" {
				return usageErrorf("checkpoint needs --pubkey KEY, the log's verifier key or a file holding it")
			}
			if asNote && format != "" {
				return usageErrorf("--note prints the signed note as stored: it takes no --format")
			}
			if format == "" {
				format = fmtJSON
				if a.stdoutTTY {
					format = fmtTable
				}
			}
			if err := checkFormat(format, []string{fmtTable, fmtJSON}); err != nil {
				return err
			}
			v, err := readVerifierKey(pubkey)
			if err != nil {
				return err
			}
			if err := checkDir(dir); err != nil {
				return err
			}
			path := filepath.Join(dir, export.CheckpointsName)
			cps, err := export.ReadCheckpoints(dir, v)
			if err != nil {
				return fmt.Errorf("not verified: %w", err)
			}
			if len(cps) == 0 {
				if _, err := os.Lstat(path); errors.Is(err, fs.ErrNotExist) {
					return fmt.Errorf("no checkpoint: %s does not exist (the journal is written without signed checkpoints)", path)
				}
				return fmt.Errorf("no checkpoint: %s is empty", path)
			}
			last := cps[len(cps)-1]
			if asNote {
				_, err := a.stdout.Write(last.Note)
				return err
			}
			r := checkpointReport{
				Origin: last.Origin, Size: last.Size, RootHash: base64.StdEncoding.EncodeToString(last.Root),
				Extensions: last.Extensions, Key: fmt.Sprintf("%s+%08x", v.Name(), v.KeyHash()),
				File: path, Entry: len(cps), Note: string(last.Note),
			}
			if r.Extensions == nil {
				r.Extensions = []string{}
			}
			if format == fmtJSON {
				enc := json.NewEncoder(a.stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(r)
			}
			return r.writeTable(a)
		}),
	}
	cmd.Flags().StringVar(&pubkey, "pubkey", "", "the log's verifier key, name+hash+key, or a file holding it")
	cmd.Flags().StringVar(&format, "format", "", "table or json (default: table on a terminal, json otherwise)")
	cmd.Flags().BoolVar(&asNote, "note", false, "print the signed note exactly as stored")
	return cmd
}

// writeTable prints the checkpoint for a person: every text the file
// holds is made printable.
func (r *checkpointReport) writeTable(a *app) error {
	tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "Origin\t%s\n", cell(r.Origin, 200))
	fmt.Fprintf(tw, "Size\t%d lines\n", r.Size)
	fmt.Fprintf(tw, "Root hash\t%s\n", r.RootHash)
	fmt.Fprintf(tw, "Signed by\t%s (verified)\n", cell(r.Key, 220))
	fmt.Fprintf(tw, "Entry\t%d of %d in %s\n", r.Entry, r.Entry, cell(r.File, 200))
	for _, e := range r.Extensions {
		fmt.Fprintf(tw, "Extension\t%s\n", cell(e, 200))
	}
	return tw.Flush()
}
