// Command httpservice is a small HTTP service behind the audit
// middleware: an API of memories where every write, login and logout is
// audited, reads are not, and health checks never are. It starts the
// service on a local port, plays a short session against it as a client
// would, and prints the audit trail.
//
//	go run ./examples/httpservice
package main

import (
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"

	"github.com/auditlog/auditlog/logger"
	"github.com/auditlog/auditlog/logger/httpaudit"
)

// userHeader stands in for real authentication: the user a request
// claims. A real service would take it from a verified session or token.
const userHeader = "X-Demo-User"

func main() {
	l, err := logger.New(logger.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer l.Close()

	audit, err := httpaudit.Middleware(httpaudit.Config{
		Logger:         l,
		Exclude:        []string{"/healthz"},
		WritesOnly:     true,
		LoginPaths:     []string{"/login"},
		LogoutPaths:    []string{"/logout"},
		User:           func(r *http.Request) string { return r.Header.Get(userHeader) },
		TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")},
	})
	if err != nil {
		log.Fatal(err)
	}
	srv := httptest.NewServer(audit(newAPI()))
	defer srv.Close()

	session := []struct{ method, path, body string }{
		{"POST", "/login", ""},
		{"POST", "/memories/1", "likes tea"},
		{"GET", "/memories/1", ""}, // a read: not audited
		{"PUT", "/memories/1", "likes green tea"},
		{"DELETE", "/memories/2", ""}, // no such memory: a FAILURE
		{"GET", "/healthz", ""},       // never audited
		{"POST", "/logout", ""},
	}
	for _, s := range session {
		req, _ := http.NewRequest(s.method, srv.URL+s.path, strings.NewReader(s.body))
		req.Header.Set(userHeader, "u1")
		req.Header.Set("X-Forwarded-For", "198.51.100.7") // the service sits behind a proxy on 127.0.0.1
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			log.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	srv.Close() // every request has been served, and audited

	fmt.Println("audit trail:")
	for _, ev := range l.Query(logger.Filter{Ascending: true}) {
		fmt.Printf("  %-7s %-7s user=%s ip=%s %s %s -> %d %s\n", ev.Operation, ev.Status, ev.UserID, ev.IPAddress,
			ev.Request.Method, ev.Request.Path, ev.Request.StatusCode, ev.ErrorMessage)
	}
	st := l.Statistics()
	fmt.Printf("%d requests audited, success rate %.0f%%\n", st.TotalEvents, 100*st.SuccessRate)
}

// newAPI returns the service: memories kept in a map.
func newAPI() http.Handler {
	var mu sync.Mutex
	memories := map[string]string{}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "ok") })
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	mux.HandleFunc("POST /logout", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	mux.HandleFunc("GET /memories/{id}", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		m, ok := memories[r.PathValue("id")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		_, _ = io.WriteString(w, m)
	})
	put := func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		memories[r.PathValue("id")] = string(body)
		w.WriteHeader(http.StatusNoContent)
	}
	mux.HandleFunc("POST /memories/{id}", put)
	mux.HandleFunc("PUT /memories/{id}", put)
	mux.HandleFunc("DELETE /memories/{id}", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		id := r.PathValue("id")
		if _, ok := memories[id]; !ok {
			http.NotFound(w, r)
			return
		}
		delete(memories, id)
		w.WriteHeader(http.StatusNoContent)
	})
	return mux
}
