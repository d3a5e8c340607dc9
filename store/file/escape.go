package file

import (
	"strings"
	"unicode/utf8"
)

// defaultPartition is Hive's name for the partition of an empty (null)
// value.
const defaultPartition = "__HIVE_DEFAULT_PARTITION__"

// hiveEscapes are the bytes Hive's FileUtils.escapePathName writes as
// %XX: the control characters, DEL, and "#%'*/:=?\{[]^.
var hiveEscapes = func() (set [128]bool) {
	for c := 0; c < ' '; c++ {
		set[c] = true
	}
	for _, c := range "\"#%'*/:=?\\\x7f{[]^" {
		set[c] = true
	}
	return set
}()

// escapeValue returns the folder name of a partition value, as Hive's
// FileUtils.escapePathName writes it: each byte of hiveEscapes as '%' and
// two upper-case hex digits, every other byte as it is, and the empty
// value as __HIVE_DEFAULT_PARTITION__. Two additions, for values Hive
// cannot be given: bytes that are not UTF-8 are first replaced by U+FFFD,
// as the event's JSON replaces them (so the folder holds the value the
// lines hold), and the literal values __HIVE_DEFAULT_PARTITION__ and
// __AUDITLOG_LONG_VALUE__ are written with their first '_' as %5F, so
// that the first does not read back as empty and the second does not
// share the folder of the values too long for a name. Every engine that
// unescapes %XX reads them back right. Two values that the event's JSON
// keeps apart never get the same name (a file system that ignores case
// may still give them one folder).
//
// The result never contains '/', '\\' or NUL, and never is "." or "..":
// it is one path element that stays in its folder.
func escapeValue(v string) string {
	if v == "" {
		return defaultPartition
	}
	if v == defaultPartition || v == longValues {
		return "%5F" + v[1:]
	}
	var b strings.Builder
	for i := 0; i < len(v); {
		c := v[i]
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(v[i:])
			if r == utf8.RuneError && size == 1 {
				b.WriteString("\uFFFD")
			} else {
				b.WriteString(v[i : i+size])
			}
			i += size
			continue
		}
		if hiveEscapes[c] {
			const hex = "0123456789ABCDEF"
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&0xf])
		} else {
			b.WriteByte(c)
		}
		i++
	}
	return b.String()
}

// unescapeValue is the inverse of escapeValue, as Hive's
// FileUtils.unescapePathName: each '%' followed by two hex digits is the
// byte they name; anything else is kept. __HIVE_DEFAULT_PARTITION__ is
// the empty value.
func unescapeValue(s string) string {
	if s == defaultPartition {
		return ""
	}
	if !strings.Contains(s, "%") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) {
			hi, ok1 := unhex(s[i+1])
			lo, ok2 := unhex(s[i+2])
			if ok1 && ok2 {
				b.WriteByte(hi<<4 | lo)
				i += 2
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}
