package httpaudit_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/auditlog/auditlog/logger"
	"github.com/auditlog/auditlog/logger/httpaudit"
)

func ExampleMiddleware() {
	l, _ := logger.New(logger.Options{})
	defer l.Close()
	audit, err := httpaudit.Middleware(httpaudit.Config{
		Logger:     l,
		Exclude:    []string{"/healthz"},
		WritesOnly: true,
		User:       func(r *http.Request) string { return r.Header.Get("X-User") },
	})
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("DELETE /memories/{id}", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "locked", http.StatusConflict)
	})
	h := audit(mux)

	req := httptest.NewRequest("DELETE", "/memories/7", nil)
	req.Header.Set("X-User", "u1")
	h.ServeHTTP(httptest.NewRecorder(), req)
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/memories/7", nil)) // a read: not audited

	for _, ev := range l.Query(logger.Filter{}) {
		fmt.Println(ev.Operation, ev.Status, ev.UserID, ev.Request.Method, ev.Request.Path, ev.ErrorMessage)
	}
	// Output: DELETE FAILURE u1 DELETE /memories/7 HTTP 409
}
