package mockserver_test

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mockserver/mockserver/mockserver"
)

// thingsSpec is a minimal description: two operations with an operationId, one without.
const thingsSpec = `openapi: 3.0.3
info: {title: things, version: "1"}
paths:
  /things:
    get:
      operationId: listThings
      responses:
        "200":
          description: the things
          content: {application/json: {schema: {type: array, items: {$ref: '#/components/schemas/Thing'}}}}
    post:
      operationId: createThing
      requestBody:
        required: true
        content: {application/json: {schema: {$ref: '#/components/schemas/Thing'}}}
      responses:
        "201":
          description: created
          content: {application/json: {schema: {$ref: '#/components/schemas/Thing'}}}
        "429": {description: slow down}
  /things/{id}:
    get:
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      responses:
        "200":
          description: the thing
          content: {application/json: {schema: {$ref: '#/components/schemas/Thing'}}}
        "404": {description: no such thing}
components:
  schemas:
    Thing:
      type: object
      properties:
        id: {type: integer}
        name: {type: string}
`

// thingsServer serves thingsSpec with the fixture files given (name → text).
func thingsServer(t *testing.T, fixtures map[string]string, mod ...func(*mockserver.Config)) (*mockserver.Server, error) {
	t.Helper()
	dir := t.TempDir()
	file := filepath.Join(dir, "things.yaml")
	if err := os.WriteFile(file, []byte(thingsSpec), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := mockserver.Config{Specs: []string{file}}
	if len(fixtures) > 0 {
		cfg.Fixtures = filepath.Join(dir, "fixtures")
		if err := os.Mkdir(cfg.Fixtures, 0o755); err != nil {
			t.Fatal(err)
		}
		for name, text := range fixtures {
			writeFile(t, cfg.Fixtures, name, text)
		}
	}
	for _, m := range mod {
		m(&cfg)
	}
	return mockserver.New(context.Background(), cfg)
}

var (
	createThing = req{"POST", "/things", map[string]string{"Content-Type": "application/json"}, `{"id": 7, "name": "seven"}`}
	listThings  = req{method: "GET", target: "/things"}
)

// TestRateLimitSelectors: a rate limit applies to the operations its selector names, however
// the selector is spelt, from a fixture file or from the configuration.
func TestRateLimitSelectors(t *testing.T) {
	tests := []struct {
		sel         string
		listLimited bool // whether GET /things is limited too
	}{
		{"post /things", false},
		{"POST /things", false},
		{" Post  /things ", false},
		{"createThing", false},
		{"CREATETHING", false},
		{"*", true},
	}
	for _, tt := range tests {
		for _, from := range []string{"fixture", "config"} {
			t.Run(from+" "+tt.sel, func(t *testing.T) {
				var s *mockserver.Server
				var err error
				if from == "fixture" {
					s, err = thingsServer(t, map[string]string{"limits.yaml": "rateLimits:\n  - {operation: '" + tt.sel + "', limit: 1, window: 1h, per: all}\n"})
				} else {
					s, err = thingsServer(t, nil, func(c *mockserver.Config) {
						c.RateLimits = []mockserver.RateLimit{{Operation: tt.sel, Limit: 1, Window: time.Hour, Per: "all"}}
					})
				}
				if err != nil {
					t.Fatal(err)
				}
				if got := do(t, s, createThing).status; got != 201 {
					t.Fatalf("first POST /things: %d, want 201", got)
				}
				res := do(t, s, createThing)
				if res.status != 429 || res.header.Get("Retry-After") == "" {
					t.Errorf("second POST /things: %d (Retry-After %q), want 429", res.status, res.header.Get("Retry-After"))
				}
				want := 200
				if tt.listLimited {
					want = 429
				}
				if got := do(t, s, listThings).status; got != want {
					t.Errorf("GET /things: %d, want %d", got, want)
				}
			})
		}
	}
}

// TestUnknownSelectorAtStartUp: a selector that names no operation stops start-up, saying what
// a selector looks like and what was probably meant.
func TestUnknownSelectorAtStartUp(t *testing.T) {
	for name, text := range map[string]string{
		"rate limit":  "rateLimits:\n  - {operation: 'post /thingz', limit: 1, window: 1h}\n",
		"operation":   "operations:\n  'post /thingz':\n    kind: none\n",
		"scenario":    "scenarios:\n  s:\n    match: {operation: 'post /thingz'}\n    steps: [{status: 201}]\n",
		"wrong param": "scenarios:\n  s:\n    match: {operation: 'GET /things/{thingId}'}\n    steps: [{status: 200}]\n",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := thingsServer(t, map[string]string{"f.yaml": text})
			if err == nil {
				t.Fatal("started")
			}
			for _, want := range []string{"f.yaml:", "unknown operation", `want an operationId or "METHOD /template"`, "closest: "} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error lacks %q: %v", want, err)
				}
			}
		})
	}
	_, err := thingsServer(t, nil, func(c *mockserver.Config) {
		c.RateLimits = []mockserver.RateLimit{{Operation: " ", Limit: 1, Window: time.Hour}}
	})
	if err == nil || !strings.Contains(err.Error(), "empty operation selector") {
		t.Errorf("blank rate limit operation: %v", err)
	}
}

