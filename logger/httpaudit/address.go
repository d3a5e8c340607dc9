package httpaudit

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// clientIP returns the client's address: the connection's peer, or, when
// that peer is a trusted proxy, the nearest address in X-Forwarded-For
// that is not one. Only an IP address is returned, without an IPv6 zone
// (which names an interface of the machine that saw the address, and
// which a client can fill with anything), and an IPv4 address mapped
// into IPv6 as IPv4. A forwarded entry that is not an address stops the
// walk: the nearest trusted address is the client then. A peer that is
// not an IP address (a Unix socket's) gives "".
func (c *Config) clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	peer, err := netip.ParseAddr(host)
	if err != nil {
		return ""
	}
	plain := peer.Zone() == "" && !peer.Is4In6()
	peer = peer.WithZone("").Unmap()
	if !c.trusted(peer) {
		if plain {
			return host // an address as it is: no copy
		}
		return peer.String()
	}
	// Walk the entries from the nearest, without splitting the header.
	values := r.Header.Values("X-Forwarded-For")
	for i := len(values) - 1; i >= 0; i-- {
		v := values[i]
		for v != "" {
			var entry string
			if j := strings.LastIndexByte(v, ','); j >= 0 {
				v, entry = v[:j], v[j+1:]
			} else {
				v, entry = "", v
			}
			a, ok := parseHop(strings.TrimSpace(entry))
			if !ok {
				return peer.String() // a forged or broken entry: trust nothing before it
			}
			if !c.trusted(a) {
				return a.String()
			}
			peer = a
		}
	}
	return peer.String()
}

// parseHop parses an X-Forwarded-For entry: an address, or an address
// and port ("203.0.113.7:5555", "[2001:db8::7]:443"), as some proxies
// write. The address comes back without its zone, and an IPv4 address
// mapped into IPv6 as IPv4.
func parseHop(s string) (netip.Addr, bool) {
	a, err := netip.ParseAddr(s)
	if err != nil {
		ap, err := netip.ParseAddrPort(s)
		if err != nil {
			return netip.Addr{}, false
		}
		a = ap.Addr()
	}
	return a.WithZone("").Unmap(), true
}

// trusted reports whether a, without a zone, is in TrustedProxies.
func (c *Config) trusted(a netip.Addr) bool {
	for _, p := range c.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
