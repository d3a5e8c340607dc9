package main

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestReportProvenance: the report names its inputs with the status of
// their hash chain, the filters, the tool and when it was made; a keyed
// journal read without its key is said to be so, not verified.
func TestReportProvenance(t *testing.T) {
	dir := exampleDir(t)
	r := runIn(t, dir, "report", "audit_logs", "keyed_logs", "january.json", "--month", "2026-01", "--user", "carol", "--html", "-").ok(t)
	prov := r.stdout[strings.Index(r.stdout, `<section id="provenance">`):]
	require.Regexp(t, `<td>audit_logs</td><td>journal</td><td>verified: [\d,]+ lines in \d+ files, seq 1 to \d+, from the chain&#39;s first line; last hash [0-9a-f]{64}</td>`, prov)
	require.Contains(t, prov, `<td>keyed_logs</td><td>journal</td><td class="bad">not verified: the chain is keyed (hmac-sha256): the key is missing or wrong; give the key with --key-file</td>`)
	require.Contains(t, prov, `<td>january.json</td><td>file</td><td class="muted">an exported file: no hash chain</td>`)
	require.Contains(t, prov, "--month 2026-01, --user carol")
	require.Regexp(t, `<th scope="row">Tool</th><td>auditlog \S+</td>`, prov)
	require.Regexp(t, `<th scope="row">Generated</th><td>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC</td>`, prov)
	require.Contains(t, prov, "no signed checkpoint")
	require.NotContains(t, r.stdout, "possible gap in auditing", "with --user, a day without carol's events is not a gap")
	require.Contains(t, r.stdout, "2026-01-10, 2026-01-20")

	r = runIn(t, dir, "report", "keyed_logs", "--key-file", "audit.key", "--month", "2026-01", "--html", "-").ok(t)
	require.Contains(t, r.stdout, "verified: 50 lines in 1 file, seq 1 to 50, keyed (HMAC-SHA256), from the chain&#39;s first line")
	require.Contains(t, r.stdout, "--key-file audit.key")
}

// TestReportOfTheCurrentMonth: the days after the report is made are not
// flagged as gaps.
func TestReportOfTheCurrentMonth(t *testing.T) {
	dir := exampleDir(t)
	now := time.Now().UTC()
	r := runIn(t, dir, "report", "audit_logs", "--month", now.Format("2006-01"), "--html", "-").ok(t)
	tomorrow := now.AddDate(0, 0, 1)
	if tomorrow.Month() == now.Month() {
		require.Contains(t, r.stdout, "Not over when the report was made, so not judged: ")
		gaps := regexp.MustCompile(`id="gaps">[^<]*`).FindString(r.stdout)
		require.NotContains(t, gaps, tomorrow.Format(time.DateOnly), "a day to come is no gap")
	}
}
