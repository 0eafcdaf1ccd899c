package mockserver_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mockserver/mockserver/mockserver"
	"github.com/mockserver/mockserver/mockserver/internal/corpustest"
)

// verdictSpec is a minimal description with one operation per verdict the mock must get right.
const verdictSpec = `openapi: 3.0.3
info: {title: verdicts, version: "1"}
paths:
  /search:
    get:
      parameters:
        - {name: q, in: query, required: true}
        - {name: X-Trace, in: header, required: true}
        - {name: filter, in: query, style: deepObject, explode: true,
           schema: {type: object, properties: {size: {type: integer}}}}
        - {name: expand, in: query, style: deepObject, explode: true,
           schema: {type: array, items: {type: string, maxLength: 5}}}
        - {name: created, in: query, style: deepObject, explode: true,
           schema: {anyOf: [{type: object, properties: {gte: {type: integer}}}, {type: integer}]}}
      responses:
        '200': {description: ok, content: {application/json: {example: {ok: true}}}}
  /avatars/{id}:
    patch:
      parameters: [{name: id, in: path, required: true, schema: {type: string, format: uuid}}]
      responses: {'204': {description: done}}
  /users/{id}/posts:
    get:
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      responses: {'200': {description: ok, content: {application/json: {example: []}}}}
  /ping:
    get:
      responses:
        '200': {description: ok, content: {application/json: {example: {pong: true}}}}
  /upload:
    post:
      responses:
        '200': {description: ok}
        '415': {description: no body here, content: {application/json: {example: {why: described}}}}
  /subscribe:
    post:
      requestBody:
        content:
          application/x-www-form-urlencoded:
            schema: {type: object, properties: {callback: {type: string}, note: {type: string}, meta: {type: object}}}
            encoding: {callback: {allowReserved: false}, meta: {style: deepObject, explode: true}}
      responses: {'204': {description: done}}
  /filter:
    get:
      deprecated: true
      parameters:
        - {name: q, in: query, required: true, schema: {type: string}}
        - {name: n, in: query, schema: {type: integer}}
      responses:
        '200': {description: ok, content: {application/json: {example: {ok: true}}}}
        '4XX': {description: client error, content: {application/json: {example: {range: true}}}}
  /guarded:
    get:
      security: [{key: []}]
      responses:
        '200': {description: ok, content: {application/json: {example: {ok: true}}}}
        default: {description: any error, content: {application/json: {example: {documented: default}}}}
  /only-errors:
    post:
      requestBody: {content: {application/json: {schema: {type: object}}}}
      responses:
        '405': {description: invalid input, content: {application/json: {example: {why: "405 only"}}}}
  /motd:
    get:
      responses:
        '200':
          description: ok
          content:
            text/plain: {schema: {type: string}, example: "hello"}
  /stats:
    get:
      responses:
        '200':
          description: ok
          content:
            text/plain: {schema: {type: object}, example: {count: 1}}
  /kubeconfig:
    get:
      responses:
        '200':
          description: ok
          content:
            application/yaml: {example: "apiVersion: v1"}
  /things/{id}:
    get:
      parameters: [{name: id, in: path, required: true, schema: {type: integer}}]
      responses:
        '200': {description: ok, content: {application/json: {schema: {type: object, properties: {id: {type: integer}}}, example: {id: 1}}}}
        '404': {description: missing, content: {application/json: {schema: {$ref: '#/components/schemas/Error'}}}}
        '422': {description: invalid, content: {application/json: {schema: {$ref: '#/components/schemas/Error'}}}}
        '500': {description: broken}
    delete:
      parameters: [{name: id, in: path, required: true, schema: {type: integer}}]
      responses: {'204': {description: gone}, '404': {description: missing}}
components:
  securitySchemes:
    key: {type: apiKey, in: header, name: X-Key}
  schemas:
    Error:
      type: object
      required: [title, detail, status]
      properties:
        title: {type: string}
        detail: {type: string}
        status: {type: integer}
`

const verdictSpec2 = `swagger: "2.0"
info: {title: verdicts 2, version: "1"}
paths:
  /find:
    get:
      parameters:
        - {name: q, in: query, type: string}
        - {name: tag, in: query, type: string, allowEmptyValue: true}
      responses:
        '200': {description: ok, schema: {type: object}, examples: {application/json: {found: true}}}
`

