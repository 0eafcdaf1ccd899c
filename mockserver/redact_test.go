package mockserver_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mockserver/mockserver/mockserver"
)

// secretsSpec declares credentials every way a description can: apiKey schemes in a header, a
// query parameter and a cookie, an http scheme (Authorization), request body properties with
// format: password or writeOnly (nested, under a cycle).
const secretsSpec = `openapi: 3.0.3
info: {title: secrets, version: "1"}
paths:
  /echo:
    post:
      operationId: echo
      parameters:
        - {name: api_key, in: query, schema: {type: integer}}
      requestBody:
        content:
          application/json: {schema: {$ref: '#/components/schemas/Login'}}
          application/x-www-form-urlencoded: {schema: {$ref: '#/components/schemas/Login'}}
      responses:
        "204": {description: done}
components:
  securitySchemes:
    partner: {type: apiKey, in: header, name: X-Partner}
    pk: {type: apiKey, in: query, name: pk}
    pc: {type: apiKey, in: cookie, name: pc}
    bearer: {type: http, scheme: bearer}
  schemas:
    Login:
      type: object
      properties:
        user: {type: string}
        hush: {type: string, format: password}
        pin: {type: string, writeOnly: true}
        child: {$ref: '#/components/schemas/Login'}
        list:
          type: array
          items: {type: object, properties: {deep: {type: string, writeOnly: true}}}
`

// lastEntry is the newest journal entry, as the control API answers it.
func lastEntry(t *testing.T, s *mockserver.Server) (raw string, e journalEntry) {
	t.Helper()
	res := do(t, s, req{method: "GET", target: "/__mock/requests?limit=1"})
	var page struct {
		Requests []json.RawMessage `json:"requests"`
	}
	if err := json.Unmarshal(res.body, &page); err != nil || len(page.Requests) != 1 {
		t.Fatalf("journal: %v %s", err, res.body)
	}
	if err := json.Unmarshal(page.Requests[0], &e); err != nil {
		t.Fatal(err)
	}
	return string(page.Requests[0]), e
}

type journalEntry struct {
	ID               uint64              `json:"id"`
	Session          string              `json:"session"`
	URL              string              `json:"url"`
	URLTruncated     bool                `json:"urlTruncated"`
	Path             string              `json:"path"`
	Query            map[string][]string `json:"query"`
	Headers          map[string][]string `json:"headers"`
	HeadersTruncated bool                `json:"headersTruncated"`
	Body             string              `json:"body"`
	BodyTruncated    bool                `json:"bodyTruncated"`
	Status           int                 `json:"status"`
	Violations       []struct {
		Location []string `json:"location"`
		Message  string   `json:"message"`
	} `json:"violations"`
}

// TestRedactNames: a name is hidden wherever it is sent (header, query, JSON body at any depth)
// when the description declares it a credential, the configuration names it, or it is a common
// credential name by its words; other names are shown.
func TestRedactNames(t *testing.T) {
	s := inlineServer(t, "secrets.yaml", secretsSpec, func(c *mockserver.Config) { c.Redact = []string{"X-Custom-Thing"} })
	tests := []struct {
		name   string
		secret bool
	}{
		// the common names, by words
		{"X-Api-Key", true}, {"api_key", true}, {"apiKey", true}, {"X-RapidAPI-Key", true}, {"zt-session", true},
		{"X-Auth", true}, {"key", true}, {"X-Key", true}, {"sig", true}, {"auth", true}, {"access_token", true},
		{"client_secret", true}, {"password", true}, {"passwd", true}, {"X-CSRF-Token", true}, {"PRIVATE-TOKEN", true},
		{"X-Amz-Security-Token", true}, {"jsessionid", true}, {"X-Hub-Signature-256", true}, {"Ocp-Apim-Subscription-Key", true},
		{"refreshToken", true}, {"Authorization", true}, {"Proxy-Authorization", true},
		// declared by the description, or configured
		{"X-Partner", true}, {"pk", true}, {"hush", true}, {"pin", true}, {"deep", true}, {"X-Custom-Thing", true}, {"x-custom-thing", true}, {"x_custom_thing", true}, {"xCustomThing", true},
		// not credentials
		{"author", false}, {"authorId", false}, {"keyword", false}, {"Idempotency-Key", false}, {"monkey", false},
		{"tokenizer", false}, {"passenger", false}, {"X-Request-Id", false}, {"user", false}, {"page", false}, {"X-Mock-Session", false},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			marks := []string{fmt.Sprintf("hdr%dval", i), fmt.Sprintf("qry%dval", i), fmt.Sprintf("top%dval", i), fmt.Sprintf("deep%dval", i)}
			body := fmt.Sprintf(`{"user":"u","%s":"%s","child":{"list":[{"%s":"%s"}]}}`, tt.name, marks[2], tt.name, marks[3])
			res := do(t, s, req{"POST", "/echo?" + url.QueryEscape(tt.name) + "=" + marks[1] + "&page=2",
				map[string]string{"Content-Type": "application/json", tt.name: marks[0]}, body})
			if res.status >= 500 {
				t.Fatalf("status %d: %s", res.status, res.body)
			}
			raw, e := lastEntry(t, s)
			for _, m := range marks {
				if shown := strings.Contains(raw, m); shown == tt.secret {
					t.Errorf("%s: value %s shown %v\n%s", tt.name, m, shown, raw)
				}
			}
			if tt.secret && (!strings.Contains(raw, "[redacted]") || !strings.Contains(e.URL, url.QueryEscape(tt.name)+"=[redacted]&page=2")) {
				t.Errorf("%s: no [redacted] where the value was: url %s", tt.name, e.URL)
			}
			var doc any
			if err := json.Unmarshal([]byte(e.Body), &doc); err != nil {
				t.Errorf("the redacted body is not JSON any more: %v %s", err, e.Body)
			}
		})
	}
}

