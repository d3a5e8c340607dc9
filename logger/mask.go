package logger

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"net/url"
	"slices"
	"strings"
	"unicode"
)

// Redacted is what a value under a sensitive key becomes when masking is
// on and MaskOptions.HMACKey is not set.
const Redacted = "***REDACTED***"

// hmacPrefix starts every value masked in HMAC mode.
const hmacPrefix = "hmac-sha256:"

// MaskOptions configure the masking of secrets. Masking is on by default:
// the zero value replaces every value under a sensitive key with
// [Redacted].
//
// Masking applies to the free-form parts of an event — Metadata,
// PreviousState, NewState, Changes (by the changed field's name), and the
// query string of Request.Path (parameters separated by "&" or ";") — at
// any depth: nested maps, slices, and
// structs by their JSON field names. It happens in the writer goroutine,
// before the event reaches the ring, the journal or the console mirror,
// so no copy of a secret is ever stored. The indexed fields (UserID,
// ResourceID, ...) and the free text (Description, ErrorMessage) are not
// masked: do not put secrets there.
//
// A key is sensitive when its words contain a sensitive key's words. A
// key's words are found the same way in every style, case aside:
// "api_key", "apiKey", "APIKey", "api-key", "X-Api-Key" and "API_KEY" all
// have the words "api key", so they all match "api_key". Matching whole
// words is what keeps ordinary words safe: "shipping" does not match
// "pin", "keyboard" does not match "key". A sensitive key written with a
// leading "*" also matches a word that ends with it ("*token" matches
// "accesstoken" and "csrfToken", which is two words anyway), and one with
// a trailing "*" a word that starts with it.
//
// The judgement calls of the defaults, all in favour of the words an AI or
// agent system uses every day: "tokenizer_name" is not masked, because a
// tokenizer is not a token ("*token" matches words that end in "token");
// "max_tokens" and "input_tokens" are not masked, because there tokens
// are counted, not kept (the plural is not a default, unlike "passwords"
// or "secrets"); "token_count" is masked, because "token" is a word of it:
// add it to Allow if that is how you use it.
type MaskOptions struct {
	// Keys are sensitive keys added to DefaultSensitiveKeys, in any style.
	Keys []string

	// Remove takes keys out of DefaultSensitiveKeys (or Keys) with their
	// plural and run-together forms: Remove "cookie" stops masking
	// "cookie", "cookies", "Set-Cookie" and "sessionCookie", and Remove
	// "api_key" stops masking "apiKey", "apikey" and "api_keys" too.
	// Naming a key that is not in the list is an error, so that a typo
	// does not pass silently.
	Remove []string

	// Allow are keys never masked, compared as a whole by their words:
	// Allow "token_count" keeps "token_count" and "tokenCount" in clear,
	// but still masks "token".
	Allow []string

	// HMACKey, when set, masks each value to "hmac-sha256:" and the hex
	// HMAC-SHA256 of the value under this key, as Vault's audit devices
	// do: the same secret always masks to the same string, so events can
	// be correlated by it ("were these two requests made with the same
	// token?") without it being revealed. A string is hashed as its
	// bytes, any other value as its JSON; HashSecret computes the mask of
	// a known value. At least 16 bytes; keep it as secret as the values,
	// and remember that a secret from a small set (a PIN, a social
	// security number) can be found by hashing every candidate.
	HMACKey []byte

	// InsecureDisable stores every value as given, secrets included. It
	// is meant for tests and for events known to carry none.
	InsecureDisable bool
}

