package spec

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/mockserver/mockserver/mockserver/internal/corpustest"
)

// orderAt answers one question about d's document order, written as
//
//	"GET /a responses"                        the response keys
//	"GET /a 200 content"                      a response's media types
//	"GET /a 200 application/json examples"    a response media type's example names
//	"GET /a 200 header X-Rate examples"       a response header's example names
//	"GET /a body content"                     the request body's media types
//	"GET /a body application/json examples"   a request body media type's example names
//	"GET /a param q examples"                 an operation parameter's example names
//
// found is false when what the question names is not in the loaded description.
func orderAt(d *Document, where string) (got []string, found bool) {
	f := strings.Fields(where)
	var op *Operation
	for _, o := range d.Ops {
		if o.Method == f[0] && o.Path == f[1] {
			op = o
		}
	}
	if op == nil || len(f) < 3 {
		return nil, false
	}
	switch {
	case f[2] == "responses":
		return d.ResponseOrder(op.Op.Responses), true
	case f[2] == "param":
		for _, p := range op.Params {
			if p.Name == f[3] {
				return d.ExampleOrder(p), true
			}
		}
		return nil, false
	case f[2] == "body":
		if op.Op.RequestBody == nil || op.Op.RequestBody.Value == nil {
			return nil, false
		}
		return contentOrder(d, op.Op.RequestBody.Value, op.Op.RequestBody.Value.Content, f[3:])
	}
	ref := op.Op.Responses.Value(f[2])
	if ref == nil || ref.Value == nil || len(f) < 4 {
		return nil, false
	}
	if f[3] == "header" {
		h := ref.Value.Headers[f[4]]
		if h == nil || h.Value == nil {
			return nil, false
		}
		return d.ExampleOrder(h.Value), true
	}
	return contentOrder(d, ref.Value, ref.Value.Content, f[3:])
}

func contentOrder(d *Document, owner any, c openapi3.Content, f []string) ([]string, bool) {
	if f[0] == "content" {
		return d.MediaOrder(owner), true
	}
	mt := c[f[0]]
	if mt == nil {
		return nil, false
	}
	return d.ExampleOrder(mt), true
}

