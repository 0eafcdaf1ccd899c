package mockserver_test

import (
	"bytes"
	"encoding/json"
	"strconv"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/mockserver/mockserver/mockserver"
)

// literalStep is one request of a literal-path case and what its answer must be.
type literalStep struct {
	method, target, token, session, body string
	status                               int
	source                               string // the X-Mock-Source, when it matters
	want                                 string // JSON the body must equal, when set
	save, same                           string // remember the body as save; equal the body saved as same
	check                                func(t *testing.T, body any)
}

// literalCases: a literal path is state only when the description writes it and its record is
// an object; everything else answers its examples as any stateless operation does.
var literalCases = []struct {
	name, spec string
	errors     bool              // Config.Errors: a broken example answers 500
	kinds      map[string]string // operationId → inferred kind
	steps      []literalStep
}{
	{
		name: "read-only string",
		spec: `
paths:
  /health:
    get:
      operationId: health
      responses:
        "200": {description: ok, content: {application/json: {schema: {type: string}, example: ok}}}
`,
		kinds: map[string]string{"health": "none"},
		steps: []literalStep{
			{method: "GET", target: "/health", status: 200, source: mockserver.SourceExample, want: `"ok"`},
			{method: "GET", target: "/health", session: "s2", status: 200, source: mockserver.SourceExample, want: `"ok"`},
		},
	},
	{
		name: "read-only number",
		spec: `
paths:
  /todos:
    get:
      operationId: countTodos
      responses:
        "200": {description: ok, content: {application/json: {schema: {type: integer, minimum: 0}, example: 3}}}
`,
		kinds: map[string]string{"countTodos": "none"},
		steps: []literalStep{
			{method: "GET", target: "/todos", status: 200, source: mockserver.SourceExample, want: `3`},
		},
	},
	{
		name: "read-only object",
		spec: `
paths:
  /ping:
    get:
      operationId: ping
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                type: object
                required: [id, status]
                properties:
                  id: {type: integer}
                  status: {type: string, enum: [up, down]}
              example: {id: 7, status: up}
`,
		kinds: map[string]string{"ping": "none"},
		steps: []literalStep{
			{method: "GET", target: "/ping", status: 200, source: mockserver.SourceExample, want: `{"id":7,"status":"up"}`},
		},
	},
	{
		name:   "read-only object with a broken example",
		errors: true,
		spec: `
paths:
  /ping:
    get:
      operationId: ping
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {type: object, required: [id], properties: {id: {type: integer}}}
              example: {id: seven}
`,
		kinds: map[string]string{"ping": "none"},
		steps: []literalStep{
			{method: "GET", target: "/ping", status: 500},
		},
	},
	{
		name: "written object singleton",
		spec: `
paths:
  /me/settings:
    get:
      operationId: getSettings
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Settings'}, example: {theme: light, notifications: true}}}}
    put:
      operationId: putSettings
      requestBody: {required: true, content: {application/json: {schema: {$ref: '#/components/schemas/Settings'}}}}
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Settings'}}}}
components:
  schemas:
    Settings:
      type: object
      required: [theme]
      properties:
        theme: {type: string, enum: [light, dark]}
        notifications: {type: boolean}
`,
		kinds: map[string]string{"getSettings": "singleton", "putSettings": "singleton"},
		steps: []literalStep{
			{method: "GET", target: "/me/settings", status: 200, source: mockserver.SourceState, want: `{"theme":"light","notifications":true}`},
			{method: "PUT", target: "/me/settings", body: `{"theme":"dark","notifications":false}`, status: 200, source: mockserver.SourceState, want: `{"theme":"dark","notifications":false}`},
			{method: "GET", target: "/me/settings", status: 200, source: mockserver.SourceState, want: `{"theme":"dark","notifications":false}`},
			{method: "GET", target: "/me/settings", session: "other", status: 200, want: `{"theme":"light","notifications":true}`},
		},
	},
	{
		name: "integer id singleton",
		spec: `
security: [{bearer: []}]
paths:
  /me:
    get:
      operationId: getMe
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/User'}}}}
    put:
      operationId: putMe
      requestBody: {required: true, content: {application/json: {schema: {$ref: '#/components/schemas/User'}}}}
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/User'}}}}
    patch:
      operationId: patchMe
      requestBody: {required: true, content: {application/json: {schema: {$ref: '#/components/schemas/User'}}}}
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/User'}}}}
components:
  securitySchemes:
    bearer: {type: http, scheme: bearer}
  schemas:
    User:
      type: object
      required: [id, name]
      properties:
        id: {type: integer, readOnly: true}
        name: {type: string}
`,
		kinds: map[string]string{"getMe": "singleton", "putMe": "singleton", "patchMe": "singleton"},
		steps: []literalStep{
			// A token is no integer: the record keeps the id it was made with.
			{method: "GET", target: "/me", token: "some-token", status: 200, source: mockserver.SourceState, check: integerID, save: "first"},
			{method: "GET", target: "/me", token: "some-token", status: 200, same: "first"},
			{method: "PATCH", target: "/me", token: "some-token", body: `{"name":"ada"}`, status: 200, check: nameIs("ada")},
			// Written before it was read: the id is completed, not "" or the token.
			{method: "PUT", target: "/me", token: "new-token", session: "fresh", body: `{"name":"bob"}`, status: 200, check: integerID, save: "put"},
			{method: "GET", target: "/me", token: "new-token", session: "fresh", status: 200, same: "put"},
			// A caller whose identity has an integer id owns the record with that id.
			{method: "GET", target: "/me", token: "carol-token", status: 200, check: idIs(42)},
			{method: "PUT", target: "/me", token: "carol-token", session: "c", body: `{"name":"carol"}`, status: 200, want: `{"id":42,"name":"carol"}`},
		},
	},
	{
		name: "POST writes the record its GET answers; a POST action does not",
		spec: `
paths:
  /account:
    get:
      operationId: getAccount
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Account'}, example: {id: acct_1, email: a@example.com, country: FR}}}}
    post:
      operationId: updateAccount
      requestBody: {content: {application/json: {schema: {type: object, properties: {email: {type: string}, expand: {type: array, items: {type: string}}}}}}}
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Account'}}}}
  /search:
    get:
      operationId: searchGet
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Results'}, example: {total: 1, hits: [a]}}}}
    post:
      operationId: searchPost
      requestBody: {content: {application/json: {schema: {type: object, properties: {query: {type: string}}}}}}
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Results'}, example: {total: 2, hits: [b, c]}}}}
components:
  schemas:
    Account:
      type: object
      required: [id, email]
      properties:
        id: {type: string, pattern: '^acct_'}
        email: {type: string}
        country: {type: string}
    Results:
      type: object
      required: [total, hits]
      properties:
        total: {type: integer}
        hits: {type: array, items: {type: string}}
`,
		kinds: map[string]string{"getAccount": "singleton", "updateAccount": "singleton", "searchGet": "none", "searchPost": "none"},
		steps: []literalStep{
			{method: "POST", target: "/account", body: `{"email":"b@example.com"}`, status: 200, source: mockserver.SourceState, want: `{"id":"acct_1","email":"b@example.com","country":"FR"}`},
			{method: "GET", target: "/account", status: 200, want: `{"id":"acct_1","email":"b@example.com","country":"FR"}`},
			{method: "POST", target: "/search", body: `{"query":"x"}`, status: 200, source: mockserver.SourceExample, want: `{"total":2,"hits":["b","c"]}`},
			{method: "GET", target: "/search", status: 200, source: mockserver.SourceExample, want: `{"total":1,"hits":["a"]}`},
		},
	},
}

