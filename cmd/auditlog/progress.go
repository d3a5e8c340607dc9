package main

import (
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/auditlog/auditlog/export"
	"github.com/auditlog/auditlog/internal/fsafe"
)

// A run shows a progress bar on standard error when standard error is a
// terminal (and --no-progress is not given) and it reads at least
// progressFiles files or progressBytes bytes: a journal of a few small
// files is read before a bar would be seen.
const (
	progressFiles = 4
	progressBytes = 32 << 20
)

// progress is a bar of the bytes read from files, as they are on disk
// (compressed for a gzipped file). A nil *progress shows nothing.
type progress struct {
	bar *progressbar.ProgressBar
}

// newProgress returns a bar over the files of srcs, or nil when none is
// to be shown.
func newProgress(a *app, srcs []*source) *progress {
	if !a.stderrTTY || a.noProgress {
		return nil
	}
	var files int
	var total int64
	for _, s := range srcs {
		paths := []string{s.file}
		if s.file == "" {
			paths = paths[:0]
			for _, f := range s.files {
				paths = append(paths, f.Path)
			}
		}
		for _, p := range paths {
			if fi, err := os.Stat(p); err == nil {
				files++
				total += fi.Size()
			}
		}
	}
	if files < progressFiles && total < progressBytes || total == 0 {
		return nil
	}
	return &progress{bar: progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(a.stderr),
		progressbar.OptionSetDescription(fmt.Sprintf("reading %d files", files)),
		progressbar.OptionShowBytes(true),
		progressbar.OptionSetWidth(30),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionOnCompletion(func() { fmt.Fprintln(a.stderr) }),
	)}
}

// newSpinner returns a bar without a length, for work that reports no
// progress of its own (verification), or nil when none is to be shown.
func newSpinner(a *app, files []export.JournalFile, what string) *progress {
	if !a.stderrTTY || a.noProgress {
		return nil
	}
	var total int64
	for _, f := range files {
		if fi, err := os.Stat(f.Path); err == nil {
			total += fi.Size()
		}
	}
	if len(files) < progressFiles && total < progressBytes {
		return nil
	}
	bar := progressbar.NewOptions64(-1,
		progressbar.OptionSetWriter(a.stderr),
		progressbar.OptionSetDescription(fmt.Sprintf("%s %d files (%.1f MB)", what, len(files), float64(total)/1e6)),
		progressbar.OptionOnCompletion(func() { fmt.Fprintln(a.stderr) }),
	)
	_ = bar.RenderBlank() // a bar that cannot be drawn is no reason to fail
	return &progress{bar: bar}
}

// finish completes the bar and ends its line.
func (p *progress) finish() {
	if p == nil {
		return
	}
	_ = p.bar.Finish()
}

// stop leaves the bar as it is and ends its line, before an error.
func (p *progress) stop() {
	if p == nil {
		return
	}
	_ = p.bar.Exit()
}

// addFile counts a whole file as read.
func (p *progress) addFile(path string) {
	if p == nil {
		return
	}
	if fi, err := os.Stat(path); err == nil {
		_ = p.bar.Add64(fi.Size())
	}
}

// fileProgress counts the lines read from one file against its size on
// disk. For a gzipped file the lines' bytes are scaled by the file's
// compression ratio, from the uncompressed size in its gzip trailer.
type fileProgress struct {
	p       *progress
	size    int64
	ratio   float64
	pending int   // line bytes not yet counted
	counted int64 // bytes counted on the bar
}

func (p *progress) file(jf export.JournalFile) *fileProgress {
	if p == nil {
		return nil
	}
	fp := &fileProgress{p: p, ratio: 1}
	f, err := fsafe.Open(jf.Path)
	if err != nil {
		return fp
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return fp
	}
	fp.size = fi.Size()
	if jf.Gzip {
		fp.ratio = 0
		var trailer [4]byte
		if fp.size >= 18 {
			if _, err := f.ReadAt(trailer[:], fp.size-4); err == nil || err == io.EOF {
				if n := binary.LittleEndian.Uint32(trailer[:]); n > 0 {
					fp.ratio = float64(fp.size) / float64(n)
				}
			}
		}
	}
	return fp
}

// add counts n bytes of lines read.
func (fp *fileProgress) add(n int) {
	if fp == nil {
		return
	}
	fp.pending += n
	if fp.pending < 1<<20 {
		return
	}
	step := min(int64(float64(fp.pending)*fp.ratio), fp.size-fp.counted)
	fp.pending = 0
	if step > 0 {
		fp.counted += step
		_ = fp.p.bar.Add64(step)
	}
}

// done counts what is left of the file.
func (fp *fileProgress) done() {
	if fp == nil {
		return
	}
	if left := fp.size - fp.counted; left > 0 {
		_ = fp.p.bar.Add64(left)
	}
}