// TestVerdicts checks, case by case, that valid requests pass, invalid ones fail at the right
// place, and the documented answer is chosen.
func TestVerdicts(t *testing.T) {
	s := inlineServer(t, "verdicts.yaml", verdictSpec)
	s2 := inlineServer(t, "verdicts2.yaml", verdictSpec2)
	trace := map[string]string{"X-Trace": "t1"}
	form := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
	for _, c := range []struct {
		name   string
		h      http.Handler
		q      req
		status int
		// viol is the violation expected ("location:code"); "" means none.
		viol string
	}{
		{"absent optional deepObject params are not decoded", s, req{method: "GET", target: "/search?q=x", header: trace}, 200, ""},
		{"deepObject object", s, req{method: "GET", target: "/search?q=x&filter[size]=3", header: trace}, 200, ""},
		{"deepObject array and anyOf", s, req{method: "GET", target: "/search?q=x&expand[]=a&expand[]=b&created[gte]=1600000000", header: trace}, 200, ""},
		{"deepObject anyOf as a plain value", s, req{method: "GET", target: "/search?q=x&created=5", header: trace}, 200, ""},
		{"deepObject object breaks its schema", s, req{method: "GET", target: "/search?q=x&filter[size]=big", header: trace}, 422, "query.filter.size:type"},
		{"deepObject array item breaks its schema", s, req{method: "GET", target: "/search?q=x&expand[]=toolong", header: trace}, 422, "query.expand.0:maxLength"},
		{"required query without schema, absent", s, req{method: "GET", target: "/search", header: trace}, 422, "query.q:required"},
		{"required header without schema, absent", s, req{method: "GET", target: "/search?q=1"}, 422, "header.X-Trace:required"},
		{"uuid of version 0", s, req{method: "PATCH", target: "/avatars/00000000-0000-0000-0000-000000000007"}, 204, ""},
		{"uuid of version 15, upper case", s, req{method: "PATCH", target: "/avatars/8F1C2A44-6B0E-FC9A-9D3E-2F5B7A1C0E11"}, 204, ""},
		{"not a uuid", s, req{method: "PATCH", target: "/avatars/8f1c2a44-6b0e-4c9a-9d3e-2f5b7a1c0e1z"}, 422, "path.id:format"},
		{"empty path segment where a parameter stands", s, req{method: "GET", target: "/users//posts"}, 422, "path.id:empty"},
		{"a body where the operation takes none", s, req{method: "GET", target: "/ping", body: `{"a":1}`, header: map[string]string{"Content-Type": "application/json"}}, 415, "body:content-type"},
		{"reserved character unencoded where the encoding forbids it", s, req{method: "POST", target: "/subscribe", body: "callback=https://a.example/x&note=a/b", header: form}, 422, "body.callback:allowReserved"},
		{"reserved character percent-encoded", s, req{method: "POST", target: "/subscribe", body: "callback=https%3A%2F%2Fa.example%2Fx&note=a/b", header: form}, 204, ""},
		{"reserved characters where allowReserved is only defaulted", s, req{method: "POST", target: "/subscribe", body: "meta[url]=https://a.example/x&meta[who]=O'Brien", header: form}, 204, ""},
		{"empty path segment at the end", s, req{method: "GET", target: "/things/"}, 422, "path.id:empty"},
		{"required query sent empty", s, req{method: "GET", target: "/filter?q="}, 422, "query.q:empty"},
		{"optional query sent empty is not sent", s, req{method: "GET", target: "/filter?q=x&n="}, 200, ""},
		{"a body where none is taken, POST", s, req{method: "POST", target: "/upload", body: "x", header: map[string]string{"Content-Type": "text/plain"}}, 415, "body:content-type"},
		{"Swagger 2: empty value without allowEmptyValue", s2, req{method: "GET", target: "/find?q="}, 422, "query.q:empty"},
		{"Swagger 2: empty value with allowEmptyValue", s2, req{method: "GET", target: "/find?tag="}, 200, ""},
		{"Swagger 2: a value", s2, req{method: "GET", target: "/find?q=x"}, 200, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			res := do(t, c.h, c.q)
			if res.status != c.status {
				t.Fatalf("status %d, want %d; violations %v\n%s", res.status, c.status, locations(res.headerViolations(t)), res.body)
			}
			vs := res.headerViolations(t)
			switch {
			case c.viol == "" && len(vs) > 0:
				t.Errorf("violations %v, want none", locations(vs))
			case c.viol != "" && !strings.Contains(strings.Join(locations(vs), " "), c.viol):
				t.Errorf("violations %v, want %s", locations(vs), c.viol)
			}
		})
	}
	t.Run("the ladder takes a 4XX range, as the code asked", func(t *testing.T) {
		res := do(t, s, req{method: "GET", target: "/filter?q=x&n=many"})
		if res.status != 422 || string(res.body) != `{"range":true}` {
			t.Errorf("got %d %s, want the 4XX example as 422", res.status, res.body)
		}
	})
	t.Run("missing credentials with only default documented: default as 401", func(t *testing.T) {
		res := do(t, s, req{method: "GET", target: "/guarded"})
		if res.status != 401 || string(res.body) != `{"documented":"default"}` {
			t.Errorf("got %d %s, want the default response as 401", res.status, res.body)
		}
	})
	t.Run("no documented success: the description's own answer, not a state record", func(t *testing.T) {
		res := do(t, s, req{method: "POST", target: "/only-errors", body: `{"a":1}`, header: map[string]string{"Content-Type": "application/json"}})
		if res.status != 405 {
			t.Errorf("got %d %s, want the only documented response, 405", res.status, res.body)
		}
	})
	t.Run("deleting a record nobody wrote: it existed, as a GET would have shown", func(t *testing.T) {
		if res := do(t, s, req{method: "DELETE", target: "/things/9"}); res.status != 204 {
			t.Errorf("DELETE /things/9: %d %s, want 204", res.status, res.body)
		}
		if res := do(t, s, req{method: "GET", target: "/things/9"}); res.status != 404 {
			t.Errorf("GET /things/9 after DELETE: %d %s, want 404", res.status, res.body)
		}
	})
	t.Run("a deprecated operation says so", func(t *testing.T) {
		if res := do(t, s, req{method: "GET", target: "/filter?q=x"}); res.header.Get("Deprecation") != "true" {
			t.Errorf("Deprecation %q, want true", res.header.Get("Deprecation"))
		}
	})
	t.Run("the described 415 answers a body sent where none is taken", func(t *testing.T) {
		res := do(t, s, req{method: "POST", target: "/upload", body: `{"a":1}`, header: map[string]string{"Content-Type": "application/json"}})
		if res.status != 415 || !strings.Contains(string(res.body), "described") {
			t.Errorf("got %d %s, want the description's 415", res.status, res.body)
		}
	})
}

