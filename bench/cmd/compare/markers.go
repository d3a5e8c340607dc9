package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
)

// The lines between which the runner writes its section of
// BENCHMARKS.md.
const (
	beginMarker = "<!-- compare:begin -->"
	endMarker   = "<!-- compare:end -->"
)

// errNoMarkers is returned when the file lacks the markers.
var errNoMarkers = errors.New("compare: the markers " + beginMarker + " and " + endMarker + " are not in the file, in that order")

// writeSection replaces what lies between the markers in the file at
// path with section.
func writeSection(path, section string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	i := bytes.Index(b, []byte(beginMarker))
	j := bytes.Index(b, []byte(endMarker))
	if i < 0 || j < i {
		return fmt.Errorf("%s: %w", path, errNoMarkers)
	}
	var out bytes.Buffer
	out.Write(b[:i+len(beginMarker)])
	out.WriteString("\n")
	out.WriteString(section)
	out.Write(b[j:])
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	return os.WriteFile(path, out.Bytes(), fi.Mode().Perm())
}
