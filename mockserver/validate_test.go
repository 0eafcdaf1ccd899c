package mockserver_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"testing"
)

const validationSpec = `
openapi: 3.0.3
info: {title: validation table, version: "1"}
paths:
  /items/{id}:
    parameters:
      - {name: id, in: path, required: true, schema: {type: string, format: uuid}}
    post:
      operationId: postItem
      parameters:
        - {name: limit, in: query, schema: {type: integer, minimum: 1, maximum: 10}}
        - {name: filter, in: query, content: {application/json: {schema: {$ref: '#/components/schemas/Filter'}}}}
        - {name: X-Request-Id, in: header, required: true, schema: {type: string, format: uuid}}
        - {name: session, in: cookie, schema: {type: string, minLength: 4}}
      requestBody:
        required: true
        content:
          application/json: {schema: {$ref: '#/components/schemas/Item'}}
          application/x-www-form-urlencoded: {schema: {$ref: '#/components/schemas/Item'}}
          multipart/form-data:
            schema:
              allOf:
                - $ref: '#/components/schemas/Item'
                - type: object
                  properties:
                    file: {type: string, format: binary}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Item'}
              example: {name: x, email: a@b.co, ip4: 127.0.0.1, ip6: "::1", day: "2024-01-02", at: "2024-01-02T03:04:05Z", blob: aGk=, tags: [a], owner: {id: 1}}
components:
  schemas:
    Filter:
      type: object
      properties:
        kind: {type: string, enum: [friend, channel]}
    Item:
      type: object
      required: [name]
      properties:
        name: {type: string, pattern: '^[a-z]+$'}
        email: {type: string, format: email}
        ip4: {type: string, format: ipv4}
        ip6: {type: string, format: ipv6}
        day: {type: string, format: date}
        at: {type: string, format: date-time}
        blob: {type: string, format: byte}
        count: {type: integer}
        tags: {type: array, items: {type: string}}
        owner:
          type: object
          properties:
            id: {type: integer}
        meta:
          allOf:
            - {type: object, properties: {n: {type: integer}}}
            - {type: object, properties: {m: {type: string, maxLength: 2}}}
        pet:
          oneOf:
            - {type: object, required: [bark], properties: {bark: {type: boolean}}}
            - {type: object, required: [meow], properties: {meow: {type: boolean}}}
`

