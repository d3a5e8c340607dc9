package export

import "bytes"

// LastLine returns a copy of the last whole line of the journal in dir:
// the last line of its newest file that has one, a torn line skipped.
// It returns nil and no error for a journal with no lines, and an error
// when the folder or a file it reads cannot be read.
func LastLine(dir string) ([]byte, error) {
	files, err := JournalFiles(dir)
	if err != nil {
		return nil, err
	}
	for i := len(files) - 1; i >= 0; i-- {
		var last []byte
		err := ReadJournalFile(files[i], func(l Line) error {
			if !l.Torn {
				last = append(last[:0], l.Data...)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		if len(bytes.TrimSpace(last)) > 0 {
			return last, nil
		}
	}
	return nil, nil
}
