package export

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"time"
)

// EvidenceKind names what CheckEvidence found wrong.
type EvidenceKind string

// The findings of CheckEvidence.
const (
	// TailCut: a signed checkpoint holds more lines than the journal:
	// lines were cut from its end.
	TailCut EvidenceKind = "lines cut from the end"
	// Rewritten: the journal's lines do not hash to the root of a signed
	// checkpoint of their number: a line was changed, removed, inserted
	// or reordered, or the journal was replaced (a re-chained forgery,
	// which the hash chain alone cannot show).
	Rewritten EvidenceKind = "history rewritten"
	// FileRemoved: a rotated file that a signed checkpoint names is not
	// in the folder, and no signed checkpoint records its removal by
	// retention.
	FileRemoved EvidenceKind = "file removed"
	// Forked: two signed checkpoints of one size have different roots:
	// the key signed two histories.
	Forked EvidenceKind = "two histories signed"
)

// EvidenceProblem is one finding of CheckEvidence.
type EvidenceProblem struct {
	Kind EvidenceKind
	// File and Line locate it when a line does (Line counts from 1):
	// the last line the journal holds for TailCut, the last line the
	// checkpoint covers for Rewritten, the removed file for FileRemoved
	// (Line 0).
	File string
	Line int
	// Detail says what was seen, in a sentence.
	Detail string
}

// String describes p in one line.
func (p EvidenceProblem) String() string {
	switch {
	case p.File == "":
		return fmt.Sprintf("%s: %s", p.Kind, p.Detail)
	case p.Line == 0:
		return fmt.Sprintf("%s: %s: %s", filepath.Base(p.File), p.Kind, p.Detail)
	}
	return fmt.Sprintf("%s line %d: %s: %s", filepath.Base(p.File), p.Line, p.Kind, p.Detail)
}

// Evidence is what CheckEvidence found.
type Evidence struct {
	// Checkpoints is the number of checkpoints given; Latest the one of
	// the largest size, and LatestInfo what it records.
	Checkpoints int
	Latest      Checkpoint
	LatestInfo  CheckpointInfo
	// First is the leaf index of the journal's first line on disk: 0,
	// or the size of the checkpoint the journal goes on from once
	// retention removed its oldest files. Lines is the number of leaves
	// through its last line.
	First, Lines uint64
	// Matched counts the checkpoints the journal's lines hash to;
	// Unchecked those that end before First (their lines are gone).
	Matched, Unchecked int
	// Retained names the rotated files that retention removed, as
	// signed checkpoints record.
	Retained []string
	// Problems are the findings, in the order of the journal.
	Problems []EvidenceProblem
}

// OK reports whether there was a checkpoint to check against and
// nothing was found wrong.
func (e *Evidence) OK() bool { return e.Checkpoints > 0 && len(e.Problems) == 0 }

// boundary is a checkpoint signed when the journal rotated: the tree's
// state at the end of a rotated file.
type boundary struct {
	rotated time.Time // of the file, from its name
	cp      Checkpoint
	info    CheckpointInfo
}

// evidenceOf sorts out what cps record: the boundaries in the order of
// their files, and the rotated files removed by retention.
func evidenceOf(cps []Checkpoint) (bounds []boundary, removed map[time.Time]bool, err error) {
	removed = map[time.Time]bool{}
	for _, c := range cps {
		info, err := c.Info()
		if err != nil {
			return nil, nil, err
		}
		if info.Removed != "" {
			t, _, _ := parseBackupName(info.Removed)
			removed[t] = true
		}
		if info.File != "" && len(info.Range) > 0 {
			t, _, _ := parseBackupName(info.File)
			bounds = append(bounds, boundary{rotated: t, cp: c, info: info})
		}
	}
	slices.SortStableFunc(bounds, func(a, b boundary) int { return a.rotated.Compare(b.rotated) })
	return bounds, removed, nil
}

// startFor returns the boundary the tree of files goes on from: the last
// one whose file is older than files[0] (every one when files[0] is the
// current file), or nil when files start the journal.
func startFor(bounds []boundary, files []JournalFile) *boundary {
	var from *boundary
	for i := range bounds {
		b := &bounds[i]
		if len(files) > 0 && !files[0].Rotated.IsZero() && !b.rotated.Before(files[0].Rotated) {
			break
		}
		from = b
	}
	return from
}

// treeAt returns the tree at the boundary b, or the empty tree.
func treeAt(b *boundary) *Tree {
	if b == nil {
		return NewTree()
	}
	// Info checked the range against the root: it is a tree state.
	t, _ := TreeFromState(TreeState{Size: b.cp.Size, Hashes: b.info.Range})
	return t
}

