package browsertest

import (
	"bytes"
	"image"
	"image/png"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

// consoleLine matches what Chromium logs for a console message or an
// uncaught exception of the page.
var consoleLine = regexp.MustCompile(`(?m)^.*:CONSOLE[:(].*$`)

// Browse loads the HTML file at path in headless Chromium, with the flags
// that keep it off the network, and returns the console lines the page
// logged and the screenshot, which it writes to shot.
func Browse(t testing.TB, path, shot string) (console []string, img image.Image) {
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
	console = consoleLine.FindAllString(stderr.String(), -1)
	f, err := os.Open(shot)
	require.NoError(t, err)
	defer f.Close()
	img, err = png.Decode(f)
	require.NoError(t, err)
	return console, img
}

// Pixels counts the pixels of img of the colour hex ("#rrggbb").
func Pixels(img image.Image, hex string) int {
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

// ScreenshotPath returns where to keep a screenshot named name: in the
// folder $REPORT_SCREENSHOTS when set (CI keeps them there), else in the
// system's temporary folder.
func ScreenshotPath(name string) string {
	dir := os.Getenv("REPORT_SCREENSHOTS")
	if dir == "" {
		dir = os.TempDir()
	}
	return dir + string(os.PathSeparator) + name
}
