package httpaudit

// truncateUTF8 cuts s to at most n bytes without splitting a character.
func truncateUTF8(s string, n int) string {
	for n > 0 && n < len(s) && s[n]&0xc0 == 0x80 {
		n--
	}
	return s[:n]
}

// truncateEscaped cuts the escaped path s to at most n bytes without
// splitting an escape ("%2F").
func truncateEscaped(s string, n int) string {
	if n >= len(s) {
		return s
	}
	for i := max(n-2, 0); i < n; i++ {
		if s[i] == '%' {
			return s[:i]
		}
	}
	return s[:n]
}
