package mockserver_test

import (
	"encoding/json"
	"mime"
	"slices"
	"strings"
	"testing"

	"github.com/mockserver/mockserver/mockserver"
)

// orderSpec writes its responses, media types and examples out of alphabetical order: what a
// client gets first is what the description writes first.
const orderSpec = `
openapi: 3.0.3
info: {title: order, version: '1'}
components:
  securitySchemes:
    bearer: {type: http, scheme: bearer}
paths:
  /session:
    get:
      security: [{bearer: []}]
      responses:
        '401':
          description: unauthorized
          content:
            application/json:
              schema: {type: object, properties: {message: {type: string}}}
              examples:
                tokenMissing: {value: {message: token missing}}
                jwtExpired: {value: {message: jwt expired}}
        '200':
          description: ok
          headers:
            X-Session:
              schema: {type: string}
              examples: {zulu: {value: z-first}, alpha: {value: a-second}}
          content:
            text/plain:
              schema: {type: string}
              examples: {plainZ: {value: zzz}, plainA: {value: aaa}}
            application/json:
              schema: {type: object, properties: {n: {type: string}}}
              examples: {jsonZ: {value: {n: z}}, jsonA: {value: {n: a}}}
`

func TestDocumentOrderServed(t *testing.T) {
	s := inlineServer(t, "order.yaml", orderSpec)
	auth := map[string]string{"Authorization": "Bearer t"}
	with := func(h map[string]string, kv ...string) map[string]string {
		out := map[string]string{}
		for k, v := range h {
			out[k] = v
		}
		for i := 0; i+1 < len(kv); i += 2 {
			out[kv[i]] = kv[i+1]
		}
		return out
	}
	for _, c := range []struct {
		name    string
		header  map[string]string
		status  int
		media   string // the Content-Type sent, without parameters
		example string // X-Mock-Example
		body    string
		session string // X-Session
		choices []string
	}{
		{name: "no Accept: JSON where it is offered (as Prism), its first example", header: auth,
			status: 200, media: "application/json", example: "jsonZ", body: `{"n":"z"}`, session: "z-first"},
		{name: "any media type: the first", header: with(auth, "Accept", "*/*"),
			status: 200, media: "text/plain", example: "plainZ", body: "zzz"},
		{name: "JSON asked for: its first example", header: with(auth, "Accept", "application/json"),
			status: 200, media: "application/json", example: "jsonZ", body: `{"n":"z"}`},
		{name: "no credentials: the 401's first example", header: nil,
			status: 401, media: "application/json", example: "tokenMissing", body: `{"message":"token missing"}`},
		{name: "401 asked for: its first example", header: with(auth, "Prefer", "code=401"),
			status: 401, media: "application/json", example: "tokenMissing", body: `{"message":"token missing"}`},
		{name: "an example named: the response that has it", header: with(auth, "Prefer", "example=jwtExpired"),
			status: 401, media: "application/json", example: "jwtExpired", body: `{"message":"jwt expired"}`},
		{name: "an unknown code: the codes as written", header: with(auth, "Prefer", "code=418"),
			status: 404, choices: []string{"401", "200"}},
		{name: "an unknown example: the examples as written", header: with(auth, "Prefer", "example=nope"),
			status: 404, choices: []string{"401 tokenMissing", "401 jwtExpired", "200 plainZ", "200 plainA", "200 jsonZ", "200 jsonA"}},
		{name: "nothing acceptable: the media types as written", header: with(auth, "Accept", "image/png"),
			status: 406, choices: []string{"text/plain", "application/json"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			res := do(t, s, req{method: "GET", target: "/session", header: c.header})
			if res.status != c.status {
				t.Fatalf("status %d, want %d: %s", res.status, c.status, res.body)
			}
			if c.choices != nil {
				var p struct {
					Choices []string `json:"choices"`
				}
				if err := json.Unmarshal(res.body, &p); err != nil {
					t.Fatalf("not a problem: %v: %s", err, res.body)
				}
				if !slices.Equal(p.Choices, c.choices) {
					t.Errorf("choices %q, want %q", p.Choices, c.choices)
				}
				return
			}
			if mt, _, _ := mime.ParseMediaType(res.header.Get("Content-Type")); mt != c.media {
				t.Errorf("Content-Type %q, want %s", res.header.Get("Content-Type"), c.media)
			}
			if got := res.header.Get(mockserver.HeaderExample); got != c.example {
				t.Errorf("%s %q, want %q", mockserver.HeaderExample, got, c.example)
			}
			if got := strings.TrimSpace(string(res.body)); got != c.body {
				t.Errorf("body %s, want %s", got, c.body)
			}
			if got := res.header.Get("X-Session"); c.session != "" && got != c.session {
				t.Errorf("X-Session %q, want %q", got, c.session)
			}
		})
	}
}
