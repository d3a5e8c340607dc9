package export_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/auditlog/auditlog/export"
)

// fuzzChain returns n chained lines of seq 1 to n.
func fuzzChain(key []byte, n int) []byte {
	c := export.NewChain(key, "")
	var p []byte
	for i := 1; i <= n; i++ {
		p = c.Append(p, fmt.Appendf(nil, `{"seq":%d,"operation":"STORE","user_id":"u"}`, i))
	}
	return p
}

// FuzzVerify writes fuzzed bytes as a journal, split at split into a
// rotated file (gzipped when gz) and the current file, and verifies it.
func FuzzVerify(f *testing.F) {
	valid := fuzzChain(nil, 6)
	lines := bytes.SplitAfter(valid, []byte("\n"))
	f.Add(valid, uint16(0), false)
	f.Add(valid, uint16(len(lines[0])+len(lines[1])), false)
	f.Add(valid, uint16(len(lines[0])+len(lines[1])), true)
	f.Add(valid[:len(valid)-20], uint16(0), false)
	swapped := bytes.Join([][]byte{lines[0], lines[2], lines[1], lines[3], lines[4], lines[5]}, nil)
	f.Add(swapped, uint16(0), false)
	removed := bytes.Join([][]byte{lines[0], lines[1], lines[3], lines[4], lines[5]}, nil)
	f.Add(removed, uint16(len(lines[0])), true)
	inserted := bytes.Join([][]byte{lines[0], lines[1], lines[2], lines[0], lines[3], lines[4]}, nil)
	f.Add(inserted, uint16(0), false)
	f.Add(bytes.ReplaceAll(valid, []byte(`"u"`), []byte(`"v"`)), uint16(0), false)
	f.Add(fuzzChain([]byte("k"), 3), uint16(0), false)
	f.Add([]byte(`{"prev_hash":"`+export.GenesisHash+`","hash":"`+export.GenesisHash+`"}`+"\n"), uint16(0), false)
	f.Add([]byte("{}\n\n\r\n{\"seq\":18446744073709551615}\n"), uint16(3), false)
	f.Add([]byte{}, uint16(0), false)
	f.Fuzz(func(t *testing.T, data []byte, split uint16, gz bool) {
		dir := t.TempDir()
		cur := data
		if int(split) > 0 && int(split) <= len(data) {
			old := data[:split]
			if gz {
				old = gzipped(t, old)
			}
			name := backupPath(dir, "2020-01-01T00-00-00.000")
			if gz {
				name += ".gz"
			}
			if err := os.WriteFile(name, old, 0o600); err != nil {
				t.Fatal(err)
			}
			cur = data[split:]
		}
		if err := os.WriteFile(filepath.Join(dir, export.JournalName), cur, 0o600); err != nil {
			t.Fatal(err)
		}
		r, err := export.Verify(dir, nil)
		if err != nil {
			return
		}
		if r.Lines < int64(len(r.Problems)) {
			t.Fatalf("%d lines, %d problems: %v", r.Lines, len(r.Problems), r.Problems)
		}
		if len(r.Problems) > export.MaxProblems {
			t.Fatalf("%d problems", len(r.Problems))
		}
		if r.OK() != (r.Err() == nil) {
			t.Fatalf("OK %v, Err %v", r.OK(), r.Err())
		}
		for _, p := range r.Problems {
			if p.Line < 1 || p.File == "" || p.Kind == "" {
				t.Fatalf("problem without a place: %+v", p)
			}
		}
		if r.OK() && r.Lines > 0 && len(r.LastHash) != 64 {
			t.Fatalf("OK report of %d lines with LastHash %q", r.Lines, r.LastHash)
		}
		whole := split == 0 || int(split) > len(data) || data[split-1] == '\n'
		if bytes.Equal(data, valid) && whole && (!r.OK() || !r.FromGenesis || r.LastSeq != 6 || r.Torn != nil) {
			t.Fatalf("valid journal: %+v", r)
		}
	})
}

