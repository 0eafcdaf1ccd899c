package mockserver_test

import "testing"

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