// defaultSensitiveKeys: see DefaultSensitiveKeys.
var defaultSensitiveKeys = []string{
	"*password", "passwords", "*passwd", "*passphrase",
	"*secret", "secrets", "*secretkey",
	"*token",
	"api_key", "api_keys", "*apikey", "*apikeys",
	"private_key", "private_keys", "*privatekey", "*privatekeys",
	"*credential", "credentials",
	"*authorization", "*cookie", "cookies",
	"ssn", "credit_card", "*creditcard", "card_number", "*cardnumber", "cvv",
	"*pwd", "pwds", "pin", "pins", "otp", "otps", "*passcode", "passcodes", "cvc", "jwt", "jwts",
	"encryption_key", "encryption_keys", "*encryptionkey", "*encryptionkeys",
	"signing_key", "signing_keys", "*signingkey", "*signingkeys",
	"master_key", "master_keys", "*masterkey", "*masterkeys",
	"social_security_number", "social_security_numbers", "*socialsecuritynumber", "*socialsecuritynumbers",
	"iban", "ibans", "account_number", "account_numbers", "*accountnumber", "*accountnumbers",
}

// DefaultSensitiveKeys returns the keys masked by default, in the syntax
// of MaskOptions.Keys.
func DefaultSensitiveKeys() []string { return slices.Clone(defaultSensitiveKeys) }

// minHMACKey is the shortest MaskOptions.HMACKey accepted.
const minHMACKey = 16

// maxMaskCache bounds the masker's memory of keys already judged, and
// maxCachedKey the length of a key it remembers: keys are chosen by
// callers, and a long one is judged again each time rather than kept.
const (
	maxMaskCache = 4096
	maxCachedKey = 128
)

// masker masks the values under sensitive keys. It belongs to the writer
// goroutine: it is not safe for concurrent use.
type masker struct {
	terms  []maskTerm
	allow  map[string]bool // keys by their words, joined with "_"
	mac    hash.Hash       // nil: redact
	sum    []byte
	seen   map[string]bool // keys judged so far
	recent [64]maskSlot    // a few of them, found without hashing
	words  []string
}

// maskSlot is a key judged, in the masker's own copy, and its judgement.
type maskSlot struct {
	key       string
	sensitive bool
}

// maskTerm is a sensitive key: its words, and whether its first word may
// have anything before it and its last anything after.
type maskTerm struct {
	words          []string
	anyBefore      bool
	anyAfter       bool
	written, joint string // as given, and by its words
}

// newMasker returns the masker mo describes, nil when masking is off.
func newMasker(mo MaskOptions) (*masker, error) {
	if mo.InsecureDisable {
		if len(mo.HMACKey) > 0 || len(mo.Keys) > 0 || len(mo.Remove) > 0 || len(mo.Allow) > 0 {
			return nil, fmt.Errorf("%w: Mask.InsecureDisable with other Mask options: which is meant?", ErrInvalidOptions)
		}
		return nil, nil
	}
	m := &masker{allow: make(map[string]bool), seen: make(map[string]bool)}
	for _, k := range append(slices.Clone(defaultSensitiveKeys), mo.Keys...) {
		t, err := parseMaskTerm(k)
		if err != nil {
			return nil, err
		}
		m.terms = append(m.terms, t)
	}
	for _, k := range mo.Remove {
		family := termFamily(keyWords(strings.Trim(k, "*"), nil))
		n := len(m.terms)
		m.terms = slices.DeleteFunc(m.terms, func(t maskTerm) bool { return termFamily(t.words) == family })
		if family == "" || len(m.terms) == n {
			return nil, fmt.Errorf("%w: Mask.Remove %q is not a sensitive key (see DefaultSensitiveKeys)", ErrInvalidOptions, k)
		}
	}
	for _, k := range mo.Allow {
		joint := strings.Join(keyWords(k, nil), "_")
		if joint == "" {
			return nil, fmt.Errorf("%w: Mask.Allow %q has no words", ErrInvalidOptions, k)
		}
		m.allow[joint] = true
	}
	if mo.HMACKey != nil {
		if len(mo.HMACKey) < minHMACKey {
			return nil, fmt.Errorf("%w: Mask.HMACKey is %d bytes, fewer than %d", ErrInvalidOptions, len(mo.HMACKey), minHMACKey)
		}
		m.mac = hmac.New(sha256.New, slices.Clone(mo.HMACKey))
	}
	return m, nil
}