// TestTextMediaTypes checks that a string is written as text and that an object is never sent
// as JSON labelled text.
func TestTextMediaTypes(t *testing.T) {
	s := inlineServer(t, "verdicts.yaml", verdictSpec)
	res := do(t, s, req{method: "GET", target: "/motd"})
	if res.status != 200 || string(res.body) != "hello" || !strings.HasPrefix(res.header.Get("Content-Type"), "text/plain") {
		t.Errorf("string under text/plain: %d %q %s", res.status, res.body, res.header.Get("Content-Type"))
	}
	res = do(t, s, req{method: "GET", target: "/stats"})
	if res.status != 500 || !strings.Contains(string(res.body), "cannot be written as text/plain") {
		t.Errorf("object under text/plain: %d %s, want a 500 saying why", res.status, res.body)
	}
	res = do(t, s, req{method: "GET", target: "/kubeconfig", header: map[string]string{"Prefer": "dynamic=true"}})
	if res.status != 200 || string(res.body) != "apiVersion: v1" || res.header.Get("Content-Type") != "application/yaml" {
		t.Errorf("dynamic without a schema: %d %q %q, want the example", res.status, res.body, res.header.Get("Content-Type"))
	}
}

// TestPreferFirstWins checks RFC 7240's rule (the first occurrence of a preference counts) and
// that an unknown scenario is as loud as an unknown example.
func TestPreferFirstWins(t *testing.T) {
	s := inlineServer(t, "verdicts.yaml", verdictSpec)
	for _, c := range []struct {
		prefer string
		status int
	}{
		{"code=404, code=500", 404},
		{"code=404;code=500", 404},
		{"code=404, code=nonsense", 404},
		{"code=500, code=404", 500},
	} {
		if res := do(t, s, req{method: "GET", target: "/things/1", header: map[string]string{"Prefer": c.prefer}}); res.status != c.status {
			t.Errorf("Prefer: %s: %d, want %d", c.prefer, res.status, c.status)
		}
	}
	res := do(t, s, req{method: "GET", target: "/things/1", header: map[string]string{"Prefer": "scenario=NoSuchName"}})
	if res.status != 404 || !strings.Contains(string(res.body), "NoSuchName") {
		t.Errorf("unknown scenario: %d %s, want 404 naming it", res.status, res.body)
	}
}