// appendFiles appends every line of files to t, calling fn after each
// with the line.
func appendFiles(files []JournalFile, t *Tree, fn func(l Line)) error {
	for _, f := range files {
		err := ReadJournalFile(f, func(l Line) error {
			if l.Torn {
				return nil
			}
			t.Append(l.Data)
			fn(l)
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// CheckEvidence checks the journal in dir against signed checkpoints of
// it (verified by the caller, with ReadCheckpoints or OpenCheckpoint):
// it rebuilds the Merkle tree of the journal's lines and compares its
// root with each checkpoint's at the checkpoint's size. It finds what
// the hash chain cannot show:
//
//   - lines cut from the end (TailCut): a checkpoint holds more lines
//     than the journal;
//   - a history rewritten (Rewritten): the lines do not hash to a
//     checkpoint's root, even when their chain holds (a journal replaced
//     by a re-chained SHA-256 forgery);
//   - a rotated file removed by hand (FileRemoved): a checkpoint signed
//     at its rotation names it, and none records its removal by
//     retention (the logger signs one before retention removes a file);
//   - two checkpoints of one size with different roots (Forked).
//
// When retention removed the oldest files, the tree goes on from the
// state recorded in the checkpoint signed when the last of them was
// rotated, and the checkpoints of the removed lines are Unchecked. It
// returns an error wrapping ErrBadCheckpoint when a checkpoint's
// extension lines cannot be read, and the errors of ReadJournal.
func CheckEvidence(dir string, cps []Checkpoint) (*Evidence, error) {
	files, err := JournalFiles(dir)
	if err != nil {
		return nil, err
	}
	bounds, removed, err := evidenceOf(cps)
	if err != nil {
		return nil, err
	}
	e := &Evidence{Checkpoints: len(cps)}
	roots := map[uint64]*sized{}
	for i := range cps {
		c := &cps[i]
		if c.Size >= e.Latest.Size || e.Latest.Root == nil {
			e.Latest = *c
		}
		o, ok := roots[c.Size]
		if !ok {
			roots[c.Size] = &sized{cp: c, n: 1}
			continue
		}
		if !bytes.Equal(o.cp.Root, c.Root) {
			e.Problems = append(e.Problems, EvidenceProblem{Kind: Forked,
				Detail: fmt.Sprintf("two signed checkpoints of %d lines have the roots %s and %s", c.Size, b64(o.cp.Root), b64(c.Root))})
			continue
		}
		o.n++
	}
	if len(cps) > 0 {
		e.LatestInfo, _ = e.Latest.Info() // read above
	}
	e.removedFiles(dir, files, bounds, removed)
	from := startFor(bounds, files)
	t := treeAt(from)
	e.First = t.Size()
	for _, c := range cps {
		switch {
		case c.Size == 0 && e.First == 0:
			e.Matched++ // the empty tree: nothing to read
		case c.Size <= e.First && c.Size > 0:
			e.Unchecked++ // its lines are gone; the tree goes on from it
		}
	}
	var (
		last      Line // the last line read
		good      uint64
		goodAt    Line
		rewritten bool
	)
	err = appendFiles(files, t, func(l Line) {
		last = Line{File: l.File, Num: l.Num}
		n := t.Size()
		sc, ok := roots[n]
		if !ok {
			return
		}
		c := sc.cp
		if bytes.Equal(t.Root(), c.Root) {
			if !rewritten {
				good, goodAt = n, last
				e.Matched += sc.n
			}
			return
		}
		if rewritten {
			return
		}
		rewritten = true
		where := fmt.Sprintf("from the journal's line %d on", e.First+1)
		if good > e.First {
			where = fmt.Sprintf("after %s line %d (the last line of a checkpoint that matches, of %d lines)", filepath.Base(goodAt.File), goodAt.Num, good)
		}
		e.Problems = append(e.Problems, EvidenceProblem{Kind: Rewritten, File: l.File, Line: l.Num,
			Detail: fmt.Sprintf("the first %d lines do not hash to the root of the signed checkpoint of %d lines%s: a line %s was changed, removed, inserted or reordered, or the journal replaced",
				n, n, signedAt(c), where)})
	})
	if err != nil {
		return nil, err
	}
	e.Lines = t.Size()
	if e.Latest.Size > e.Lines {
		p := EvidenceProblem{Kind: TailCut, File: last.File, Line: last.Num,
			Detail: fmt.Sprintf("the signed checkpoint of %d lines%s holds %d more lines than the journal's %d: they were cut from its end",
				e.Latest.Size, signedAt(&e.Latest), e.Latest.Size-e.Lines, e.Lines)}
		if last.File == "" {
			p.File = filepath.Join(dir, JournalName)
		}
		e.Problems = append(e.Problems, p)
	}
	return e, nil
}

// sized is the first checkpoint of a size, and how many have it.
type sized struct {
	cp *Checkpoint
	n  int
}

// removedFiles notes each rotated file a boundary names that is not in
// the folder: retained when a checkpoint records its removal, a finding
// otherwise.
func (e *Evidence) removedFiles(dir string, files []JournalFile, bounds []boundary, removed map[time.Time]bool) {
	present := map[time.Time]bool{}
	for _, f := range files {
		if !f.Rotated.IsZero() {
			present[f.Rotated] = true
		}
	}
	var prev uint64
	for _, b := range bounds {
		if present[b.rotated] {
			prev = b.cp.Size
			continue
		}
		if removed[b.rotated] {
			e.Retained = append(e.Retained, b.info.File)
		} else if prev < b.cp.Size {
			e.Problems = append(e.Problems, EvidenceProblem{Kind: FileRemoved, File: filepath.Join(dir, b.info.File),
				Detail: fmt.Sprintf("it held lines %d to %d of the log (signed when it was rotated%s), and no signed checkpoint records its removal by retention",
					prev+1, b.cp.Size, signedAt(&b.cp))})
		}
		prev = b.cp.Size
	}
}

// signedAt says when c was signed, as " (signed <time>)", or nothing.
func signedAt(c *Checkpoint) string {
	info, err := c.Info()
	if err != nil || info.Time.IsZero() {
		return ""
	}
	return " (signed " + info.Time.UTC().Format(time.RFC3339) + ")"
}

// ResumeTree returns the Merkle tree of the journal in dir, reading as
// little of it as it can: from the state recorded in the latest of cps
// signed at a rotation, it reads the files after that rotation; without
// one, every file. It checks the tree against every checkpoint of cps
// whose lines it read, and against the size of the latest: on a
// mismatch it returns the tree of the lines on disk together with an
// error wrapping ErrJournalMismatch that says what does not match (lines
// cut from the end, or changed). A checkpoint whose extension lines
// cannot be read gives an error wrapping ErrBadCheckpoint and no tree,
// as do the errors of ReadJournal.
func ResumeTree(dir string, cps []Checkpoint) (*Tree, error) {
	files, err := JournalFiles(dir)
	if err != nil {
		return nil, err
	}
	bounds, _, err := evidenceOf(cps)
	if err != nil {
		return nil, err
	}
	var from *boundary
	if len(bounds) > 0 {
		from = &bounds[len(bounds)-1]
		i := 0
		for i < len(files) && !files[i].Rotated.IsZero() && !files[i].Rotated.After(from.rotated) {
			i++
		}
		files = files[i:]
	}
	t := treeAt(from)
	roots := map[uint64][]byte{}
	var latest uint64
	for _, c := range cps {
		roots[c.Size] = c.Root
		latest = max(latest, c.Size)
	}
	var errs []error
	err = appendFiles(files, t, func(l Line) {
		if r, ok := roots[t.Size()]; ok && len(errs) == 0 && !bytes.Equal(r, t.Root()) {
			errs = append(errs, fmt.Errorf("%w: its first %d lines, through %s line %d, do not hash to the root of the signed checkpoint of %d lines",
				ErrJournalMismatch, t.Size(), l.File, l.Num, t.Size()))
		}
	})
	if err != nil {
		return nil, err
	}
	if latest > t.Size() {
		errs = append(errs, fmt.Errorf("%w: it has %d lines, the latest signed checkpoint %d: lines were cut from its end",
			ErrJournalMismatch, t.Size(), latest))
	}
	return t, errors.Join(errs...)
}

// unverifiedCheckpoints reads the bodies of the checkpoints file in dir
// without checking a signature: for the tree states it records, which
// a proof made from them is checked against a signed root anyway. A
// missing or unreadable file gives none.
func unverifiedCheckpoints(dir string) []Checkpoint {
	var out []Checkpoint
	_ = eachEntry(dir, func(entry []byte, _ string, _, _ int) error {
		body, _, _ := bytes.Cut(entry, []byte("\n\n"))
		if c, err := ParseCheckpoint(append(body, '\n')); err == nil {
			if _, err := c.Info(); err == nil {
				out = append(out, c)
			}
		}
		return nil
	})
	return out
}
