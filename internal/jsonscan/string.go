package jsonscan

// SkipString returns the index just past the JSON string that starts at
// b[i] (its opening quote) and true, checking its escapes as
// encoding/json does; it lets invalid UTF-8 through, as encoding/json's
// decoding replaces it. It returns false when b[i] opens no string, or
// the string is unterminated or holds a control character or a bad
// escape.
func SkipString(b []byte, i int) (int, bool) {
	if i >= len(b) || b[i] != '"' {
		return i, false
	}
	i++
	for i < len(b) {
		c := b[i]
		i++
		switch {
		case c == '"':
			return i, true
		case c < 0x20:
			return i, false
		case c == '\\':
			if i >= len(b) {
				return i, false
			}
			e := b[i]
			i++
			switch e {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if len(b)-i < 4 {
					return i, false
				}
				for _, h := range b[i : i+4] {
					if !('0' <= h && h <= '9' || 'a' <= h && h <= 'f' || 'A' <= h && h <= 'F') {
						return i, false
					}
				}
				i += 4
			default:
				return i, false
			}
		}
	}
	return i, false
}
