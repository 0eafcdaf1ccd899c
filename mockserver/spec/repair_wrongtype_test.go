package spec

import (
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// mediaTypes lists the media types of c, sorted.
func mediaTypes(c openapi3.Content) []string {
	return slices.Sorted(func(yield func(string) bool) {
		for k := range c {
			if !yield(k) {
				return
			}
		}
	})
}

func mapKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// wantKeys fails unless got (sorted) equals want.
func wantKeys(t *testing.T, what string, got []string, want ...string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s: got %q, want %q", what, got, want)
	}
}

// Entries of the wrong type where an object is expected are dropped, each with a note naming
// its JSON pointer, and the rest of the description is served.
func TestRepairWrongTypes(t *testing.T) {
	tests := []struct {
		name  string
		file  string // api.yaml or api.json
		text  string
		notes []string // exactly the repair notes expected, in document order
		check func(t *testing.T, d *Document)
	}{
		{
			name: "3.0 YAML: a string in a response's content",
			file: "api.yaml",
			text: `
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /a:
    get:
      responses:
        '200':
          description: ok
          content:
            description: ok
            application/json:
              schema: {type: object}
`,
			notes: []string{"repaired: dropped /paths/~1a/get/responses/200/content/description: a string where a media type object is expected"},
			check: func(t *testing.T, d *Document) {
				r := findOp(t, d, "GET", "/a").Op.Responses.Status(200).Value
				wantKeys(t, "200 media types", mediaTypes(r.Content), "application/json")
				if mt := r.Content.Get("application/json"); mt.Schema == nil || !mt.Schema.Value.Type.Is("object") {
					t.Errorf("application/json lost its schema: %+v", mt.Schema)
				}
			},
		},
		{
			name: "3.0 JSON: a number in a request body's content, a list as a response",
			file: "api.json",
			text: `{
  "openapi": "3.0.3",
  "info": {"title": "t", "version": "1"},
  "paths": {"/a": {"post": {
    "requestBody": {"content": {"foo": 1, "application/json": {"schema": {"type": "object"}}}},
    "responses": {"201": {"description": "made"}, "4XX": ["bad"]}
  }}}
}`,
			notes: []string{
				"repaired: dropped /paths/~1a/post/requestBody/content/foo: a number where a media type object is expected",
				"repaired: dropped /paths/~1a/post/responses/4XX: a list where a response object is expected",
			},
			check: func(t *testing.T, d *Document) {
				op := findOp(t, d, "POST", "/a").Op
				wantKeys(t, "request media types", mediaTypes(op.RequestBody.Value.Content), "application/json")
				wantKeys(t, "responses", mapKeys(op.Responses.Map()), "201")
			},
		},
		{
			name: "3.1 JSON: paths, methods, parameters, responses",
			file: "api.json",
			text: `{
  "openapi": "3.1.0",
  "info": {"title": "t", "version": "1"},
  "paths": {
    "/b": 12,
    "/a": {
      "parameters": ["x"],
      "post": "nope",
      "get": {
        "parameters": [3, {"name": "q", "in": "query", "schema": {"type": "string"}}, true],
        "responses": {"404": "not found", "description": "stray", "200": {"description": "ok",
          "content": {"application/json": {"schema": {"type": "object"}}, "text/plain": false}}}
      }
    }
  }
}`,
			notes: []string{
				"repaired: dropped /paths/~1b: a number where a path item object is expected",
				"repaired: dropped /paths/~1a/parameters/0: a string where a parameter object is expected",
				"repaired: dropped /paths/~1a/get/parameters/0: a number where a parameter object is expected",
				"repaired: dropped /paths/~1a/get/parameters/2: a boolean where a parameter object is expected",
				"repaired: dropped /paths/~1a/get/responses/404: a string where a response object is expected",
				"repaired: dropped /paths/~1a/get/responses/description: a string where a response object is expected",
				"repaired: dropped /paths/~1a/get/responses/200/content/text~1plain: a boolean where a media type object is expected",
				"repaired: dropped /paths/~1a/post: a string where an operation object is expected",
			},
			check: func(t *testing.T, d *Document) {
				if len(d.Ops) != 1 {
					t.Errorf("want only GET /a, got %d operations", len(d.Ops))
				}
				o := findOp(t, d, "GET", "/a")
				if len(o.Params) != 1 || o.Params[0].Name != "q" {
					t.Errorf("want only the parameter q, got %d", len(o.Params))
				}
				wantKeys(t, "responses", mapKeys(o.Op.Responses.Map()), "200")
				wantKeys(t, "200 media types", mediaTypes(o.Op.Responses.Status(200).Value.Content), "application/json")
			},
		},
		{
			name: "3.0 YAML: headers, examples, properties, links, encoding, callbacks",
			file: "api.yaml",
			text: `
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /a:
    post:
      requestBody:
        content:
          multipart/form-data:
            schema: {type: object, properties: {file: {type: string}}}
            encoding:
              file: binary
      callbacks:
        bad: x
        done:
          '{$request.body#/url}': 7
          '{$request.body#/other}':
            post:
              responses: {'200': {description: ok}}
      responses:
        '200':
          description: ok
          headers:
            X-A: text
            X-B: {schema: {type: string}}
          links:
            self: here
          content:
            application/json:
              schema:
                type: object
                properties:
                  a: string
                  b: {type: string}
                  c: true
              examples:
                bad: [1]
                good: {value: {b: x}}
`,
			notes: []string{
				"repaired: dropped /paths/~1a/post/requestBody/content/multipart~1form-data/encoding/file: a string where an encoding object is expected",
				"repaired: dropped /paths/~1a/post/responses/200/headers/X-A: a string where a header object is expected",
				"repaired: dropped /paths/~1a/post/responses/200/content/application~1json/schema/properties/a: a string where a schema is expected",
				"repaired: dropped /paths/~1a/post/responses/200/content/application~1json/examples/bad: a list where an example object is expected",
				"repaired: dropped /paths/~1a/post/responses/200/links/self: a string where a link object is expected",
				"repaired: dropped /paths/~1a/post/callbacks/bad: a string where a callback object is expected",
				"repaired: dropped /paths/~1a/post/callbacks/done/{$request.body#~1url}: a number where a path item object is expected",
			},
			check: func(t *testing.T, d *Document) {
				op := findOp(t, d, "POST", "/a").Op
				body := op.RequestBody.Value.Content.Get("multipart/form-data")
				if body == nil || body.Schema == nil || len(body.Encoding) != 0 {
					t.Errorf("multipart body should keep its schema and lose its encoding: %+v", body)
				}
				r := op.Responses.Status(200).Value
				wantKeys(t, "headers", mapKeys(r.Headers), "X-B")
				wantKeys(t, "links", mapKeys(r.Links))
				mt := r.Content.Get("application/json")
				// A boolean schema is not dropped: kin-openapi reads it (doc.Validate warns before 3.1).
				wantKeys(t, "properties", mapKeys(mt.Schema.Value.Properties), "b", "c")
				wantKeys(t, "examples", mapKeys(mt.Examples), "good")
				wantKeys(t, "callbacks", mapKeys(op.Callbacks), "done")
				if cb := op.Callbacks["done"].Value; cb.Len() != 1 || cb.Value("{$request.body#/other}") == nil {
					t.Errorf("callback done should keep its one path item")
				}
			},
		},
		{
			name: "3.0 YAML: the components' maps",
			file: "api.yaml",
			text: `
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /a:
    get:
      responses:
        '200': {$ref: '#/components/responses/Ok'}
components:
  schemas: {Bad: 5, Good: {type: string}}
  responses: {Bad: [x], Ok: {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Good'}}}}}
  parameters: {Bad: true}
  examples: {Bad: x}
  requestBodies: {Bad: x}
  headers: {Bad: x}
  securitySchemes: {Bad: x}
  links: {Bad: x}
  callbacks: {Bad: x}
`,
			notes: []string{
				"repaired: dropped /components/schemas/Bad: a number where a schema is expected",
				"repaired: dropped /components/responses/Bad: a list where a response object is expected",
				"repaired: dropped /components/parameters/Bad: a boolean where a parameter object is expected",
				"repaired: dropped /components/examples/Bad: a string where an example object is expected",
				"repaired: dropped /components/requestBodies/Bad: a string where a request body object is expected",
				"repaired: dropped /components/headers/Bad: a string where a header object is expected",
				"repaired: dropped /components/securitySchemes/Bad: a string where a security scheme object is expected",
				"repaired: dropped /components/links/Bad: a string where a link object is expected",
				"repaired: dropped /components/callbacks/Bad: a string where a callback object is expected",
			},
			check: func(t *testing.T, d *Document) {
				c := d.Doc.Components
				wantKeys(t, "schemas", mapKeys(c.Schemas), "Good")
				wantKeys(t, "responses", mapKeys(c.Responses), "Ok")
				n := len(c.Parameters) + len(c.Examples) + len(c.RequestBodies) + len(c.Headers) +
					len(c.SecuritySchemes) + len(c.Links) + len(c.Callbacks)
				if n != 0 {
					t.Errorf("%d malformed components left", n)
				}
				mt := findOp(t, d, "GET", "/a").Op.Responses.Status(200).Value.Content.Get("application/json")
				if mt == nil || mt.Schema == nil || !mt.Schema.Value.Type.Is("string") {
					t.Errorf("GET /a should answer the Good schema, got %+v", mt)
				}
			},
		},
		{
			name: "3.0 YAML: x- keys are kept, whatever their value",
			file: "api.yaml",
			text: `
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  x-paths: 1
  /a:
    x-item: [2]
    get:
      x-op: three
      responses:
        x-responses: 4
        '200':
          description: ok
          content:
            description: ok
            application/json: {schema: {type: object}}
`,
			notes: []string{"repaired: dropped /paths/~1a/get/responses/200/content/description: a string where a media type object is expected"},
			check: func(t *testing.T, d *Document) {
				o := findOp(t, d, "GET", "/a")
				for what, ext := range map[string]map[string]any{
					"x-paths": d.Doc.Paths.Extensions, "x-item": o.PathItem.Extensions,
					"x-op": o.Op.Extensions, "x-responses": o.Op.Responses.Extensions,
				} {
					if _, ok := ext[what]; !ok {
						t.Errorf("extension %s dropped", what)
					}
				}
				wantKeys(t, "200 media types", mediaTypes(o.Op.Responses.Status(200).Value.Content), "application/json")
			},
		},
		{
			name: "3.0 YAML: null is dropped only where kin-openapi refuses it",
			file: "api.yaml",
			text: `
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /gone:
  /c:
    get:
  /a:
    get:
      parameters: [null]
      requestBody:
      responses:
        '404':
        '200':
          description: ok
          content:
            text/plain:
            application/json: {schema: {type: object}}
`,
			notes: []string{
				"repaired: dropped /paths/~1a/get/parameters/0: null where a parameter object is expected",
				"repaired: dropped /paths/~1a/get/responses/404: null where a response object is expected",
			},
			check: func(t *testing.T, d *Document) {
				o := findOp(t, d, "GET", "/a")
				wantKeys(t, "responses", mapKeys(o.Op.Responses.Map()), "200")
				if len(o.Params) != 0 || o.Op.RequestBody != nil {
					t.Errorf("want no parameter and no request body")
				}
				// The null media type is left to the index, which leaves it out as before.
				wantKeys(t, "200 media types", mediaTypes(o.Op.Responses.Status(200).Value.Content), "application/json")
				if len(d.Ops) != 1 {
					t.Errorf("want only GET /a, got %d operations", len(d.Ops))
				}
			},
		},
		{
			name: "3.0 YAML: a list or text where a map or list is expected",
			file: "api.yaml",
			text: `
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /a:
    parameters: {q: 1}
    get:
      responses:
        '200':
          description: ok
          content: [application/json]
        '201':
          description: made
          headers: none
          content:
            application/json:
              schema: {type: object}
              examples: [{a: 1}]
`,
			notes: []string{
				"repaired: dropped /paths/~1a/parameters: an object where a list of parameter objects is expected",
				"repaired: dropped /paths/~1a/get/responses/200/content: a list where a map of media type objects is expected",
				"repaired: dropped /paths/~1a/get/responses/201/headers: a string where a map of header objects is expected",
				"repaired: dropped /paths/~1a/get/responses/201/content/application~1json/examples: a list where a map of example objects is expected",
			},
			check: func(t *testing.T, d *Document) {
				rs := findOp(t, d, "GET", "/a").Op.Responses
				wantKeys(t, "200 media types", mediaTypes(rs.Status(200).Value.Content))
				wantKeys(t, "201 media types", mediaTypes(rs.Status(201).Value.Content), "application/json")
			},
		},
		{
			name: "Swagger 2.0 JSON",
			file: "api.json",
			text: `{
  "swagger": "2.0",
  "info": {"title": "t", "version": "1"},
  "produces": ["application/json"],
  "paths": {
    "/b": "x",
    "/a": {"get": {
      "parameters": [3, {"name": "q", "in": "query", "type": "string"}],
      "responses": {
        "404": "not found",
        "200": {"description": "ok", "headers": {"X-A": 1, "X-B": {"type": "string"}},
          "schema": {"type": "object", "properties": {"a": "string", "b": {"type": "string"}}}}
      }
    }}
  },
  "definitions": {"Bad": 5, "Good": {"type": "string"}}
}`,
			notes: []string{
				"repaired: dropped /paths/~1b: a string where a path item object is expected",
				"repaired: dropped /paths/~1a/get/parameters/0: a number where a parameter object is expected",
				"repaired: dropped /paths/~1a/get/responses/404: a string where a response object is expected",
				"repaired: dropped /paths/~1a/get/responses/200/schema/properties/a: a string where a schema is expected",
				"repaired: dropped /paths/~1a/get/responses/200/headers/X-A: a number where a header object is expected",
				"repaired: dropped /definitions/Bad: a number where a schema is expected",
			},
			check: func(t *testing.T, d *Document) {
				o := findOp(t, d, "GET", "/a")
				if len(o.Params) != 1 || o.Params[0].Name != "q" {
					t.Errorf("want only the parameter q, got %d", len(o.Params))
				}
				wantKeys(t, "responses", mapKeys(o.Op.Responses.Map()), "200")
				r := o.Op.Responses.Status(200).Value
				wantKeys(t, "headers", mapKeys(r.Headers), "X-B")
				wantKeys(t, "200 media types", mediaTypes(r.Content), "application/json")
				wantKeys(t, "properties", mapKeys(r.Content.Get("application/json").Schema.Value.Properties), "b")
				wantKeys(t, "schemas", mapKeys(d.Doc.Components.Schemas), "Good")
			},
		},
		{
			name: "Swagger 2.0 YAML",
			file: "api.yaml",
			text: `
swagger: "2.0"
info: {title: t, version: "1"}
paths:
  /a:
    post: 5
    get:
      produces: [application/json]
      responses:
        default: oops
        '200':
          description: ok
          schema: {type: object}
`,
			notes: []string{
				// The walk takes a path item's methods in the order get, put, post …
				"repaired: dropped /paths/~1a/get/responses/default: a string where a response object is expected",
				"repaired: dropped /paths/~1a/post: a number where an operation object is expected",
			},
			check: func(t *testing.T, d *Document) {
				if len(d.Ops) != 1 {
					t.Errorf("want only GET /a, got %d operations", len(d.Ops))
				}
				rs := findOp(t, d, "GET", "/a").Op.Responses
				wantKeys(t, "responses", mapKeys(rs.Map()), "200")
				wantKeys(t, "200 media types", mediaTypes(rs.Status(200).Value.Content), "application/json")
			},
		},
		{
			// json.Unmarshal leaves these nulls in openapi2.T and openapi2conv dereferences
			// them: the conversion's panic became a refusal, and the repair drops them.
			name: "Swagger 2.0 YAML: nulls",
			file: "api.yaml",
			text: `
swagger: "2.0"
info: {title: t, version: "1"}
paths:
  /gone:
  /a:
    get:
      parameters: [null, {name: q, in: query, type: string}]
      responses:
        '404':
        '200':
          description: ok
          headers: {X-A: null, X-B: {type: string}}
          schema: {type: object}
parameters: {P: null}
responses: {R: null}
securityDefinitions: {S: null}
`,
			notes: []string{
				"repaired: dropped /paths/~1gone: null where a path item object is expected",
				"repaired: dropped /paths/~1a/get/parameters/0: null where a parameter object is expected",
				"repaired: dropped /paths/~1a/get/responses/404: null where a response object is expected",
				"repaired: dropped /paths/~1a/get/responses/200/headers/X-A: null where a header object is expected",
				"repaired: dropped /parameters/P: null where a parameter object is expected",
				"repaired: dropped /responses/R: null where a response object is expected",
				"repaired: dropped /securityDefinitions/S: null where a security scheme object is expected",
			},
			check: func(t *testing.T, d *Document) {
				o := findOp(t, d, "GET", "/a")
				if len(o.Params) != 1 || o.Params[0].Name != "q" {
					t.Errorf("want only the parameter q, got %d", len(o.Params))
				}
				wantKeys(t, "responses", mapKeys(o.Op.Responses.Map()), "200")
				r := o.Op.Responses.Status(200).Value
				wantKeys(t, "headers", mapKeys(r.Headers), "X-B")
				wantKeys(t, "200 media types", mediaTypes(r.Content), "application/json")
			},
		},
		{
			name: "3.0 JSON: components that are not an object",
			file: "api.json",
			text: `{
  "openapi": "3.0.3",
  "info": {"title": "t", "version": "1"},
  "paths": {"/a": {"get": {"responses": {"200": {"description": "ok"}}}}},
  "components": "none"
}`,
			notes: []string{"repaired: dropped /components: a string where a components object is expected"},
			check: func(t *testing.T, d *Document) { findOp(t, d, "GET", "/a") },
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := loadRepaired(t, map[string]string{tc.file: tc.text}, tc.file)
			if !strings.HasSuffix(d.File, tc.file) {
				t.Errorf("Document.File = %q, want the file loaded", d.File)
			}
			if got := repairNotes(d); !slices.Equal(got, tc.notes) {
				t.Errorf("repair notes:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(tc.notes, "\n  "))
			}
			tc.check(t, d)
		})
	}
}
