package main

import (
	"errors"
	"flag"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// eventsFlag sets how many events the end-to-end run uses (at most
// 20,000 here); CI passes it to every package of the module.
var eventsFlag = flag.Int("events", 1_000_000, "events in the end-to-end run of the runner (at most 20,000)")

func TestMedian(t *testing.T) {
	cases := []struct {
		in   []float64
		want float64
	}{
		{[]float64{3}, 3},
		{[]float64{5, 1, 3}, 3},
		{[]float64{4, 1, 3, 2}, 2.5},
	}
	for _, c := range cases {
		if got := median(c.in); got != c.want {
			t.Errorf("median(%v) = %v, want %v", c.in, got, c.want)
		}
	}
	if !math.IsNaN(median(nil)) {
		t.Error("median of nothing is not NaN")
	}
}

// TestRatioWithinRounds checks that ratios are taken within each round
// before the median, and point the right way for each unit.
func TestRatioWithinRounds(t *testing.T) {
	r := newResults(3)
	for _, v := range []float64{100, 200, 100} {
		r.add("a", v)
	}
	for _, v := range []float64{1000, 2000, 3000} {
		r.add("b", v)
	}
	if got := r.ratio(nanos, "b", "a"); got != 10 { // rounds: 10, 10, 30
		t.Errorf("time ratio %v, want 10", got)
	}
	if got := r.ratio(rate, "a", "b"); got != 10 {
		t.Errorf("rate ratio %v, want 10", got)
	}
}

func TestFormat(t *testing.T) {
	cases := []struct {
		u    unit
		v    float64
		want string
	}{
		{nanos, 99.74, "99.7 ns"},
		{nanos, 15_730, "15.7 µs"},
		{nanos, 17_900_000, "17.9 ms"},
		{rate, 476_321, "476,000/s"},
		{rate, 1_234_567, "1,230,000/s"},
		{byteCount, 404.4, "404 B"},
	}
	for _, c := range cases {
		if got := format(c.u, c.v); got != c.want {
			t.Errorf("format(%v, %v) = %q, want %q", c.u, c.v, got, c.want)
		}
	}
}

func TestRowsCoverContenders(t *testing.T) {
	if err := checkRows(); err != nil {
		t.Fatal(err)
	}
}

// TestWriteSection checks that only the text between the markers
// changes, and that a file without them is refused.
func TestWriteSection(t *testing.T) {
	path := filepath.Join(t.TempDir(), "B.md")
	before := "# Title\n\nmethod\n\n" + beginMarker + "\nold table\n" + endMarker + "\n\nafter\n"
	if err := os.WriteFile(path, []byte(before), 0o644); err != nil {
		t.Fatal(err)
	}
	for range 2 { // twice: the second run replaces the first
		if err := writeSection(path, "new table\n"); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := "# Title\n\nmethod\n\n" + beginMarker + "\nnew table\n" + endMarker + "\n\nafter\n"
	if string(got) != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if err := os.WriteFile(path, []byte("no markers\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := writeSection(path, "x"); err == nil {
		t.Error("a file without markers was written")
	}
}

// TestRun runs the whole runner once, on a small number of events, into
// a copy of a file with the markers, and checks that every row is in
// the table it wrote.
func TestRun(t *testing.T) {
	path := filepath.Join(t.TempDir(), "BENCHMARKS.md")
	if err := os.WriteFile(path, []byte("intro\n"+beginMarker+"\n"+endMarker+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := config{events: min(*eventsFlag, 20_000), rounds: 1, out: path}
	if err := run(cfg); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, rw := range rows {
		if !strings.Contains(string(got), "| "+rw.label+" |") {
			t.Errorf("no row %q in\n%s", rw.label, got)
		}
	}
	if !strings.HasPrefix(string(got), "intro\n"+beginMarker+"\nMeasured ") || strings.Contains(string(got), "| – |") {
		t.Errorf("section:\n%s", got)
	}
}

// TestBadInput: flags out of range and a file the runner cannot write
// into are refused with an error, and the file is left as it was.
func TestBadInput(t *testing.T) {
	for _, cfg := range []config{{events: 999, rounds: 1}, {events: 1000, rounds: 0}, {events: -5, rounds: -1}} {
		if err := run(cfg); err == nil {
			t.Errorf("run(%+v) accepted", cfg)
		}
	}
	dir := t.TempDir()
	if err := writeSection(filepath.Join(dir, "missing.md"), "x"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a missing file: %v", err)
	}
	swapped := filepath.Join(dir, "swapped.md")
	content := "a\n" + endMarker + "\nb\n" + beginMarker + "\n"
	if err := os.WriteFile(swapped, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := writeSection(swapped, "x"); !errors.Is(err, errNoMarkers) {
		t.Errorf("markers in the wrong order: %v", err)
	}
	if got, _ := os.ReadFile(swapped); string(got) != content {
		t.Errorf("the file was changed:\n%s", got)
	}
}
