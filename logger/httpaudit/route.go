package httpaudit

import (
	"net/http"
	"net/url"
	"path"
	"strings"
)

// routes holds the paths a router may route a request on. Routers read a
// path differently: net/http's ServeMux cleans the escaped path
// (URL.EscapedPath) and splits it into segments before it unescapes each,
// so that "%2F" is not a separator and "%2e%2e" is not ".." (and a
// CONNECT request's path is not cleaned at all); its Go 1.21 mode and
// gorilla/mux clean the decoded path; chi and httprouter take the path as
// sent, decoded or escaped. A request is matched on each of these, so
// that no spelling of a path can steer the router one way and the
// middleware another.
type routes struct {
	// paths are decoded, cleaned; decoded as sent; escaped, cleaned as
	// ServeMux does; escaped as sent. Each starts with "/".
	paths [4]string
	n     int // how many differ: 1 when the path is plain and clean
}

// escapedFrom is the index in routes.paths of the first escaped path.
const escapedFrom = 2

func requestRoutes(r *http.Request) routes {
	decoded := rooted(r.URL.Path)
	escaped := rooted(r.URL.EscapedPath())
	rt := routes{paths: [4]string{path.Clean(decoded), decoded, cleanPath(escaped), escaped}, n: 4}
	if decoded == escaped && rt.paths[0] == decoded {
		rt.n = 1 // no escapes, nothing to clean: one reading
	}
	return rt
}

// rooted returns p starting with "/".
func rooted(p string) string {
	if !strings.HasPrefix(p, "/") {
		return "/" + p
	}
	return p
}

// cleanPath cleans p as ServeMux does: as path.Clean, keeping a trailing
// slash.
func cleanPath(p string) string {
	np := path.Clean(p)
	if strings.HasSuffix(p, "/") && np != "/" {
		if len(p) == len(np)+1 && strings.HasPrefix(p, np) {
			return p // clean already
		}
		np += "/"
	}
	return np
}

// certainlyUnder reports whether every reading of the request's path is
// at or below one of prefixes, segment by segment, each segment as is:
// the request is certainly there, however a router reads it.
func (rt *routes) certainlyUnder(prefixes []string) bool {
	if len(prefixes) == 0 {
		return false
	}
	for i := range rt.n {
		if !underAny(rt.paths[i], i >= escapedFrom, prefixes, false, false) {
			return false
		}
	}
	return true
}

// mayBeUnder reports whether some reading of the request's path is at or
// below one of prefixes, segments compared generously: without regard to
// case, and without a ";param" suffix, as some servers read them.
func (rt *routes) mayBeUnder(prefixes []string) bool {
	return rt.mayMatch(prefixes, false)
}

// mayBe reports whether some reading of the request's path is one of
// paths, compared as mayBeUnder compares, a trailing slash aside.
func (rt *routes) mayBe(paths []string) bool {
	return rt.mayMatch(paths, true)
}

func (rt *routes) mayMatch(paths []string, exact bool) bool {
	for i := range rt.n {
		if underAny(rt.paths[i], i >= escapedFrom, paths, true, exact) {
			return true
		}
	}
	return false
}

// underAny reports whether p, a path starting with "/", is at or below
// (exact: is) one of prefixes, cleaned paths from the Config, by whole
// segments. Each segment of an escaped p is unescaped before it is
// compared; generous compares segments as mayBeUnder says.
func underAny(p string, escaped bool, prefixes []string, generous, exact bool) bool {
	for _, pre := range prefixes {
		if under(p, escaped, pre, generous, exact) {
			return true
		}
	}
	return false
}

func under(p string, escaped bool, pre string, generous, exact bool) bool {
	rest := p[1:]
	want := pre[1:] // "" for "/"
	for want != "" {
		var w, seg string
		w, want, _ = strings.Cut(want, "/")
		var more bool
		seg, rest, more = strings.Cut(rest, "/")
		if !sameSegment(seg, w, escaped, generous) {
			return false
		}
		if want != "" && !more {
			return false // p ends before pre does
		}
		if want == "" && more {
			rest = "/" + rest // what follows the matched segments
		}
	}
	if !exact {
		return true
	}
	return rest == "" || rest == "/"
}

// sameSegment reports whether the path segment seg is want.
func sameSegment(seg, want string, escaped, generous bool) bool {
	if escaped && strings.Contains(seg, "%") {
		if u, err := url.PathUnescape(seg); err == nil {
			seg = u
		}
	}
	if !generous {
		return seg == want
	}
	seg, _, _ = strings.Cut(seg, ";")
	return strings.EqualFold(seg, want)
}
