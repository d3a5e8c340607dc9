package export_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/export"
)

// chained is a journal written with OpenJournal and a Chain.
type chained struct {
	dir   string
	files []string   // paths, oldest first, the current file last
	seqs  [][]uint64 // the seq of each line of each file
	last  string     // the chain's Last after the last line
}

const (
	chainedFiles = 6 // five rotated files and the current one
	chainedLines = 8 // lines per file
)

// chainedObject is the object of seq n, before the chain adds its keys.
func chainedObject(n uint64) []byte {
	return fmt.Appendf(nil, `{"seq":%d,"operation":"STORE","user_id":"u"}`, n)
}

// makeChained writes a chained journal of seq 1 to chainedFiles *
// chainedLines, rotating every chainedLines lines.
func makeChained(t *testing.T, key []byte, compress bool) *chained {
	t.Helper()
	dir := t.TempDir()
	j, _, err := export.OpenJournal(export.JournalOptions{Dir: dir, Compress: compress})
	require.NoError(t, err)
	c := export.NewChain(key, "")
	seq := uint64(1)
	var seqs [][]uint64
	for f := range chainedFiles {
		var p []byte
		var s []uint64
		for range chainedLines {
			p = c.Append(p, chainedObject(seq))
			s = append(s, seq)
			seq++
		}
		// Two writes per file, to rotate between writes as the logger does.
		half := bytes.IndexByte(p, '\n') + 1
		_, err := j.Write(p[:half])
		require.NoError(t, err)
		_, err = j.Write(p[half:])
		require.NoError(t, err)
		seqs = append(seqs, s)
		if f < chainedFiles-1 {
			require.NoError(t, j.Rotate())
		}
	}
	require.NoError(t, j.Close())
	export.Housekeep(j) // Close stops housekeeping; finish its pass
	files := journalFiles(t, dir)
	require.Len(t, files, chainedFiles)
	for i, f := range files[:chainedFiles-1] {
		require.Equal(t, compress, strings.HasSuffix(f, ".gz"), "file %d: %s", i, f)
	}
	require.Equal(t, filepath.Join(dir, export.JournalName), files[chainedFiles-1])
	return &chained{dir: dir, files: files, seqs: seqs, last: c.Last()}
}

// editLines rewrites the lines of a journal file (gzipped or not).
func editLines(t *testing.T, path string, edit func([]string) []string) {
	t.Helper()
	lines := edit(splitLines(readFile(t, path)))
	writeFile(t, path, []byte(strings.Join(lines, "\n")+"\n"))
}

// lineHash returns the hash a line carries.
func lineHash(t *testing.T, path string, num int) string {
	t.Helper()
	var m struct{ Hash string }
	require.NoError(t, json.Unmarshal([]byte(splitLines(readFile(t, path))[num-1]), &m))
	return m.Hash
}

// where is what a test expects of a Problem: everything but the Detail.
type where struct {
	Kind          export.ProblemKind
	File          string
	Line          int
	Seq, Expected uint64
}

func problems(r *export.Report) []where {
	var w []where
	for _, p := range r.Problems {
		w = append(w, where{p.Kind, p.File, p.Line, p.Seq, p.Expected})
	}
	return w
}

func requireClean(t *testing.T, r *export.Report, fromGenesis bool, first, last uint64, lines int64) {
	t.Helper()
	require.True(t, r.OK(), "%v", r.Problems)
	require.NoError(t, r.Err())
	require.Nil(t, r.First())
	require.Equal(t, fromGenesis, r.FromGenesis)
	require.Equal(t, first, r.FirstSeq)
	require.Equal(t, last, r.LastSeq)
	require.Equal(t, lines, r.Lines)
}

