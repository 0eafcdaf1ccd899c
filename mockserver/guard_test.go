package mockserver_test

import (
	"net/http"
	"testing"

	"github.com/mockserver/mockserver/mockserver"
)

// TestControlGuard tries the control API as a web page on another origin and as a
// DNS-rebinding page would, and as the developer's own tools do.
func TestControlGuard(t *testing.T) {
	const evil = "http://evil.example"
	loopback := func(c *mockserver.Config) { c.Addr = "127.0.0.1:4010" }
	beyond := func(c *mockserver.Config) { c.Addr = "0.0.0.0:4010" }
	tests := []struct {
		name   string
		mod    []func(*mockserver.Config)
		q      req
		status int
		acao   string // the Access-Control-Allow-Origin answered ("" for none)
	}{
		{"curl reads the journal", []func(*mockserver.Config){loopback},
			req{method: "GET", target: "/__mock/requests", header: map[string]string{"Host": "127.0.0.1:4010"}}, 200, ""},
		{"another origin cannot read the journal", []func(*mockserver.Config){loopback},
			req{method: "GET", target: "/__mock/requests", header: map[string]string{"Host": "127.0.0.1:4010", "Origin": evil}}, 403, ""},
		{"another origin cannot reset with a simple POST", []func(*mockserver.Config){loopback},
			req{method: "POST", target: "/__mock/reset", header: map[string]string{"Host": "localhost:4010", "Origin": evil, "Content-Type": "text/plain"}}, 403, ""},
		{"another origin's preflight for DELETE fails", []func(*mockserver.Config){loopback},
			req{method: "OPTIONS", target: "/__mock/requests", header: map[string]string{"Host": "127.0.0.1:4010", "Origin": evil, "Access-Control-Request-Method": "DELETE"}}, 403, ""},
		{"a sandboxed page (Origin null) is refused", []func(*mockserver.Config){loopback},
			req{method: "GET", target: "/__mock/state", header: map[string]string{"Host": "127.0.0.1:4010", "Origin": "null"}}, 403, ""},
		{"the mock's own origin is served", []func(*mockserver.Config){loopback},
			req{method: "GET", target: "/__mock/health", header: map[string]string{"Host": "127.0.0.1:4010", "Origin": "http://127.0.0.1:4010"}}, 200, ""},
		{"an allowed origin's preflight", []func(*mockserver.Config){loopback, func(c *mockserver.Config) { c.ControlCORS = []string{"http://localhost:3000"} }},
			req{method: "OPTIONS", target: "/__mock/requests", header: map[string]string{"Host": "127.0.0.1:4010", "Origin": "http://localhost:3000", "Access-Control-Request-Method": "DELETE"}}, 204, "http://localhost:3000"},
		{"an allowed origin reads", []func(*mockserver.Config){loopback, func(c *mockserver.Config) { c.ControlCORS = []string{"http://localhost:3000/"} }},
			req{method: "GET", target: "/__mock/requests", header: map[string]string{"Host": "127.0.0.1:4010", "Origin": "http://localhost:3000"}}, 200, "http://localhost:3000"},
		{"an allowed origin's preflight needs no token", []func(*mockserver.Config){loopback, func(c *mockserver.Config) { c.ControlCORS = []string{"*"}; c.ControlToken = "s3cret" }},
			req{method: "OPTIONS", target: "/__mock/reset", header: map[string]string{"Host": "127.0.0.1:4010", "Origin": "http://localhost:3000", "Access-Control-Request-Method": "POST"}}, 204, "http://localhost:3000"},
		{"an allowed origin still needs the token", []func(*mockserver.Config){loopback, func(c *mockserver.Config) { c.ControlCORS = []string{"*"}; c.ControlToken = "s3cret" }},
			req{method: "POST", target: "/__mock/reset", header: map[string]string{"Host": "127.0.0.1:4010", "Origin": "http://localhost:3000"}}, 401, "http://localhost:3000"},
		{"a rebinding Host is misdirected", []func(*mockserver.Config){loopback},
			req{method: "GET", target: "/__mock/requests", header: map[string]string{"Host": "evil.example:4010"}}, 421, ""},
		{"a rebinding Host cannot reset", []func(*mockserver.Config){loopback},
			req{method: "POST", target: "/__mock/reset", header: map[string]string{"Host": "rebind.evil.example"}}, 421, ""},
		{"localhost names are this machine", []func(*mockserver.Config){loopback},
			req{method: "GET", target: "/__mock/health", header: map[string]string{"Host": "app.localhost:4010"}}, 200, ""},
		{"[::1] is this machine", []func(*mockserver.Config){loopback},
			req{method: "GET", target: "/__mock/health", header: map[string]string{"Host": "[::1]:4010"}}, 200, ""},
		{"beyond loopback, a rebinding name", []func(*mockserver.Config){beyond},
			req{method: "POST", target: "/__mock/reset", header: map[string]string{"Host": "attacker.example:4010", "Origin": "http://attacker.example:4010"}}, 421, ""},
		{"beyond loopback, an address", []func(*mockserver.Config){beyond},
			req{method: "GET", target: "/__mock/health", header: map[string]string{"Host": "192.168.1.20:4010"}}, 200, ""},
		{"beyond loopback, localhost (a published Docker port)", []func(*mockserver.Config){beyond},
			req{method: "GET", target: "/__mock/health", header: map[string]string{"Host": "localhost:4010"}}, 200, ""},
		{"beyond loopback, an allowed name", []func(*mockserver.Config){beyond, func(c *mockserver.Config) { c.AllowedHosts = []string{"mock"} }},
			req{method: "GET", target: "/__mock/health", header: map[string]string{"Host": "mock:4010"}}, 200, ""},
		{"beyond loopback with a token, any name", []func(*mockserver.Config){beyond, func(c *mockserver.Config) { c.ControlToken = "s3cret" }},
			req{method: "GET", target: "/__mock/health", header: map[string]string{"Host": "mock.internal:4010", "X-Mock-Token": "s3cret"}}, 200, ""},
		{"the described API keeps Prism's CORS", []func(*mockserver.Config){loopback},
			req{method: "OPTIONS", target: "/api/v2/user/1/", header: map[string]string{"Host": "evil.example", "Origin": evil, "Access-Control-Request-Method": "PATCH"}}, 204, evil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := seedServer(t, tc.mod...)
			res := do(t, s, tc.q)
			if res.status != tc.status {
				t.Fatalf("status %d, want %d: %s", res.status, tc.status, res.body)
			}
			if got := res.header.Get("Access-Control-Allow-Origin"); got != tc.acao {
				t.Errorf("Access-Control-Allow-Origin %q, want %q", got, tc.acao)
			}
			if res.status >= 400 && res.header.Get("Content-Type") != "application/problem+json" {
				t.Errorf("refusal is %q, want a problem", res.header.Get("Content-Type"))
			}
		})
	}
}

// TestControlGuardJournalUntouched checks that a refused page changed nothing: the reset it
// sent did not happen.
func TestControlGuardJournalUntouched(t *testing.T) {
	s := seedServer(t, func(c *mockserver.Config) { c.Addr = "127.0.0.1:4010" })
	do(t, s, req{method: "GET", target: "/user-avatar/1"})
	res := do(t, s, req{method: "DELETE", target: "/__mock/requests", header: map[string]string{"Origin": "http://evil.example", "Host": "127.0.0.1:4010"}})
	if res.status != http.StatusForbidden {
		t.Fatalf("DELETE from another origin: %d", res.status)
	}
	res = do(t, s, req{method: "GET", target: "/__mock/requests", header: map[string]string{"Host": "127.0.0.1:4010"}})
	if res.status != 200 || len(res.body) < 10 {
		t.Fatalf("journal after the refused DELETE: %d %s", res.status, res.body)
	}
}
