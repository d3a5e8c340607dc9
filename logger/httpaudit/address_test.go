package httpaudit_test

import (
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/auditlog/auditlog/logger/audittest"
	"github.com/auditlog/auditlog/logger/httpaudit"
)

// Only an IP address is recorded as the client's, without an IPv6 zone:
// a forwarded entry that does not parse stops the walk at the nearest
// trusted proxy, and a peer that is not an IP address is recorded as no
// address.
func TestOnlyAddressesThatParseAreRecorded(t *testing.T) {
	rec := audittest.New(t)
	h := wrap(t, httpaudit.Config{
		Logger:         rec.Logger,
		TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("fe80::/10")},
	}, statusHandler)
	for _, tt := range []struct {
		name, remote string
		xff          []string
		want         string
	}{
		{"a zone holding markup", "10.0.0.5:1000", []string{"fe80::1%<script>"}, "fe80::1"},
		{"a zone with a port", "10.0.0.5:1000", []string{"[2001:db9::1%<b>]:443"}, "2001:db9::1"},
		{"a zone on IPv4", "10.0.0.5:1000", []string{"198.51.100.7%eth0"}, "10.0.0.5"},
		{"markup", "10.0.0.5:1000", []string{"<script>alert(1)</script>"}, "10.0.0.5"},
		{"a control character", "10.0.0.5:1000", []string{"198.51.100.7\x00"}, "10.0.0.5"},
		{"unknown, as some proxies write", "10.0.0.5:1000", []string{"unknown"}, "10.0.0.5"},
		{"a huge header", "10.0.0.5:1000", []string{strings.Repeat("1.1.1.1, ", 50_000) + "198.51.100.7"}, "198.51.100.7"},
		{"empty entries", "10.0.0.5:1000", []string{"198.51.100.7,, "}, "10.0.0.5"},
		{"a peer that is no address", "<script>:80", []string{"198.51.100.7"}, ""},
		{"a peer with no port", "192.0.2.1", nil, "192.0.2.1"},
		{"a Unix socket's peer", "@", nil, ""},
		{"an empty peer", "", nil, ""},
		{"a peer with a zone", "[fe80::9%eth0]:1234", nil, "fe80::9"},
		{"a trusted peer with a zone", "[fe80::9%eth0]:1234", []string{"198.51.100.7"}, "198.51.100.7"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			hdr := http.Header{}
			for _, v := range tt.xff {
				hdr.Add("X-Forwarded-For", v)
			}
			before := len(rec.Events())
			req := httptest.NewRequest("GET", "/", nil)
			req.Header = hdr
			req.RemoteAddr = tt.remote
			h.ServeHTTP(httptest.NewRecorder(), req)
			events := rec.Events()
			require.Len(t, events, before+1)
			require.Equal(t, tt.want, events[len(events)-1].IPAddress)
		})
	}
}
