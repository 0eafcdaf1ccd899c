package mockserver_test

import (
	"strings"
	"testing"

	"github.com/mockserver/mockserver/mockserver"
)

// edgeSpec holds shapes real descriptions use that once tripped the pipeline.
const edgeSpec = `
openapi: 3.0.3
info: {title: edge cases, version: "1"}
paths:
  /empty-media:
    get:
      responses:
        "200":
          description: a media type with no object
          content:
            application/json:
  /charset:
    post:
      parameters:
        - {name: Accept, in: header, required: true, schema: {type: string, enum: [never]}}
      requestBody:
        content:
          "application/json; charset=utf-8": {schema: {type: object, properties: {a: {type: string}}}}
      responses:
        "201":
          description: created
          headers:
            Vary: {schema: {type: string}, example: Accept-Language}
            Access-Control-Allow-Origin: {schema: {type: string}, example: "https://evil.example"}
          content:
            "application/json; charset=utf-8": {example: {a: "x"}}
        "2XX":
          description: other success
          content:
            application/json: {example: {range: true}}
        "422":
          description: invalid
          content:
            application/json:
              examples:
                only: {value: {error: invalid}}
  /list:
    post:
      requestBody:
        content:
          application/json: {schema: {type: array, items: {type: string}}}
      responses:
        "200":
          description: anything
          content:
            application/json: {schema: {type: object}}
`

func TestEdgeCases(t *testing.T) {
	s := inlineServer(t, "edge.yaml", edgeSpec, func(c *mockserver.Config) { c.CORS = true })
	var warned bool
	for _, d := range s.Documents() {
		for _, w := range d.Warnings {
			warned = warned || strings.Contains(w, "empty")
		}
	}
	if !warned {
		t.Error("no start-up warning for the empty media type")
	}
	if res := do(t, s, req{method: "GET", target: "/empty-media"}); res.status != 200 {
		t.Errorf("empty media type: %d %s", res.status, res.body)
	}

	// A media-type key with parameters matches the bare type both ways; the Accept header
	// parameter is ignored as OpenAPI requires; the exact 201 beats 2XX.
	res := do(t, s, req{"POST", "/charset", map[string]string{"Content-Type": "application/json", "Accept": "application/json", "Origin": "http://app"}, `{"a":"b"}`})
	if res.status != 201 || res.header.Get("Content-Type") != "application/json" || string(res.body) != `{"a":"x"}` {
		t.Errorf("charset key: %d %s %s (%v)", res.status, res.header.Get("Content-Type"), res.body, res.headerViolations(t))
	}
	// The description cannot override CORS, and its Vary is merged with the mock's.
	if got := res.header.Get("Access-Control-Allow-Origin"); got != "http://app" {
		t.Errorf("Access-Control-Allow-Origin = %q", got)
	}
	if vary := strings.Join(res.header.Values("Vary"), ","); !strings.Contains(vary, "Origin") || !strings.Contains(vary, "Accept-Language") {
		t.Errorf("Vary = %q", vary)
	}

	// An invalid request stays on the ladder whatever example the client names.
	res = do(t, s, req{"POST", "/charset?__example=nope", map[string]string{"Content-Type": "application/json"}, `{"a":1}`})
	if res.status != 422 || string(res.body) != `{"error":"invalid"}` {
		t.Errorf("invalid + example preference: %d %s", res.status, res.body)
	}

	// 1xx cannot be asked for.
	if res := do(t, s, req{"POST", "/list", map[string]string{"Prefer": "code=103", "Content-Type": "application/json"}, `[]`}); res.status != 422 {
		t.Errorf("Prefer code=103: %d", res.status)
	}

	// Thousands of violations: bounded report, bounded header.
	body := "[" + strings.TrimSuffix(strings.Repeat("1,", 20000), ",") + "]"
	res = do(t, s, req{"POST", "/list", map[string]string{"Content-Type": "application/json"}, body})
	vs := res.violations(t)
	if res.status != 422 || len(vs) != 101 || vs[100].Code != "truncated" {
		t.Errorf("many violations: %d, %d entries\n%.600s", res.status, len(vs), res.body)
	}
	if h := res.header.Get(mockserver.HeaderViolations); len(h) > 7<<10 {
		t.Errorf("violations header is %d bytes", len(h))
	}

	// 405 lists HEAD where GET is served.
	if res := do(t, s, req{method: "DELETE", target: "/empty-media"}); res.header.Get("Allow") != "GET, HEAD" {
		t.Errorf("Allow = %q", res.header.Get("Allow"))
	}
}

func TestBodyLimits(t *testing.T) {
	s := seedServer(t, func(c *mockserver.Config) { c.MaxBodyBytes = 1 << 10 })
	q := validSeedRequests["updateUserImage"]
	q.body = `{"content_type":"image/png","image":"` + strings.Repeat("A", 2<<10) + `"}`
	if res := do(t, s, q); res.status != 413 || res.header.Get("Content-Type") != "application/problem+json" {
		t.Errorf("oversized body: %d %s", res.status, res.body)
	}
	// Nesting past the decoder's limit is a violation, not a stack overflow.
	q = validSeedRequests["patchInvites"]
	q.body = strings.Repeat(`{"a":`, 100) + "1" + strings.Repeat("}", 100)
	res := do(t, s, q)
	if res.status < 400 || res.status >= 500 || !strings.Contains(res.header.Get(mockserver.HeaderViolations), "nesting") {
		t.Errorf("deep nesting: %d %v", res.status, res.header.Get(mockserver.HeaderViolations))
	}
}
