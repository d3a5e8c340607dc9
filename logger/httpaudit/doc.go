// Package httpaudit audits the requests of a net/http server: one event
// per request, with its method, path, status code, duration, client
// address and user agent, and the user the application names.
//
//	audit, err := httpaudit.Middleware(httpaudit.Config{
//		Logger:     l,
//		Exclude:    []string{"/static/", "/healthz"},
//		WritesOnly: true,
//		User:       func(r *http.Request) string { return sessionUser(r) },
//	})
//	if err != nil { ... }
//	http.ListenAndServe(addr, audit(mux))
//
// The path is recorded escaped, as the client sent it, without its
// query. A field too long is cut (the path to Config.MaxPath, the user
// agent to Config.MaxUserAgent, the method to MaxMethod, the user to
// MaxUserID) and Metadata["auditlog_cut"] gives the size of each field
// cut, so that a request of any size keeps its method, path and status.
//
// Methods map to operations: the safe ones (GET, HEAD, OPTIONS, TRACE)
// to READ, POST to CREATE, DELETE to DELETE, PUT, PATCH and any other
// method (which may write: a WebDAV MKCOL, "delete" in lower case served
// by a handler that does not check its method) to UPDATE; login and logout
// paths to LOGIN and LOGOUT. A status of 400 or more (configurable) is a
// FAILURE whose error message is "HTTP nnn".
//
// The user comes from SetUser, which an authentication middleware or a
// handler inside the audit middleware calls, or else from Config.User.
// Put the audit middleware outside authentication, so that the requests
// it refuses are audited too.
//
// Prefixes and exclusions match whole path segments: "/apiary" is not
// under "/api". A path is read as each router may read it, decoded or
// escaped, cleaned or as sent, and when in doubt the request is audited:
// "/static/../api/users" is under "/api"; with "/health" excluded,
// "/api/users/42%2F..%2F..%2F..%2Fhealth", which net/http's ServeMux
// routes to "/api/users/{id}", is audited although its decoded, cleaned
// path is "/health". A request is excluded only when every reading of
// its path is.
//
// Auditing never fails a request: an event the logger refuses is counted
// in its Stats, Config.ErrorHandler hears of it, and the response is
// untouched. A client that hangs up does not take its request's audit
// along: the event is logged with the request's context values but not
// its end, and waits for room in the logger's queue for at most
// Config.LogTimeout. A handler that panics is audited as a FAILURE with
// the panic's value and stack, whatever status it wrote before, and the
// panic goes on up.
//
// X-Forwarded-For names the client only when the request comes from a
// proxy listed in Config.TrustedProxies: any client can send the header,
// so it is ignored otherwise. Its entries are read from the nearest
// proxy back, and the first that is not a trusted proxy is the client;
// an entry that is not an IP address stops the walk, and the nearest
// trusted proxy is recorded instead. Only IP addresses are recorded,
// without an IPv6 zone ("fe80::1%eth0" is recorded "fe80::1"): a zone
// names an interface of the machine that saw the address, and a client
// can write anything there. A peer that is not an IP address (a Unix
// socket's) is recorded as no address. Other headers (X-Real-IP,
// Forwarded) are not read.
//
// # Health
//
// [HealthHandler] serves the logger's [logger.Logger.Health] as JSON
// for probes: 200 while it is ok or degraded, 503 while it is failing.
package httpaudit
