package export

import (
	"encoding/base64"
	"fmt"
	"strings"
	"time"
)

// Keys of the extension lines the journal's writer puts in the
// checkpoints it signs: each line is a key, a space and a value.
const (
	extTime    = "auditlog-time"
	extFile    = "auditlog-file"
	extRange   = "auditlog-range"
	extRemoved = "auditlog-removed"
)

// CheckpointInfo is what the journal's writer records in the extension
// lines of a checkpoint it signs, besides the tree's size and root. The
// signature covers them.
//
//	auditlog-time 2026-12-05T08:40:00.123Z
//	auditlog-file audit-2026-12-05T08-40-00.120.jsonl
//	auditlog-range <base64 hash> <base64 hash> ...
//	auditlog-removed audit-2026-11-01T00-00-00.000.jsonl
type CheckpointInfo struct {
	// Time is when the checkpoint was signed.
	Time time.Time
	// File, in the checkpoint signed when the journal rotated, names the
	// rotated file (as rotation named it, without ".gz") whose last line
	// is the checkpoint's last: the lines of the files after it are
	// leaves Size and on.
	File string
	// Range, with File, is the tree's state at Size (see TreeState): what
	// a reader needs to go on from the next file once File and the files
	// before it are removed.
	Range [][]byte
	// Removed, in the checkpoint signed when retention removes a rotated
	// file, names that file: its absence is then retention's doing, not
	// a finding.
	Removed string
}

// Extensions returns the extension lines of i, for Checkpoint.Extensions.
func (i CheckpointInfo) Extensions() []string {
	var ext []string
	if !i.Time.IsZero() {
		ext = append(ext, extTime+" "+i.Time.UTC().Format(time.RFC3339Nano))
	}
	if i.File != "" {
		ext = append(ext, extFile+" "+i.File)
		if len(i.Range) > 0 {
			hs := make([]string, len(i.Range))
			for k, h := range i.Range {
				hs[k] = base64.StdEncoding.EncodeToString(h)
			}
			ext = append(ext, extRange+" "+strings.Join(hs, " "))
		}
	}
	if i.Removed != "" {
		ext = append(ext, extRemoved+" "+i.Removed)
	}
	return ext
}

// Info reads the extension lines the journal's writer puts in a
// checkpoint (see CheckpointInfo). Lines of other keys are ignored. It
// returns an error wrapping ErrBadCheckpoint when a line of one of its
// keys cannot be read: a time that is not RFC 3339, a file name that is
// not a rotated file's, a range whose hashes are not base64 of HashSize
// bytes or are not one per bit set in the size, a range without a file.
func (c Checkpoint) Info() (CheckpointInfo, error) {
	var i CheckpointInfo
	var hasRange bool
	for n, e := range c.Extensions {
		key, val, _ := strings.Cut(e, " ")
		bad := func(what string) error {
			return fmt.Errorf("%w: extension line %d (%s): %s", ErrBadCheckpoint, n+1, key, what)
		}
		switch key {
		case extTime:
			t, err := time.Parse(time.RFC3339Nano, val)
			if err != nil {
				return CheckpointInfo{}, bad("not an RFC 3339 time")
			}
			i.Time = t
		case extFile, extRemoved:
			if _, gz, ok := parseBackupName(val); !ok || gz {
				return CheckpointInfo{}, bad(fmt.Sprintf("%.80q is not the name of a rotated journal file", val))
			}
			if key == extFile {
				i.File = val
			} else {
				i.Removed = val
			}
		case extRange:
			hasRange = true
			for _, s := range strings.Fields(val) {
				h, err := base64.StdEncoding.Strict().DecodeString(s)
				if err != nil || len(h) != HashSize {
					return CheckpointInfo{}, bad(fmt.Sprintf("a hash is not base64 of %d bytes", HashSize))
				}
				i.Range = append(i.Range, h)
			}
		}
	}
	if hasRange {
		if i.File == "" {
			return CheckpointInfo{}, fmt.Errorf("%w: a range without a file", ErrBadCheckpoint)
		}
		t, err := TreeFromState(TreeState{Size: c.Size, Hashes: i.Range})
		if err != nil {
			return CheckpointInfo{}, err
		}
		if r := t.Root(); string(r) != string(c.Root) {
			return CheckpointInfo{}, fmt.Errorf("%w: the range hashes to %s, not to the root %s", ErrBadCheckpoint, b64(r), b64(c.Root))
		}
	}
	return i, nil
}
