package otlp

import (
	"crypto/tls"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"go.opentelemetry.io/otel/sdk/resource"
)

// DefaultTimeout bounds one request when Options.Timeout is zero.
const DefaultTimeout = 10 * time.Second

// DefaultMaxRequestBytes bounds one request when Options.MaxRequestBytes
// is zero: a fifth of the 20 MiB an OpenTelemetry Collector takes by
// default.
const DefaultMaxRequestBytes = 4 << 20

// defaultPath is the OTLP/HTTP path for logs, used when Options.URL has
// none.
const defaultPath = "/v1/logs"

// Options configures a Sink. The zero value of each field but URL is its
// default. Options is the whole configuration of the connection: the
// OTEL_EXPORTER_OTLP_* environment variables are not read (the resource
// reads its own variables, see Resource).
type Options struct {
	// URL is the OTLP/HTTP logs endpoint the sink posts to, for example
	// "https://collector.example:4318/v1/logs". Required. The scheme is
	// https, or http for a receiver reached in clear text (a collector on
	// the same host). A URL without a path gets /v1/logs. It carries no
	// user name, password, query or fragment: credentials go in Headers.
	URL string

	// Headers are sent with every request, for example an API key.
	// Their values appear in no error message.
	Headers map[string]string

	// TLS configures https connections; nil uses the system's roots. It
	// must be nil with an http URL. The sink uses a copy.
	TLS *tls.Config

	// Timeout bounds one request, from connecting to reading the answer;
	// zero means DefaultTimeout. Write also returns when its context ends.
	Timeout time.Duration

	// MaxRequestBytes bounds the size of one request, before
	// compression, as estimated from the events' fields: a Write whose
	// events pass it sends them in several requests, in order, so that a
	// batch of large events does not pass the receiver's limit. An event
	// larger than it is sent alone. Zero means DefaultMaxRequestBytes.
	MaxRequestBytes int

	// Gzip compresses request bodies. Off by default; every OpenTelemetry
	// Collector accepts it, and audit records compress well.
	Gzip bool

	// Resource describes the process that sends the records; nil means
	// resource.Default(), which names the service from the
	// OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES environment
	// variables, or "unknown_service:" and the program's name.
	Resource *resource.Resource

	// ServiceName, when set, is the resource's service.name, in place of
	// the one Resource gives.
	ServiceName string
}

// endpoint is a checked Options.URL, split the way the exporter takes it.
type endpoint struct {
	host     string // host[:port]
	path     string
	insecure bool // http
}

// String returns the URL without anything secret, for error messages.
func (e endpoint) String() string {
	scheme := "https"
	if e.insecure {
		scheme = "http"
	}
	return scheme + "://" + e.host + e.path
}

// check returns the endpoint opts name, or an error wrapping
// ErrInvalidOptions that names the field at fault.
func (opts *Options) check() (endpoint, error) {
	var ep endpoint
	bad := func(field, format string, args ...any) (endpoint, error) {
		return endpoint{}, fmt.Errorf("%w: %s: %s", ErrInvalidOptions, field, fmt.Sprintf(format, args...))
	}
	if opts.URL == "" {
		return bad("URL", "empty: the OTLP/HTTP logs endpoint is required, for example https://collector.example:4318/v1/logs")
	}
	u, err := url.Parse(opts.URL)
	if err != nil {
		// url.Error quotes the URL, which may hold a secret: say only why.
		if ue, ok := err.(*url.Error); ok {
			err = ue.Err
		}
		return bad("URL", "cannot be parsed: %v", err)
	}
	switch u.Scheme {
	case "https":
	case "http":
		ep.insecure = true
	default:
		return bad("URL", "scheme %q: want https, or http", u.Scheme)
	}
	switch {
	case u.Opaque != "" || u.Hostname() == "":
		return bad("URL", "no host in %s://...", u.Scheme)
	case u.User != nil:
		return bad("URL", "has a user name or password: put credentials in Headers")
	case u.RawQuery != "" || u.ForceQuery:
		return bad("URL", "has a query, which OTLP/HTTP does not send")
	case u.Fragment != "":
		return bad("URL", "has a fragment")
	}
	ep.host = u.Host
	ep.path = u.EscapedPath()
	if ep.path == "" {
		ep.path = defaultPath
	}
	if ep.insecure && opts.TLS != nil {
		return bad("TLS", "set with an http URL: use https, or leave TLS nil")
	}
	if opts.Timeout < 0 {
		return bad("Timeout", "negative (%v)", opts.Timeout)
	}
	if !utf8.ValidString(opts.ServiceName) {
		return bad("ServiceName", "not UTF-8")
	}
	if opts.MaxRequestBytes < 0 {
		return bad("MaxRequestBytes", "negative (%d)", opts.MaxRequestBytes)
	}
	for k, v := range opts.Headers {
		if !validHeaderName(k) {
			return bad("Headers", "%q is not a valid header name", k)
		}
		if strings.ContainsFunc(v, func(r rune) bool { return r < ' ' && r != '\t' || r == 0x7f }) {
			return bad("Headers", "the value of %q holds a control character", k)
		}
	}
	return ep, nil
}

// validHeaderName reports whether k is an HTTP field name (RFC 9110 token).
func validHeaderName(k string) bool {
	if k == "" {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return true
}