func TestVerifyTamper(t *testing.T) {
	const total = chainedFiles * chainedLines
	for _, tc := range []struct {
		name string
		// tamper changes the journal; check looks at Verify's report.
		tamper func(t *testing.T, c *chained)
		check  func(t *testing.T, c *chained, r *export.Report)
	}{
		{
			name:   "clean",
			tamper: func(*testing.T, *chained) {},
			check: func(t *testing.T, c *chained, r *export.Report) {
				requireClean(t, r, true, 1, total, total)
				require.Equal(t, c.last, r.LastHash)
				require.Equal(t, c.files, r.Files)
				require.Nil(t, r.Torn)
			},
		},
		{
			name: "one byte of a middle line changed",
			tamper: func(t *testing.T, c *chained) {
				editLines(t, c.files[2], func(l []string) []string {
					require.Contains(t, l[3], `"user_id":"u"`)
					l[3] = strings.Replace(l[3], `"user_id":"u"`, `"user_id":"v"`, 1)
					return l
				})
			},
			check: func(t *testing.T, c *chained, r *export.Report) {
				s := c.seqs[2][3]
				require.Equal(t, []where{{export.Modified, c.files[2], 4, s, s}}, problems(r))
				require.ErrorIs(t, r.Err(), export.ErrTampered)
				require.ErrorContains(t, r.Err(), c.files[2]+" line 4")
				require.Equal(t, int64(total), r.Lines)
				require.Equal(t, c.last, r.LastHash, "the lines after it still chain")
			},
		},
		{
			name: "one byte of the hash changed",
			tamper: func(t *testing.T, c *chained) {
				editLines(t, c.files[1], func(l []string) []string {
					b := []byte(l[7])
					i := len(b) - 3
					if b[i] == '0' {
						b[i] = '1'
					} else {
						b[i] = '0'
					}
					l[7] = string(b)
					return l
				})
			},
			check: func(t *testing.T, c *chained, r *export.Report) {
				s := c.seqs[1][7]
				require.Equal(t, export.Modified, r.First().Kind)
				require.Equal(t, where{export.Modified, c.files[1], 8, s, s}, problems(r)[0])
			},
		},
		{
			name: "middle line removed",
			tamper: func(t *testing.T, c *chained) {
				editLines(t, c.files[2], func(l []string) []string { return slices.Delete(l, 3, 4) })
			},
			check: func(t *testing.T, c *chained, r *export.Report) {
				require.Equal(t, []where{{export.Removed, c.files[2], 4, c.seqs[2][4], c.seqs[2][3]}}, problems(r))
				require.Equal(t, int64(total-1), r.Lines)
				require.Equal(t, c.last, r.LastHash)
			},
		},
		{
			name: "three lines removed",
			tamper: func(t *testing.T, c *chained) {
				editLines(t, c.files[3], func(l []string) []string { return slices.Delete(l, 2, 5) })
			},
			check: func(t *testing.T, c *chained, r *export.Report) {
				require.Equal(t, []where{{export.Removed, c.files[3], 3, c.seqs[3][5], c.seqs[3][2]}}, problems(r))
			},
		},
		{
			name: "last line of a file removed",
			tamper: func(t *testing.T, c *chained) {
				editLines(t, c.files[2], func(l []string) []string { return l[:len(l)-1] })
			},
			check: func(t *testing.T, c *chained, r *export.Report) {
				// Seen at the first line of the next file.
				require.Equal(t, []where{{export.MissingFile, c.files[3], 1, c.seqs[3][0], c.seqs[2][7]}}, problems(r))
			},
		},
		{
			name: "two adjacent lines swapped",
			tamper: func(t *testing.T, c *chained) {
				editLines(t, c.files[2], func(l []string) []string {
					l[3], l[4] = l[4], l[3]
					return l
				})
			},
			check: func(t *testing.T, c *chained, r *export.Report) {
				require.Equal(t, []where{{export.Reordered, c.files[2], 4, c.seqs[2][4], c.seqs[2][3]}}, problems(r))
				require.Equal(t, int64(total), r.Lines)
				require.Equal(t, c.last, r.LastHash)
			},
		},
		{
			name: "last two lines of the current file swapped",
			tamper: func(t *testing.T, c *chained) {
				editLines(t, c.files[5], func(l []string) []string {
					l[6], l[7] = l[7], l[6]
					return l
				})
			},
			check: func(t *testing.T, c *chained, r *export.Report) {
				require.Equal(t, []where{{export.Reordered, c.files[5], 7, c.seqs[5][7], c.seqs[5][6]}}, problems(r))
			},
		},
		{
			name: "copy of an earlier line inserted",
			tamper: func(t *testing.T, c *chained) {
				early := splitLines(readFile(t, c.files[0]))[1]
				editLines(t, c.files[2], func(l []string) []string { return slices.Insert(l, 5, early) })
			},
			check: func(t *testing.T, c *chained, r *export.Report) {
				require.Equal(t, []where{{export.Inserted, c.files[2], 6, c.seqs[0][1], c.seqs[2][4] + 1}}, problems(r))
				require.Equal(t, int64(total+1), r.Lines)
				require.Equal(t, c.last, r.LastHash)
			},
		},
		{
			name: "line moved later",
			tamper: func(t *testing.T, c *chained) {
				editLines(t, c.files[2], func(l []string) []string {
					moved := l[3]
					return slices.Insert(slices.Delete(l, 3, 4), 5, moved)
				})
			},
			check: func(t *testing.T, c *chained, r *export.Report) {
				s := c.seqs[2]
				require.Equal(t, []where{
					{export.Removed, c.files[2], 4, s[4], s[3]},
					{export.Inserted, c.files[2], 6, s[3], s[5] + 1},
				}, problems(r))
				require.Equal(t, c.last, r.LastHash)
			},
		},
		{
			name: "line repeated",
			tamper: func(t *testing.T, c *chained) {
				editLines(t, c.files[4], func(l []string) []string { return slices.Insert(l, 3, l[2]) })
			},
			check: func(t *testing.T, c *chained, r *export.Report) {
				require.Equal(t, []where{{export.Inserted, c.files[4], 4, c.seqs[4][2], c.seqs[4][2] + 1}}, problems(r))
			},
		},
		{
			name:   "middle rotated file deleted",
			tamper: func(t *testing.T, c *chained) { require.NoError(t, os.Remove(c.files[2])) },
			check: func(t *testing.T, c *chained, r *export.Report) {
				require.Equal(t, []where{{export.MissingFile, c.files[3], 1, c.seqs[3][0], c.seqs[2][0]}}, problems(r))
				require.Equal(t, slices.Delete(slices.Clone(c.files), 2, 3), r.Files)
				require.Equal(t, int64(total-chainedLines), r.Lines)
				require.Equal(t, c.last, r.LastHash)
			},
		},
		{
			name: "tail cut mid-line",
			tamper: func(t *testing.T, c *chained) {
				b, err := os.ReadFile(c.files[5])
				require.NoError(t, err)
				require.NoError(t, os.WriteFile(c.files[5], b[:len(b)-40], 0o600))
			},
			check: func(t *testing.T, c *chained, r *export.Report) {
				requireClean(t, r, true, 1, total-1, total-1)
				require.NotNil(t, r.Torn)
				require.Equal(t, c.files[5], r.Torn.File)
				require.Equal(t, chainedLines, r.Torn.Line)
				require.NotEqual(t, c.last, r.LastHash, "LastHash shows the cut")
			},
		},
		{
			name: "tail cut just before the newline",
			tamper: func(t *testing.T, c *chained) {
				b, err := os.ReadFile(c.files[5])
				require.NoError(t, err)
				require.NoError(t, os.WriteFile(c.files[5], b[:len(b)-1], 0o600))
			},
			check: func(t *testing.T, c *chained, r *export.Report) {
				requireClean(t, r, true, 1, total, total)
				require.NotNil(t, r.Torn)
				require.Equal(t, c.files[5], r.Torn.File)
				require.Equal(t, chainedLines, r.Torn.Line)
				require.Equal(t, c.last, r.LastHash)
			},
		},
		{
			name: "last line removed",
			tamper: func(t *testing.T, c *chained) {
				editLines(t, c.files[5], func(l []string) []string { return l[:len(l)-1] })
			},
			check: func(t *testing.T, c *chained, r *export.Report) {
				// The chain alone cannot show it: LastHash, kept elsewhere, does.
				requireClean(t, r, true, 1, total-1, total-1)
				require.Nil(t, r.Torn)
				require.Equal(t, lineHash(t, c.files[5], chainedLines-1), r.LastHash)
				require.NotEqual(t, c.last, r.LastHash)
			},
		},
		{
			name: "oldest files removed by retention",
			tamper: func(t *testing.T, c *chained) {
				require.NoError(t, os.Remove(c.files[0]))
				require.NoError(t, os.Remove(c.files[1]))
			},
			check: func(t *testing.T, c *chained, r *export.Report) {
				requireClean(t, r, false, c.seqs[2][0], total, total-2*chainedLines)
				require.Equal(t, c.files[2:], r.Files)
				require.Equal(t, c.last, r.LastHash)
			},
		},
		{
			name: "only the current file left",
			tamper: func(t *testing.T, c *chained) {
				for _, f := range c.files[:5] {
					require.NoError(t, os.Remove(f))
				}
			},
			check: func(t *testing.T, c *chained, r *export.Report) {
				requireClean(t, r, false, c.seqs[5][0], total, chainedLines)
			},
		},
		{
			name: "not a chained line",
			tamper: func(t *testing.T, c *chained) {
				editLines(t, c.files[3], func(l []string) []string {
					l[0] = `{"seq":25,"operation":"STORE"}`
					return l
				})
			},
			check: func(t *testing.T, c *chained, r *export.Report) {
				require.Equal(t, where{export.Modified, c.files[3], 1, c.seqs[3][0], c.seqs[3][0]}, problems(r)[0], "the line names its seq")
				require.Equal(t, int64(1), r.Unchained)
			},
		},
	} {
		for _, compress := range []bool{false, true} {
			name := tc.name
			if compress {
				name += "/gzip"
			}
			t.Run(name, func(t *testing.T) {
				c := makeChained(t, nil, compress)
				tc.tamper(t, c)
				r, err := export.Verify(c.dir, nil)
				require.NoError(t, err)
				tc.check(t, c, r)
				require.GreaterOrEqual(t, r.Lines, int64(len(r.Problems)))
			})
		}
	}
}

