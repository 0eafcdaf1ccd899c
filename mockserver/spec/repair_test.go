package spec

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mockserver/mockserver/mockserver/internal/corpustest"
)

// loadRepaired writes the files (name → content) to a temporary directory and loads the first
// one named root through LoadFile; it fails the test unless the description loads.
func loadRepaired(t *testing.T, files map[string]string, root string) *Document {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	d, err := LoadFile(context.Background(), filepath.Join(dir, root), Options{})
	if err != nil {
		t.Fatalf("LoadFile: %v", err)
	}
	return d
}

// repairNotes returns the warnings that are repair notes.
func repairNotes(d *Document) []string {
	var out []string
	for _, w := range d.Warnings {
		if strings.HasPrefix(w, "repaired: ") {
			out = append(out, w)
		}
	}
	return out
}

// wantNote fails unless some note contains every one of parts.
func wantNote(t *testing.T, notes []string, parts ...string) {
	t.Helper()
	for _, n := range notes {
		ok := true
		for _, p := range parts {
			if !strings.Contains(n, p) {
				ok = false
				break
			}
		}
		if ok {
			return
		}
	}
	t.Errorf("no note contains all of %q; notes:\n  %s", parts, strings.Join(notes, "\n  "))
}

func findOp(t *testing.T, d *Document, method, path string) *Operation {
	t.Helper()
	for _, o := range d.Ops {
		if o.Method == method && o.Path == path {
			return o
		}
	}
	t.Fatalf("no operation %s %s among %d", method, path, len(d.Ops))
	return nil
}

func TestRepairDanglingRefs30(t *testing.T) {
	d := loadRepaired(t, map[string]string{"api.json": `{
  "openapi": "3.0.3",
  "info": {"title": "t", "version": "1"},
  "paths": {
    "/pets": {
      "post": {
        "parameters": [
          {"$ref": "#/components/parameters/Gone"},
          {"name": "q", "in": "query", "schema": {"type": "string"}}
        ],
        "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Missing"}}}},
        "responses": {
          "200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}}},
          "404": {"$ref": "#/components/responses/NoSuchResponse"}
        }
      },
      "put": {
        "requestBody": {"$ref": "#/components/requestBodies/NoBody"},
        "responses": {"204": {"description": "done"}}
      }
    }
  },
  "components": {"schemas": {"Pet": {"type": "object", "properties": {"owner": {"$ref": "#/components/schemas/Owner"}}}}}
}`}, "api.json")
	notes := repairNotes(d)
	wantNote(t, notes, `"#/components/schemas/Missing"`, "points to nothing", "empty schema {}")
	wantNote(t, notes, `"#/components/schemas/Owner"`, "/components/schemas/Pet/properties/owner")
	wantNote(t, notes, `"#/components/parameters/Gone"`, "parameter removed")
	wantNote(t, notes, `"#/components/responses/NoSuchResponse"`, "response with no body")
	wantNote(t, notes, `"#/components/requestBodies/NoBody"`, "empty request body")
	if len(notes) != 5 {
		t.Errorf("want 5 notes, got %d: %q", len(notes), notes)
	}

	post := findOp(t, d, "POST", "/pets")
	if len(post.Params) != 1 || post.Params[0].Name != "q" {
		t.Errorf("want only parameter q left, got %d", len(post.Params))
	}
	s := post.Op.RequestBody.Value.Content.Get("application/json").Schema
	if s == nil || s.Ref != "" || s.Value == nil || !s.Value.IsEmpty() {
		t.Errorf("missing schema should be {}, got %+v", s)
	}
	if r := post.Op.Responses.Status(404); r == nil || r.Value == nil || r.Value.Description == nil {
		t.Errorf("404 should be a response with a description")
	}
	if owner := d.Doc.Components.Schemas["Pet"].Value.Properties["owner"]; owner == nil || owner.Value == nil {
		t.Errorf("Pet.owner should be an empty schema")
	}
}

