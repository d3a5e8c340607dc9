package export

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"hash"
)

// GenesisHash is the prev_hash of the first line of a chain.
const GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000"

// hashLen is the length of a hash in hex.
const hashLen = 64

// The suffix a chained line ends with: ,"prev_hash":"<64 hex>","hash":"<64 hex>"}
const (
	prevKey   = `"prev_hash":"`
	hashKey   = `","hash":"`
	suffixLen = len(prevKey) + hashLen + len(hashKey) + hashLen + len(`"}`)
)

// Chain links JSON objects into a hash chain. Each object gets two more
// keys, prev_hash (the hash of the object before it) and hash, over the
// canonical encoding of the line: the object's bytes as given, without
// those two keys. The hash is
//
//	hex(SHA-256(prev_hash || object))
//
// or HMAC-SHA256 keyed with the chain's key when it has one. A plain
// SHA-256 chain shows accidental corruption and edits by anyone who does
// not recompute every hash after the edit; only a keyed chain, whose key
// is kept away from the journal, shows deliberate tampering.
//
// A Chain is not safe for concurrent use: the logger's writer goroutine
// owns it.
type Chain struct {
	h    hash.Hash
	prev [hashLen]byte
	sum  [sha256.Size]byte
}

// NewChain returns a chain that continues after a line whose hash is
// prev (GenesisHash, or "", to start a new chain). A nil key makes a
// SHA-256 chain, any other an HMAC-SHA256 chain.
func NewChain(key []byte, prev string) *Chain {
	c := &Chain{}
	if key == nil {
		c.h = sha256.New()
	} else {
		c.h = hmac.New(sha256.New, key)
	}
	if prev == "" {
		prev = GenesisHash
	}
	copy(c.prev[:], prev)
	return c
}

// Last returns the hash of the last line appended, GenesisHash if none.
func (c *Chain) Last() string { return string(c.prev[:]) }

// Append appends to dst the object obj (which must be a JSON object, as
// the logger's encoder writes it) with its prev_hash and hash added, and
// a newline, and returns the extended slice.
func (c *Chain) Append(dst, obj []byte) []byte {
	c.h.Reset()
	c.h.Write(c.prev[:])
	c.h.Write(obj)
	sum := c.h.Sum(c.sum[:0])
	dst = append(dst, obj[:len(obj)-1]...)
	if len(obj) > 2 {
		dst = append(dst, ',')
	}
	dst = append(dst, prevKey...)
	dst = append(dst, c.prev[:]...)
	dst = append(dst, hashKey...)
	n := len(dst)
	dst = append(dst, make([]byte, hashLen)...)
	hex.Encode(dst[n:], sum)
	copy(c.prev[:], dst[n:])
	return append(dst, '"', '}', '\n')
}

// splitChained takes a chained line (without its newline) apart: the
// canonical object, and the prev_hash and hash it carries. ok is false
// when the line does not end with the two keys as Append writes them.
func splitChained(line []byte) (obj []byte, prev, sum string, ok bool) {
	n := len(line)
	if n < suffixLen+len("{}")-1 || line[0] != '{' {
		return nil, "", "", false
	}
	s := line[n-suffixLen:]
	if !bytes.HasPrefix(s, []byte(prevKey)) ||
		!bytes.Equal(s[len(prevKey)+hashLen:len(prevKey)+hashLen+len(hashKey)], []byte(hashKey)) ||
		!bytes.HasSuffix(s, []byte(`"}`)) {
		return nil, "", "", false
	}
	prev = string(s[len(prevKey) : len(prevKey)+hashLen])
	sum = string(s[len(prevKey)+hashLen+len(hashKey) : suffixLen-2])
	head := line[:n-suffixLen] // "{...," or "{"
	switch {
	case len(head) == 1:
		obj = []byte("{}")
	case head[len(head)-1] == ',':
		obj = make([]byte, len(head))
		copy(obj, head)
		obj[len(obj)-1] = '}'
	default:
		return nil, "", "", false
	}
	return obj, prev, sum, true
}

// hashOf computes the hash a line with prev and obj must carry.
func (c *Chain) hashOf(prev string, obj []byte) string {
	c.h.Reset()
	c.h.Write([]byte(prev))
	c.h.Write(obj)
	return hex.EncodeToString(c.h.Sum(c.sum[:0]))
}