// TestLiteralPaths: literal paths answer their examples unless the description writes them,
// and every 2xx answer — from state or not — validates against its documented schema.
func TestLiteralPaths(t *testing.T) {
	fixtures := t.TempDir()
	writeFile(t, fixtures, "people.yaml", "identities:\n  - token: carol-token\n    identity: {id: 42}\n")
	for _, c := range literalCases {
		t.Run(c.name, func(t *testing.T) {
			text := "openapi: 3.0.3\ninfo: {title: literal, version: \"1\"}\n" + c.spec
			s := inlineServer(t, "literal.yaml", text, func(cfg *mockserver.Config) { cfg.Fixtures, cfg.Errors = fixtures, c.errors })
			doc, err := openapi3.NewLoader().LoadFromData([]byte(text))
			if err != nil {
				t.Fatal(err)
			}

			var routes []struct{ Operation, Kind string }
			if err := json.Unmarshal(do(t, s, req{method: "GET", target: "/__mock/routes"}).body, &routes); err != nil {
				t.Fatal(err)
			}
			kinds := map[string]string{}
			for _, rt := range routes {
				kinds[rt.Operation] = rt.Kind
			}
			for op, want := range c.kinds {
				if kinds[op] != want {
					t.Errorf("%s inferred as %q, want %q", op, kinds[op], want)
				}
			}

			saved := map[string][]byte{}
			for i, st := range c.steps {
				q := req{method: st.method, target: st.target, header: map[string]string{}, body: st.body}
				if st.body != "" {
					q.header["Content-Type"] = "application/json"
				}
				if st.token != "" {
					q.header["Authorization"] = "Bearer " + st.token
				}
				if st.session != "" {
					q.header[mockserver.HeaderSession] = st.session
				}
				res := do(t, s, q)
				name := strconv.Itoa(i) + " " + st.method + " " + st.target
				if res.status != st.status {
					t.Fatalf("%s: status %d, want %d: %s", name, res.status, st.status, res.body)
				}
				if src := res.header.Get(mockserver.HeaderSource); st.source != "" && src != st.source {
					t.Errorf("%s: answered by %q, want %q", name, src, st.source)
				}
				var got any
				if err := json.Unmarshal(res.body, &got); err != nil {
					t.Fatalf("%s: body is not JSON: %v: %s", name, err, res.body)
				}
				if st.want != "" && !jsonEqual(t, res.body, []byte(st.want)) {
					t.Errorf("%s: body %s, want %s", name, res.body, st.want)
				}
				if st.same != "" && !jsonEqual(t, res.body, saved[st.same]) {
					t.Errorf("%s: body %s, want the %s answer %s", name, res.body, st.same, saved[st.same])
				}
				if st.save != "" {
					saved[st.save] = res.body
				}
				if st.check != nil {
					st.check(t, got)
				}
				if res.status >= 200 && res.status < 300 {
					checkResponseSchema(t, doc, res, got, name)
				}
			}
		})
	}
}