// TestErrorBodiesReadRight checks that generated error bodies say what the status means and,
// for an invalid request, what was wrong — and still match their schema.
func TestErrorBodiesReadRight(t *testing.T) {
	s := inlineServer(t, "verdicts.yaml", verdictSpec)
	res := do(t, s, req{method: "GET", target: "/things/1", header: map[string]string{"Prefer": "code=404"}})
	body := res.json(t)
	if res.status != 404 || body["title"] != "Not Found" || body["detail"] != "Not Found" || body["status"] != 404.0 {
		t.Errorf("generated 404: %d %s", res.status, res.body)
	}
	res = do(t, s, req{method: "GET", target: "/things/seven"})
	body = res.json(t)
	if res.status != 422 || body["title"] != "Unprocessable Entity" || body["detail"] != `path parameter "id": value "seven" must be an integer` {
		t.Errorf("generated 422: %d %s", res.status, res.body)
	}
	// The Prism header: the same violations, located under "request", each with a severity.
	var sl []mockserver.Violation
	if err := json.Unmarshal([]byte(res.header.Get("Sl-Violations")), &sl); err != nil || len(sl) != 1 ||
		strings.Join(sl[0].Location, ".") != "request.path.id" || sl[0].Severity != "Error" {
		t.Errorf("sl-violations %q (%v)", res.header.Get("Sl-Violations"), err)
	}
}

// TestStripeListCalls sends Stripe's paginated list calls as clients write them.
func TestStripeListCalls(t *testing.T) {
	file := filepath.Join(corpustest.Dir(t), "stripe-spec3.json")
	s, err := mockserver.New(t.Context(), mockserver.Config{Specs: []string{file}, SkipSpecValidation: true})
	if err != nil {
		t.Fatal(err)
	}
	auth := map[string]string{"Authorization": "Bearer sk_test_123"}
	for _, target := range []string{
		"/v1/customers?limit=3",
		"/v1/customers?limit=3&starting_after=cus_123",
		"/v1/customers?limit=3&expand[]=data.default_source&expand[]=data.invoice_settings.default_payment_method",
		"/v1/customers?created[gte]=1600000000&created[lt]=1700000000&limit=10",
		"/v1/customers?created=1600000000",
		"/v1/charges?limit=2&customer=cus_123&expand[]=data.customer",
	} {
		res := do(t, s, req{method: "GET", target: target, header: auth})
		if res.status != 200 {
			t.Errorf("GET %s: %d; violations %v", target, res.status, locations(res.headerViolations(t)))
		}
	}
	res := do(t, s, req{method: "GET", target: "/v1/customers?limit=ten", header: auth})
	if res.status != 400 && res.status != 422 || !hasViolation(res.headerViolations(t), "query.limit", "") {
		t.Errorf("GET /v1/customers?limit=ten: %d %v, want the limit refused", res.status, locations(res.headerViolations(t)))
	}
}

