//go:build browser

package main

// The page the command writes, in a real browser: `auditlog report` over
// the test journal, loaded in headless Chromium (see internal/browsertest;
// .ci/run installs it). Run with: go test -tags browser -run Chromium .

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/internal/browsertest"
	"github.com/auditlog/auditlog/internal/report"
)

func TestReportCommandInChromium(t *testing.T) {
	dir := exampleDir(t)
	runIn(t, dir, "report", "audit_logs", "--month", "2026-01", "--html", "report.html").ok(t)
	shot := browsertest.ScreenshotPath("auditlog-report-command.png")
	console, img := browsertest.Browse(t, filepath.Join(dir, "report.html"), shot)
	t.Logf("screenshot of the report auditlog wrote: %s (%dx%d)", shot, img.Bounds().Dx(), img.Bounds().Dy())
	require.Empty(t, console, "the page logged to its console")
	require.Greater(t, browsertest.Pixels(img, report.BarColour), 20_000, "the charts' bars are drawn")
}

// TestReportCommandPrintsToPDF prints the page `auditlog report` wrote
// for the test journal: a page a section, every failure of the month on
// the pages between, the provenance with the chain verified last.
func TestReportCommandPrintsToPDF(t *testing.T) {
	dir := exampleDir(t)
	runIn(t, dir, "report", "audit_logs", "--month", "2026-01", "--html", "report.html").ok(t)
	pdf := browsertest.ScreenshotPath("auditlog-report-command.pdf")
	pages := browsertest.PrintToPDF(t, filepath.Join(dir, "report.html"), pdf)
	t.Logf("the report printed: %s (%d pages)", pdf, len(pages))
	require.Greater(t, len(pages), 5, "the month's failures take pages of their own")
	all := strings.Join(pages, "\f")
	require.Contains(t, pages[0], "possible gap in auditing: 2026-01-10, 2026-01-20.")
	require.Contains(t, all, "All 800 failures, newest first.")
	last := pages[len(pages)-1]
	require.Contains(t, last, "Provenance")
	require.Contains(t, last, "verified:")
	require.Contains(t, last, "no signed checkpoint")
	require.Contains(t, last, fmt.Sprintf("Page %d of %d", len(pages), len(pages)))
}