// legacyLine is the line of obj after prev, chained with key (nil:
// SHA-256) as lines were before they said how they are chained: without
// a chain key.
func legacyLine(key []byte, prev string, obj []byte) []byte {
	return fmt.Appendf(append([]byte{}, obj[:len(obj)-1]...), `,"prev_hash":%q,"hash":%q}`, prev, chainSum(key, prev, obj))
}

// TestVerifyKeyed: a keyed journal checked with its key verifies;
// without it, with a wrong key, or a SHA-256 journal checked with a key,
// gives one clear sentence and no list of every line.
func TestVerifyKeyed(t *testing.T) {
	key := []byte("a key kept away from the journal")
	c := makeChained(t, key, false)
	r, err := export.Verify(c.dir, key)
	require.NoError(t, err)
	requireClean(t, r, true, 1, chainedFiles*chainedLines, chainedFiles*chainedLines)
	require.Equal(t, c.last, r.LastHash)
	require.Equal(t, export.ChainHMAC, r.Chain)

	for _, tc := range []struct {
		name string
		key  []byte
		want export.KeyStatus
	}{
		{"no key", nil, export.KeyMissing},
		{"wrong key", []byte("a wrong key"), export.KeyWrong},
		{"empty key", []byte{}, export.KeyWrong},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := export.Verify(c.dir, tc.key)
			require.NoError(t, err)
			require.False(t, r.OK())
			require.Equal(t, tc.want, r.Key)
			require.Equal(t, "the chain is keyed (hmac-sha256): the key is missing or wrong", r.KeyProblem())
			require.Empty(t, r.Problems, "one message, not a problem per line")
			require.Zero(t, r.ProblemCount)
			require.Empty(t, r.LastHash, "no line verified")
			require.ErrorIs(t, r.Err(), export.ErrKeyMismatch)
			require.NotErrorIs(t, r.Err(), export.ErrTampered)
			require.EqualError(t, r.Err(), export.ErrKeyMismatch.Error()+": the chain is keyed (hmac-sha256): the key is missing or wrong")
		})
	}

	t.Run("plain chain checked with a key", func(t *testing.T) {
		c := makeChained(t, nil, false)
		r, err := export.Verify(c.dir, key)
		require.NoError(t, err)
		require.False(t, r.OK())
		require.Equal(t, export.KeyNotKeyed, r.Key)
		require.Contains(t, r.KeyProblem(), "not keyed (sha256)")
		require.Empty(t, r.Problems)
	})

	// A SHA-256 line added to a keyed journal verifies as SHA-256, but
	// the other lines say they are keyed: without the key, nothing is
	// checked, and the report says so.
	t.Run("keyed journal with a SHA-256 line, no key", func(t *testing.T) {
		c := makeChained(t, key, false)
		cur := c.files[len(c.files)-1]
		lines := splitLines(readFile(t, cur))
		forged := export.NewChain(nil, c.last).Append(nil, chainedObject(chainedFiles*chainedLines+1))
		writeFile(t, cur, []byte(strings.Join(lines, "\n")+"\n"+string(forged)))
		r, err := export.Verify(c.dir, nil)
		require.NoError(t, err)
		require.Equal(t, export.KeyMissing, r.Key)
		require.False(t, r.OK())

		// With the key, that line is the one problem, and says why.
		r, err = export.Verify(c.dir, key)
		require.NoError(t, err)
		require.Equal(t, export.KeyFits, r.Key)
		require.Equal(t, []where{{export.Modified, cur, chainedLines + 1, chainedFiles*chainedLines + 1, chainedFiles*chainedLines + 1}}, problems(r))
		require.Contains(t, r.First().Detail, "chained with sha256")
	})

	// Lines without a chain key (as written before lines said how they
	// are chained) verify as before, and a keyed journal of such lines
	// checked without its key gives the same one sentence.
	t.Run("lines without a chain key", func(t *testing.T) {
		for _, k := range [][]byte{nil, key} {
			dir := t.TempDir()
			var b []byte
			prev := export.GenesisHash
			for seq := uint64(1); seq <= 5; seq++ {
				line := legacyLine(k, prev, chainedObject(seq))
				require.NotContains(t, string(line), `"chain"`)
				var m struct{ Hash string }
				require.NoError(t, json.Unmarshal(line, &m))
				prev = m.Hash
				b = append(append(b, line...), '\n')
			}
			writeFile(t, filepath.Join(dir, export.JournalName), b)
			r, err := export.Verify(dir, k)
			require.NoError(t, err)
			requireClean(t, r, true, 1, 5, 5)
			require.Equal(t, export.ChainKind(""), r.Chain)
			if k == nil {
				r, err = export.Verify(dir, []byte("some key"))
				require.NoError(t, err)
				require.Equal(t, export.KeyNotKeyed, r.Key)
				continue
			}
			r, err = export.Verify(dir, nil)
			require.NoError(t, err)
			require.Equal(t, export.KeyMissing, r.Key)
			require.Equal(t, "the chain is keyed: the key is missing or wrong (no line matches its hash, though every line is a chained event)", r.KeyProblem())
			require.Empty(t, r.Problems)
			r, err = export.Verify(dir, []byte("a wrong key"))
			require.NoError(t, err)
			require.Equal(t, export.KeyWrong, r.Key)
		}
	})
}

