//go:build browser

package report_test

// The report in a real browser: headless Chromium (Debian's chromium
// package; .ci/run installs it) loads the page, which must log nothing to
// its console, and takes a screenshot, in which both charts must be drawn.
// Run with: go test -tags browser ./internal/report/
// The screenshot's path is printed (and kept) with -v; REPORT_SCREENSHOTS
// names the folder to write it in.

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/internal/browsertest"
	"github.com/auditlog/auditlog/internal/report"
)

func TestReportInChromium(t *testing.T) {
	dir := t.TempDir()
	page := filepath.Join(dir, "report.html")
	var b bytes.Buffer
	require.NoError(t, report.Write(&b, monthOfEvents(), january, report.Options{}))
	require.NoError(t, os.WriteFile(page, b.Bytes(), 0o600))
	shot := browsertest.ScreenshotPath("auditlog-report.png")
	console, img := browsertest.Browse(t, page, shot)
	t.Logf("screenshot of the report: %s (%dx%d)", shot, img.Bounds().Dx(), img.Bounds().Dy())
	require.Empty(t, console, "the page logged to its console")
	bars, gaps := browsertest.Pixels(img, report.BarColour), browsertest.Pixels(img, report.EmptyColour)
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
	console, _ := browsertest.Browse(t, page, filepath.Join(t.TempDir(), "bad.png"))
	require.Len(t, console, 2, "%q", console)
	require.Contains(t, console[0], "broken")
	require.Contains(t, console[1], "Uncaught ReferenceError")
}

// TestReportPrintsToPDF prints the report as a compliance officer does,
// to PDF in Chromium: the summary and the chart per day on the first
// page, then one section a page, each page with the report's header and
// its number, the provenance last.
func TestReportPrintsToPDF(t *testing.T) {
	dir := t.TempDir()
	page := filepath.Join(dir, "report.html")
	var b bytes.Buffer
	o := report.Options{Generated: time.Date(2026, 2, 1, 9, 30, 0, 0, time.UTC), Tool: "auditlog (devel)",
		Inputs: []report.Input{{Name: "./audit_logs", Kind: "journal", Chain: "verified: 170 lines in 1 file", ChainOK: true}}}
	require.NoError(t, report.Write(&b, monthOfEvents(), january, o))
	require.NoError(t, os.WriteFile(page, b.Bytes(), 0o600))
	pdf := browsertest.ScreenshotPath("auditlog-report.pdf")
	pages := browsertest.PrintToPDF(t, page, pdf)
	t.Logf("the report printed: %s (%d pages)", pdf, len(pages))
	require.Len(t, pages, 5, "the summary and events per day, by operation, users, failures, provenance")
	starts := []string{"Events per day", "Events by operation", "Users", "Failures", "Provenance"}
	for i, text := range pages {
		require.Contains(t, text, "Audit report, January 2026", "page %d: the header", i+1)
		require.Contains(t, text, "Generated 2026-02-01 09:30:00 UTC", "page %d: the header", i+1)
		require.Contains(t, text, fmt.Sprintf("Page %d of 5", i+1), "page %d: its number", i+1)
		require.Contains(t, text, starts[i], "page %d", i+1)
	}
	require.Contains(t, pages[0], "possible gap in auditing: 2026-01-10, 2026-01-11.")
	require.Contains(t, pages[3], "All 19 failures, newest first.")
	require.Contains(t, pages[4], "verified: 170 lines in 1 file")
	require.Contains(t, pages[4], "no signed checkpoint")
	require.Contains(t, pages[4], "Signature")
}