func TestDocumentOrder(t *testing.T) {
	for _, c := range []struct {
		name  string
		files map[string]string // the first file named api.* is the root
		want  map[string][]string
		// none lists questions without a recovered order (the caller keeps its own).
		none []string
	}{
		{
			name: "JSON 3.0, shared components",
			files: map[string]string{"api.json": `{"openapi": "3.0.3", "info": {"title": "t", "version": "1"},
"paths": {"/a": {
  "get": {
    "parameters": [{"name": "q", "in": "query", "schema": {"type": "string"},
      "examples": {"zeta": {"value": "z"}, "alpha": {"value": "a"}}}],
    "responses": {
      "401": {"description": "no", "content": {"application/json": {"examples": {
        "tokenMissing": {"value": {"m": "token missing"}}, "jwtExpired": {"value": {"m": "jwt expired"}}}}}},
      "200": {"description": "ok",
        "headers": {"X-Rate": {"schema": {"type": "integer"}, "examples": {"low": {"value": 1}, "high": {"value": 2}}}},
        "content": {"text/plain": {"schema": {"type": "string"}},
          "application/json; charset=utf-8": {"schema": {"type": "object"}},
          "application/xml": {}}},
      "default": {"$ref": "#/components/responses/Problem"}}},
  "post": {
    "requestBody": {"$ref": "#/components/requestBodies/Pet"},
    "responses": {"default": {"$ref": "#/components/responses/Problem"}, "201": {"description": "made"}}}}},
"components": {
  "responses": {"Problem": {"description": "p", "content": {
    "application/problem+json": {"examples": {"zz": {"value": {}}, "bb": {"value": {}}}},
    "application/json": {}}}},
  "requestBodies": {"Pet": {"content": {
    "application/x-www-form-urlencoded": {"schema": {"type": "object"}},
    "application/json": {"schema": {"type": "object"}, "examples": {"cat": {"value": {}}, "bird": {"value": {}}}}}}}}}`},
			want: map[string][]string{
				"GET /a responses":                                  {"401", "200", "default"},
				"GET /a 401 application/json examples":              {"tokenMissing", "jwtExpired"},
				"GET /a 200 content":                                {"text/plain", "application/json", "application/xml"},
				"GET /a 200 header X-Rate examples":                 {"low", "high"},
				"GET /a param q examples":                           {"zeta", "alpha"},
				"GET /a default content":                            {"application/problem+json", "application/json"},
				"GET /a default application/problem+json examples":  {"zz", "bb"},
				"POST /a responses":                                 {"default", "201"},
				"POST /a default application/problem+json examples": {"zz", "bb"},
				"POST /a body content":                              {"application/x-www-form-urlencoded", "application/json"},
				"POST /a body application/json examples":            {"cat", "bird"},
			},
		},
		{
			name: "YAML 3.1, $refs to components and to a path item",
			files: map[string]string{"api.yaml": `
openapi: 3.1.0
info: {title: t, version: '1'}
paths:
  /b:
    $ref: '#/paths/~1a'
  /a:
    get:
      parameters:
        - $ref: '#/components/parameters/Q'
      responses:
        '404': {$ref: '#/components/responses/NotFound'}
        '200':
          description: ok
          headers:
            X-Rate: {$ref: '#/components/headers/Rate'}
          content:
            text/csv:
              schema: {type: string}
            application/json:
              schema: {type: object}
              examples:
                second: {value: {n: 2}}
                first: &first {value: {n: 1}}
                again: *first
        4XX: {description: client}
        2XX: {description: other}
components:
  parameters:
    Q: {name: q, in: query, schema: {type: string}, examples: {'y': {value: y}, x: {value: x}}}
  headers:
    Rate: {schema: {type: integer}, examples: {many: {value: 9}, few: {value: 1}}}
  responses:
    NotFound:
      $ref: '#/components/responses/Missing'
    Missing:
      description: missing
      content:
        application/problem+json:
          examples: {gone: {value: {}}, absent: {value: {}}}
`},
			want: map[string][]string{
				"GET /a responses":                             {"404", "200", "4XX", "2XX"},
				"GET /a 200 content":                           {"text/csv", "application/json"},
				"GET /a 200 application/json examples":         {"second", "first", "again"},
				"GET /a 200 header X-Rate examples":            {"many", "few"},
				"GET /a param q examples":                      {"y", "x"},
				"GET /a 404 application/problem+json examples": {"gone", "absent"},
				"GET /b responses":                             {"404", "200", "4XX", "2XX"},
				"GET /b 200 application/json examples":         {"second", "first", "again"},
			},
		},
		{
			name: "Swagger 2.0: produces, consumes, examples by media type",
			files: map[string]string{"api.yaml": `
swagger: '2.0'
info: {title: t, version: '1'}
produces: [application/xml, application/json]
consumes: [text/plain, application/json]
paths:
  /a:
    get:
      produces: [text/csv, application/json]
      responses:
        '404': {description: no, schema: {type: string}}
        '200':
          description: ok
          schema: {type: object}
          examples:
            text/html: <p/>
            application/json: {a: 1}
        default: {$ref: '#/responses/Problem'}
    post:
      parameters:
        - {name: body, in: body, schema: {type: object}}
      responses:
        '201': {description: made, schema: {type: object}}
responses:
  Problem:
    description: problem
    schema: {type: object}
    examples: {application/problem+json: {}}
`},
			want: map[string][]string{
				"GET /a responses":       {"404", "200", "default"},
				"GET /a 200 content":     {"text/csv", "application/json", "text/html"},
				"GET /a 404 content":     {"text/csv", "application/json"},
				"GET /a default content": {"application/xml", "application/json", "application/problem+json"},
				"POST /a body content":   {"text/plain", "application/json"},
				// kin-openapi answers an operation without produces as application/json.
				"POST /a 201 content": {"application/json"},
			},
		},
		{
			name: "$refs to other files",
			files: map[string]string{
				"api.yaml": `
openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /a:
    post:
      requestBody: {$ref: 'parts/bodies.json#/Pet'}
      responses:
        '500': {description: boom}
        '200': {$ref: 'parts/ok.yaml'}
        '404': {$ref: 'parts/ok.yaml#/components/responses/Missing'}
        '201': {$ref: 'parts/one.yaml'}
`,
				"parts/one.yaml": `{description: one, content: {application/json: {examples: {only: {value: {}}}}}}`,
				"parts/ok.yaml": `
description: ok
content:
  text/plain: {examples: {b: {value: b}, a: {value: a}}}
  application/json: {examples: {d: {value: {}}, c: {value: {}}}}
components:
  responses:
    Missing:
      description: missing
      content: {application/xml: {}, application/json: {}}
`,
				"parts/bodies.json": `{"Pet": {"content": {"text/plain": {}, "application/json": {"examples": {"z": {"value": {}}, "y": {"value": {}}}}}}}`,
			},
			want: map[string][]string{
				"POST /a responses":                      {"500", "200", "404", "201"},
				"POST /a 200 content":                    {"text/plain", "application/json"},
				"POST /a 200 application/json examples":  {"d", "c"},
				"POST /a 404 content":                    {"application/xml", "application/json"},
				"POST /a body content":                   {"text/plain", "application/json"},
				"POST /a body application/json examples": {"z", "y"},
			},
			// One key has one order: the file is not read for it.
			none: []string{"POST /a 201 content", "POST /a 201 application/json examples"},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := writeFiles(t, c.files)
			root := "api.yaml"
			if _, ok := c.files["api.json"]; ok {
				root = "api.json"
			}
			d, err := LoadFile(context.Background(), filepath.Join(dir, root), Options{SkipValidation: true})
			if err != nil {
				t.Fatalf("LoadFile: %v", err)
			}
			for where, want := range c.want {
				got, found := orderAt(d, where)
				if !found {
					t.Errorf("%s: not in the loaded description", where)
				} else if !slices.Equal(got, want) {
					t.Errorf("%s: got %q, want %q", where, got, want)
				}
			}
			for _, where := range c.none {
				if got, found := orderAt(d, where); !found || got != nil {
					t.Errorf("%s: got %q (found %v), want no order", where, got, found)
				}
			}
		})
	}
}

