package mockserver_test

import (
	"bufio"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/mockserver/mockserver/mockserver"
)

const framingSpec = `openapi: 3.0.3
info: {title: framing, version: "1"}
paths:
  /pets:
    post:
      operationId: createPet
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [name]
              properties:
                name: {type: string}
      responses:
        "201":
          description: created
          content:
            application/json:
              schema:
                type: object
                properties:
                  name: {type: string}
`

// framingLimit is the servers' MaxBodyBytes in these tests.
const framingLimit = 4096

func framingServer(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(inlineServer(t, "framing.yaml", framingSpec, func(c *mockserver.Config) { c.MaxBodyBytes = framingLimit }))
	t.Cleanup(srv.Close)
	return srv
}

func gzipped(b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, _ = zw.Write(b)
	_ = zw.Close()
	return buf.Bytes()
}

func zlibbed(b []byte) []byte {
	var buf bytes.Buffer
	zw := zlib.NewWriter(&buf)
	_, _ = zw.Write(b)
	_ = zw.Close()
	return buf.Bytes()
}

func deflated(b []byte) []byte {
	var buf bytes.Buffer
	zw, _ := flate.NewWriter(&buf, flate.BestCompression)
	_, _ = zw.Write(b)
	_ = zw.Close()
	return buf.Bytes()
}