// termFamily returns what the forms of a key share: its words run
// together, without a plural "s" ("api_keys", "apiKey" and "apikey" are
// all "apikey").
func termFamily(words []string) string {
	return strings.TrimSuffix(strings.Join(words, ""), "s")
}

func parseMaskTerm(k string) (maskTerm, error) {
	t := maskTerm{written: k}
	s := k
	t.anyBefore = strings.HasPrefix(s, "*")
	s = strings.TrimPrefix(s, "*")
	t.anyAfter = strings.HasSuffix(s, "*")
	s = strings.TrimSuffix(s, "*")
	if strings.Contains(s, "*") {
		return t, fmt.Errorf("%w: Mask key %q: a \"*\" may only start or end it", ErrInvalidOptions, k)
	}
	t.words = keyWords(s, nil)
	if len(t.words) == 0 {
		return t, fmt.Errorf("%w: Mask key %q has no words", ErrInvalidOptions, k)
	}
	t.joint = strings.Join(t.words, "_")
	return t, nil
}

// sensitive reports whether values under key are masked.
//
// The same few keys come back in event after event, so the answer is
// remembered twice: in a small table that a key's length and first and
// last bytes index, which costs a string comparison, and in a map.
func (m *masker) sensitive(key string) bool {
	if key == "" {
		return false
	}
	if len(key) > maxCachedKey {
		m.words = keyWords(key, m.words[:0])
		return m.judge(m.words)
	}
	slot := &m.recent[(len(key)*31+int(key[0])*7+int(key[len(key)-1]))%len(m.recent)]
	if slot.key == key {
		return slot.sensitive
	}
	s, ok := m.seen[key]
	if !ok {
		m.words = keyWords(key, m.words[:0])
		s = m.judge(m.words)
		if len(m.seen) < maxMaskCache {
			m.seen[strings.Clone(key)] = s // not a slice of a caller's larger string
		}
	}
	*slot = maskSlot{key: strings.Clone(key), sensitive: s}
	return s
}

func (m *masker) judge(words []string) bool {
	if len(words) == 0 || m.allow[strings.Join(words, "_")] {
		return false
	}
	for _, t := range m.terms {
		if t.in(words) {
			return true
		}
	}
	return false
}

