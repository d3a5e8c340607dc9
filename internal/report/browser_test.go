//go:build browser

package report_test

// The report in a real browser: headless Chromium (Debian's chromium
// package; .ci/run installs it) loads the page, which must log nothing to
// its console, and takes a screenshot, in which both charts must be drawn.
// Run with: go test -tags browser ./internal/report/
// The screenshot's path is printed (and kept) with -v; REPORT_SCREENSHOT
// names where to write it.

import (
	"bytes"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/internal/report"
)

// browse loads the HTML file at path in headless Chromium, and returns
// the console lines it logged and the screenshot.
func browse(t *testing.T, path string, shot string) (console []string, img image.Image) {
	t.Helper()
	bin, err := exec.LookPath("chromium")
	require.NoError(t, err, "headless Chromium is needed: apt-get install chromium (.ci/run does)")
	cmd := exec.Command(bin, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
		"--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir="+t.TempDir(), "--enable-logging=stderr", "--v=0",
		"--window-size=1000,2000", "--hide-scrollbars", "--screenshot="+shot, "file://"+path)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	require.NoError(t, cmd.Run(), "chromium: %s", stderr.String())
	for _, m := range regexp.MustCompile(`(?m)^.*:CONSOLE[:(].*$`).FindAllString(stderr.String(), -1) {
		console = append(console, m)
	}
	f, err := os.Open(shot)
	require.NoError(t, err)
	defer f.Close()
	img, err = png.Decode(f)
	require.NoError(t, err)
	return console, img
}

// pixels counts the pixels of img of the colour hex ("#rrggbb").
func pixels(img image.Image, hex string) int {
	want, _ := strconv.ParseUint(hex[1:], 16, 32)
	n := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if uint64(r>>8)<<16|uint64(g>>8)<<8|uint64(bl>>8) == want {
				n++
			}
		}
	}
	return n
}

func TestReportInChromium(t *testing.T) {
	dir := t.TempDir()
	page := filepath.Join(dir, "report.html")
	var b bytes.Buffer
	require.NoError(t, report.Write(&b, monthOfEvents(), january))
	require.NoError(t, os.WriteFile(page, b.Bytes(), 0o600))
	shot := os.Getenv("REPORT_SCREENSHOT")
	if shot == "" {
		shot = filepath.Join(os.TempDir(), "auditlog-report.png")
	}
	console, img := browse(t, page, shot)
	t.Logf("screenshot of the report: %s (%dx%d)", shot, img.Bounds().Dx(), img.Bounds().Dy())
	require.Empty(t, console, "the page logged to its console")
	bars, gaps := pixels(img, report.BarColour), pixels(img, report.EmptyColour)
	t.Logf("chart pixels: %d in the bar colour, %d in the gap colour", bars, gaps)
	require.Greater(t, bars, 20_000, "the charts' bars are drawn")
	require.Greater(t, gaps, 20, "the days without events are marked")
}

// TestConsoleCheckCanFail shows that the console check sees an error and
// an uncaught exception, so that its silence above means something.
func TestConsoleCheckCanFail(t *testing.T) {
	page := filepath.Join(t.TempDir(), "bad.html")
	require.NoError(t, os.WriteFile(page, []byte(`<!DOCTYPE html><html><body><p>x</p>`+
		`<script>console.error("broken"); missing();</script></body></html>`), 0o600))
	console, _ := browse(t, page, filepath.Join(t.TempDir(), "bad.png"))
	require.Len(t, console, 2, "%q", console)
	require.Contains(t, console[0], "broken")
	require.Contains(t, console[1], "Uncaught ReferenceError")
}
