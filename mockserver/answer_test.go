package mockserver_test

import (
	"strings"
	"testing"
)

// TestRecordAsOneOfAlternative: a record answered where the response is a oneOf with a
// discriminator (GitHub's GET /users/{username}: private-user or public-user) keeps its key and
// is answered as the alternative it fits, never replaced by generated data.
func TestRecordAsOneOfAlternative(t *testing.T) {
	s := inlineServer(t, "users.yaml", `openapi: 3.0.3
info: {title: users, version: "1"}
paths:
  /users/{username}:
    get:
      parameters:
        - {name: username, in: path, required: true, schema: {type: string}}
      responses:
        "200":
          description: a user
          content:
            application/json:
              schema:
                oneOf:
                  - $ref: '#/components/schemas/private-user'
                  - $ref: '#/components/schemas/public-user'
                discriminator:
                  propertyName: view
                  mapping: {private: '#/components/schemas/private-user', public: '#/components/schemas/public-user'}
components:
  schemas:
    private-user:
      type: object
      required: [login, id, view, disk_usage]
      properties:
        login: {type: string}
        id: {type: integer}
        view: {type: string}
        disk_usage: {type: integer}
    public-user:
      type: object
      additionalProperties: false
      required: [login, id, view]
      properties:
        login: {type: string}
        id: {type: integer}
        view: {type: string}
`)
	res := do(t, s, req{method: "GET", target: "/users/alice"})
	if res.status != 200 || res.json(t)["login"] != "alice" {
		t.Fatalf("GET /users/alice: %d %s, want alice's record", res.status, res.body)
	}
	if w := res.header.Get("X-Mock-Warning"); w != "" {
		t.Errorf("warning %q", w)
	}
}

// TestListEnvelopes: a Stripe-like list is answered in its envelope, filled from the page —
// data, has_more and url agree with what the session holds and the paging asked for — and a
// deletion answers its documented marker.
func TestListEnvelopes(t *testing.T) {
	s := inlineServer(t, "customers.yaml", `openapi: 3.0.3
info: {title: customers, version: "1"}
paths:
  /v1/customers:
    get:
      parameters:
        - {name: limit, in: query, schema: {type: integer, default: 10}}
        - {name: starting_after, in: query, schema: {type: string}}
      responses:
        "200":
          description: a page
          content:
            application/json:
              schema:
                type: object
                required: [object, data, has_more, url]
                properties:
                  object: {type: string, enum: [list]}
                  data: {type: array, items: {$ref: '#/components/schemas/customer'}}
                  has_more: {type: boolean}
                  url: {type: string, pattern: '^/v1/customers'}
    post:
      requestBody:
        content:
          application/x-www-form-urlencoded:
            schema: {type: object, properties: {name: {type: string}}}
      responses:
        "200": {description: created, content: {application/json: {schema: {$ref: '#/components/schemas/customer'}}}}
  /v1/customers/{customer}:
    parameters:
      - {name: customer, in: path, required: true, schema: {type: string}}
    get:
      responses:
        "200": {description: one, content: {application/json: {schema: {$ref: '#/components/schemas/customer'}}}}
    delete:
      responses:
        "200":
          description: deleted
          content:
            application/json:
              schema:
                type: object
                required: [id, object, deleted]
                properties:
                  id: {type: string}
                  object: {type: string, enum: [customer]}
                  deleted: {type: boolean, enum: [true]}
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
`)
	form := func(body string) req {
		return req{method: "POST", target: "/v1/customers", header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, body: body}
	}
	var ids []string
	for _, n := range []string{"ann", "bob", "cy"} {
		res := do(t, s, form("name="+n))
		if res.status != 200 || res.json(t)["name"] != n {
			t.Fatalf("create %s: %d %s", n, res.status, res.body)
		}
		ids = append(ids, res.json(t)["id"].(string))
	}
	page := func(target string) (names []string, more any, url any) {
		res := do(t, s, req{method: "GET", target: target})
		body := res.json(t)
		for _, c := range body["data"].([]any) {
			names = append(names, c.(map[string]any)["name"].(string))
		}
		return names, body["has_more"], body["url"]
	}
	if names, more, url := page("/v1/customers?limit=2"); strings.Join(names, ",") != "ann,bob" || more != true || url != "/v1/customers" {
		t.Errorf("?limit=2: %v has_more=%v url=%v, want ann,bob true /v1/customers", names, more, url)
	}
	if names, more, _ := page("/v1/customers?limit=2&starting_after=" + ids[1]); strings.Join(names, ",") != "cy" || more != false {
		t.Errorf("starting_after bob: %v has_more=%v, want cy false", names, more)
	}
	res := do(t, s, req{method: "DELETE", target: "/v1/customers/" + ids[0]})
	if got := res.json(t); res.status != 200 || got["deleted"] != true || got["id"] != ids[0] || got["object"] != "customer" || got["name"] != nil {
		t.Errorf("DELETE: %d %s, want {id, object: customer, deleted: true}", res.status, res.body)
	}
	if res := do(t, s, req{method: "GET", target: "/v1/customers/" + ids[0]}); res.status != 404 || res.header.Get("X-Mock-Warning") == "" {
		t.Errorf("GET after DELETE: %d (warning %q), want 404 with a warning (none is documented)", res.status, res.header.Get("X-Mock-Warning"))
	}
}
