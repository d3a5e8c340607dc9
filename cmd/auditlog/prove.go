package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"

	"github.com/spf13/cobra"
	"golang.org/x/mod/sumdb/note"

	"github.com/auditlog/auditlog/export"
	"github.com/auditlog/auditlog/internal/fsafe"
)

func newProve(a *app) *cobra.Command {
	var pubkey, cpFile, out string
	var seq uint64
	cmd := &cobra.Command{
		Use:   "prove DIR EVENT_ID",
		Short: "Write the proof that one event is in a journal's signed checkpoint",
		Long: `Write a proof bundle for one event of the journal in DIR: its journal line,
the inclusion proof that the line is in the Merkle tree of a signed
checkpoint, and that checkpoint. The bundle is one JSON object
(auditlog-inclusion-proof/v1) and self-contained: anyone with the log's
public key checks it offline with auditlog verify-proof, without the journal.

The event is named by its event ID, or by its seq with --seq N (then DIR is
the only argument). The checkpoint is the signed note in --checkpoint FILE
(one that checkpoint --note printed, or that was published), else the
latest entry of DIR/checkpoints. With --pubkey KEY (the log's verifier key,
name+hash+key, or a file holding it) the checkpoint is verified first.

The bundle is written to standard output, or with -o FILE to a new file
(mode 0644: a proof is for others to read), never overwriting one nor
following a link.

The exit status is 1 when the event is not among the checkpoint's lines (an
event logged after it needs a later checkpoint), when the journal does not
hold the checkpoint's tree (lines cut from the end or changed, files removed,
another journal), or when the checkpoint does not verify with --pubkey.`,
		Example: examplesOf("prove"),
		Args: func(cmd *cobra.Command, args []string) error {
			if cmd.Flags().Changed("seq") {
				return exactArgs(1, "one journal folder with --seq")(cmd, args)
			}
			return exactArgs(2, "a journal folder and an event ID (or --seq N)")(cmd, args)
		},
		RunE: a.runE(func(cmd *cobra.Command, args []string) error {
			dir := args[0]
			if len(args) == 2 && args[1] == "" {
				return usageErrorf("the event ID is empty")
			}
			var v note.Verifier
			if pubkey != "" {
				var err error
				if v, err = readVerifierKey(pubkey); err != nil {
					return err
				}
			}
			if out != "" && out != "-" {
				if _, err := os.Lstat(out); err == nil {
					return fmt.Errorf("-o %s exists: it is not overwritten", out)
				}
			}
			if err := checkDir(dir); err != nil {
				return err
			}
			signed, cp, err := a.proveCheckpoint(dir, cpFile, v)
			if err != nil {
				return err
			}
			match, what := export.SeqIs(seq), "seq "+strconv.FormatUint(seq, 10)
			if !cmd.Flags().Changed("seq") {
				match, what = export.EventIDIs(args[1]), "event "+strconv.Quote(cell(args[1], 100))
			}
			line, proof, err := export.ProveInclusion(dir, match, cp)
			switch {
			case errors.Is(err, export.ErrNoSuchLine):
				return fmt.Errorf("no %s among the %d lines of the checkpoint (an event logged after it is proved with a later checkpoint)", what, cp.Size)
			case errors.Is(err, export.ErrJournalMismatch):
				return fmt.Errorf("the journal in %s does not hold the checkpoint's tree of %d lines: %w", dir, cp.Size, err)
			case err != nil:
				return err
			}
			data, err := export.Bundle{Line: line.Data, Proof: proof, Checkpoint: signed}.Marshal()
			if err != nil {
				return err
			}
			if out == "" || out == "-" {
				_, err := a.stdout.Write(data)
				return err
			}
			if err := createNew(out, data); err != nil {
				return err
			}
			id, evSeq, _ := lineEvent(line.Data)
			fmt.Fprintf(a.stdout, "wrote the proof of event %s (seq %d), %s line %d, line %d of %s's log of %d lines, to %s\n",
				cell(id, 100), evSeq, filepath.Base(line.File), line.Num, proof.LeafIndex+1, cell(cp.Origin, 200), cp.Size, out)
			return nil
		}),
	}
	cmd.Flags().Uint64Var(&seq, "seq", 0, "the event with this seq, instead of an event ID")
	cmd.Flags().StringVar(&cpFile, "checkpoint", "", "a file holding the signed checkpoint to prove against (default: the latest of DIR/checkpoints)")
	cmd.Flags().StringVar(&pubkey, "pubkey", "", "the log's verifier key, name+hash+key, or a file holding it: verify the checkpoint first")
	cmd.Flags().StringVarP(&out, "out", "o", "", "the new file to write the bundle to (default: standard output)")
	return cmd
}