// chainSum is the hash of a line with prev and the canonical object obj.
func chainSum(key []byte, prev string, obj []byte) string {
	var h hash.Hash = sha256.New()
	if key != nil {
		h = hmac.New(sha256.New, key)
	}
	h.Write([]byte(prev))
	h.Write(obj)
	return hex.EncodeToString(h.Sum(nil))
}

// Every problem is counted, though at most MaxProblems are listed.
func TestVerifyCountsEveryProblem(t *testing.T) {
	for _, n := range []int{1, 2, export.MaxProblems, export.MaxProblems + 1, 2345} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			var objs []string
			for seq := 1; seq <= 3000; seq++ {
				objs = append(objs, string(chainedObject(uint64(seq))))
			}
			dir, path := writeChainedLines(t, objs...)
			editLines(t, path, func(lines []string) []string {
				for i := range n {
					lines[i] = strings.Replace(lines[i], `"user_id":"u"`, `"user_id":"x"`, 1)
				}
				return lines
			})
			r, err := export.Verify(dir, nil)
			require.NoError(t, err)
			require.Equal(t, export.KeyFits, r.Key)
			require.Equal(t, int64(n), r.ProblemCount)
			require.Len(t, r.Problems, min(n, export.MaxProblems))
			if n > 1 {
				require.ErrorContains(t, r.Err(), fmt.Sprintf("(and %d more)", n-1))
			}
		})
	}
}

