//go:build browser

package main

// The page the command writes, in a real browser: `auditlog report` over
// the test journal, loaded in headless Chromium (see internal/browsertest;
// .ci/run installs it). Run with: go test -tags browser -run Chromium .

import (
	"path/filepath"
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
