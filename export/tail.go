package export

// LastLine returns a copy of the last whole line of the journal in dir:
// the last line of its newest file that has one, a torn line skipped,
// read as FileLastLine reads it. It returns nil and no error for a
// journal with no lines, and an error when the folder or a file it reads
// cannot be read.
func LastLine(dir string) ([]byte, error) {
	files, err := JournalFiles(dir)
	if err != nil {
		return nil, err
	}
	for i := len(files) - 1; i >= 0; i-- {
		last, err := FileLastLine(files[i])
		if err != nil || last != nil {
			return last, err
		}
	}
	return nil, nil
}