// A ref to an object of another kind: in Swagger 2.0 a response's schema given as the $ref of a
// whole response (as gitea does).
func TestRepairWrongKindRefSwagger2(t *testing.T) {
	d := loadRepaired(t, map[string]string{"api.json": `{
  "swagger": "2.0",
  "info": {"title": "t", "version": "1"},
  "paths": {
    "/a": {"get": {"responses": {
      "204": {"description": "gone", "schema": {"$ref": "#/responses/empty"}},
      "200": {"description": "the pet", "schema": {"$ref": "#/responses/pet"}},
      "404": {"$ref": "#/responses/empty"}
    }}}
  },
  "responses": {
    "empty": {"description": "APIEmpty is an empty response"},
    "pet": {"description": "a pet", "schema": {"$ref": "#/definitions/Pet"}}
  },
  "definitions": {"Pet": {"type": "object", "properties": {"name": {"type": "string"}}}}
}`}, "api.json")
	notes := repairNotes(d)
	wantNote(t, notes, "/paths/~1a/get/responses/204/schema", `"#/responses/empty"`, "expects a schema but points to a response", "schema was removed")
	wantNote(t, notes, "/paths/~1a/get/responses/200/schema", `"#/responses/pet"`, "replaced by that response's schema")
	if len(notes) != 2 {
		t.Errorf("want 2 notes (the 404 $ref is right), got %q", notes)
	}
	op := findOp(t, d, "GET", "/a")
	if r := op.Op.Responses.Status(204).Value; len(r.Content) != 0 {
		t.Errorf("204 should have no body, has %v", r.Content)
	}
	s := op.Op.Responses.Status(200).Value.Content.Get("application/json")
	if s == nil || s.Schema == nil || s.Schema.Ref != "#/components/schemas/Pet" {
		t.Errorf("200 should use the Pet schema, got %+v", s)
	}
}

func TestRepairWrongKindRef30(t *testing.T) {
	d := loadRepaired(t, map[string]string{"api.yaml": `
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /a:
    get:
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: "#/components/responses/Thing"}
components:
  responses:
    Thing: {description: a thing}
`}, "api.yaml")
	wantNote(t, repairNotes(d), `"#/components/responses/Thing"`, "expects a schema but points to a response", "empty schema {}")
}

// Decorative fields of the wrong type (DigitalOcean: tag descriptions that are $refs).
func TestRepairDecoration(t *testing.T) {
	d := loadRepaired(t, map[string]string{"api.yaml": `
openapi: 3.0.3
info:
  title: t
  version: "1"
  description: 42
  license: [MIT]
externalDocs: {url: [a, b]}
tags:
  - name: Intro
    description:
      $ref: description.yml#/introduction
  - name: Pets
    description: Everything about pets
    externalDocs: https://example.com
paths:
  /pets:
    get:
      tags: [Pets]
      summary: {text: list}
      responses:
        "200": {description: ok}
`}, "api.yaml")
	notes := repairNotes(d)
	wantNote(t, notes, "/tags/0/description", `a $ref ("description.yml#/introduction")`, "dropped")
	wantNote(t, notes, "/tags/1/externalDocs", "dropped")
	wantNote(t, notes, "/externalDocs", "dropped")
	wantNote(t, notes, "/info/license", "dropped")
	wantNote(t, notes, "/info/description", "kept as the text")
	wantNote(t, notes, "/paths/~1pets/get/summary", "an object, not text")
	if len(d.Doc.Tags) != 2 || d.Doc.Tags[0].Description != "" || d.Doc.Tags[1].Description != "Everything about pets" {
		t.Errorf("tags not as expected: %+v", d.Doc.Tags)
	}
	if d.Doc.Info.Description != "42" {
		t.Errorf("info.description = %q, want the text 42", d.Doc.Info.Description)
	}
}

// Swagger 2.0 with JSON Schema forms kin-openapi cannot read (slack): items given as a list,
// and lists of types.
func TestRepairSchemaListsSwagger2(t *testing.T) {
	d := loadRepaired(t, map[string]string{"api.yaml": `
swagger: "2.0"
info: {title: t, version: "1"}
paths:
  /m:
    get:
      responses:
        "200":
          description: ok
          schema: {$ref: "#/definitions/Channel"}
definitions:
  Message: {type: object, properties: {text: {type: string}}}
  Channel:
    type: object
    properties:
      latest:
        items:
          - {type: "null"}
          - {$ref: "#/definitions/Message"}
      topic: {type: ["null", string]}
      either: {type: [string, integer]}
`}, "api.yaml")
	notes := repairNotes(d)
	wantNote(t, notes, "/definitions/Channel/properties/latest/items", "list of 2 schemas", "kept the first that is not {type: null}")
	wantNote(t, notes, "/definitions/Channel/properties/topic/type [null, string]", "type: string with x-nullable: true")
	for _, n := range notes {
		if strings.Contains(n, "either") {
			t.Errorf("a list of two real types must be left alone: %s", n)
		}
	}
	ch := d.Doc.Components.Schemas["Channel"].Value
	if it := ch.Properties["latest"].Value.Items; it == nil || it.Ref != "#/components/schemas/Message" {
		t.Errorf("latest.items should be the Message $ref, got %+v", it)
	}
	topic := ch.Properties["topic"].Value
	if !topic.Type.Is("string") || !topic.Nullable {
		t.Errorf("topic should be a nullable string, got type %v nullable %v", topic.Type, topic.Nullable)
	}
	if either := ch.Properties["either"].Value; len(either.Type.Slice()) != 2 {
		t.Errorf("either should keep its two types, got %v", either.Type)
	}
}