// TestRedactHeaders: Authorization keeps its scheme, Cookie its cookies' names; the mock's own
// session cookie is shown.
func TestRedactHeaders(t *testing.T) {
	s := inlineServer(t, "secrets.yaml", secretsSpec)
	tests := []struct {
		header, value, want string
	}{
		{"Authorization", "Bearer S3CR3T", "Bearer [redacted]"},
		{"Authorization", "S3CR3T", "[redacted]"},
		{"Cookie", "pc=S3CR3T; theme=dark; mock_session=qa", "pc=[redacted]; theme=[redacted]; mock_session=qa"},
		{"Cookie", "S3CR3T", "[redacted]"},
	}
	for _, tt := range tests {
		do(t, s, req{"POST", "/echo", map[string]string{tt.header: tt.value}, ""})
		raw, e := lastEntry(t, s)
		if got := e.Headers[tt.header]; len(got) != 1 || got[0] != tt.want || strings.Contains(raw, "S3CR3T") {
			t.Errorf("%s: %s: got %q, want %q", tt.header, tt.value, got, tt.want)
		}
	}
	if _, e := lastEntry(t, s); e.Session != "" {
		t.Errorf("session %q", e.Session)
	}
	do(t, s, req{"POST", "/echo", map[string]string{"Cookie": "mock_session=qa"}, ""})
	if _, e := lastEntry(t, s); e.Session != "qa" {
		t.Errorf("session %q, want qa", e.Session)
	}
}