// TestCredentialNeverData: a per-caller record kept for a caller known by a token alone never
// carries the token, however the key property is typed (Discord's GET /users/@me).
func TestCredentialNeverData(t *testing.T) {
	s := inlineServer(t, "me.yaml", `openapi: 3.0.3
info: {title: me, version: "1"}
security: [{bearer: []}]
paths:
  /users/@me:
    get:
      responses:
        '200': {description: me, content: {application/json: {schema: {$ref: '#/components/schemas/User'}}}}
    patch:
      requestBody: {content: {application/json: {schema: {type: object, properties: {username: {type: string}}}}}}
      responses:
        '200': {description: me, content: {application/json: {schema: {$ref: '#/components/schemas/User'}}}}
components:
  securitySchemes:
    bearer: {type: http, scheme: bearer}
  schemas:
    User:
      type: object
      required: [id, username]
      properties:
        id: {type: string}
        username: {type: string}
`)
	auth := map[string]string{"Authorization": "Bearer my-secret-token", "Content-Type": "application/json"}
	for _, q := range []req{
		{method: "GET", target: "/users/@me", header: auth},
		{method: "PATCH", target: "/users/@me", header: auth, body: `{"username":"alice"}`},
		{method: "GET", target: "/users/@me", header: auth},
	} {
		res := do(t, s, q)
		if res.status != 200 || strings.Contains(string(res.body), "my-secret-token") {
			t.Errorf("%s %s: %d %s", q.method, q.target, res.status, res.body)
		}
	}
	if res := do(t, s, req{method: "GET", target: "/users/@me", header: auth}); !strings.Contains(string(res.body), `"username":"alice"`) {
		t.Errorf("the caller's record was not kept: %s", res.body)
	}
}

// TestStateAnswersKeepTheContract: a create answers (and stores) what its schema requires even
// when the client sent one field; a DELETE answers the documented deletion marker, not the
// record.
func TestStateAnswersKeepTheContract(t *testing.T) {
	s := inlineServer(t, "crud.yaml", `openapi: 3.0.3
info: {title: crud, version: "1"}
paths:
  /issues:
    post:
      requestBody: {content: {application/json: {schema: {type: object, required: [title], properties: {title: {type: string}}}}}}
      responses:
        '201': {description: created, content: {application/json: {schema: {$ref: '#/components/schemas/Issue'}}}}
  /issues/{number}:
    parameters: [{name: number, in: path, required: true, schema: {type: integer}}]
    get:
      responses:
        '200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Issue'}}}}
    delete:
      responses:
        '200':
          description: deleted
          content:
            application/json:
              schema:
                type: object
                required: [id, object, deleted]
                properties:
                  id: {type: integer}
                  object: {type: string, enum: [issue.deleted]}
                  deleted: {type: boolean}
components:
  schemas:
    Issue:
      type: object
      required: [id, number, title, state, user]
      properties:
        id: {type: integer}
        number: {type: integer}
        title: {type: string}
        state: {type: string, enum: [open, closed]}
        user: {type: object, required: [login], properties: {login: {type: string}}}
`)
	res := do(t, s, req{method: "POST", target: "/issues", header: map[string]string{"Content-Type": "application/json"}, body: `{"title":"x"}`})
	created := res.json(t)
	for _, k := range []string{"id", "number", "state", "user"} {
		if created[k] == nil {
			t.Errorf("create answered without %s: %s", k, res.body)
		}
	}
	if res.status != 201 || created["title"] != "x" {
		t.Fatalf("create: %d %s", res.status, res.body)
	}
	number := fmt.Sprint(created["number"])
	if got := do(t, s, req{method: "GET", target: "/issues/" + number}); got.status != 200 || string(got.body) != string(res.body) {
		t.Errorf("read back: %d %s, want %s", got.status, got.body, res.body)
	}
	del := do(t, s, req{method: "DELETE", target: "/issues/" + number})
	body := del.json(t)
	if del.status != 200 || body["object"] != "issue.deleted" || body["deleted"] != true || body["id"] != created["id"] {
		t.Errorf("delete: %d %s, want the deletion marker of %s", del.status, del.body, res.body)
	}
}

