package main

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/auditlog/auditlog/export"
	"github.com/auditlog/auditlog/internal/fsafe"
)

func newVerifyProof(a *app) *cobra.Command {
	var pubkey string
	cmd := &cobra.Command{
		Use:   "verify-proof BUNDLE --pubkey KEY",
		Short: "Check a proof bundle offline, with the log's public key",
		Long: `Check the proof bundle BUNDLE (a file that auditlog prove wrote; - reads
standard input) with nothing but the log's public key: the checkpoint it
carries must be signed by KEY, and its inclusion proof must lead from its
journal line to that checkpoint's root hash. The journal is not needed.

KEY is the log's verifier key, name+hash+key (as export.Ed25519VerifierKey
writes it), or a file holding it on one line.

The exit status is 0 when the proof holds, and the event, its line and the
checkpoint are printed; 1 when it does not, with the reason: the line or the
proof was changed, the checkpoint is not signed by the key or is of another
log, or BUNDLE is not a proof bundle.`,
		Example: examplesOf("verify-proof"),
		Args:    exactArgs(1, "one proof bundle (- for standard input)"),
		RunE: a.runE(func(cmd *cobra.Command, args []string) error {
			if pubkey == "" {
				return usageErrorf("verify-proof needs --pubkey KEY, the log's verifier key or a file holding it")
			}
			v, err := readVerifierKey(pubkey)
			if err != nil {
				return err
			}
			data, err := readBundle(args[0], cmd.InOrStdin())
			if err != nil {
				return err
			}
			b, err := export.UnmarshalBundle(data)
			if err != nil {
				return fmt.Errorf("%s: %w", args[0], err)
			}
			cp, err := b.Verify(v)
			if err != nil {
				return fmt.Errorf("NOT VERIFIED: %s: %w", args[0], err)
			}
			what := "a line that is not a journal event"
			if id, seq, ok := lineEvent(b.Line); ok {
				what = fmt.Sprintf("event %s (seq %d)", cell(id, 100), seq)
			}
			fmt.Fprintf(a.stdout, "OK: %s is line %d of %s's log of %d lines, signed by %s\n",
				what, b.Proof.LeafIndex+1, cell(cp.Origin, 200), cp.Size, keyName(v))
			return nil
		}),
	}
	cmd.Flags().StringVar(&pubkey, "pubkey", "", "the log's verifier key, name+hash+key, or a file holding it")
	return cmd
}

// readBundle reads the bundle in the file name, or in stdin for "-",
// reading one byte more than a bundle may hold, for
// export.UnmarshalBundle to refuse a longer input.
func readBundle(name string, stdin io.Reader) ([]byte, error) {
	r := stdin
	if name != "-" {
		f, err := fsafe.OpenGiven(name)
		if err != nil {
			return nil, err
		}
		defer f.Close() // read only
		r = f
	}
	return readAtMost(name, r, export.MaxBundleBytes)
}

// readAtMost reads r to its end, or to max+1 bytes: one more than max
// tells the reader of the bytes that there was too much.
func readAtMost(name string, r io.Reader, max int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return data, nil
}

// lineEvent returns the event ID and seq of a journal line, and whether
// the line is a JSON object that has both.
func lineEvent(line []byte) (id string, seq uint64, ok bool) {
	var ev struct {
		EventID *string `json:"event_id"`
		Seq     *uint64 `json:"seq"`
	}
	if json.Unmarshal(line, &ev) != nil || ev.EventID == nil || ev.Seq == nil {
		return "", 0, false
	}
	return *ev.EventID, *ev.Seq, true
}