// TestRedactBodies: form bodies, bracketed names, query strings with ; and bodies cut to the
// journal's 4 KiB: a secret is hidden wherever it is cut.
func TestRedactBodies(t *testing.T) {
	s := inlineServer(t, "secrets.yaml", secretsSpec)
	filler := strings.Repeat("x", 4000)
	tests := []struct {
		name, target, ctype, body string
		want                      string // in the journaled body, or in the URL when there is no body
	}{
		{"form", "/echo", "application/x-www-form-urlencoded", "user=bob&user%5Bpassword%5D=S3CR3T&hush=S3CR3T&pin=S3CR3T&x=1",
			"user=bob&user%5Bpassword%5D=[redacted]&hush=[redacted]&pin=[redacted]&x=1"},
		{"query with ;", "/echo?a=1;pk=S3CR3T;b=2", "", "", "/echo?a=1;pk=[redacted];b=2"},
		{"JSON with spaces and escapes", "/echo", "application/json", `{ "pass\u0077ord" : "S3\"CR3T" , "list": [ {"pin": {"a": ["S3CR3T"]}} ], "user": "bob" }`,
			`{ "pass\u0077ord" : "[redacted]" , "list": [ {"pin": "[redacted]"} ], "user": "bob" }`},
		{"JSON sent as text", "/echo", "text/plain", `{"token": 12345}`, `{"token": "[redacted]"}`},
		{"a value cut by the 4 KiB", "/echo", "application/json", `{"user":"` + filler[:4000] + `","password":"S3CR3T` + filler + `"}`, ""},
		{"a long value", "/echo", "application/json", `{"password":"` + strings.Repeat("S3CR3T", 1000) + `"}`, `{"password":"[redacted]"`},
		{"JSON sent as a form", "/echo", "application/x-www-form-urlencoded", `{"hush":"S3CR3T"}`, `{"hush":"[redacted]"}`},
		{"multipart", "/echo", "multipart/form-data; boundary=XyZ",
			"--XyZ\r\nContent-Disposition: form-data; name=\"user\"\r\n\r\nbob\r\n--XyZ\r\nContent-Disposition: form-data; name=\"password\"\r\nContent-Type: text/plain\r\n\r\nS3CR3T\r\n--XyZ--\r\n",
			"--XyZ\r\nContent-Disposition: form-data; name=\"user\"\r\n\r\nbob\r\n--XyZ\r\nContent-Disposition: form-data; name=\"password\"\r\nContent-Type: text/plain\r\n\r\n[redacted]\r\n--XyZ--\r\n"},
		{"multipart cut by the 4 KiB", "/echo", "multipart/form-data; boundary=XyZ",
			"--XyZ\r\nContent-Disposition: form-data; name=\"user\"\r\n\r\n" + filler[:3900] + "\r\n--XyZ\r\nContent-Disposition: form-data; name=\"pin\"\r\n\r\n" + strings.Repeat("S3CR3T", 100) + "\r\n--XyZ--\r\n",
			"--XyZ\r\nContent-Disposition: form-data; name=\"user\"\r\n\r\nxxx"},
		{"a form value cut by the 4 KiB", "/echo", "application/x-www-form-urlencoded", "user=" + filler + "&hush=" + strings.Repeat("S3CR3T", 100), ""},
		{"a JSON part of a multipart body", "/echo", "multipart/form-data; boundary=XyZ",
			"--XyZ\r\nContent-Disposition: form-data; name=\"meta\"\r\nContent-Type: application/json\r\n\r\n{\"password\":\"S3CR3T\"}\r\n--XyZ--\r\n",
			"--XyZ\r\nContent-Disposition: form-data; name=\"meta\"\r\nContent-Type: application/json\r\n\r\n{\"password\":\"[redacted]\"}\r\n--XyZ--\r\n"},
		{"a form whose Content-Type the journal cut", "/echo", "cut:application/x-www-form-urlencoded", "user=bob&password=S3CR3T", "user=bob&password=[redacted]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := map[string]string{}
			if ctype, ok := strings.CutPrefix(tt.ctype, "cut:"); ok {
				// Headers named before Content-Type fill the 8 KiB the journal keeps of them.
				for i := range 9 {
					h[fmt.Sprintf("A%d", i)] = strings.Repeat("a", 1000)
				}
				h["Content-Type"] = ctype
			} else if tt.ctype != "" {
				h["Content-Type"] = tt.ctype
			}
			do(t, s, req{"POST", tt.target, h, tt.body})
			raw, e := lastEntry(t, s)
			if strings.Contains(raw, "S3CR3T") || strings.Contains(raw, "S3\\\"CR3T") {
				t.Errorf("the secret is shown: %s", raw)
			}
			if strings.HasPrefix(tt.ctype, "cut:") && e.Headers["Content-Type"] != nil {
				t.Fatalf("the journal kept Content-Type: the case does not test its loss")
			}
			got := e.Body
			if tt.body == "" {
				got = e.URL
			}
			if !strings.HasPrefix(got, tt.want) || (len(tt.body) > 4096) != e.BodyTruncated {
				t.Errorf("got %.200s (truncated %v), want %s", got, e.BodyTruncated, tt.want)
			}
		})
	}
}

// TestRedactVerify: verify compares what the journal shows: it cannot tell whether a secret
// had a value.
func TestRedactVerify(t *testing.T) {
	s := inlineServer(t, "secrets.yaml", secretsSpec)
	do(t, s, req{"POST", "/echo?pk=S3CR3T&page=2", map[string]string{"X-Partner": "S3CR3T", "Content-Type": "application/json"}, `{"hush":"S3CR3T","user":"bob"}`})
	tests := []struct {
		where string
		want  int
	}{
		{`{"headers":{"X-Partner":"S3CR3T"}}`, 409},
		{`{"headers":{"x-partner":"[redacted]"}}`, 200},
		{`{"query":{"pk":"S3CR3T"}}`, 409},
		{`{"query":{"pk":"[redacted]","page":"2"}}`, 200},
		{`{"body":{"/hush":"S3CR3T"}}`, 409},
		{`{"body":{"/hush":"[redacted]","/user":"bob"}}`, 200},
	}
	for _, tt := range tests {
		res := do(t, s, req{"POST", "/__mock/verify", map[string]string{"Content-Type": "application/json"}, `{"operation":"echo","count":1,"where":` + tt.where + `}`})
		if res.status != tt.want || strings.Contains(string(res.body), "S3CR3T") {
			t.Errorf("where %s: %d, want %d: %s", tt.where, res.status, tt.want, res.body)
		}
	}
}