// TestFixtureOperationSelector: a fixture's operation entry takes any selector.
func TestFixtureOperationSelector(t *testing.T) {
	for _, sel := range []string{"createThing", "creatething", "POST /things", "post /things"} {
		s, err := thingsServer(t, map[string]string{"ops.yaml": "operations:\n  '" + sel + "':\n    responses:\n      busy: {status: 429}\n"})
		if err != nil {
			t.Fatalf("%s: %v", sel, err)
		}
		if got := do(t, s, withPrefer(createThing, "example=busy")).status; got != 429 {
			t.Errorf("%s: Prefer example=busy answered %d, want 429", sel, got)
		}
	}
}

// TestVerifySelectors: verify and the journal listing take every selector scenarios and
// rate limits take, and compare body values by JSON equality.
func TestVerifySelectors(t *testing.T) {
	s, err := thingsServer(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	do(t, s, createThing)
	other := createThing
	other.body = `{"id": 8, "name": "7"}`
	do(t, s, other)
	do(t, s, listThings)
	do(t, s, req{method: "GET", target: "/things/7"})

	verify := func(body string) result {
		return do(t, s, req{"POST", "/__mock/verify", map[string]string{"Content-Type": "application/json"}, body})
	}
	tests := []struct {
		body string
		want int
	}{
		{`{"operation":"createThing","count":2}`, 200},
		{`{"operation":"creatething","count":2}`, 200},
		{`{"operation":"POST /things","count":2}`, 200},
		{`{"operation":"post /things","count":2}`, 200},
		{`{"operation":" post  /things ","count":2}`, 200},
		{`{"operation":"GET /things","count":1}`, 200},
		{`{"operation":"get /things/{id}","count":1}`, 200}, // no operationId
		{`{"operation":"*","count":4}`, 200},
		{`{"operation":"POST /things","count":3}`, 409},
		// where.body: the value at a pointer, by JSON equality.
		{`{"operation":"post /things","count":1,"where":{"body":{"/id":7}}}`, 200},
		{`{"operation":"post /things","count":1,"where":{"body":{"/id":7.0}}}`, 200},
		{`{"operation":"post /things","count":1,"where":{"body":{"/id":7e0}}}`, 200},
		{`{"operation":"post /things","count":0,"where":{"body":{"/id":"7"}}}`, 200},
		{`{"operation":"post /things","count":1,"where":{"body":{"/name":"7"}}}`, 200},
		{`{"operation":"post /things","count":0,"where":{"body":{"/name":7}}}`, 200},
		{`{"operation":"post /things","count":1,"where":{"body":{"/id":8,"/name":"7"}}}`, 200},
		{`{"operation":"post /things","count":0,"where":{"body":{"/nope":null}}}`, 200},
		// Refused, naming the valid form.
		{`{"operation":"POST /thingz"}`, 400},
		{`{"operation":"GET /things/{thingId}"}`, 400},
		{`{"operation":"GET things"}`, 400},
		{`{"operation":" "}`, 400},
		{`{"operation":"post /things","where":{"body":{"id":7}}}`, 400},
	}
	for _, tt := range tests {
		res := verify(tt.body)
		if res.status != tt.want {
			t.Errorf("verify %s: %d, want %d\n%s", tt.body, res.status, tt.want, res.body)
		}
		if tt.want == 400 && !strings.Contains(string(res.body), `"detail":"verify: `) {
			t.Errorf("verify %s: the problem does not say why: %s", tt.body, res.body)
		}
	}
	if res := verify(`{"operation":"POST /thingz"}`); !strings.Contains(string(res.body), `METHOD /template`) || !strings.Contains(string(res.body), "createThing (POST /things)") {
		t.Errorf("unknown operation: the problem names neither the form nor the closest operation: %s", res.body)
	}

	list := func(op string) result {
		return do(t, s, req{method: "GET", target: "/__mock/requests?operation=" + url.QueryEscape(op)})
	}
	for op, want := range map[string]int{"createThing": 2, "post /things": 2, "GET /things": 1, "get /things/{id}": 1} {
		res := list(op)
		if got := strings.Count(string(res.body), `"id":`); res.status != 200 || got != want {
			t.Errorf("requests?operation=%s: %d, %d entries, want %d", op, res.status, got, want)
		}
	}
	if res := do(t, s, req{method: "GET", target: "/__mock/requests?operation=" + url.QueryEscape("post /things") + "&limit=1"}); !strings.Contains(string(res.body), `\"id\": 8`) || strings.Count(string(res.body), `"id":`) != 1 {
		t.Errorf("requests?operation&limit=1: not the newest one: %s", res.body)
	}
	if res := list("POST /thingz"); res.status != 400 {
		t.Errorf("requests?operation=POST /thingz: %d, want 400", res.status)
	}
}

// TestScenarioSelectors: a scenario selects operations as rate limits and verify do, the
// method in any case, the template as written.
func TestScenarioSelectors(t *testing.T) {
	s, err := thingsServer(t, map[string]string{"s.yaml": "scenarios:\n  gone:\n    match: {operation: 'get /things/{id}', params: {id: '7'}}\n    active: true\n    steps: [{status: 404}]\n    repeat: true\n"})
	if err != nil {
		t.Fatal(err)
	}
	res := do(t, s, req{method: "GET", target: "/things/7"})
	if res.status != 404 || res.header.Get(mockserver.HeaderScenario) != "gone" {
		t.Errorf("GET /things/7: %d, scenario %q; want 404 from gone", res.status, res.header.Get(mockserver.HeaderScenario))
	}
	if res := do(t, s, req{method: "GET", target: "/things/8"}); res.header.Get(mockserver.HeaderScenario) != "" {
		t.Errorf("GET /things/8 answered by scenario %q", res.header.Get(mockserver.HeaderScenario))
	}

	post := func(body string) result {
		return do(t, s, req{"POST", "/__mock/scenarios", map[string]string{"Content-Type": "application/json"}, body})
	}
	for _, sel := range []string{"GET /things/{id}", "get /things/{id}", "Get /things/{id}"} {
		body := `{"name":"busy","match":{"operation":"` + sel + `"},"steps":[{"status":404}],"active":true}`
		if res := post(body); res.status != 201 && res.status != 200 {
			t.Fatalf("post %s: %d %s", sel, res.status, res.body)
		}
		if res := do(t, s, req{method: "GET", target: "/things/9"}); res.header.Get(mockserver.HeaderScenario) != "busy" {
			t.Errorf("%s: GET /things/9 answered %d by scenario %q, want busy", sel, res.status, res.header.Get(mockserver.HeaderScenario))
		}
		do(t, s, req{method: "POST", target: "/__mock/reset"})
	}
	for _, sel := range []string{"GET /things/{thingId}", "GET /things/9", "POST /thingz", " "} {
		body := `{"name":"bad","match":{"operation":"` + sel + `"},"steps":[{"status":404}]}`
		res := post(body)
		if res.status != 422 || !strings.Contains(string(res.body), "METHOD /template") {
			t.Errorf("post %q: %d %s; want 422 naming the form", sel, res.status, res.body)
		}
	}
}
