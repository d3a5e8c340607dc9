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

// ChainKind names how a line is chained: the value of its "chain" key.
type ChainKind string

// The kinds of chain a line records.
const (
	// ChainSHA256: the line's hash is SHA-256, which anyone can recompute.
	ChainSHA256 ChainKind = "sha256"
	// ChainHMAC: the line's hash is HMAC-SHA256, keyed with
	// JournalOptions.HashKey.
	ChainHMAC ChainKind = "hmac-sha256"
)

// The suffix a chained line ends with: ,"prev_hash":"<64 hex>","hash":"<64 hex>"}
const (
	chainKey  = `"chain":"`
	prevKey   = `"prev_hash":"`
	hashKey   = `","hash":"`
	suffixLen = len(prevKey) + hashLen + len(hashKey) + hashLen + len(`"}`)
)

// Chain links JSON objects into a hash chain. Each object gets three more
// keys at its end: chain, which says how the line is chained
// (ChainSHA256 or ChainHMAC), prev_hash (the hash of the line before it)
// and hash:
//
//	{...,"chain":"hmac-sha256","prev_hash":"<64 hex>","hash":"<64 hex>"}
//
// The hash is over the canonical encoding of the line, its bytes without
// prev_hash and hash (so the chain key is covered, and cannot be changed
// to pass a keyed line off as a SHA-256 one):
//
//	hex(SHA-256(prev_hash || object))
//
// or HMAC-SHA256 keyed with the chain's key when it has one. A line
// without a chain key (as versions before it wrote them) is verified the
// same way, over its bytes without prev_hash and hash. A plain
// SHA-256 chain shows accidental corruption and edits by anyone who does
// not recompute every hash after the edit; only a keyed chain, whose key
// is kept away from the journal, shows deliberate tampering.
//
// A Chain is not safe for concurrent use: the logger's writer goroutine
// owns it.
type Chain struct {
	h    hash.Hash
	kind ChainKind
	prev [hashLen]byte
	sum  [sha256.Size]byte
}

// NewChain returns a chain that continues after a line whose hash is
// prev (GenesisHash, or "", to start a new chain). A nil key makes a
// SHA-256 chain, any other an HMAC-SHA256 chain.
func NewChain(key []byte, prev string) *Chain {
	c := &Chain{kind: ChainSHA256}
	if key == nil {
		c.h = sha256.New()
	} else {
		c.h = hmac.New(sha256.New, key)
		c.kind = ChainHMAC
	}
	if prev == "" {
		prev = GenesisHash
	}
	copy(c.prev[:], prev)
	return c
}

// Last returns the hash of the last line appended, GenesisHash if none.
func (c *Chain) Last() string { return string(c.prev[:]) }

// Kind returns how the chain hashes its lines.
func (c *Chain) Kind() ChainKind { return c.kind }

// KeysLen is the most bytes Append adds to an object: its chain,
// prev_hash and hash keys, and the newline.
const KeysLen = len(`,"chain":"hmac-sha256","prev_hash":"","hash":""`) + 2*hashLen + 1

// Append appends to dst the object obj (which must be a JSON object, as
// the logger's encoder writes it) with its chain, prev_hash and hash
// added, and a newline, and returns the extended slice.
func (c *Chain) Append(dst, obj []byte) []byte {
	start := len(dst)
	dst = append(dst, obj[:len(obj)-1]...)
	if len(obj) > 2 {
		dst = append(dst, ',')
	}
	dst = append(dst, chainKey...)
	dst = append(dst, c.kind...)
	dst = append(dst, '"', '}')
	c.h.Reset()
	c.h.Write(c.prev[:])
	c.h.Write(dst[start:]) // the canonical object: obj with its chain key
	sum := c.h.Sum(c.sum[:0])
	dst[len(dst)-1] = ','
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

// lineKind returns the chain key that ends obj, the canonical object of
// a chained line: "" when it has none (a line written before lines said
// how they are chained), and the value as written otherwise.
func lineKind(obj []byte) ChainKind {
	body := obj[:len(obj)-1] // without its }
	if !bytes.HasSuffix(body, []byte{'"'}) {
		return ""
	}
	i := bytes.LastIndexByte(body[:len(body)-1], '"')
	if i < len(chainKey)-1 || !bytes.HasSuffix(body[:i+1], []byte(chainKey)) {
		return ""
	}
	before := body[:i+1-len(chainKey)]
	if len(before) == 0 || before[len(before)-1] != ',' && before[len(before)-1] != '{' {
		return ""
	}
	return ChainKind(body[i+1 : len(body)-1])
}

// ChainedLine is what CheckLine reads of a line.
type ChainedLine struct {
	// Chained is false when the line does not end with prev_hash and hash
	// as Append writes them: nothing else is then set.
	Chained bool
	// Kind is the line's chain key, "" when it has none.
	Kind ChainKind
	// Prev and Hash are the line's prev_hash and hash.
	Prev, Hash string
	// Valid reports that the line's hash is that of its content, with the
	// chain's key (or SHA-256).
	Valid bool
	// obj is the canonical object.
	obj []byte
}

// CheckLine reads line (without its newline) as a chained line and checks
// its hash against its content with c's key; it does not check that
// prev_hash is the hash of the line before it, which the caller knows.
// A line whose chain key names another kind than c's is checked all the
// same: it is Valid only when hashed with c's key.
func (c *Chain) CheckLine(line []byte) ChainedLine {
	obj, prev, sum, ok := splitChained(line)
	if !ok {
		return ChainedLine{}
	}
	return ChainedLine{Chained: true, Kind: lineKind(obj), Prev: prev, Hash: sum,
		Valid: c.hashOf(prev, obj) == sum, obj: obj}
}

// hashOf computes the hash a line with prev and obj must carry.
func (c *Chain) hashOf(prev string, obj []byte) string {
	c.h.Reset()
	c.h.Write([]byte(prev))
	c.h.Write(obj)
	return hex.EncodeToString(c.h.Sum(c.sum[:0]))
}
