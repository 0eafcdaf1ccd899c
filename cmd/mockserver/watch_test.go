package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const watchSpec = `openapi: 3.0.3
info: {title: watched, version: "1"}
paths:
  /things/{id}:
    parameters: [{name: id, in: path, required: true, schema: {type: integer}}]
    get:
      responses: {"200": {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Thing'}}}}}
    patch:
      requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/Thing'}}}}
      responses: {"200": {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Thing'}}}}}
EXTRA
components:
  schemas:
    Thing: {type: object, properties: {id: {type: integer}, name: {type: string}}}
`

func TestWatchReloads(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "api.yaml")
	write := func(text string) {
		// A new modification time even on coarse clocks.
		if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		later := time.Now().Add(time.Duration(time.Now().UnixNano()%1000+1) * time.Second)
		_ = os.Chtimes(file, later, later)
	}
	write(strings.Replace(watchSpec, "EXTRA\n", "", 1))
	port := freePort(t)
	addr, _, _ := start(t, []string{"--spec", dir, "--fixtures", filepath.Join(dir, "none"), "--port", fmt.Sprint(port), "--quiet", "--watch"}, noEnv)
	call := func(method, path, body string) (int, string) {
		req, _ := http.NewRequest(method, "http://"+addr+path, strings.NewReader(body))
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	if code, _ := call("PATCH", "/things/1", `{"name":"kept"}`); code != 200 {
		t.Fatalf("PATCH: %d", code)
	}
	waitFor := func(path string, want int) {
		deadline := time.Now().Add(10 * time.Second)
		for time.Now().Before(deadline) {
			if code, _ := call("GET", path, ""); code == want {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
		t.Fatalf("GET %s never answered %d", path, want)
	}
	// An edit adds an operation: it is served, and the record written before survives.
	write(strings.Replace(watchSpec, "EXTRA\n", "  /health:\n    get: {responses: {\"204\": {description: ok}}}\n", 1))
	waitFor("/health", 204)
	if _, body := call("GET", "/things/1", ""); !strings.Contains(body, `"name":"kept"`) {
		t.Errorf("state lost across the reload: %s", body)
	}
	// A broken edit keeps the previous version serving.
	write("openapi: 3.0.3\ninfo: [broken\n")
	time.Sleep(1500 * time.Millisecond)
	if code, _ := call("GET", "/health", ""); code != 204 {
		t.Errorf("after a broken edit: %d", code)
	}
}
