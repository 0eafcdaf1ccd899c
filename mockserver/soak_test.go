package mockserver_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mockserver/mockserver/mockserver"
)

// soakSpec is a resource with one integer field per client.
func soakSpec(clients int) string {
	var b strings.Builder
	b.WriteString(`openapi: 3.0.3
info: {title: soak, version: "1"}
paths:
  /things/{id}:
    parameters: [{name: id, in: path, required: true, schema: {type: integer}}]
    get:
      responses: {"200": {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Thing'}}}}}
    patch:
      requestBody: {required: true, content: {application/json: {schema: {$ref: '#/components/schemas/Thing'}}}}
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Thing'}}}}
        "422": {description: invalid, content: {application/json: {schema: {type: object}}}}
        "503": {description: unavailable}
components:
  schemas:
    Thing:
      type: object
      additionalProperties: false
      properties:
        id: {type: integer}
        name: {type: string, maxLength: 20}
`)
	for i := 0; i < clients; i++ {
		fmt.Fprintf(&b, "        f%d: {type: integer}\n", i)
	}
	return b.String()
}

// TestSoak runs 50 clients for MOCKSERVER_SOAK (default 3s; CI runs 60s) mixing valid,
// invalid, forced-error and stateful requests across sessions, against a real listener. It
// asserts no 5xx the mock was not asked for, that every client's last write is in the state,
// and that memory stops growing once the journal is full.
func TestSoak(t *testing.T) {
	dur := 3 * time.Second
	if v := os.Getenv("MOCKSERVER_SOAK"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			t.Fatalf("MOCKSERVER_SOAK: %v", err)
		}
		dur = d
	}
	const clients = 50
	s := inlineServer(t, "soak.yaml", soakSpec(clients), func(c *mockserver.Config) { c.JournalSize = 2000 })
	srv := httptest.NewServer(s)
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}, Timeout: 10 * time.Second}

	var requests, unexpected atomic.Int64
	last := make([]int, clients)
	deadline := time.Now().Add(dur)
	var heapMid uint64
	var midOnce sync.Once
	var wg sync.WaitGroup
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			session := fmt.Sprintf("soak-%d", c%5)
			for i := 1; time.Now().Before(deadline); i++ {
				var method, target, body, prefer string
				want := 200
				switch i % 5 {
				case 0, 1: // a write to this client's own field of the shared record
					method, target, body = "PATCH", "/things/1", fmt.Sprintf(`{"f%d":%d}`, c, i)
					last[c] = i
				case 2: // invalid: 422 from the description
					method, target, body, want = "PATCH", "/things/1", `{"name":12345}`, 422
				case 3: // a QA-forced 503
					method, target, body, prefer, want = "PATCH", fmt.Sprintf("/things/%d", c), `{}`, "code=503", 503
				case 4: // a read in a session of its own
					method, target = "GET", fmt.Sprintf("/things/%d", c)
				}
				r, _ := http.NewRequest(method, srv.URL+target, strings.NewReader(body))
				if body != "" {
					r.Header.Set("Content-Type", "application/json")
				}
				if prefer != "" {
					r.Header.Set("Prefer", prefer)
				}
				if i%5 >= 3 {
					r.Header.Set("X-Mock-Session", session)
				}
				res, err := client.Do(r)
				if err != nil {
					unexpected.Add(1)
					t.Errorf("client %d: %v", c, err)
					return
				}
				_, _ = io.Copy(io.Discard, res.Body)
				res.Body.Close()
				requests.Add(1)
				if res.StatusCode != want {
					unexpected.Add(1)
					t.Errorf("client %d: %s %s → %d, want %d", c, method, target, res.StatusCode, want)
					return
				}
				if c == 0 && time.Until(deadline) < dur/2 {
					midOnce.Do(func() { heapMid = heap() })
				}
			}
		}(c)
	}
	wg.Wait()
	if unexpected.Load() > 0 {
		t.Fatalf("%d unexpected answers of %d", unexpected.Load(), requests.Load())
	}
	rec := controlGet(t, s, "/__mock/state/things/1")
	for c := 0; c < clients; c++ {
		if last[c] > 0 && rec[fmt.Sprintf("f%d", c)] != float64(last[c]) {
			t.Errorf("f%d = %v, want %d: a write was lost", c, rec[fmt.Sprintf("f%d", c)], last[c])
		}
	}
	end := heap()
	t.Logf("%d requests in %s (%.0f/s); heap at half time %d KiB, at the end %d KiB", requests.Load(), dur, float64(requests.Load())/dur.Seconds(), heapMid>>10, end>>10)
	if heapMid > 0 && end > 2*heapMid+32<<20 {
		t.Errorf("memory kept growing: %d KiB at half time, %d KiB at the end", heapMid>>10, end>>10)
	}
}

func heap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