// TestCreateKeepsTheClientsID: a create under the id the client sent reads back under it; the
// same id again is the documented 409, or (none documented) a replacement.
func TestCreateKeepsTheClientsID(t *testing.T) {
	const spec = `openapi: 3.0.3
info: {title: pets, version: "1"}
paths:
  /pets:
    post:
      requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/Pet'}}}}
      responses:
        '201': {description: created, content: {application/json: {schema: {$ref: '#/components/schemas/Pet'}}}}
CONFLICT
  /pets/{petId}:
    get:
      parameters: [{name: petId, in: path, required: true, schema: {type: integer}}]
      responses:
        '200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Pet'}}}}
components:
  schemas:
    Pet: {type: object, required: [id, name], properties: {id: {type: integer}, name: {type: string}}}
`
	js := map[string]string{"Content-Type": "application/json"}
	for _, c := range []struct {
		name     string
		conflict string
		again    int
		name2    string
	}{
		{"no 409 documented: replaced", "", 201, "Max"},
		{"409 documented", "        '409': {description: taken, content: {application/json: {example: {error: taken}}}}", 409, "Rex"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := inlineServer(t, "pets.yaml", strings.Replace(spec, "CONFLICT", c.conflict, 1))
			if res := do(t, s, req{method: "POST", target: "/pets", header: js, body: `{"id":100,"name":"Rex"}`}); res.status != 201 || string(res.body) != `{"id":100,"name":"Rex"}` {
				t.Fatalf("create: %d %s", res.status, res.body)
			}
			if res := do(t, s, req{method: "GET", target: "/pets/100"}); res.status != 200 || string(res.body) != `{"id":100,"name":"Rex"}` {
				t.Errorf("read back: %d %s", res.status, res.body)
			}
			if res := do(t, s, req{method: "POST", target: "/pets", header: js, body: `{"id":100,"name":"Max"}`}); res.status != c.again {
				t.Errorf("the same id again: %d %s, want %d", res.status, res.body, c.again)
			}
			if res := do(t, s, req{method: "GET", target: "/pets/100"}); !strings.Contains(string(res.body), `"name":"`+c.name2+`"`) {
				t.Errorf("after the second create: %s, want %s", res.body, c.name2)
			}
		})
	}
}

// TestStripeShapedRecords: a record whose item GET answers anyOf [customer, deleted_customer]
// is completed as a customer, and a list shows each record as its items document it.
func TestStripeShapedRecords(t *testing.T) {
	s := inlineServer(t, "stripe-shaped.yaml", `openapi: 3.0.3
info: {title: stripe-shaped, version: "1"}
paths:
  /v1/customers:
    get:
      responses:
        '200':
          description: list
          content:
            application/json:
              schema:
                type: object
                required: [object, data, has_more, url]
                properties:
                  object: {type: string, enum: [list]}
                  data: {type: array, items: {$ref: '#/components/schemas/customer'}}
                  has_more: {type: boolean}
                  url: {type: string}
    post:
      requestBody: {content: {application/x-www-form-urlencoded: {schema: {type: object, properties: {name: {type: string}}}}}}
      responses:
        '200': {description: created, content: {application/json: {schema: {$ref: '#/components/schemas/customer'}}}}
  /v1/customers/{customer}:
    get:
      parameters: [{name: customer, in: path, required: true, schema: {type: string}}]
      responses:
        '200':
          description: one
          content:
            application/json:
              schema:
                anyOf: [{$ref: '#/components/schemas/customer'}, {$ref: '#/components/schemas/deleted_customer'}]
components:
  schemas:
    customer:
      type: object
      required: [id, object, created]
      properties:
        id: {type: string}
        object: {type: string, enum: [customer]}
        created: {type: integer}
        name: {type: string}
    deleted_customer:
      type: object
      required: [id, object, deleted]
      properties:
        id: {type: string}
        object: {type: string, enum: [customer]}
        deleted: {type: boolean, enum: [true]}
`)
	form := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
	created := do(t, s, req{method: "POST", target: "/v1/customers", header: form, body: "name=Survey"}).json(t)
	if created["created"] == nil || created["object"] != "customer" || created["name"] != "Survey" {
		t.Fatalf("create: %v", created)
	}
	list := do(t, s, req{method: "GET", target: "/v1/customers"}).json(t)
	data, _ := list["data"].([]any)
	if len(data) != 1 || data[0].(map[string]any)["created"] != created["created"] || data[0].(map[string]any)["id"] != created["id"] {
		t.Errorf("list %v, want the created customer %v", list, created)
	}
	if got := do(t, s, req{method: "GET", target: "/v1/customers/" + created["id"].(string)}).json(t); got["name"] != "Survey" {
		t.Errorf("read back %v", got)
	}
}