// FuzzReadJournal reads fuzzed bytes as a journal file: plain (mode 0),
// gzipped (1) or as they are under a .gz name (2).
func FuzzReadJournal(f *testing.F) {
	f.Add([]byte("a\nb\n"), uint8(0))
	f.Add([]byte("a\r\n\r\n  \nb"), uint8(1))
	f.Add(fuzzChain(nil, 3), uint8(1))
	f.Add(gzipped(f, []byte("a\nb\n")), uint8(2))
	f.Add(gzipped(f, []byte("a\nb\n"))[:15], uint8(2))
	f.Add(append(gzipped(f, []byte("a\n")), gzipped(f, []byte("b"))...), uint8(2))
	f.Add([]byte{}, uint8(0))
	f.Add([]byte("\n"), uint8(2))
	f.Fuzz(func(t *testing.T, data []byte, mode uint8) {
		dir := t.TempDir()
		path := filepath.Join(dir, export.JournalName)
		file := export.JournalFile{Path: path}
		content := data
		switch mode % 3 {
		case 1:
			content = gzipped(t, data)
			fallthrough
		case 2:
			path = backupPath(dir, "2020-01-01T00-00-00.000") + ".gz"
			file = export.JournalFile{Path: path, Gzip: true}
		}
		if err := os.WriteFile(path, content, 0o600); err != nil {
			t.Fatal(err)
		}
		files, err := export.JournalFiles(dir)
		if err != nil || len(files) != 1 || files[0].Path != file.Path || files[0].Gzip != file.Gzip {
			t.Fatalf("JournalFiles: %v, %v", files, err)
		}
		var got [][]byte
		last, torn := 0, false
		err = export.ReadJournal(dir, func(l export.Line) error {
			if bytes.IndexByte(l.Data, '\n') >= 0 {
				t.Fatalf("line %d has a newline: %q", l.Num, l.Data)
			}
			if len(bytes.TrimSpace(l.Data)) == 0 {
				t.Fatalf("blank line %d handed over", l.Num)
			}
			if l.Num <= last || torn {
				t.Fatalf("line %d after line %d (torn %v)", l.Num, last, torn)
			}
			if l.File != path {
				t.Fatalf("line of %s, want %s", l.File, path)
			}
			last, torn = l.Num, l.Torn
			got = append(got, bytes.Clone(l.Data))
			return nil
		})
		if mode%3 == 2 {
			return // arbitrary bytes under a .gz name: an error or not
		}
		if err != nil {
			if len(data) <= export.MaxLineBytes {
				t.Fatalf("ReadJournal: %v", err)
			}
			return
		}
		// The lines read are the non-blank lines of data.
		var want [][]byte
		for _, l := range bytes.Split(data, []byte("\n")) {
			l = bytes.TrimSuffix(l, []byte("\r"))
			if len(bytes.TrimSpace(l)) > 0 {
				want = append(want, l)
			}
		}
		if len(got) != len(want) {
			t.Fatalf("%d lines, want %d", len(got), len(want))
		}
		for i := range got {
			if !bytes.Equal(got[i], want[i]) {
				t.Fatalf("line %d: %q, want %q", i+1, got[i], want[i])
			}
		}
		if wantTorn := len(data) > 0 && data[len(data)-1] != '\n' && len(want) > 0 &&
			len(bytes.TrimSpace(data[bytes.LastIndexByte(data, '\n')+1:])) > 0; torn != wantTorn {
			t.Fatalf("torn %v, want %v", torn, wantTorn)
		}
	})
}

// FuzzOpenJournal opens a journal whose current file holds fuzzed bytes:
// OpenJournal cuts a torn last line back, and keeps every whole line.
func FuzzOpenJournal(f *testing.F) {
	f.Add([]byte("a\nb\n"))
	f.Add([]byte("a\nb"))
	f.Add([]byte("ab"))
	f.Add([]byte{})
	f.Add(bytes.Repeat([]byte("x\ny"), 70000))
	f.Add(append([]byte("a\n"), bytes.Repeat([]byte("z"), 70000)...))
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		path := filepath.Join(dir, export.JournalName)
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		j, torn, err := export.OpenJournal(export.JournalOptions{Dir: dir})
		if err != nil {
			t.Fatal(err)
		}
		defer j.Close()
		kept, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		i := bytes.LastIndexByte(data, '\n')
		cut := data[i+1:]
		if string(kept) != string(data[:i+1]) || string(torn) != string(cut[:min(len(cut), export.TornHeadBytes)]) || j.TornSize() != int64(len(cut)) {
			t.Fatalf("kept %q, torn %q (%d bytes) of %q", kept, torn, j.TornSize(), data)
		}
		if _, err := j.Write([]byte("{}\n")); err != nil {
			t.Fatal(err)
		}
		if err := j.Close(); err != nil {
			t.Fatal(err)
		}
		after, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if string(after) != string(kept)+"{}\n" {
			t.Fatalf("after a write: %q", after)
		}
	})
}
