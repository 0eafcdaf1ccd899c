package mockserver_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/mockserver/mockserver/mockserver"
)

func TestDelaysAndFaults(t *testing.T) {
	s := seedServer(t)
	srv := httptest.NewServer(s)
	defer srv.Close()
	send := func(prefer string) (*http.Response, []byte, error) {
		q := validSeedRequests["updateUserImage"]
		r, _ := http.NewRequest(q.method, srv.URL+q.target, strings.NewReader(q.body))
		for k, v := range q.header {
			r.Header.Set(k, v)
		}
		r.Header.Set("Prefer", prefer)
		res, err := srv.Client().Do(r)
		if err != nil {
			return nil, nil, err
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		return res, b, err
	}

	start := time.Now()
	if res, _, err := send("delay=150"); err != nil || res.StatusCode != 200 {
		t.Fatalf("delay: %v", err)
	}
	if took := time.Since(start); took < 150*time.Millisecond {
		t.Errorf("delay=150 answered after %s", took)
	}
	if res, _, err := send("delay=soon"); err != nil || res.StatusCode != 422 {
		t.Errorf("bad delay: %v %v", res, err)
	}
	for _, kind := range []string{"reset", "empty"} {
		if _, _, err := send("fault=" + kind); err == nil {
			t.Errorf("fault=%s: the client got a response", kind)
		}
	}
	res, body, err := send("code=503, fault=malformed")
	if err != nil || res.StatusCode != 503 || json.Valid(body) {
		t.Errorf("malformed: %v %d %q", err, res.StatusCode, body)
	}
	res, body, err = send("code=409, fault=trickle")
	if err != nil || res.StatusCode != 409 || !json.Valid(body) {
		t.Errorf("trickle: %v %d %q", err, res.StatusCode, body)
	}
	if res, _, _ := send("fault=explode"); res == nil || res.StatusCode != 422 {
		t.Errorf("unknown fault accepted")
	}
	// The journal says what was done.
	j := do(t, s, req{method: "GET", target: "/__mock/requests?operation=updateUserImage"})
	if !strings.Contains(string(j.body), `+fault:reset`) || !strings.Contains(string(j.body), `+fault:trickle`) {
		t.Errorf("journal lacks the faults: %s", j.body)
	}
}

func TestRateLimit(t *testing.T) {
	s := seedServer(t, func(c *mockserver.Config) {
		c.RateLimits = []mockserver.RateLimit{{Operation: "updateUserImage", Limit: 2, Window: time.Minute}}
	})
	q := validSeedRequests["updateUserImage"]
	as := func(token string) req {
		h := map[string]string{}
		for k, v := range q.header {
			h[k] = v
		}
		h["Authorization"] = "APIToken " + token
		return req{q.method, q.target, h, q.body}
	}
	for i, want := range []int{200, 200, 429, 429} {
		res := do(t, s, as("alice-token"))
		if res.status != want {
			t.Fatalf("call %d: %d, want %d", i+1, res.status, want)
		}
		if res.header.Get("RateLimit-Limit") != "2" || res.header.Get("RateLimit-Reset") == "" {
			t.Errorf("call %d: RateLimit headers %v", i+1, res.header)
		}
		if want == 429 && (res.header.Get("Retry-After") == "" || res.header.Get("RateLimit-Remaining") != "0") {
			t.Errorf("429 without Retry-After: %v", res.header)
		}
	}
	// Another caller has a budget of its own.
	if res := do(t, s, as("bob-token")); res.status != 200 || res.header.Get("RateLimit-Remaining") != "1" {
		t.Errorf("bob: %d %v", res.status, res.header)
	}
	// An explicit choice is not limited.
	if res := do(t, s, withPrefer(as("alice-token"), "code=200")); res.status != 200 {
		t.Errorf("Prefer code=200 while limited: %d", res.status)
	}
}

func TestRateLimitFromFixtures(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "limits.yaml", "rateLimits:\n  - {operation: 'PUT /api/web/namespaces/system/user/settings/image', limit: 1, window: 1h, per: session}\n")
	s, err := mockserver.New(t.Context(), mockserver.Config{Specs: []string{"../specs"}, Fixtures: dir})
	if err != nil {
		t.Fatal(err)
	}
	q := validSeedRequests["updateUserImage"]
	if res := do(t, s, q); res.status != 200 {
		t.Fatalf("first call: %d", res.status)
	}
	if res := do(t, s, q); res.status != 429 || res.header.Get("Retry-After") == "" {
		t.Errorf("second call: %d %v", res.status, res.header)
	}
	writeFile(t, dir, "limits.yaml", "rateLimits:\n  - {operation: nope, limit: 1, window: 1h}\n")
	if _, err := mockserver.New(t.Context(), mockserver.Config{Specs: []string{"../specs"}, Fixtures: dir}); err == nil || !strings.Contains(err.Error(), `limits.yaml:2: rate limit: unknown operation "nope"`) {
		t.Errorf("err = %v", err)
	}
}