func TestRepairItemsTuple31(t *testing.T) {
	d := loadRepaired(t, map[string]string{"api.json": `{
  "openapi": "3.1.0",
  "info": {"title": "t", "version": "1"},
  "paths": {"/p": {"get": {"responses": {"200": {"description": "ok", "content": {"application/json": {
    "schema": {"type": "array", "items": [{"type": "string"}, {"type": "integer"}]}
  }}}}}}}
}`}, "api.json")
	wantNote(t, repairNotes(d), "/items is a list of schemas", "renamed prefixItems")
	s := findOp(t, d, "GET", "/p").Op.Responses.Status(200).Value.Content.Get("application/json").Schema.Value
	if len(s.PrefixItems) != 2 || s.Items != nil {
		t.Errorf("want 2 prefixItems and no items, got %d / %v", len(s.PrefixItems), s.Items)
	}
}

func TestRepairSchemaKeywords(t *testing.T) {
	// OpenAPI 3.0: a 2.0-style discriminator string, a draft-3 required: true, allOf as a single
	// schema.
	d := loadRepaired(t, map[string]string{"api.yaml": `
openapi: 3.0.3
info: {title: t, version: "1"}
paths: {}
components:
  schemas:
    Pet:
      type: object
      discriminator: kind
      properties:
        kind: {type: string, required: true}
    Dog:
      allOf: {$ref: "#/components/schemas/Pet"}
`}, "api.yaml")
	notes := repairNotes(d)
	wantNote(t, notes, "/components/schemas/Pet/discriminator", `{propertyName: "kind"}`)
	wantNote(t, notes, "/components/schemas/Pet/properties/kind/required", "dropped")
	wantNote(t, notes, "/components/schemas/Dog/allOf", "made a list of one")
	pet := d.Doc.Components.Schemas["Pet"].Value
	if pet.Discriminator == nil || pet.Discriminator.PropertyName != "kind" {
		t.Errorf("discriminator not converted: %+v", pet.Discriminator)
	}
	if dog := d.Doc.Components.Schemas["Dog"].Value; len(dog.AllOf) != 1 {
		t.Errorf("Dog.allOf should have one schema")
	}

	// Swagger 2.0: a 3.x-style discriminator object.
	d = loadRepaired(t, map[string]string{"api.yaml": `
swagger: "2.0"
info: {title: t, version: "1"}
paths: {}
definitions:
  Pet:
    type: object
    discriminator: {propertyName: kind}
    properties: {kind: {type: string}}
`}, "api.yaml")
	wantNote(t, repairNotes(d), "/definitions/Pet/discriminator", `written as "kind"`)
	if p := d.Doc.Components.Schemas["Pet"].Value; p.Discriminator == nil || p.Discriminator.PropertyName != "kind" {
		t.Errorf("discriminator not kept")
	}
}

// The repaired copy is loaded from the same location: refs to other files still resolve.
func TestRepairKeepsRelativeRefs(t *testing.T) {
	d := loadRepaired(t, map[string]string{
		"root/api.yaml": `
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /a:
    get:
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: "schemas/pet.yaml#/Pet"}
        "400":
          description: bad
          content:
            application/json:
              schema: &bad {$ref: "#/components/schemas/Error"}
        "500":
          description: broken
          content:
            application/json:
              schema: *bad
`,
		"root/schemas/pet.yaml": "Pet: {type: object, properties: {name: {type: string}}}\n",
	}, "root/api.yaml")
	notes := repairNotes(d)
	wantNote(t, notes, `"#/components/schemas/Error"`, "points to nothing")
	if len(notes) != 1 {
		t.Errorf("the anchored schema is one object: want 1 note, got %q", notes)
	}
	op := findOp(t, d, "GET", "/a")
	pet := op.Op.Responses.Status(200).Value.Content.Get("application/json").Schema
	if pet.Value == nil || pet.Value.Properties["name"] == nil {
		t.Errorf("the external Pet schema should resolve after the repair")
	}
	for _, code := range []int{400, 500} {
		if s := op.Op.Responses.Status(code).Value.Content.Get("application/json").Schema; s.Value == nil || !s.Value.IsEmpty() {
			t.Errorf("%d: want {}, got %+v", code, s)
		}
	}
}

