package otlp_test

import (
	"context"
	"crypto/tls"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/auditlog/auditlog/logger"
	"github.com/auditlog/auditlog/sink/otlp"
)

// TestNewRejectsBadOptions checks that each unusable option gives an
// error wrapping ErrInvalidOptions that names the field and why, and
// never quotes a secret.
func TestNewRejectsBadOptions(t *testing.T) {
	cases := []struct {
		name  string
		opts  otlp.Options
		field string // the error names it
		why   string // and says this
	}{
		{"no URL", otlp.Options{}, "URL", "required"},
		{"unparsable", otlp.Options{URL: "http://[::1"}, "URL", "cannot be parsed"},
		{"unparsable with secret", otlp.Options{URL: "http://u:s3cr3t@[::1"}, "URL", "cannot be parsed"},
		{"scheme", otlp.Options{URL: "grpc://collector:4317"}, "URL", `scheme "grpc"`},
		{"no scheme", otlp.Options{URL: "collector:4318/v1/logs"}, "URL", "scheme"},
		{"no host", otlp.Options{URL: "https:///v1/logs"}, "URL", "no host"},
		{"port only", otlp.Options{URL: "https://:4318/v1/logs"}, "URL", "no host"},
		{"user info", otlp.Options{URL: "https://u:s3cr3t@collector/v1/logs"}, "URL", "Headers"},
		{"query", otlp.Options{URL: "https://collector/v1/logs?key=s3cr3t"}, "URL", "query"},
		{"fragment", otlp.Options{URL: "https://collector/v1/logs#x"}, "URL", "fragment"},
		{"TLS with http", otlp.Options{URL: "http://collector:4318", TLS: &tls.Config{}}, "TLS", "http URL"},
		{"negative timeout", otlp.Options{URL: "https://collector", Timeout: -time.Second}, "Timeout", "negative"},
		{"negative request bound", otlp.Options{URL: "https://collector", MaxRequestBytes: -1}, "MaxRequestBytes", "negative"},
		{"service name", otlp.Options{URL: "https://collector", ServiceName: "a\xff"}, "ServiceName", "UTF-8"},
		{"header name", otlp.Options{URL: "https://collector", Headers: map[string]string{"Bad Name": "v"}}, "Headers", `"Bad Name"`},
		{"header value", otlp.Options{URL: "https://collector", Headers: map[string]string{"X-Key": "s3cr3t\r\nX-Evil: 1"}}, "Headers", `"X-Key" holds a control character`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := otlp.New(context.Background(), c.opts)
			if err == nil {
				s.Close()
				t.Fatal("New accepted the options")
			}
			if !errors.Is(err, otlp.ErrInvalidOptions) {
				t.Errorf("error %v does not wrap ErrInvalidOptions", err)
			}
			msg := err.Error()
			if !strings.Contains(msg, c.field+":") || !strings.Contains(msg, c.why) {
				t.Errorf("error %q does not name %s and say %q", msg, c.field, c.why)
			}
			if strings.Contains(msg, "s3cr3t") {
				t.Errorf("error quotes a secret: %q", msg)
			}
		})
	}
}

// TestURLWithoutPath checks that a URL with no path posts to /v1/logs,
// the OTLP default, and that the scheme may be written in capitals.
func TestURLWithoutPath(t *testing.T) {
	r := newReceiver(t)
	s := newSink(t, r, otlp.Options{URL: strings.Replace(r.srv.URL, "http://", "HTTP://", 1)})
	if err := s.Write(context.Background(), []logger.Event{fullEvent()}); err != nil {
		t.Fatalf("Write: %v", err)
	}
	if n := len(r.records()); n != 1 {
		t.Errorf("receiver got %d records at /v1/logs, want 1", n)
	}
}
