package mockserver_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
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
	if res, _, err := send("delay=soon"); err != nil || res.StatusCode != 400 {
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
	if res, _, _ := send("fault=explode"); res == nil || res.StatusCode != 400 {
		t.Errorf("unknown fault accepted")
	}
	// The journal says what was done.
	j := do(t, s, req{method: "GET", target: "/__mock/requests?operation=updateUserImage"})
	if !strings.Contains(string(j.body), `+fault:reset`) || !strings.Contains(string(j.body), `+fault:trickle`) {
		t.Errorf("journal lacks the faults: %s", j.body)
	}
}