// TestRequestContentEncoding: a request body in a content coding is validated as the body it
// decodes to, bounded by the body limit once decoded; a coding the mock does not decode is a
// 415 that says which it does.
func TestRequestContentEncoding(t *testing.T) {
	srv := framingServer(t)
	valid := []byte(`{"name":"Rex"}`)
	invalid := []byte(`{"name":42}`)
	bomb := gzipped(make([]byte, 1<<20)) // 1 MiB of zeros in about 1 KiB
	if len(bomb) > framingLimit {
		t.Fatalf("the bomb takes %d bytes on the wire, past the limit", len(bomb))
	}
	cases := []struct {
		name     string
		encoding string // Content-Encoding; "" for none
		body     []byte
		status   int
		detail   string            // in the problem's detail, when the status is an error
		header   map[string]string // headers of the answer
		close    bool              // the answer closes the connection
	}{
		{name: "plain", body: valid, status: 201},
		{name: "identity", encoding: "identity", body: valid, status: 201},
		{name: "gzip", encoding: "gzip", body: gzipped(valid), status: 201},
		{name: "x-gzip, any case", encoding: "X-GZip", body: gzipped(valid), status: 201},
		{name: "gzip after identity", encoding: "identity, gzip", body: gzipped(valid), status: 201},
		{name: "deflate (zlib, RFC 9110)", encoding: "deflate", body: zlibbed(valid), status: 201},
		{name: "deflate sent raw", encoding: "deflate", body: deflated(valid), status: 201},
		{name: "plain, invalid", body: invalid, status: 422},
		{name: "gzip, invalid once decoded", encoding: "gzip", body: gzipped(invalid), status: 422},
		{name: "deflate, invalid once decoded", encoding: "deflate", body: zlibbed(invalid), status: 422},
		{name: "gzip, not JSON once decoded", encoding: "gzip", body: gzipped([]byte(`{"name":`)), status: 422},
		{name: "gzip bomb", encoding: "gzip", body: bomb, status: 413,
			detail: "request body exceeds 4096 bytes once decoded (Content-Encoding: gzip)", close: true},
		{name: "corrupt gzip", encoding: "gzip", body: []byte("\x1f\x8b\x08\x00 not gzip at all"), status: 400, detail: "the request body is not valid gzip"},
		{name: "not gzip", encoding: "gzip", body: valid, status: 400, detail: "the request body is not valid gzip (its Content-Encoding): gzip: invalid header"},
		{name: "truncated gzip", encoding: "gzip", body: gzipped(valid)[:20], status: 400, detail: "the request body is not valid gzip (its Content-Encoding): unexpected EOF"},
		{name: "corrupt deflate", encoding: "deflate", body: []byte{0xff, 0xff, 0xff, 0xff}, status: 400, detail: "the request body is not valid deflate"},
		{name: "br", encoding: "br", body: valid, status: 415,
			detail: `Content-Encoding "br" is not supported: send the body as it is (identity) or in one of gzip, x-gzip, deflate`,
			header: map[string]string{"Accept-Encoding": "gzip, x-gzip, deflate"}},
		{name: "zstd", encoding: "zstd", body: valid, status: 415, detail: `Content-Encoding "zstd" is not supported`,
			header: map[string]string{"Accept-Encoding": "gzip, x-gzip, deflate"}},
		{name: "gzip twice", encoding: "gzip, gzip", body: gzipped(gzipped(valid)), status: 415,
			detail: `Content-Encoding "gzip, gzip" applies several codings in turn, which the mock does not decode`,
			header: map[string]string{"Accept-Encoding": "gzip, x-gzip, deflate"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, err := http.NewRequest("POST", srv.URL+"/pets", bytes.NewReader(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			r.Header.Set("Content-Type", "application/json")
			if tc.encoding != "" {
				r.Header.Set("Content-Encoding", tc.encoding)
			}
			res, err := srv.Client().Do(r)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != tc.status {
				t.Fatalf("status %d, want %d\n%s", res.StatusCode, tc.status, body)
			}
			if tc.status >= 400 && res.Header.Get("Content-Type") != "application/problem+json" {
				t.Errorf("Content-Type %q, want a problem", res.Header.Get("Content-Type"))
			}
			if tc.status >= 400 {
				p := result{body: body}.json(t)
				if d, _ := p["detail"].(string); !strings.Contains(d, tc.detail) {
					t.Errorf("detail %q does not say %q", d, tc.detail)
				}
			}
			if tc.status == 422 && !hasViolation(result{body: body}.violations(t), "body.name", "") && !hasViolation(result{body: body}.violations(t), "body", "") {
				t.Errorf("the violation is not the body's:\n%s", body)
			}
			if res.Close != tc.close {
				t.Errorf("the answer closes the connection: %v, want %v", res.Close, tc.close)
			}
			for k, v := range tc.header {
				if got := res.Header.Get(k); got != v {
					t.Errorf("%s: %q, want %q", k, got, v)
				}
			}
		})
	}
}

// TestDeclaredOversizeBody: a Content-Length past the limit is refused as it is announced:
// the client that sent the headers alone gets its 413 without sending a byte of the body.
func TestDeclaredOversizeBody(t *testing.T) {
	srv := framingServer(t)
	c, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprintf(c, "POST /pets HTTP/1.1\r\nHost: mock\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", int64(1)<<40)
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	res, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("no answer to the headers alone: %v", err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	want := "request body exceeds 4096 bytes (Content-Length: 1099511627776)"
	if res.StatusCode != 413 || res.Header.Get("Content-Type") != "application/problem+json" || !strings.Contains(string(body), want) {
		t.Errorf("answer: %d %s\n%s", res.StatusCode, res.Header.Get("Content-Type"), body)
	}
	if !res.Close {
		t.Error("the connection is kept open, with the announced body still to come on it")
	}
}

// TestBodiesInFlight holds one request's body while another arrives: the second does not fit
// in the bodies' budget and is told to come back (503, Retry-After); once the first is
// answered, its share is free again.
func TestBodiesInFlight(t *testing.T) {
	body := `{"name":"` + strings.Repeat("x", 200) + `"}` // 212 bytes: 1,696 weighed
	s := inlineServer(t, "framing.yaml", framingSpec, func(c *mockserver.Config) { c.BodiesInFlight, c.MaxBodyBytes = 2000, 250 })
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	post := func(prefer string) (int, http.Header) {
		r, _ := http.NewRequest("POST", srv.URL+"/pets", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		if prefer != "" {
			r.Header.Set("Prefer", prefer)
		}
		res, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Error(err)
			return 0, nil
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res.StatusCode, res.Header
	}
	if st, _ := post(""); st != 201 {
		t.Fatalf("a body alone: %d", st)
	}
	held := make(chan int)
	go func() { st, _ := post("delay=800"); held <- st }() // its body is held during the delay
	time.Sleep(300 * time.Millisecond)
	st, h := post("")
	if st != http.StatusServiceUnavailable || h.Get("Retry-After") == "" {
		t.Fatalf("a body past the budget: %d, Retry-After %q", st, h.Get("Retry-After"))
	}
	if st := <-held; st != 201 {
		t.Fatalf("the held request: %d", st)
	}
	if st, _ := post(""); st != 201 {
		t.Fatalf("after the held one was answered: %d", st)
	}
}

// TestLargestBodyFits: however small the budget for bodies in flight, the largest body the
// mock accepts is read when nothing else is: it is never told to come back forever.
func TestLargestBodyFits(t *testing.T) {
	s := inlineServer(t, "framing.yaml", framingSpec, func(c *mockserver.Config) { c.BodiesInFlight, c.MaxBodyBytes = 100, 1000 })
	body := `{"name":"` + strings.Repeat("x", 900) + `"}`
	res := do(t, s, req{method: "POST", target: "/pets", header: map[string]string{"Content-Type": "application/json"}, body: body})
	if res.status != 201 {
		t.Fatalf("the largest body on an idle mock: %d %s", res.status, res.body)
	}
}
