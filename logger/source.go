package logger

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"unicode"
	"unicode/utf8"
)

// maxSourceBytes bounds Options.Source.
const maxSourceBytes = 256

// DefaultSource returns the Source of a logger whose Options.Source is
// empty: the host name, the program's name and the process ID, as in
// "web-1/agentd[4121]". A part that cannot be read is left out (an
// unknown host name gives "agentd[4121]").
func DefaultSource() string {
	prog := "go"
	if len(os.Args) > 0 {
		if p := filepath.Base(os.Args[0]); p != "." && p != "/" {
			prog = p
		}
	}
	s := prog + "[" + strconv.Itoa(os.Getpid()) + "]"
	if host, err := os.Hostname(); err == nil && host != "" {
		s = host + "/" + s
	}
	if len(s) > maxSourceBytes || checkSource(s) != nil {
		return "pid-" + strconv.Itoa(os.Getpid())
	}
	return s
}

// checkSource reports why s cannot be an Options.Source.
func checkSource(s string) error {
	if len(s) > maxSourceBytes {
		return fmt.Errorf("%w: Source is %d bytes, above %d", ErrInvalidOptions, len(s), maxSourceBytes)
	}
	if !utf8.ValidString(s) {
		return fmt.Errorf("%w: Source %q is not UTF-8", ErrInvalidOptions, s)
	}
	for _, r := range s {
		if !unicode.IsPrint(r) {
			return fmt.Errorf("%w: Source %q holds a character that is not printable", ErrInvalidOptions, s)
		}
	}
	return nil
}