func TestValidationLocations(t *testing.T) {
	s := inlineServer(t, "v.yaml", validationSpec)
	const good = "11111111-2222-4333-8444-555555555555"
	base := map[string]string{"X-Request-Id": good, "Content-Type": "application/json"}
	with := func(extra map[string]string) map[string]string {
		m := map[string]string{}
		for k, v := range base {
			m[k] = v
		}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	cases := []struct {
		name   string
		q      req
		status int
		want   []string // "location:code" entries that must be present
	}{
		{"valid JSON", req{"POST", "/items/" + good + "?limit=3", base, `{"name":"abc","owner":{"id":2}}`}, 200, nil},
		{"path format", req{"POST", "/items/not-a-uuid", base, `{"name":"abc"}`}, 422, []string{"path.id:format"}},
		{"query bound", req{"POST", "/items/" + good + "?limit=99", base, `{"name":"abc"}`}, 422, []string{"query.limit:maximum"}},
		{"query not an integer", req{"POST", "/items/" + good + "?limit=abc", base, `{"name":"abc"}`}, 422, []string{"query.limit:"}},
		{"json content query param", req{"POST", "/items/" + good + `?filter=%7B%22kind%22%3A%22bogus%22%7D`, base, `{"name":"abc"}`}, 422, []string{"query.filter.kind:enum"}},
		{"json content query param not JSON", req{"POST", "/items/" + good + `?filter=%7Bbad`, base, `{"name":"abc"}`}, 422, []string{"query.filter:parse"}},
		{"missing header", req{"POST", "/items/" + good, map[string]string{"Content-Type": "application/json"}, `{"name":"abc"}`}, 422, []string{"header.X-Request-Id:required"}},
		{"header format", req{"POST", "/items/" + good, with(map[string]string{"X-Request-Id": "nope"}), `{"name":"abc"}`}, 422, []string{"header.X-Request-Id:format"}},
		{"cookie length", req{"POST", "/items/" + good, with(map[string]string{"Cookie": "session=ab"}), `{"name":"abc"}`}, 422, []string{"cookie.session:minLength"}},
		{"body required property", req{"POST", "/items/" + good, base, `{"count":1}`}, 422, []string{"body.name:required"}},
		{"body pattern and type and nested", req{"POST", "/items/" + good, base, `{"name":"ABC","count":"x","owner":{"id":"y"}}`}, 422,
			[]string{"body.name:pattern", "body.count:type", "body.owner.id:type"}},
		{"body formats", req{"POST", "/items/" + good, base, `{"name":"a","email":"nope","ip4":"1.2.3","ip6":"zz","day":"2024-13-01","at":"yesterday","blob":"!!"}`}, 422,
			[]string{"body.email:format", "body.ip4:format", "body.ip6:format", "body.day:format", "body.at:format", "body.blob:format"}},
		// kin-openapi stops an allOf at its first failing branch.
		{"nested allOf names the branch's violation", req{"POST", "/items/" + good, base, `{"name":"a","meta":{"n":"x","m":"ok"}}`}, 422,
			[]string{"body.meta.n:type"}},
		{"oneOf is one violation", req{"POST", "/items/" + good, base, `{"name":"a","pet":{}}`}, 422, []string{"body.pet:oneOf"}},
		{"body syntax", req{"POST", "/items/" + good, base, `{"name":`}, 422, []string{"body.name:json.syntax"}},
		{"body missing", req{"POST", "/items/" + good, base, ``}, 422, []string{"body:required"}},
		{"every violation at once", req{"POST", "/items/bad?limit=0", map[string]string{"Content-Type": "application/json"}, `{"count":1}`}, 422,
			[]string{"path.id:format", "query.limit:minimum", "header.X-Request-Id:required", "body.name:required"}},
		{"form brackets valid", req{"POST", "/items/" + good, with(map[string]string{"Content-Type": "application/x-www-form-urlencoded"}), `name=abc&tags[]=x&tags[]=y&owner[id]=5&count=3`}, 200, nil},
		{"form brackets invalid", req{"POST", "/items/" + good, with(map[string]string{"Content-Type": "application/x-www-form-urlencoded"}), `name=abc&owner[id]=five`}, 422, []string{"body.owner.id:type"}},
		{"unsupported media type", req{"POST", "/items/" + good, with(map[string]string{"Content-Type": "text/csv"}), `a,b`}, 415, []string{"header.Content-Type:content-type"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := do(t, s, c.q)
			if res.status != c.status {
				t.Fatalf("status = %d, want %d\n%s", res.status, c.status, res.body)
			}
			if c.status == 200 {
				if vs := res.headerViolations(t); len(vs) != 0 {
					t.Fatalf("unexpected violations %v", locations(vs))
				}
				return
			}
			if ct := res.header.Get("Content-Type"); ct != "application/problem+json" {
				t.Errorf("Content-Type = %q, want application/problem+json", ct)
			}
			vs := res.violations(t)
			for _, w := range c.want {
				loc, code, _ := cut(w)
				if !hasViolation(vs, loc, code) {
					t.Errorf("missing violation %s; got %v", w, locations(vs))
				}
			}
			if bytes.Contains(res.body, []byte("Schema:")) || bytes.Contains(res.body, []byte(`"properties"`)) {
				t.Errorf("problem leaks a schema dump:\n%s", res.body)
			}
		})
	}
}

func cut(s string) (string, string, bool) {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == ':' {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

func TestValidationMultipart(t *testing.T) {
	s := inlineServer(t, "v.yaml", validationSpec)
	const good = "11111111-2222-4333-8444-555555555555"
	build := func(name string) (string, string) {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		_ = mw.WriteField("name", name)
		_ = mw.WriteField("owner[id]", "7")
		fw, _ := mw.CreateFormFile("file", "avatar.png")
		_, _ = fw.Write([]byte("\x89PNG fake image bytes"))
		_ = mw.Close()
		return buf.String(), mw.FormDataContentType()
	}
	body, ct := build("abc")
	res := do(t, s, req{"POST", "/items/" + good, map[string]string{"X-Request-Id": good, "Content-Type": ct}, body})
	if res.status != 200 {
		t.Fatalf("valid multipart: status %d\n%s", res.status, res.body)
	}
	body, ct = build("ABC")
	res = do(t, s, req{"POST", "/items/" + good, map[string]string{"X-Request-Id": good, "Content-Type": ct}, body})
	if res.status != 422 || !hasViolation(res.violations(t), "body.name", "pattern") {
		t.Fatalf("invalid multipart: status %d\n%s", res.status, res.body)
	}
}

const securitySpec = `
openapi: 3.0.3
info: {title: security table, version: "1"}
paths:
  /apikey-header: {get: {operationId: h, security: [{kh: []}], responses: {"200": {description: ok}}}}
  /apikey-query: {get: {operationId: q, security: [{kq: []}], responses: {"200": {description: ok}}}}
  /apikey-cookie: {get: {operationId: c, security: [{kc: []}], responses: {"200": {description: ok}}}}
  /basic: {get: {operationId: b, security: [{basic: []}], responses: {"200": {description: ok}}}}
  /bearer: {get: {operationId: be, security: [{bearer: []}], responses: {"200": {description: ok}, "401": {description: no, content: {application/json: {example: {error: denied}}}}}}}
  /oauth: {get: {operationId: o, security: [{oauth: [read]}], responses: {"200": {description: ok}}}}
  /oidc: {get: {operationId: oi, security: [{oidc: []}], responses: {"200": {description: ok}}}}
  /either: {get: {operationId: e, security: [{kh: []}, {basic: []}], responses: {"200": {description: ok}}}}
  /both: {get: {operationId: bo, security: [{kh: [], kq: []}], responses: {"200": {description: ok}}}}
  /optional: {get: {operationId: op, security: [{}, {bearer: []}], responses: {"200": {description: ok}}}}
components:
  securitySchemes:
    kh: {type: apiKey, in: header, name: X-API-Key}
    kq: {type: apiKey, in: query, name: api_key}
    kc: {type: apiKey, in: cookie, name: sid}
    basic: {type: http, scheme: basic}
    bearer: {type: http, scheme: bearer}
    oauth: {type: oauth2, flows: {clientCredentials: {tokenUrl: 'https://example.com/token', scopes: {read: read}}}}
    oidc: {type: openIdConnect, openIdConnectUrl: 'https://example.com/.well-known/openid-configuration'}
`

func TestValidationSecurity(t *testing.T) {
	s := inlineServer(t, "s.yaml", securitySpec)
	cases := []struct {
		name, target string
		header       map[string]string
		status       int
		challenge    string // expected WWW-Authenticate prefix on failure
		loc          string
	}{
		{"apiKey header ok", "/apikey-header", map[string]string{"X-API-Key": "k"}, 200, "", ""},
		{"apiKey header missing", "/apikey-header", nil, 401, "ApiKey", "header.X-API-Key"},
		{"apiKey query ok", "/apikey-query?api_key=k", nil, 200, "", ""},
		{"apiKey query missing", "/apikey-query", nil, 401, "ApiKey", "query.api_key"},
		{"apiKey cookie ok", "/apikey-cookie", map[string]string{"Cookie": "sid=abc"}, 200, "", ""},
		{"apiKey cookie missing", "/apikey-cookie", nil, 401, "ApiKey", "cookie.sid"},
		{"basic ok", "/basic", map[string]string{"Authorization": "Basic dXNlcjpwYXNz"}, 200, "", ""},
		{"basic malformed", "/basic", map[string]string{"Authorization": "Basic nocolon"}, 401, "Basic", "header.Authorization"},
		{"basic given bearer", "/basic", map[string]string{"Authorization": "Bearer t"}, 401, "Basic", "header.Authorization"},
		{"bearer ok", "/bearer", map[string]string{"Authorization": "Bearer t"}, 200, "", ""},
		{"bearer missing uses the spec's 401", "/bearer", nil, 401, "Bearer", "header.Authorization"},
		{"oauth2 as bearer", "/oauth", map[string]string{"Authorization": "Bearer t"}, 200, "", ""},
		{"oauth2 missing", "/oauth", nil, 401, "Bearer", "header.Authorization"},
		{"openIdConnect as bearer", "/oidc", map[string]string{"Authorization": "Bearer t"}, 200, "", ""},
		{"openIdConnect missing", "/oidc", nil, 401, "Bearer", "header.Authorization"},
		{"either: second alternative", "/either", map[string]string{"Authorization": "Basic dXNlcjpwYXNz"}, 200, "", ""},
		{"either: none", "/either", nil, 401, "", "header.X-API-Key"},
		{"both: one missing", "/both", map[string]string{"X-API-Key": "k"}, 401, "ApiKey", "query.api_key"},
		{"both: present", "/both?api_key=k", map[string]string{"X-API-Key": "k"}, 200, "", ""},
		{"optional", "/optional", nil, 200, "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := do(t, s, req{method: "GET", target: c.target, header: c.header})
			if res.status != c.status {
				t.Fatalf("status = %d, want %d\n%s", res.status, c.status, res.body)
			}
			if c.status == http.StatusOK {
				return
			}
			if got := res.header.Get("WWW-Authenticate"); got == "" || (c.challenge != "" && !bytes.HasPrefix([]byte(got), []byte(c.challenge))) {
				t.Errorf("WWW-Authenticate = %q, want prefix %q", got, c.challenge)
			}
			if !hasViolation(res.headerViolations(t), c.loc, "security") {
				t.Errorf("violations header lacks %s: %v", c.loc, locations(res.headerViolations(t)))
			}
		})
	}
	// The spec's own 401 is served, with the violations still in the header.
	res := do(t, s, req{method: "GET", target: "/bearer"})
	if got := res.header.Get("X-Mock-Source"); got != "validation+example" {
		t.Errorf("source = %q, want validation+example", got)
	}
	if string(res.body) != `{"error":"denied"}` {
		t.Errorf("body = %s, want the spec's 401 example", res.body)
	}
}
