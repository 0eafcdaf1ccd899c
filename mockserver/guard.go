package mockserver

import (
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
)

// controlGuard decides who may reach /__mock. The control API reads the journal (with its
// bodies), changes state and resets the mock, so a web page the developer happens to visit
// must not drive it:
//   - a browser's request from another origin is refused unless that origin was allowed
//     (Config.ControlCORS); only then are CORS headers and preflights answered;
//   - a request whose Host names a host a DNS-rebinding page could is refused: such a page
//     reaches the mock under its own name. Bound to loopback, only localhost, 127.0.0.1,
//     [::1] and the configured host are accepted; beyond it, without a token, any IP address,
//     localhost, this machine's name and the allowed hosts;
//   - the control token, when set, is required (constant time).
type controlGuard struct {
	// hosts are the names a request may give in Host; nil for no check (no address known, or
	// listening beyond loopback with a token).
	hosts   map[string]bool
	anyIP   bool // any IP address is accepted as the Host too (listening beyond loopback)
	origins map[string]bool
	any     bool // "*" among the allowed origins
}

func newControlGuard(cfg Config) controlGuard {
	g := controlGuard{origins: map[string]bool{}}
	for _, o := range cfg.ControlCORS {
		if o == "*" {
			g.any = true
		}
		g.origins[strings.TrimSuffix(strings.ToLower(o), "/")] = true
	}
	host, _, err := net.SplitHostPort(cfg.Addr)
	if err != nil || (!loopback(host) && cfg.ControlToken != "") {
		return g
	}
	g.hosts = map[string]bool{"localhost": true, "127.0.0.1": true, "::1": true}
	for _, h := range append([]string{host}, cfg.AllowedHosts...) {
		g.hosts[hostKey(h)] = true
	}
	if !loopback(host) {
		// Reached from other machines: by an address, or by this machine's name.
		g.anyIP = true
		if name, err := os.Hostname(); err == nil {
			g.hosts[hostKey(name)] = true
		}
	}
	return g
}

// hostKey is a host name as the guard compares it: lower case, without brackets or a final dot.
func hostKey(h string) string {
	return strings.TrimSuffix(strings.ToLower(strings.Trim(h, "[]")), ".")
}

// loopback reports whether host names this machine only: localhost, 127.0.0.0/8, ::1.
func loopback(host string) bool {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// hostAllowed reports whether the request's Host may reach the control API.
func (g controlGuard) hostAllowed(r *http.Request) bool {
	if g.hosts == nil || r.Host == "" {
		return true
	}
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = hostKey(host)
	// *.localhost is this machine by RFC 6761, and browsers resolve it so themselves. An
	// address is no name a page can rebind.
	return g.hosts[host] || strings.HasSuffix(host, ".localhost") || (g.anyIP && net.ParseIP(host) != nil)
}

// crossOrigin reports whether the request comes from a page of another origin than the mock.
func crossOrigin(r *http.Request, origin string) bool {
	u, err := url.Parse(origin)
	return err != nil || u.Host == "" || !strings.EqualFold(u.Host, r.Host)
}

// serveControl answers a request to /__mock once it passed the guard's checks, in order.
func (s *Server) serveControl(w http.ResponseWriter, r *http.Request) {
	g := s.guard
	if !g.hostAllowed(r) {
		writeProblem(w, newProblem(http.StatusMisdirectedRequest,
			"the control API does not answer requests addressed to "+r.Host+": a web page reaching the mock under a name of its own is refused (DNS rebinding); use localhost or an address, allow the name with --allowed-host, or set --control-token"))
		return
	}
	if origin := r.Header.Get("Origin"); origin != "" && crossOrigin(r, origin) {
		if !g.any && !g.origins[strings.TrimSuffix(strings.ToLower(origin), "/")] {
			writeProblem(w, newProblem(http.StatusForbidden,
				"the control API does not answer pages of other origins ("+origin+"); allow one with --control-cors ORIGIN"))
			return
		}
		if preflight(w, r) {
			return
		}
		corsHeaders(w.Header(), r)
	}
	if !s.controlAllowed(r) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="mockserver control"`)
		writeProblem(w, newProblem(http.StatusUnauthorized, "the control API needs the control token (Authorization: Bearer TOKEN or X-Mock-Token)"))
		return
	}
	s.control.ServeHTTP(w, r)
}
