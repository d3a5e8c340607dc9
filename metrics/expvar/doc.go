// Package auditexpvar publishes a logger's figures with the standard
// library's expvar, for programs that use no Prometheus: they appear in
// the JSON that expvar serves at /debug/vars. It lives in a package of
// its own, github.com/auditlog/auditlog/metrics/expvar, because importing
// expvar registers /debug/vars on http.DefaultServeMux; its name,
// auditexpvar, keeps it apart from the standard package.
package auditexpvar
