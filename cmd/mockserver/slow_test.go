package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestSlowAndOversizedClients runs the server with short limits and checks what each kind of
// misbehaving client gets, while a well-behaved client is served all along. The timeouts keep
// the relation of the defaults (read-header 10s, read 1m, write 1m), scaled down: the write
// timeout is no longer than the read timeout, so the server's write deadline has passed, or
// is about to, when a body that never finishes times out.
func TestSlowAndOversizedClients(t *testing.T) {
	serve := func(t *testing.T, write string) string {
		addr, _, _ := start(t, []string{"--spec", "../../specs", "--fixtures", "../../fixtures", "--port", "0", "--quiet",
			"--read-header-timeout", "300ms", "--read-timeout", "800ms", "--write-timeout", write, "--idle-timeout", "500ms",
			"--max-body", "1024"}, noEnv)
		return addr
	}
	addr := serve(t, "800ms")
	const avatar = "/user-avatar/8f1c2a44-2d7e-4b8f-9a51-0c6f2f1e9b3d"
	dial := func(t *testing.T) net.Conn {
		t.Helper()
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	// closedWithin reports whether the server closes c (with or without an answer) within d,
	// and what it sent before.
	closedWithin := func(c net.Conn, d time.Duration) (bool, string) {
		_ = c.SetReadDeadline(time.Now().Add(d))
		got, err := io.ReadAll(c)
		if ne, ok := err.(net.Error); ok && ne.Timeout() {
			return false, string(got)
		}
		return true, string(got)
	}
	healthy := func(t *testing.T) {
		t.Helper()
		res, err := http.Get("http://" + addr + "/__mock/routes")
		if err != nil {
			t.Fatalf("a well-behaved client was not served: %v", err)
		}
		res.Body.Close()
		if res.StatusCode != 200 {
			t.Fatalf("a well-behaved client got %d", res.StatusCode)
		}
	}

	t.Run("headers never finish (slowloris)", func(t *testing.T) {
		c := dial(t)
		fmt.Fprint(c, "GET /__mock/routes HTTP/1.1\r\nHost: mock\r\n")
		stop := make(chan struct{})
		go func() { // one more header line every 50 ms, never the blank line that ends them
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				case <-time.After(50 * time.Millisecond):
					if _, err := fmt.Fprintf(c, "X-Slow-%d: 1\r\n", i); err != nil {
						return
					}
				}
			}
		}()
		defer close(stop)
		healthy(t)
		start := time.Now()
		if closed, _ := closedWithin(c, 3*time.Second); !closed {
			t.Fatal("a client still sending headers after 3 s was not cut off (read-header-timeout 300ms)")
		}
		if took := time.Since(start); took > 2*time.Second {
			t.Errorf("cut off after %s, want about 300ms", took)
		}
		healthy(t)
	})

	t.Run("body never finishes", func(t *testing.T) {
		for _, tc := range []struct {
			name, addr string
		}{
			{"write timeout = read timeout", addr},
			{"write timeout < read timeout", serve(t, "400ms")},
		} {
			t.Run(tc.name, func(t *testing.T) {
				c, err := net.Dial("tcp", tc.addr)
				if err != nil {
					t.Fatal(err)
				}
				defer c.Close()
				fmt.Fprintf(c, "PATCH %s HTTP/1.1\r\nHost: mock\r\nAuthorization: Bearer alice-token\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"avatarId\":", avatar)
				healthy(t)
				closed, answer := closedWithin(c, 3*time.Second)
				if !closed {
					t.Fatal("a client that stopped sending its body was not cut off (read-timeout 800ms)")
				}
				res, err := http.ReadResponse(bufio.NewReader(strings.NewReader(answer)), nil)
				if err != nil {
					t.Fatalf("no answer to a body that never came, the connection was closed (%v):\n%q", err, answer)
				}
				b, _ := io.ReadAll(res.Body)
				if res.StatusCode != 408 || res.Header.Get("Content-Type") != "application/problem+json" || !strings.Contains(string(b), "did not arrive in time") || !res.Close {
					t.Errorf("answer to a body that never came:\n%s", answer)
				}
			})
		}
	})

	t.Run("body announced over --max-body", func(t *testing.T) {
		// The headers alone: the 413 comes without the body being sent, before the read
		// timeout a server waiting for it would answer 408 at.
		c := dial(t)
		fmt.Fprintf(c, "PATCH %s HTTP/1.1\r\nHost: mock\r\nAuthorization: Bearer alice-token\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", avatar, int64(1)<<40)
		_ = c.SetReadDeadline(time.Now().Add(3 * time.Second))
		res, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatalf("no answer to the headers of an oversized body: %v", err)
		}
		b, _ := io.ReadAll(res.Body)
		if res.StatusCode != 413 || res.Header.Get("Content-Type") != "application/problem+json" || !strings.Contains(string(b), "exceeds 1024 bytes (Content-Length: 1099511627776)") || !res.Close {
			t.Errorf("oversized body announced: %d %s %s (close %v)", res.StatusCode, res.Header.Get("Content-Type"), b, res.Close)
		}
	})

	t.Run("body over --max-body", func(t *testing.T) {
		c := dial(t)
		body := `{"avatarId":"` + strings.Repeat("a", 2000) + `"}`
		fmt.Fprintf(c, "PATCH %s HTTP/1.1\r\nHost: mock\r\nAuthorization: Bearer alice-token\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", avatar, len(body), body)
		res, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		if res.StatusCode != 413 || res.Header.Get("Content-Type") != "application/problem+json" || !strings.Contains(string(b), "exceeds 1024 bytes") {
			t.Errorf("oversized body: %d %s %s", res.StatusCode, res.Header.Get("Content-Type"), b)
		}
	})

	t.Run("headers over the limit", func(t *testing.T) {
		c := dial(t)
		fmt.Fprintf(c, "GET /__mock/routes HTTP/1.1\r\nHost: mock\r\nX-Big: %s\r\n\r\n", strings.Repeat("b", 70<<10))
		res, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
			t.Errorf("70 KiB of headers: %d, want 431", res.StatusCode)
		}
	})

	t.Run("idle keep-alive connection", func(t *testing.T) {
		c := dial(t)
		fmt.Fprint(c, "GET /__mock/routes HTTP/1.1\r\nHost: mock\r\n\r\n")
		br := bufio.NewReader(c)
		res, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		_ = c.SetReadDeadline(time.Now().Add(3 * time.Second))
		start := time.Now()
		if _, err := br.ReadByte(); err == nil {
			t.Fatal("the server sent something unasked on an idle connection")
		} else if ne, ok := err.(net.Error); ok && ne.Timeout() {
			t.Fatal("an idle connection was kept past 3 s (idle-timeout 500ms)")
		}
		if took := time.Since(start); took > 2*time.Second {
			t.Errorf("idle connection closed after %s, want about 500ms", took)
		}
	})
	healthy(t)
}
