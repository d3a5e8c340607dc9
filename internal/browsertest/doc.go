// Package browsertest loads a page in headless Chromium for the tests
// that check what a browser makes of the HTML report: what the page
// logged to its console, and a screenshot whose pixels can be counted.
// Tests that use it carry the build tag "browser"; .ci/run installs
// Debian's chromium package and runs them.
package browsertest
