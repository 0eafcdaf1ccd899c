package mockserver_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/mockserver/mockserver/mockserver"
)

const mountSpec = `
openapi: 3.0.3
info: {title: mounted, version: "1"}
servers:
  - url: 'https://{region}.example.com/{base}/v1'
    variables:
      region: {default: eu}
      base: {default: api}
paths:
  /things/{id}:
    get:
      operationId: getThing
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {type: object, properties: {id: {type: string}}}
              example: {id: "1"}
`

func TestMount(t *testing.T) {
	cases := []struct {
		name   string
		mounts []mockserver.Mount
		hit    string
		miss   string
	}{
		{"no prefix by default", nil, "/things/1", "/api/v1/things/1"},
		{"server path", []mockserver.Mount{{Spec: "m.yaml"}}, "/api/v1/things/1", "/things/1"},
		{"chosen prefix", []mockserver.Mount{{Spec: "m.yaml", Prefix: "/mock/"}}, "/mock/things/1", "/things/1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := inlineServer(t, "m.yaml", mountSpec, func(cfg *mockserver.Config) { cfg.Mounts = c.mounts })
			if res := do(t, s, req{method: "GET", target: c.hit}); res.status != 200 {
				t.Errorf("GET %s = %d", c.hit, res.status)
			}
			if res := do(t, s, req{method: "GET", target: c.miss}); res.status != 404 {
				t.Errorf("GET %s = %d, want 404", c.miss, res.status)
			}
		})
	}
}

func TestHeadAndPreferErrors(t *testing.T) {
	s := inlineServer(t, "m.yaml", mountSpec)
	res := do(t, s, req{method: "HEAD", target: "/things/1"})
	if res.status != 200 || len(res.body) != 0 || res.header.Get(mockserver.HeaderOperation) != "getThing" {
		t.Errorf("HEAD on a GET operation: %d %q %v", res.status, res.body, res.header)
	}
	for _, prefer := range []string{"code=abc", "code=99", "dynamic=maybe"} {
		res := do(t, s, req{method: "GET", target: "/things/1", header: map[string]string{"Prefer": prefer}})
		if res.status != 422 || res.header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("Prefer %s: %d\n%s", prefer, res.status, res.body)
		}
	}
	// A Prefer header wins over the query fallbacks.
	res = do(t, s, req{method: "GET", target: "/things/1?__code=500", header: map[string]string{"Prefer": "dynamic=false"}})
	if res.status != 200 {
		t.Errorf("query fallback used despite a Prefer header: %d", res.status)
	}
}

func TestErrorsFlagRefusesInvalidExamples(t *testing.T) {
	spec := strings.Replace(mountSpec, `example: {id: "1"}`, `example: {id: 1}`, 1)
	loose := inlineServer(t, "m.yaml", spec)
	if res := do(t, loose, req{method: "GET", target: "/things/1"}); res.status != 200 {
		t.Errorf("without --errors: %d", res.status)
	}
	strict := inlineServer(t, "m.yaml", spec, func(c *mockserver.Config) { c.Errors = true })
	res := do(t, strict, req{method: "GET", target: "/things/1", header: map[string]string{"Prefer": "code=200"}})
	if res.status != 500 || !hasViolation(res.violations(t), "response.body.id", "type") {
		t.Errorf("with --errors: %d\n%s", res.status, res.body)
	}
}

func TestControlPrefixIsReserved(t *testing.T) {
	file := filepath.Join(t.TempDir(), "c.yaml")
	text := strings.Replace(mountSpec, "/things/{id}:", "/__mock/things/{id}:", 1)
	if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := mockserver.New(context.Background(), mockserver.Config{Specs: []string{file}})
	if err == nil || !strings.Contains(err.Error(), "/__mock") {
		t.Fatalf("err = %v, want a refusal naming /__mock", err)
	}
	s := seedServer(t)
	if res := do(t, s, req{method: "GET", target: "/__mock/health"}); res.status != 200 || res.json(t)["operations"] != float64(4) {
		t.Errorf("health: %d %s", res.status, res.body)
	}
}

// TestConcurrentRequests runs the pipeline from many goroutines (meaningful under -race).
func TestConcurrentRequests(t *testing.T) {
	s := seedServer(t)
	var wg sync.WaitGroup
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			for j := 0; j < 20; j++ {
				for op, q := range validSeedRequests {
					if j%2 == 1 {
						q = withPrefer(q, "dynamic=true")
					}
					if res := do(t, s, q); res.status != 200 {
						t.Errorf("%s: %d", op, res.status)
						return
					}
				}
			}
		}(i)
	}
	wg.Wait()
}

func TestControlToken(t *testing.T) {
	s := seedServer(t, func(c *mockserver.Config) { c.ControlToken = "s3cret" })
	for _, c := range []struct {
		header map[string]string
		want   int
	}{
		{nil, 401},
		{map[string]string{"Authorization": "Bearer nope"}, 401},
		{map[string]string{"Authorization": "Bearer s3cret"}, 200},
		{map[string]string{"X-Mock-Token": "s3cret"}, 200},
	} {
		if res := do(t, s, req{method: "GET", target: "/__mock/state", header: c.header}); res.status != c.want {
			t.Errorf("%v: %d, want %d", c.header, res.status, c.want)
		}
	}
	// The mocked API itself is not behind the token.
	if res := do(t, s, validSeedRequests["updateUserImage"]); res.status != 200 {
		t.Errorf("API request: %d", res.status)
	}
}
