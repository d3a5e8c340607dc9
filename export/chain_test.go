package export_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/export"
)

// objectKeys returns the keys of the JSON object line in the order written.
func objectKeys(t *testing.T, line []byte) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(line))
	tok, err := dec.Token()
	require.NoError(t, err)
	require.Equal(t, json.Delim('{'), tok)
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		require.NoError(t, err)
		keys = append(keys, tok.(string))
		var v json.RawMessage
		require.NoError(t, dec.Decode(&v))
	}
	return keys
}

func TestChainAppend(t *testing.T) {
	for _, tc := range []struct {
		name string
		obj  string
		keys []string
	}{
		{"empty object", `{}`, []string{"chain", "prev_hash", "hash"}},
		{"object", `{"seq":1,"operation":"STORE","user_id":"u"}`, []string{"seq", "operation", "user_id", "chain", "prev_hash", "hash"}},
		{"nested", `{"a":{"b":[1,2,{"c":"}"}]},"d":"x"}`, []string{"a", "d", "chain", "prev_hash", "hash"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := export.NewChain(nil, "")
			require.Equal(t, export.GenesisHash, c.Last())
			prefix := []byte("kept|")
			out := c.Append(prefix, []byte(tc.obj))
			require.True(t, bytes.HasPrefix(out, prefix), "dst is extended, not overwritten")
			line := out[len(prefix):]
			require.True(t, bytes.HasSuffix(line, []byte("}\n")))
			require.Equal(t, 1, bytes.Count(line, []byte("\n")))
			line = bytes.TrimSuffix(line, []byte("\n"))
			require.True(t, json.Valid(line), "%s", line)
			require.Equal(t, tc.keys, objectKeys(t, line))

			var m map[string]any
			require.NoError(t, json.Unmarshal(line, &m))
			require.Equal(t, export.GenesisHash, m["prev_hash"])
			require.Equal(t, "sha256", m["chain"])
			// The hash covers the chain key: the line without prev_hash and hash.
			canonical := strings.TrimSuffix(tc.obj, "}") + `,"chain":"sha256"}`
			if tc.obj == "{}" {
				canonical = `{"chain":"sha256"}`
			}
			want := sha256.Sum256([]byte(export.GenesisHash + canonical))
			require.Equal(t, hex.EncodeToString(want[:]), m["hash"])
			require.Equal(t, m["hash"], c.Last())
		})
	}
}

func TestChainContinues(t *testing.T) {
	objs := []string{`{"seq":1}`, `{"seq":2}`, `{"seq":3}`}
	all := export.NewChain(nil, "")
	var lines [][]byte
	for _, o := range objs {
		lines = append(lines, all.Append(nil, []byte(o)))
	}

	// A chain started after line 1 gives the same lines 2 and 3.
	var first struct{ Hash string }
	require.NoError(t, json.Unmarshal(lines[0], &first))
	rest := export.NewChain(nil, first.Hash)
	require.Equal(t, first.Hash, rest.Last())
	for i, o := range objs[1:] {
		require.Equal(t, string(lines[i+1]), string(rest.Append(nil, []byte(o))))
	}
	require.Equal(t, all.Last(), rest.Last())

	// Each line's prev_hash is the hash of the line before it.
	prev := export.GenesisHash
	for _, l := range lines {
		var m map[string]any
		require.NoError(t, json.Unmarshal(l, &m))
		require.Equal(t, prev, m["prev_hash"])
		prev = m["hash"].(string)
	}

	// GenesisHash and "" start the same chain.
	require.Equal(t, string(lines[0]), string(export.NewChain(nil, export.GenesisHash).Append(nil, []byte(objs[0]))))
}

func TestChainKeyed(t *testing.T) {
	obj := []byte(`{"seq":1,"operation":"STORE"}`)
	plain := export.NewChain(nil, "").Append(nil, obj)
	keyed := export.NewChain([]byte("secret"), "").Append(nil, obj)
	other := export.NewChain([]byte("other"), "").Append(nil, obj)
	empty := export.NewChain([]byte{}, "").Append(nil, obj)
	require.NotEqual(t, string(plain), string(keyed))
	require.NotEqual(t, string(keyed), string(other))
	require.NotEqual(t, string(plain), string(empty), "an empty non-nil key is HMAC, not SHA-256")

	mac := hmac.New(sha256.New, []byte("secret"))
	mac.Write([]byte(export.GenesisHash))
	mac.Write([]byte(`{"seq":1,"operation":"STORE","chain":"hmac-sha256"}`))
	var m map[string]any
	require.NoError(t, json.Unmarshal(keyed, &m))
	require.Equal(t, hex.EncodeToString(mac.Sum(nil)), m["hash"])
	require.Equal(t, "hmac-sha256", m["chain"], "a keyed line says so")
}

func TestChainDeterministic(t *testing.T) {
	for _, key := range [][]byte{nil, []byte("k")} {
		t.Run(strings.TrimSpace(string(key)+" key"), func(t *testing.T) {
			run := func() []byte {
				c := export.NewChain(key, "")
				var out []byte
				for _, o := range []string{`{}`, `{"seq":1}`, `{"seq":2,"x":"y"}`} {
					out = c.Append(out, []byte(o))
				}
				return out
			}
			require.Equal(t, string(run()), string(run()))
		})
	}
}