// An order lists exactly the keys of its map, each once: those written first, in order, then
// the others sorted; keys the map lacks are dropped.
func TestInOrder(t *testing.T) {
	large := map[string]int{}
	var largeWant []string
	for i := range 20 {
		large[fmt.Sprintf("k%02d", i)] = i
	}
	for i := 19; i >= 10; i-- {
		largeWant = append(largeWant, fmt.Sprintf("k%02d", i))
	}
	for i := range 10 {
		largeWant = append(largeWant, fmt.Sprintf("k%02d", i))
	}
	for _, c := range []struct {
		order []string
		m     map[string]int
		want  []string
	}{
		{[]string{"b", "a"}, map[string]int{"a": 1, "b": 2}, []string{"b", "a"}},
		{[]string{"z", "b", "b", "x"}, map[string]int{"a": 1, "b": 2, "c": 3}, []string{"b", "a", "c"}},
		{nil, map[string]int{"b": 1, "a": 2}, []string{"a", "b"}},
		{[]string{"a"}, nil, []string{}},
		{[]string{"k19", "k18", "k17", "k16", "k15", "k14", "k13", "k12", "k11", "k10", "k19", "zz"}, large, largeWant},
	} {
		if got := inOrder(c.order, c.m); !slices.Equal(got, c.want) || got == nil {
			t.Errorf("inOrder(%q, %d keys) = %q, want %q", c.order, len(c.m), got, c.want)
		}
	}
}