// proveCheckpoint returns the signed checkpoint prove proves against,
// and its checkpoint: the note in the file cpFile, or else the latest of
// dir's checkpoints, verified with v unless v is nil.
func (a *app) proveCheckpoint(dir, cpFile string, v note.Verifier) ([]byte, export.Checkpoint, error) {
	var signed []byte
	where := "--checkpoint " + cpFile
	if cpFile != "" {
		var err error
		if signed, err = readCheckpointFile(cpFile); err != nil {
			return nil, export.Checkpoint{}, err
		}
	} else {
		path := filepath.Join(dir, export.CheckpointsName)
		where = path + ": the latest entry"
		var err error
		if signed, err = export.LatestCheckpointNote(dir); err != nil {
			return nil, export.Checkpoint{}, err
		}
		if signed == nil {
			return nil, export.Checkpoint{}, fmt.Errorf("no checkpoint to prove against: %s is missing or empty; give one with --checkpoint FILE", path)
		}
	}
	if v == nil {
		cp, err := openUnverified(signed)
		if err != nil {
			return nil, export.Checkpoint{}, fmt.Errorf("%s: %w", where, err)
		}
		a.warn("the checkpoint was not verified: give --pubkey KEY to verify it before proving against it")
		return signed, cp, nil
	}
	cp, err := export.OpenCheckpoint(signed, v)
	if err != nil {
		return nil, export.Checkpoint{}, fmt.Errorf("%s: not verified: %w", where, err)
	}
	return signed, cp, nil
}

// readCheckpointFile reads a signed checkpoint from the file path, given
// on the command line, reading no more than a checkpoint may hold.
func readCheckpointFile(path string) ([]byte, error) {
	f, err := fsafe.OpenGiven(path)
	if err != nil {
		return nil, fmt.Errorf("--checkpoint: %w", err)
	}
	defer f.Close() // read only
	b, err := io.ReadAll(io.LimitReader(f, export.MaxCheckpointBytes+1))
	if err != nil {
		return nil, fmt.Errorf("--checkpoint %s: %w", path, err)
	}
	if len(b) > export.MaxCheckpointBytes {
		return nil, fmt.Errorf("--checkpoint %s: longer than %d bytes: not a signed checkpoint", path, export.MaxCheckpointBytes)
	}
	return b, nil
}

// openUnverified returns the checkpoint of the signed note msg without
// checking its signature, which needs the log's public key.
func openUnverified(msg []byte) (export.Checkpoint, error) {
	// With no verifier known, a well-formed note is an unverified one.
	_, err := note.Open(msg, note.VerifierList())
	var u *note.UnverifiedNoteError
	if !errors.As(err, &u) {
		return export.Checkpoint{}, fmt.Errorf("%w: not a signed note: %w", export.ErrBadCheckpoint, err)
	}
	return export.ParseCheckpoint([]byte(u.Note.Text))
}

// createNew writes data to the new file path, mode 0644: it never
// overwrites a file nor follows a link (O_EXCL), and removes what it
// created when the write fails.
func createNew(path string, data []byte) error {
	f, err := fsafe.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("-o %s exists: it is not overwritten", path)
	}
	if err != nil {
		return fmt.Errorf("-o: %w", err)
	}
	created, err := f.Stat()
	if err == nil {
		_, err = f.Write(data)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		if created != nil {
			_ = fsafe.RemoveSame(path, created) // the write's error says what went wrong
		}
		return fmt.Errorf("-o %s: %w", path, err)
	}
	if err := export.SyncDir(filepath.Dir(path)); err != nil {
		return fmt.Errorf("-o %s written, but syncing its folder: %w", path, err)
	}
	return nil
}
