package otlp

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlplog/otlploghttp"
	"go.opentelemetry.io/otel/log"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	"go.opentelemetry.io/otel/sdk/resource"

	"github.com/auditlog/auditlog/logger"
)

// ScopeName is the instrumentation scope of every record the sink sends.
const ScopeName = "github.com/auditlog/auditlog/sink/otlp"

// maxErrorLen bounds the text of an error from the exporter, which may
// quote what the receiver answered.
const maxErrorLen = 512

// Sink sends events as OTLP log records over HTTP, one request per Write.
// It is a [logger.Sink]: give it to the logger in Options.Sinks, which
// calls Write from a goroutine of its own and, after an error, retries
// with backoff. Write and Close may be called concurrently.
type Sink struct {
	ep        endpoint
	maxBytes  int // Options.MaxRequestBytes
	exporter  *otlploghttp.Exporter
	provider  *sdklog.LoggerProvider
	log       log.Logger
	transport *http.Transport

	stop   context.Context // ended by Close, which ends every Write's request
	cancel context.CancelFunc
	closed atomic.Bool
}

var _ logger.Sink = (*Sink)(nil)

// New returns a Sink that posts to opts.URL. It checks opts and returns
// an error wrapping ErrInvalidOptions that names the field at fault; it
// does not connect: the first Write does. ctx is the exporter's, for
// setting it up.
func New(ctx context.Context, opts Options) (*Sink, error) {
	ep, err := opts.check()
	if err != nil {
		return nil, err
	}
	timeout := opts.Timeout
	if timeout == 0 {
		timeout = DefaultTimeout
	}
	maxBytes := opts.MaxRequestBytes
	if maxBytes == 0 {
		maxBytes = DefaultMaxRequestBytes
	}

	res := opts.Resource
	if res == nil {
		res = resource.Default()
	}
	if opts.ServiceName != "" {
		res, err = resource.Merge(res, resource.NewSchemaless(attribute.String("service.name", opts.ServiceName)))
		if err != nil {
			return nil, fmt.Errorf("%w: Resource: %w", ErrInvalidOptions, err)
		}
	}

	// A client of the sink's own: Close closes its connections, a request
	// is bounded by Timeout, and a redirect is not followed, so that
	// Headers (an API key) go to URL's host and nowhere else.
	transport := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		TLSClientConfig:       opts.TLS.Clone(),
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          4,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
	client := &http.Client{
		Transport: transport,
		Timeout:   timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
	headers := make(map[string]string, len(opts.Headers))
	for k, v := range opts.Headers {
		headers[k] = v
	}
	compression := otlploghttp.NoCompression
	if opts.Gzip {
		compression = otlploghttp.GzipCompression
	}
	// Every setting the exporter would otherwise take from the
	// environment is given, and its own retry is off: the logger retries.
	exporter, err := otlploghttp.New(ctx,
		otlploghttp.WithEndpointURL(ep.String()),
		otlploghttp.WithHeaders(headers),
		otlploghttp.WithCompression(compression),
		otlploghttp.WithTimeout(timeout),
		otlploghttp.WithRetry(otlploghttp.RetryConfig{Enabled: false}),
		otlploghttp.WithHTTPClient(client),
	)
	if err != nil {
		return nil, fmt.Errorf("auditlog: otlp: exporter: %w", err)
	}

	// The provider stamps each record with the resource and the scope,
	// and hands it to collector, which adds it to the batch of the Write
	// that emitted it. The SDK's count and length limits are off,
	// whatever the environment says, so no audit record is cut: an
	// event's values are bounded as the logger bounds them.
	provider := sdklog.NewLoggerProvider(
		sdklog.WithResource(res),
		sdklog.WithProcessor(collector{}),
		sdklog.WithAttributeCountLimit(-1),
		sdklog.WithAttributeValueLengthLimit(-1),
	)
	stop, cancel := context.WithCancel(context.Background())
	return &Sink{
		ep:        ep,
		maxBytes:  maxBytes,
		exporter:  exporter,
		provider:  provider,
		log:       provider.Logger(ScopeName),
		transport: transport,
		stop:      stop,
		cancel:    cancel,
	}, nil
}

// Write sends events in one request (or several, in order, when they
// pass Options.MaxRequestBytes) and returns nil once the receiver has
// accepted all of them. Otherwise it returns an error wrapping
// ErrNotAccepted, and the whole batch may be sent again, its first
// requests included: Write does not retry. Each request is bounded by
// Options.Timeout, and Write returns when ctx ends. An event that Log
// would refuse (see logger.Event.Validate) makes Write fail with an
// error wrapping logger.ErrInvalidEvent, and logger.ErrUndeliverable,
// before it sends any of the batch. Write allocates the records of the batch and nothing that
// outlives the call.
func (s *Sink) Write(ctx context.Context, events []logger.Event) error {
	if s.closed.Load() {
		return ErrClosed
	}
	if len(events) == 0 {
		return nil
	}
	for i := range events {
		if err := events[i].Validate(); err != nil {
			return fmt.Errorf("auditlog: otlp: event %d of %d (ID %q): %w (%w)", i, len(events), events[i].ID, err, logger.ErrUndeliverable)
		}
	}

	recs := make([]sdklog.Record, 0, len(events))
	ectx := context.WithValue(context.Background(), batchKey{}, &recs)
	var cuts []int // where each request after the first starts
	size := 0
	for i := range events {
		r, n := record(&events[i])
		if size > 0 && size+n > s.maxBytes {
			cuts = append(cuts, i)
			size = 0
		}
		size += n
		s.log.Emit(ectx, r)
	}
	if len(recs) != len(events) { // the provider stopped: Close ran
		return ErrClosed
	}
	cuts = append(cuts, len(recs))

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	defer context.AfterFunc(s.stop, cancel)()
	from := 0
	for _, to := range cuts {
		if err := s.exporter.Export(ctx, recs[from:to]); err != nil {
			what := fmt.Sprintf("%d events", len(recs))
			if len(cuts) > 1 {
				what = fmt.Sprintf("events %d to %d of %d", from, to-1, len(recs))
			}
			if s.closed.Load() {
				return fmt.Errorf("%w: %s not sent to %s: %w", ErrClosed, what, s.ep, shortError{err})
			}
			return fmt.Errorf("%w: %s to %s: %w", ErrNotAccepted, what, s.ep, shortError{err})
		}
		from = to
	}
	return nil
}

// Close ends every Write in progress, with an error, and releases the
// sink's connections. Write returns ErrClosed after it. Closing twice is
// fine.
func (s *Sink) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	s.cancel()
	err := errors.Join(s.provider.Shutdown(context.Background()), s.exporter.Shutdown(context.Background()))
	s.transport.CloseIdleConnections()
	if err != nil {
		return fmt.Errorf("auditlog: otlp: close: %w", err)
	}
	return nil
}

// batchKey keys, in the context a Write emits with, the batch that
// collector adds records to.
type batchKey struct{}

// collector is the provider's processor: it adds each record, stamped
// with the resource and the scope, to the batch of its Write.
type collector struct{}

func (collector) OnEmit(ctx context.Context, r *sdklog.Record) error {
	if b, ok := ctx.Value(batchKey{}).(*[]sdklog.Record); ok {
		*b = append(*b, r.Clone())
	}
	return nil
}

func (collector) Enabled(context.Context, sdklog.EnabledParameters) bool { return true }
func (collector) Shutdown(context.Context) error                         { return nil }
func (collector) ForceFlush(context.Context) error                       { return nil }

// shortError is an error of the exporter with its text cut to
// maxErrorLen bytes: the receiver's answer, which the text may quote, is
// not the sink's to repeat at length.
type shortError struct{ err error }

func (e shortError) Error() string {
	msg := e.err.Error()
	if len(msg) > maxErrorLen {
		msg = strings.ToValidUTF8(msg[:maxErrorLen], "") + "..."
	}
	return msg
}

func (e shortError) Unwrap() error { return e.err }