// TestRedactViolations: a violation about a secret parameter does not quote its value in the
// journal; the client's own answer still says what was wrong.
func TestRedactViolations(t *testing.T) {
	var logs bytes.Buffer
	s := inlineServer(t, "secrets.yaml", secretsSpec, func(c *mockserver.Config) {
		c.Logger = slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	do(t, s, req{"POST", "/echo?api_key=S3CR3T", nil, ""})
	raw, e := lastEntry(t, s)
	if len(e.Violations) == 0 || strings.Join(e.Violations[0].Location, ".") != "query.api_key" || strings.Contains(raw, "S3CR3T") {
		t.Errorf("violations %+v\n%s", e.Violations, raw)
	}
	if strings.Contains(logs.String(), "S3CR3T") || !strings.Contains(logs.String(), `"path":"/echo"`) {
		t.Errorf("logs: %s", logs.String())
	}
}

// TestRedactFromSwagger2: a Swagger 2.0 description's securityDefinitions and password
// parameters are read as well (it is converted to OpenAPI 3 on load).
func TestRedactFromSwagger2(t *testing.T) {
	s := inlineServer(t, "legacy.yaml", `swagger: "2.0"
info: {title: legacy, version: "1"}
securityDefinitions:
  legacy: {type: apiKey, in: header, name: X-Legacy}
  legacyQuery: {type: apiKey, in: query, name: lq}
paths:
  /login:
    post:
      operationId: login
      consumes: [application/x-www-form-urlencoded]
      parameters:
        - {name: user, in: formData, type: string}
        - {name: hush2, in: formData, type: string, format: password}
      responses: {"204": {description: done}}
`)
	do(t, s, req{"POST", "/login?lq=S3CR3T&x=1", map[string]string{"X-Legacy": "S3CR3T", "Content-Type": "application/x-www-form-urlencoded"}, "user=bob&hush2=S3CR3T"})
	raw, e := lastEntry(t, s)
	if strings.Contains(raw, "S3CR3T") || e.Body != "user=bob&hush2=[redacted]" || e.Query["lq"][0] != "[redacted]" || e.Headers["X-Legacy"][0] != "[redacted]" {
		t.Errorf("%s", raw)
	}
}

// TestRedactAfterReload: an entry is shown by the rules it was recorded under, after a reload
// that no longer declares its credential too.
func TestRedactAfterReload(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "secrets.yaml")
	writeFile(t, dir, "secrets.yaml", secretsSpec)
	s, err := mockserver.New(t.Context(), mockserver.Config{Specs: []string{file}})
	if err != nil {
		t.Fatal(err)
	}
	do(t, s, req{"POST", "/echo", map[string]string{"X-Partner": "S3CR3T"}, ""})
	writeFile(t, dir, "secrets.yaml", strings.Replace(secretsSpec, "name: X-Partner", "name: X-Other", 1))
	n, err := s.Reload(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	do(t, n, req{"POST", "/echo", map[string]string{"X-Partner": "shown-now", "X-Other": "S3CR3T"}, ""})
	res := do(t, n, req{method: "GET", target: "/__mock/requests"})
	if strings.Contains(string(res.body), "S3CR3T") || !strings.Contains(string(res.body), "shown-now") || strings.Count(string(res.body), `"id":`) != 2 {
		t.Errorf("%s", res.body)
	}
}

// TestRedactPathParameters: a path parameter with a secret name is hidden in the journal's URL
// and path, and in the logs; the rest of the path is shown.
func TestRedactPathParameters(t *testing.T) {
	var logs bytes.Buffer
	s := inlineServer(t, "paths.yaml", `openapi: 3.0.3
info: {title: paths, version: "1"}
paths:
  /invites/{inviteToken}/accept:
    post:
      operationId: acceptInvite
      parameters:
        - {name: inviteToken, in: path, required: true, schema: {type: string}}
      responses:
        "204": {description: accepted}
  /users/{id}:
    get:
      operationId: getUser
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
      responses:
        "204": {description: found}
`, func(c *mockserver.Config) {
		c.Logger = slog.New(slog.NewJSONHandler(&logs, nil))
	})
	do(t, s, req{"POST", "/invites/S3CR3T/accept?x=1", nil, ""})
	raw, e := lastEntry(t, s)
	if strings.Contains(raw, "S3CR3T") || e.URL != "/invites/[redacted]/accept?x=1" || e.Path != "/invites/[redacted]/accept" {
		t.Errorf("url %q path %q\n%s", e.URL, e.Path, raw)
	}
	if strings.Contains(logs.String(), "S3CR3T") || !strings.Contains(logs.String(), `"path":"/invites/[redacted]/accept"`) {
		t.Errorf("logs: %s", logs.String())
	}
	do(t, s, req{"GET", "/users/alice", nil, ""})
	if _, e := lastEntry(t, s); e.Path != "/users/alice" {
		t.Errorf("a path without a secret: %q", e.Path)
	}
}