// Every order recovered from the corpus lists exactly the keys of the map it orders, and where
// a description is known not to write them sorted, the order is the file's.
func TestDocumentOrderCorpus(t *testing.T) {
	if testing.Short() {
		t.Skip("loads every description of the corpus")
	}
	root := corpustest.Dir(t)
	files, err := discover(root)
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]map[string][]string{
		"github-api.github.com.json": {
			"GET /repos/{owner}/{repo}/contents/{path} 200 content": {"application/vnd.github.object", "application/json"},
			"GET /repos/{owner}/{repo}/contents/{path} 200 application/json examples": {
				"response-if-content-is-a-file", "response-if-content-is-a-directory",
				"response-if-content-is-a-symlink", "response-if-content-is-a-submodule"},
			"PATCH /gists/{gist_id} 200 application/json examples":  {"updateGist", "deleteFile", "renameFile"},
			"PATCH /gists/{gist_id} body application/json examples": {"updateGist", "deleteFile", "renameFile"},
		},
		"real/openai/openapi.yaml": {
			"GET /videos/{video_id}/content 200 content": {"video/mp4", "image/webp", "application/json"},
		},
		"real/swagger-petstore/v3-openapi.yaml": {
			"GET /user/login 200 content": {"application/xml", "application/json"},
		},
		"real/twilio/twilio_api_v2010.yaml": {
			"GET /2010-04-01/Accounts/{AccountSid}/Addresses.json 200 application/json examples": {"readFull", "readEmpty"},
		},
		"real/swagger-petstore/v2-swagger.json": {
			"GET /pet/findByStatus 200 content": {"application/xml", "application/json"},
		},
		// produces: json, yaml, protobuf, json;stream=watch … served as three media types.
		"real/kubernetes/swagger.json": {
			"GET /api/v1/componentstatuses 200 content": {"application/json", "application/yaml", "application/vnd.kubernetes.protobuf"},
		},
	}
	for rel := range known {
		if !slices.Contains(files, filepath.Join(root, filepath.FromSlash(rel))) {
			t.Errorf("%s: not in the corpus", rel)
		}
	}
	for _, file := range files {
		rel, _ := filepath.Rel(root, file)
		rel = filepath.ToSlash(rel)
		t.Run(rel, func(t *testing.T) {
			d, err := LoadFile(context.Background(), file, Options{SkipValidation: true})
			if err != nil {
				if known[rel] != nil {
					t.Fatalf("LoadFile: %v", err)
				}
				t.Skipf("not loaded: %v", err)
			}
			var c orderCount
			for _, o := range d.Ops {
				if o.Op.Responses.Len() > 0 {
					checkOrder(t, &c, o.ID+" responses", d.ResponseOrder(o.Op.Responses), o.Op.Responses.Map())
				}
				for code, ref := range o.Op.Responses.Map() {
					if ref == nil || ref.Value == nil {
						continue
					}
					c.content(t, d, o.ID+" "+code, ref.Value, ref.Value.Content)
					for name, h := range ref.Value.Headers {
						if h != nil && h.Value != nil && len(h.Value.Examples) > 0 {
							checkOrder(t, &c, o.ID+" "+code+" header "+name, d.ExampleOrder(h.Value), h.Value.Examples)
						}
					}
				}
				if rb := o.Op.RequestBody; rb != nil && rb.Value != nil {
					c.content(t, d, o.ID+" body", rb.Value, rb.Value.Content)
				}
				for _, p := range o.Params {
					if len(p.Examples) > 0 {
						checkOrder(t, &c, o.ID+" param "+p.Name, d.ExampleOrder(p), p.Examples)
					}
				}
			}
			t.Logf("%d operations; %d of %d orders recovered; %d of more than one key lost", len(d.Ops), c.known, c.lists, c.lost)
			if c.lists > 0 && c.known == 0 {
				t.Errorf("no order recovered")
			}
			for where, want := range known[rel] {
				got, found := orderAt(d, where)
				if !found {
					t.Errorf("%s: not in the loaded description", where)
				} else if !slices.Equal(got, want) {
					t.Errorf("%s: got %q, want %q", where, got, want)
				}
			}
		})
	}
}

// orderCount checks recovered orders and counts them: lists with more than one key matter.
type orderCount struct{ lists, known, lost int }