func TestVerifyCorruptGzip(t *testing.T) {
	for _, tc := range []struct {
		name   string
		damage func([]byte) []byte
	}{
		{"byte flipped", func(b []byte) []byte { b[len(b)/2] ^= 0xff; return b }},
		{"cut short", func(b []byte) []byte { return b[:len(b)/2] }},
		{"not gzip", func([]byte) []byte { return []byte("{}\n") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := makeChained(t, nil, true)
			b, err := os.ReadFile(c.files[2])
			require.NoError(t, err)
			require.NoError(t, os.WriteFile(c.files[2], tc.damage(b), 0o600))
			_, err = export.Verify(c.dir, nil)
			require.ErrorIs(t, err, export.ErrCorrupt)
			require.ErrorContains(t, err, c.files[2])
		})
	}
}

func TestVerifyNoJournal(t *testing.T) {
	t.Run("missing folder", func(t *testing.T) {
		_, err := export.Verify(filepath.Join(t.TempDir(), "none"), nil)
		require.ErrorIs(t, err, os.ErrNotExist)
	})
	t.Run("empty folder", func(t *testing.T) {
		_, err := export.Verify(t.TempDir(), nil)
		require.Error(t, err)
	})
	t.Run("folder of other files", func(t *testing.T) {
		dir := t.TempDir()
		require.NoError(t, os.WriteFile(filepath.Join(dir, "other.jsonl"), []byte("{}\n"), 0o600))
		_, err := export.Verify(dir, nil)
		require.Error(t, err)
	})
	t.Run("empty journal", func(t *testing.T) {
		dir := t.TempDir()
		openJournal(t, export.JournalOptions{Dir: dir}).Close()
		r, err := export.Verify(dir, nil)
		require.NoError(t, err)
		require.True(t, r.OK())
		require.Zero(t, r.Lines)
	})
}

