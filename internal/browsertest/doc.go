// Package browsertest loads a page in headless Chromium for the tests
// that check what a browser makes of the HTML report: what the page
// logged to its console, a screenshot whose pixels can be counted, and
// the page printed to PDF, read back as text one page at a time.
// Tests that use it carry the build tag "browser"; .ci/run installs
// Debian's chromium and poppler-utils packages and runs them.
package browsertest