// checkResponseSchema validates a JSON answer against the response its operation documents.
func checkResponseSchema(t *testing.T, doc *openapi3.T, res result, body any, name string) {
	t.Helper()
	opID := res.header.Get(mockserver.HeaderOperation)
	var op *openapi3.Operation
	for _, item := range doc.Paths.Map() {
		for _, o := range item.Operations() {
			if o.OperationID == opID {
				op = o
			}
		}
	}
	if op == nil {
		t.Fatalf("%s: answered by unknown operation %q", name, opID)
	}
	resp := op.Responses.Status(res.status)
	if resp == nil || resp.Value == nil || resp.Value.Content.Get("application/json") == nil {
		t.Fatalf("%s: operation %s documents no JSON %d", name, opID, res.status)
	}
	schema := resp.Value.Content.Get("application/json").Schema.Value
	if err := schema.VisitJSON(body, openapi3.VisitAsResponse(), openapi3.EnableFormatValidation(), openapi3.MultiErrors()); err != nil {
		t.Errorf("%s: answer %v breaks the %d schema of %s: %v", name, body, res.status, opID, err)
	}
}

// jsonEqual reports whether a and b are the same JSON value (object keys in any order).
func jsonEqual(t *testing.T, a, b []byte) bool {
	t.Helper()
	var va, vb any
	if json.Unmarshal(a, &va) != nil || json.Unmarshal(b, &vb) != nil {
		return false
	}
	ea, _ := json.Marshal(va) // map keys sorted
	eb, _ := json.Marshal(vb)
	return bytes.Equal(ea, eb)
}

func integerID(t *testing.T, body any) {
	t.Helper()
	m, _ := body.(map[string]any)
	if id, ok := m["id"].(float64); !ok || id != float64(int64(id)) {
		t.Errorf("id %#v is not an integer: %v", m["id"], body)
	}
}

func idIs(want float64) func(*testing.T, any) {
	return func(t *testing.T, body any) {
		t.Helper()
		if m, _ := body.(map[string]any); m["id"] != want {
			t.Errorf("id %#v, want %v: %v", m["id"], want, body)
		}
	}
}

func nameIs(want string) func(*testing.T, any) {
	return func(t *testing.T, body any) {
		t.Helper()
		if m, _ := body.(map[string]any); m["name"] != want {
			t.Errorf("name %#v, want %q: %v", m["name"], want, body)
		}
	}
}
