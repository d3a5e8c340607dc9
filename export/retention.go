package export

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sort"
	"time"

	"github.com/auditlog/auditlog/internal/failpoint"
	"github.com/auditlog/auditlog/internal/fsafe"
)

// housekeeper applies retention and compresses rotated files while the
// journal runs, one pass over the folder at StartHousekeeping and after
// each rotation, until Close.
func (j *Journal) housekeeper() {
	defer j.wg.Done()
	for range j.tidy {
		if j.stop.Load() {
			return // a pass queued before Close is not run
		}
		j.housekeep()
	}
}

// tidyFile removes or compresses one rotated file, unless Close was
// called: it reports whether the pass goes on.
func (j *Journal) tidyFile(do func() error) bool {
	if j.stop.Load() {
		return false
	}
	err := failpoint.Eval(FailTidy)
	if err == nil {
		err = do()
	}
	if err != nil {
		j.report(err)
	}
	return true
}

// housekeep is one pass: it removes the rotated files retention lets go,
// then compresses the plain ones kept, reporting what goes wrong.
func (j *Journal) housekeep() {
	files, planted, err := journalEntries(j.opts.Dir)
	if err != nil {
		j.report(err)
		return
	}
	for _, err := range planted {
		j.report(fmt.Errorf("auditlog: journal: left alone: %w", err))
	}
	now := j.now()
	if last := time.UnixMilli(j.newest.Load()); last.After(now) {
		now = last // the clock stepped back since the last rotation
	}
	keep, remove, future := retain(files, now, j.opts.MaxBackups, j.opts.MaxAge)
	for _, p := range future {
		j.report(fmt.Errorf("auditlog: journal: %s is named after the current time (%s): kept, and not counted by MaxBackups or MaxAge", p, now.UTC().Format(time.RFC3339)))
	}
	for _, f := range remove {
		if j.opts.Keep != nil && j.opts.Keep(f) {
			continue
		}
		p := f.Path
		if !j.tidyFile(func() error { return removeRotated(p) }) {
			return
		}
	}
	if !j.opts.Compress {
		return
	}
	for _, f := range keep {
		if f.Gzip {
			continue
		}
		if !j.tidyFile(func() error { return compressFile(f.Path) }) {
			return
		}
	}
}

func (j *Journal) report(err error) {
	if j.opts.OnError != nil {
		j.opts.OnError(err)
	}
}

// retain applies MaxBackups and MaxAge to the rotated files among files,
// by the times in their names, at now: it returns the files to keep and
// to compress (not those named after now), the files to remove, and the
// paths named after now, which are kept, left as they are, and not
// counted. A rotation's plain and compressed files count as one.
func retain(files []JournalFile, now time.Time, maxBackups int, maxAge time.Duration) (keep, remove []JournalFile, future []string) {
	byTime := map[time.Time][]JournalFile{}
	var times []time.Time
	for _, f := range files {
		if f.Rotated.IsZero() {
			continue // the current file
		}
		if _, ok := byTime[f.Rotated]; !ok {
			times = append(times, f.Rotated)
		}
		byTime[f.Rotated] = append(byTime[f.Rotated], f)
	}
	sort.Slice(times, func(a, b int) bool { return times[a].After(times[b]) })
	counted := 0
	for _, t := range times {
		group := byTime[t]
		if t.After(now) {
			for _, f := range group {
				future = append(future, f.Path)
			}
			continue
		}
		counted++
		if (maxBackups > 0 && counted > maxBackups) || (maxAge > 0 && t.Before(now.Add(-maxAge))) {
			remove = append(remove, group...)
			continue
		}
		keep = append(keep, group...)
	}
	return keep, remove, future
}

// removeRotated removes a rotated file retention let go, when it is a
// regular file: a link or a FIFO put at its name since it was listed is
// left alone and reported.
func removeRotated(path string) error {
	err := fsafe.Regular(path)
	if err == nil {
		err = os.Remove(path)
	}
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("auditlog: journal: retention: %w", err)
	}
	return nil
}