func (c *orderCount) content(t *testing.T, d *Document, where string, owner any, content openapi3.Content) {
	t.Helper()
	if len(content) == 0 {
		return
	}
	checkOrder(t, c, where+" content", d.MediaOrder(owner), content)
	for mt, m := range content {
		if m != nil && len(m.Examples) > 0 {
			checkOrder(t, c, where+" "+mt+" examples", d.ExampleOrder(m), m.Examples)
		}
	}
}

// checkOrder: a recovered order lists the keys of m, each once.
func checkOrder[V any](t *testing.T, c *orderCount, where string, got []string, m map[string]V) {
	t.Helper()
	c.lists++
	if got == nil {
		if len(m) > 1 {
			c.lost++
		}
		return
	}
	c.known++
	want := make([]string, 0, len(m))
	for k := range m {
		want = append(want, k)
	}
	sort.Strings(want)
	sorted := slices.Clone(got)
	sort.Strings(sorted)
	if !slices.Equal(sorted, want) {
		t.Errorf("%s: order %q does not list the keys %q", where, got, want)
	}
}

// BenchmarkDocumentOrder measures what LoadFile adds to read the document order of the large
// descriptions: the scan of the text it loads, and matching it with the loaded document.
func BenchmarkDocumentOrder(b *testing.B) {
	root := corpustest.Dir(b)
	for _, rel := range []string{
		"github-api.github.com.json",
		"stripe-spec3.json",
		"real/kubernetes/swagger.json",
		"real/digitalocean/specification/DigitalOcean-public.v2.yaml",
		"real/openai/openapi.yaml",
	} {
		b.Run(rel, func(b *testing.B) {
			file := filepath.Join(root, filepath.FromSlash(rel))
			data, err := os.ReadFile(file)
			if err != nil {
				b.Skipf("not in this corpus: %v", err)
			}
			version, kind := sniffVersion(data)
			v2 := kind == "swagger" && strings.HasPrefix(version, "2")
			if hasExternalRef(data) || hasSchemaMapRef(data) {
				abs, _ := filepath.Abs(file)
				if out, _, err := bundle(kind, data, abs); err == nil && out != nil {
					data = out
				}
			}
			d, err := LoadFile(context.Background(), file, Options{SkipValidation: true})
			if err != nil {
				b.Fatal(err)
			}
			b.Run("scan", func(b *testing.B) {
				for b.Loop() {
					if scanOrder(data, v2) == nil {
						b.Fatal("no order")
					}
				}
			})
			raw := scanOrder(data, v2)
			abs, _ := filepath.Abs(file)
			b.Run("assign", func(b *testing.B) {
				for b.Loop() {
					raw.assign(d.Doc, filepath.Dir(abs))
				}
			})
		})
	}
}

// The order scan never panics nor loops, whatever the text (it reads text kin-openapi loaded,
// but a repaired or bundled one too).
func FuzzScanOrder(f *testing.F) {
	f.Add([]byte(`{"paths":{"/a":{"get":{"responses":{"200":{"content":{"a/b":{"examples":{"x":{},"y":{}}}}}}}}}}`), false)
	f.Add([]byte(`{"paths":{"/a":{"$ref":"#/paths/~1a"}},"components":{"responses":{"R":{"$ref":"#/components/responses/R"}}}}`), false)
	f.Add([]byte(`{"produces":["a/b",1,null],"paths":{"/a":{"get":{"responses":{"200":{"examples":{"a/b":1}}}}}}}`), true)
	f.Add([]byte("paths:\n  /a:\n    get:\n      responses:\n        '200': &r {content: {a/b: {examples: {x: 1}}}}\n        '201': *r\n"), false)
	f.Add([]byte(`{"paths":{"/a":{"get":{"responses":{"200":{"content":[1,{"x":"\u0022"}]}}}}}`), false)
	f.Add([]byte(`{"paths":{"/a":{"get":`), false)
	f.Fuzz(func(t *testing.T, data []byte, v2 bool) {
		if len(data) > 1<<16 {
			return
		}
		if d := scanOrder(data, v2); d != nil {
			for p := range d.paths {
				d.pathItem(p)
			}
		}
	})
}
