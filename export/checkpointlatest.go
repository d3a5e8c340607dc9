package export

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/auditlog/auditlog/internal/fsafe"
)

// LatestCheckpointNote returns the last entry of the checkpoints file
// (CheckpointsName) in dir, the signed note exactly as it is stored,
// without checking its signature: for a prover who hands it on, to be
// checked by whoever holds the log's public key (see OpenCheckpoint; use
// ReadCheckpoints to check every entry). It returns nil, and no error,
// when the file is missing or empty, and an error wrapping
// ErrBadCheckpoint, naming the file and the entry, when the file is not a
// series of entries (a last entry cut short, a blank line out of place,
// an entry longer than MaxCheckpointBytes).
func LatestCheckpointNote(dir string) ([]byte, error) {
	path := filepath.Join(dir, CheckpointsName)
	f, err := fsafe.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("auditlog: checkpoints: %w", err)
	}
	defer f.Close() // read only
	var last []byte
	err = splitEntries(f, func(entry []byte, _, _ int) error {
		last = entry
		return nil
	})
	var pe *entryError
	if errors.As(err, &pe) {
		return nil, fmt.Errorf("%w: %s: %s", ErrBadCheckpoint, path, pe.msg)
	}
	if err != nil {
		return nil, err
	}
	return last, nil
}