// in reports whether t's words appear in words, one after the other.
func (t *maskTerm) in(words []string) bool {
	n := len(t.words)
	for i := 0; i+n <= len(words); i++ {
		ok := true
		for j, tw := range t.words {
			w := words[i+j]
			before, after := j == 0 && t.anyBefore, j == n-1 && t.anyAfter
			switch {
			case before && after:
				ok = strings.Contains(w, tw)
			case before:
				ok = strings.HasSuffix(w, tw)
			case after:
				ok = strings.HasPrefix(w, tw)
			default:
				ok = w == tw
			}
			if !ok {
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// keyWords appends the words of key to dst, in lower case. Words end at
// any character that is not a letter or a digit, where a lower-case
// letter meets an upper-case one ("apiKey"), before the last capital of
// a run that a lower-case letter follows ("APIKey" is "api key"), and
// between letters and digits ("cvv2" is "cvv 2").
func keyWords(key string, dst []string) []string {
	rs := []rune(key)
	start := -1
	flush := func(end int) {
		if start >= 0 {
			dst = append(dst, strings.ToLower(string(rs[start:end])))
		}
		start = -1
	}
	for i, r := range rs {
		letter, digit := unicode.IsLetter(r), unicode.IsDigit(r)
		if !letter && !digit {
			flush(i)
			continue
		}
		if start >= 0 {
			p := rs[i-1]
			switch {
			case unicode.IsDigit(p) != digit:
				flush(i)
			case unicode.IsUpper(r) && unicode.IsLower(p):
				flush(i)
			case unicode.IsUpper(r) && unicode.IsUpper(p) && i+1 < len(rs) && unicode.IsLower(rs[i+1]):
				flush(i)
			}
		}
		if start < 0 {
			start = i
		}
	}
	flush(len(rs))
	return dst
}

// HashSecret returns what secret masks to in a journal written with
// MaskOptions.HMACKey set to key: "hmac-sha256:" and the hex HMAC-SHA256
// of secret. Use it to look for a known value in masked events.
func HashSecret(key []byte, secret string) string {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(secret))
	return hmacPrefix + hex.EncodeToString(mac.Sum(nil))
}

// appendMAC appends the quoted HMAC mask of b to buf.
func (m *masker) appendMAC(buf, b []byte) []byte {
	m.mac.Reset()
	m.mac.Write(b)
	m.sum = m.mac.Sum(m.sum[:0])
	buf = append(buf, '"')
	buf = append(buf, hmacPrefix...)
	buf = hex.AppendEncode(buf, m.sum)
	return append(buf, '"')
}

// maskQuery returns path with the values of sensitive parameters of its
// query string and of its fragment (where OAuth's implicit flow puts an
// access_token) masked, and whether it changed anything.
func (e *valueEncoder) maskQuery(path string) (string, bool) {
	rest, fragment, hasFragment := strings.Cut(path, "#")
	base, query, hasQuery := strings.Cut(rest, "?")
	if !hasQuery && !hasFragment {
		return path, false
	}
	query, qChanged := e.maskParams(query)
	fragment, fChanged := e.maskParams(fragment)
	if !qChanged && !fChanged {
		return path, false
	}
	out := base
	if hasQuery {
		out += "?" + query
	}
	if hasFragment {
		out += "#" + fragment
	}
	return out, true
}

// maskParams masks the values of the sensitive parameters of s, a list of
// name=value pairs joined by "&" or ";" (both separate parameters in the
// query strings servers accept), and reports whether it changed any.
// Names are compared decoded: "pass%77ord" is "password".
func (e *valueEncoder) maskParams(s string) (string, bool) {
	if !strings.Contains(s, "=") {
		return s, false
	}
	var out strings.Builder
	changed := false
	for rest := s; ; {
		end := strings.IndexAny(rest, "&;")
		p := rest
		if end >= 0 {
			p = rest[:end]
		}
		if masked, ok := e.maskParam(p); ok {
			if !changed {
				out.Grow(len(s))
				out.WriteString(s[:len(s)-len(rest)])
				changed = true
			}
			out.WriteString(masked)
		} else if changed {
			out.WriteString(p)
		}
		if end < 0 {
			break
		}
		if changed {
			out.WriteByte(rest[end])
		}
		rest = rest[end+1:]
	}
	if !changed {
		return s, false
	}
	return out.String(), true
}

// maskParam returns the parameter p (name=value) with its value masked,
// and false when its name is not sensitive or it has no value.
func (e *valueEncoder) maskParam(p string) (string, bool) {
	raw, value, ok := strings.Cut(p, "=")
	if !ok || value == "" {
		return p, false
	}
	name := raw
	if n, err := url.QueryUnescape(raw); err == nil {
		name = n
	}
	if !e.mask.sensitive(name) {
		return p, false
	}
	if e.mask.mac == nil {
		return raw + "=" + Redacted, true
	}
	if v, err := url.QueryUnescape(value); err == nil {
		value = v
	}
	return raw + "=" + strings.Trim(string(e.mask.appendMAC(nil, []byte(value))), `"`), true
}

// anySensitive reports whether a decoded JSON value has a sensitive key
// at any depth.
func (m *masker) anySensitive(v any) bool {
	switch x := v.(type) {
	case map[string]any:
		for k, el := range x {
			if m.sensitive(k) || m.anySensitive(el) {
				return true
			}
		}
	case []any:
		for _, el := range x {
			if m.anySensitive(el) {
				return true
			}
		}
	}
	return false
}
