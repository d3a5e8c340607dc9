package export

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
	var last []byte
	err := eachEntry(dir, func(entry []byte, _ string, _, _ int) error {
		last = entry
		return nil
	})
	if err != nil {
		return nil, err
	}
	return last, nil
}
