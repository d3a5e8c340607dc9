package browsertest

import (
	"bytes"
	"os/exec"
	"regexp"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

// PrintToPDF prints the HTML file at path to the PDF file pdf in headless
// Chromium, with the flags that keep it off the network and without
// Chromium's own page header and footer (the page's @page rules draw
// its own). It returns the PDF's pages as text, one string a page, read
// by pdftotext (Debian's poppler-utils package; .ci/run installs it).
func PrintToPDF(t testing.TB, path, pdf string) (pages []string) {
	t.Helper()
	bin, err := exec.LookPath("chromium")
	require.NoError(t, err, "headless Chromium is needed: apt-get install chromium (.ci/run does)")
	cmd := exec.Command(bin, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
		"--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir="+t.TempDir(), "--no-pdf-header-footer", "--print-to-pdf="+pdf, "file://"+path)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	require.NoError(t, cmd.Run(), "chromium: %s", stderr.String())
	n := PDFPages(t, pdf)
	for i := 1; i <= n; i++ {
		out, err := exec.Command(pdftotext(t), "-layout", "-f", strconv.Itoa(i), "-l", strconv.Itoa(i), pdf, "-").Output()
		require.NoError(t, err, "pdftotext %s, page %d", pdf, i)
		pages = append(pages, string(out))
	}
	return pages
}

var pagesLine = regexp.MustCompile(`(?m)^Pages:\s+(\d+)$`)

// PDFPages returns the number of pages of the PDF file pdf, as pdfinfo
// reads it.
func PDFPages(t testing.TB, pdf string) int {
	t.Helper()
	bin, err := exec.LookPath("pdfinfo")
	require.NoError(t, err, "pdfinfo is needed: apt-get install poppler-utils (.ci/run does)")
	out, err := exec.Command(bin, pdf).Output()
	require.NoError(t, err, "pdfinfo %s", pdf)
	m := pagesLine.FindSubmatch(out)
	require.NotNil(t, m, "pdfinfo %s: no page count in %q", pdf, out)
	n, err := strconv.Atoi(string(m[1]))
	require.NoError(t, err)
	return n
}

func pdftotext(t testing.TB) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	require.NoError(t, err, "pdftotext is needed: apt-get install poppler-utils (.ci/run does)")
	return bin
}
