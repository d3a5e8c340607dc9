package main

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/auditlog/auditlog/export"
)

// evidence is what checking a journal against its signed checkpoints
// found.
type evidence struct {
	e *export.Evidence
	// unread says why checkpoints of the file were not used (an entry
	// not signed by the key: the file was changed, or the key is not the
	// log's), "" when all were.
	unread string
	key    string // the key's name and hash
}

// ok reports whether there was a checkpoint, every one verified, and the
// journal matches them.
func (ev *evidence) ok() bool { return ev.unread == "" && ev.e.OK() }

// checkEvidence checks the journal in dir against the checkpoints of its
// checkpoints file and, when given, the checkpoint in the file extra
// (from --checkpoint: one kept elsewhere), all verified with v.
func checkEvidence(dir string, v note.Verifier, extra string) (*evidence, error) {
	ev := &evidence{key: keyName(v)}
	signed, err := export.ReadCheckpoints(dir, v)
	if err != nil {
		ev.unread = err.Error()
		if len(signed) == 0 && errors.Is(err, export.ErrNotSigned) {
			ev.unread = fmt.Sprintf("the checkpoints in %s are not signed by the key %s (is it the log's key?): %v", dir, ev.key, err)
		}
	}
	cps := make([]export.Checkpoint, 0, len(signed)+1)
	for _, s := range signed {
		cps = append(cps, s.Checkpoint)
	}
	if extra != "" {
		msg, err := readCheckpointFile(extra)
		if err != nil {
			return nil, err
		}
		c, err := export.OpenCheckpoint(msg, v)
		if err != nil {
			return nil, fmt.Errorf("--checkpoint %s: %w", extra, err)
		}
		cps = append(cps, c)
	}
	ev.e, err = export.CheckEvidence(dir, cps)
	if err != nil {
		return nil, err
	}
	return ev, nil
}

// status says in one sentence what was found.
func (ev *evidence) status() string {
	e := ev.e
	switch {
	case ev.unread != "" && e.Checkpoints == 0:
		return "NOT VERIFIED: " + ev.unread
	case e.Checkpoints == 0:
		return "NOT VERIFIED: no signed checkpoint to check the journal against (no checkpoints file, and no --checkpoint)"
	}
	latest := fmt.Sprintf("the latest of %s%s", plural(int64(e.Latest.Size), "line"), signedWhen(e.LatestInfo.Time))
	var b strings.Builder
	switch {
	case len(e.Problems) > 0:
		fmt.Fprintf(&b, "BROKEN: %s against %s signed by %s, %s",
			plural(int64(len(e.Problems)), "problem"), plural(int64(e.Checkpoints), "checkpoint"), ev.key, latest)
	default:
		fmt.Fprintf(&b, "verified: the journal matches %s signed by %s, %s", plural(int64(e.Matched), "checkpoint"), ev.key, latest)
	}
	if e.Unchecked > 0 {
		fmt.Fprintf(&b, "; %s of lines retention removed not checked", plural(int64(e.Unchecked), "checkpoint"))
	}
	if n := len(e.Retained); n > 0 {
		fmt.Fprintf(&b, "; %s removed by retention, as signed", plural(int64(n), "file"))
	}
	if ev.unread != "" {
		fmt.Fprintf(&b, "; NOT VERIFIED: %s", ev.unread)
	}
	return b.String()
}

// signedWhen is " (signed <time>)", or nothing for a zero time.
func signedWhen(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return " (signed " + t.UTC().Format(time.RFC3339) + ")"
}

// print writes the status and the findings, one a line.
func (ev *evidence) print(w io.Writer) {
	fmt.Fprintf(w, "Checkpoints: %s\n", ev.status())
	for _, p := range ev.e.Problems {
		fmt.Fprintf(w, "  %s\n", cell(p.String(), 400))
	}
}