func TestReportErr(t *testing.T) {
	r := &export.Report{Problems: []export.Problem{
		{Kind: export.Removed, File: "f", Line: 3, Detail: "d"},
		{Kind: export.Modified, File: "f", Line: 9, Detail: "e"},
	}}
	require.ErrorIs(t, r.Err(), export.ErrTampered)
	require.EqualError(t, r.Err(), export.ErrTampered.Error()+": f line 3: removed: d (and 1 more)")
	require.Equal(t, "f line 3: removed: d", r.First().String())
}

// writeChainedLines writes objs as a journal whose lines are chained with
// a SHA-256 chain, whatever the objects hold, and returns its path.
func writeChainedLines(t *testing.T, objs ...string) (dir, path string) {
	t.Helper()
	dir = t.TempDir()
	c := export.NewChain(nil, "")
	var b []byte
	for _, o := range objs {
		b = c.Append(b, []byte(o))
	}
	path = filepath.Join(dir, export.JournalName)
	require.NoError(t, os.WriteFile(path, b, 0o600))
	return dir, path
}

// A line that is not an event (not JSON, JSON but not an object, an
// object without a seq or with a seq that is not a whole number from 1)
// is a problem at that line, even when its hash is right: the library
// never writes one.
func TestVerifyLinesThatAreNotEvents(t *testing.T) {
	ev := func(seq string) string { return `{"seq":` + seq + `,"operation":"STORE"}` }
	for _, tc := range []struct {
		name   string
		lines  []string
		chain  bool     // chain the lines (else write them as they are)
		want   []int    // the lines reported
		detail []string // what each problem's detail holds
	}{
		{"non-JSON lines, chained", []string{"{hello}", "{world}"}, true, []int{1, 2}, []string{"not valid JSON", "not valid JSON"}},
		{"non-JSON lines, not chained", []string{"hello", "world"}, false, []int{1, 2}, []string{"not valid JSON", "not valid JSON"}},
		{"line 1 not JSON, then events", []string{"{hello}", ev("2"), ev("3")}, true, []int{1}, []string{"not valid JSON"}},
		{"a middle line not JSON", []string{ev("1"), "{x:1}", ev("3")}, true, []int{2}, []string{"not valid JSON"}},
		{"JSON but not an object", []string{"[1,2]", `"text"`, "42"}, false, []int{1, 2, 3}, []string{"not a JSON object", "not a JSON object", "not a JSON object"}},
		{"an object without seq", []string{"{}", `{"operation":"STORE"}`}, true, []int{1, 2}, []string{"no seq", "no seq"}},
		{"seq of the wrong kind", []string{ev(`"1"`), ev("0"), ev("-1"), ev("1.5"), ev("null"), ev("1e2")}, true, []int{1, 2, 3, 4, 5, 6},
			[]string{`seq "1" is not`, "seq 0 is not", "seq -1 is not", "seq 1.5 is not", "seq null is not", "seq 1e2 is not"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var dir, path string
			if tc.chain {
				dir, path = writeChainedLines(t, tc.lines...)
			} else {
				dir = t.TempDir()
				path = filepath.Join(dir, export.JournalName)
				require.NoError(t, os.WriteFile(path, []byte(strings.Join(tc.lines, "\n")+"\n"), 0o600))
			}
			r, err := export.Verify(dir, nil)
			require.NoError(t, err)
			require.False(t, r.OK(), "a journal with lines that are not events does not verify")
			require.ErrorIs(t, r.Err(), export.ErrTampered)
			var got []int
			for i, p := range r.Problems {
				got = append(got, p.Line)
				require.Equal(t, path, p.File)
				require.Equal(t, export.Modified, p.Kind)
				if i < len(tc.detail) {
					require.Contains(t, p.Detail, tc.detail[i])
				}
			}
			require.Equal(t, tc.want, got)
			require.Zero(t, r.Unchained, "a line that is not an event is not counted as a line of a journal without a chain")
		})
	}
}