func TestRepairNothingToDo(t *testing.T) {
	data := []byte(`{"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {}}`)
	if fixed, notes, ok := repair("openapi", data, errors.New("some other failure")); ok || fixed != nil || notes != nil {
		t.Errorf("nothing to repair: want ok=false, got %v %q", ok, notes)
	}
	if _, _, ok := repair("openapi", []byte("{not: [valid"), errors.New("x")); ok {
		t.Errorf("unparseable input: want ok=false")
	}
	if _, _, ok := repair("openapi", []byte(`["a list"]`), errors.New("x")); ok {
		t.Errorf("not a mapping: want ok=false")
	}
	// An external ref is not read, so not judged: still nothing to repair.
	ext := []byte(`{"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {"/a": {"$ref": "other.yaml#/nowhere"}}}`)
	if _, _, ok := repair("openapi", ext, errors.New("x")); ok {
		t.Errorf("external ref: want ok=false")
	}
}

func TestRepairDeterministic(t *testing.T) {
	data := []byte(`
swagger: "2.0"
info: {title: t, version: "1"}
tags: [{name: a, description: {$ref: x.yml}}]
paths:
  /a:
    get:
      responses:
        "200": {description: ok, schema: {$ref: "#/definitions/Nope"}}
        "404": {description: no, schema: {items: [{type: string}, {type: integer}]}}
definitions:
  Z: {$ref: "#/definitions/Gone"}
  A: {properties: {b: {$ref: "#/definitions/Missing"}, a: {type: [string, "null"]}}}
`)
	first, notes, ok := repair("swagger", data, errors.New("x"))
	if !ok {
		t.Fatal("want a repair")
	}
	if !json.Valid(first) {
		t.Fatalf("output is not JSON: %s", first)
	}
	for range 20 {
		again, notes2, _ := repair("swagger", data, errors.New("x"))
		if !bytes.Equal(first, again) || !slices.Equal(notes, notes2) {
			t.Fatal("repair is not deterministic")
		}
	}
	// Notes follow the document: tags, paths, then definitions in file order.
	want := []string{"/tags/0/description", "/responses/200/schema", "/responses/404/schema/items",
		"/definitions/Z", "/definitions/A/properties/b", "/definitions/A/properties/a/type"}
	if len(notes) != len(want) {
		t.Fatalf("want %d notes, got %d: %q", len(want), len(notes), notes)
	}
	for i, w := range want {
		if !strings.Contains(notes[i], w) {
			t.Errorf("note %d = %q, want it about %s", i, notes[i], w)
		}
	}
}

// The real-world descriptions that kin-openapi refuses as they are.
func TestRepairCorpus(t *testing.T) {
	root := corpustest.Dir(t)
	// DigitalOcean (tag descriptions written as $refs to text) and openziti's edge-api (Swagger
	// 2.0 split across files) needed no repair once bundled (bundle.go): TestBundleCorpus covers
	// them.
	for _, rel := range []string{
		"real/gitea/gitea.json",
		"real/slack/slack_web_openapi_v2_without_examples.json",
		"real/superset/openapi.json",
	} {
		t.Run(rel, func(t *testing.T) {
			path := filepath.Join(root, filepath.FromSlash(rel))
			if _, err := os.Stat(path); err != nil {
				t.Skipf("not in this corpus: %v", err)
			}
			docs, err := Load(context.Background(), []string{path}, Options{})
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if len(docs) != 1 {
				t.Fatalf("want 1 document, got %d", len(docs))
			}
			d := docs[0]
			notes := repairNotes(d)
			hollow := 0
			for _, o := range d.Ops {
				if o.Op.Responses == nil || o.Op.Responses.Len() == 0 {
					hollow++
				}
			}
			t.Logf("%d operations (%d without responses), %d repair notes, %d other warnings",
				len(d.Ops), hollow, len(notes), len(d.Warnings)-len(notes))
			for i, n := range notes {
				if i == 5 {
					t.Logf("  … %d more", len(notes)-5)
					break
				}
				t.Logf("  %s", n)
			}
			if len(d.Ops) == 0 {
				t.Errorf("no operations")
			}
			if len(notes) == 0 {
				t.Errorf("loaded without a repair note: was it repaired?")
			}
		})
	}
}