// Lines that are events after one that is not are checked as usual.
func TestVerifyGoesOnAfterALineThatIsNotAnEvent(t *testing.T) {
	dir, _ := writeChainedLines(t, "{hello}", `{"seq":2}`, `{"seq":3}`)
	r, err := export.Verify(dir, nil)
	require.NoError(t, err)
	require.Len(t, r.Problems, 1)
	require.Equal(t, 1, r.Problems[0].Line)
	require.Equal(t, uint64(2), r.FirstSeq)
	require.Equal(t, uint64(3), r.LastSeq)
	require.False(t, r.FromGenesis, "the first event does not start the chain")
}

// A journal of blank lines only, or of a torn line only, has no line to
// check: it verifies, with no lines, as an empty journal does.
func TestVerifyNoEvents(t *testing.T) {
	for name, content := range map[string]string{
		"empty":        "",
		"blank lines":  "\n\n  \n\t\n",
		"torn only":    `{"seq":1,"opera`,
		"blank + torn": "\n\n" + `{"seq":1,"opera`,
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			require.NoError(t, os.WriteFile(filepath.Join(dir, export.JournalName), []byte(content), 0o600))
			r, err := export.Verify(dir, nil)
			require.NoError(t, err)
			require.True(t, r.OK())
			require.Zero(t, r.Lines)
			require.Zero(t, r.FirstSeq)
			require.Equal(t, strings.Contains(name, "torn"), r.Torn != nil)
		})
	}
}
