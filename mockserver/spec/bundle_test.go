package spec

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/mockserver/mockserver/mockserver/internal/corpustest"
)

// writeFiles writes the files (name → content) under a new temporary directory and returns it.
func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func bundleNotes(d *Document) []string {
	var out []string
	for _, w := range d.Warnings {
		if strings.HasPrefix(w, "bundling: ") {
			out = append(out, w)
		}
	}
	return out
}

func jsonSchema(t *testing.T, r *openapi3.ResponseRef) *openapi3.Schema {
	t.Helper()
	if r == nil || r.Value == nil {
		t.Fatalf("no response")
	}
	mt := r.Value.Content.Get("application/json")
	if mt == nil || mt.Schema == nil || mt.Schema.Value == nil {
		t.Fatalf("response %q has no resolved application/json schema", deref2(r.Value.Description))
	}
	return mt.Schema.Value
}

func deref2(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// OpenAPI 3.0: operations written as $refs to other files (DigitalOcean), whose own $refs are
// relative to them, with a local ref inside a referenced file, a media type $ref and a map of
// schemas written as a $ref.
func TestBundleOperationRefs30(t *testing.T) {
	d := loadRepaired(t, map[string]string{
		"api.yaml": `
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /pets/{id}:
    get:
      $ref: 'resources/pets/pets_get.yml'
    post:
      $ref: 'resources/pets/ops.yml#/create'
      summary: the summary written beside the $ref wins
`,
		"resources/pets/pets_get.yml": `
operationId: pets_get
summary: Get a pet
parameters:
  - $ref: '../../shared/parameters.yml#/id'
responses:
  '200':
    $ref: 'responses/pet.yml'
  '401':
    $ref: '../../shared/responses/unauthorized.yml'
  '404':
    $ref: '#/x-local/notFound'
x-local:
  notFound:
    description: no such pet
    content:
      application/json:
        schema:
          $ref: '../../shared/models/error.yml'
`,
		"resources/pets/ops.yml": `
create:
  operationId: pets_create
  summary: from the file
  requestBody:
    required: true
    content:
      application/json:
        schema:
          type: object
          properties:
            $ref: 'models/attributes.yml#/pet_props'
  responses:
    '201':
      description: created
      content:
        application/json:
          $ref: '#/media/pet'
media:
  pet:
    schema:
      $ref: 'models/pet.yml'
`,
		"resources/pets/responses/pet.yml": `
description: a pet
content:
  application/json:
    schema:
      $ref: '../models/pet.yml'
`,
		"resources/pets/models/pet.yml": `
type: object
required: [name]
properties:
  $ref: 'attributes.yml#/pet_props'
`,
		"resources/pets/models/attributes.yml": `
pet_props:
  name: {type: string}
  owner:
    $ref: '../../../shared/models/owner.yml'
`,
		"shared/parameters.yml": `
id:
  name: id
  in: path
  required: true
  schema: {type: integer}
`,
		"shared/responses/unauthorized.yml": `
description: unauthorized
content:
  application/json:
    schema:
      $ref: '../models/error.yml'
`,
		"shared/models/error.yml": "type: object\nproperties:\n  message: {type: string}\n",
		"shared/models/owner.yml": "type: object\nproperties:\n  email: {type: string, format: email}\n",
	}, "api.yaml")
	if n := bundleNotes(d); len(n) != 0 {
		t.Errorf("unexpected bundling notes: %q", n)
	}
	get := findOp(t, d, "GET", "/pets/{id}")
	if get.ID != "pets_get" || len(get.Params) != 1 || get.Params[0].Name != "id" ||
		get.Params[0].Schema == nil || !get.Params[0].Schema.Value.Type.Is("integer") {
		t.Errorf("GET: want operationId pets_get and the integer path parameter id, got %q %+v", get.ID, get.Params)
	}
	pet := jsonSchema(t, get.Op.Responses.Status(200))
	if pet.Properties["name"] == nil || pet.Properties["owner"] == nil ||
		pet.Properties["owner"].Value.Properties["email"] == nil {
		t.Errorf("200: the pet schema should have name and owner.email, got %v", pet.Properties)
	}
	if e := jsonSchema(t, get.Op.Responses.Status(401)); e.Properties["message"] == nil {
		t.Errorf("401: want the error schema")
	}
	if e := jsonSchema(t, get.Op.Responses.Status(404)); e.Properties["message"] == nil {
		t.Errorf("404 (a local ref in the referenced file): want the error schema")
	}

	post := findOp(t, d, "POST", "/pets/{id}")
	if post.ID != "pets_create" || post.Op.Summary != "the summary written beside the $ref wins" {
		t.Errorf("POST: got operationId %q summary %q", post.ID, post.Op.Summary)
	}
	rb := post.Op.RequestBody
	if rb == nil || rb.Value == nil || rb.Value.Content.Get("application/json") == nil {
		t.Fatalf("POST: no request body")
	}
	if s := rb.Value.Content.Get("application/json").Schema.Value; s.Properties["name"] == nil || s.Properties["owner"] == nil {
		t.Errorf("POST body: the properties $ref should be inlined, got %v", s.Properties)
	}
	if s := jsonSchema(t, post.Op.Responses.Status(201)); s.Properties["name"] == nil {
		t.Errorf("201: the media type $ref should be inlined")
	}
}

// OpenAPI 3.x path items that are $refs to other files are followed by kin-openapi; one whose
// operation is itself a $ref is inlined so that the operation can be.
func TestBundlePathItemRefs30(t *testing.T) {
	d := loadRepaired(t, map[string]string{
		"api.yaml": `
openapi: 3.1.0
info: {title: t, version: "1"}
paths:
  /a:
    $ref: 'paths/a.yml'
  /b:
    $ref: 'paths/b.yml#/item'
`,
		"paths/a.yml": `
get:
  responses:
    '200':
      $ref: '../shared/ok.yml'
`,
		"paths/b.yml": `
item:
  parameters:
    - {name: q, in: query, schema: {type: string}}
  get:
    $ref: 'ops/b_get.yml'
`,
		"paths/ops/b_get.yml": `
operationId: b_get
responses:
  '200':
    $ref: '../../shared/ok.yml'
`,
		"shared/ok.yml": `
description: ok
content:
  application/json:
    schema: {type: object, properties: {ok: {type: boolean}}}
`,
	}, "api.yaml")
	a := findOp(t, d, "GET", "/a")
	if s := jsonSchema(t, a.Op.Responses.Status(200)); s.Properties["ok"] == nil {
		t.Errorf("/a: want the ok schema")
	}
	b := findOp(t, d, "GET", "/b")
	if b.ID != "b_get" || len(b.Params) != 1 || b.Params[0].Name != "q" {
		t.Errorf("/b: want operation b_get with the path item's parameter q, got %q %d", b.ID, len(b.Params))
	}
	if s := jsonSchema(t, b.Op.Responses.Status(200)); s.Properties["ok"] == nil {
		t.Errorf("/b: want the ok schema")
	}
}

// Swagger 2.0 split across files (openziti): path items that are $refs to 2.0 fragment files,
// whose responses, parameters and definitions refer to each other, locally and across files.
func TestBundleSwagger2PathItems(t *testing.T) {
	d := loadRepaired(t, map[string]string{
		"client.yml": `
swagger: '2.0'
info: {title: t, version: "1"}
basePath: /edge/v1
paths:
  /things:
    $ref: './client/things.yml#/paths/things'
  /things/{id}:
    $ref: 'client/things.yml#/paths/things-id'
definitions:
  thingCreate:
    $ref: 'client/things.yml#/definitions/thingCreate'
`,
		"client/things.yml": `
paths:
  things:
    get:
      operationId: listThings
      parameters:
        - $ref: '../shared/parameters.yml#/parameters/limit'
      responses:
        '200':
          $ref: '#/responses/thingList'
        '401':
          $ref: '../shared/standard-responses.yml#/responses/unauthorizedResponse'
    post:
      operationId: createThing
      parameters:
        - name: thing
          in: body
          required: true
          schema:
            $ref: '#/definitions/thingCreate'
      responses:
        '201':
          description: created
  things-id:
    parameters:
      - $ref: '../shared/parameters.yml#/parameters/id'
    get:
      operationId: getThing
      responses:
        '200':
          description: one thing
          schema:
            $ref: '#/definitions/thing'
responses:
  thingList:
    description: the things
    schema:
      type: object
      properties:
        meta:
          $ref: '../shared/standard-responses.yml#/definitions/meta'
        data:
          type: array
          items:
            $ref: '#/definitions/thing'
definitions:
  thing:
    type: object
    discriminator: typeId
    required: [typeId]
    properties:
      typeId: {type: string}
      name: {type: string}
  thingCreate:
    allOf:
      - $ref: '#/definitions/thing'
      - type: object
        properties:
          tags: {type: array, items: {type: string}}
`,
		"shared/parameters.yml": `
parameters:
  limit: {name: limit, in: query, type: integer}
  id: {name: id, in: path, required: true, type: string}
`,
		"shared/standard-responses.yml": `
responses:
  unauthorizedResponse:
    description: unauthorized
    schema:
      $ref: '#/definitions/apiErrorEnvelope'
definitions:
  meta:
    type: object
    properties:
      apiVersion: {type: string}
  apiErrorEnvelope:
    type: object
    properties:
      error: {type: string}
      meta:
        $ref: '#/definitions/meta'
`,
	}, "client.yml")
	if n := bundleNotes(d); len(n) != 0 {
		t.Errorf("unexpected bundling notes: %q", n)
	}
	if len(d.Ops) != 3 {
		t.Fatalf("want 3 operations, got %d", len(d.Ops))
	}
	list := findOp(t, d, "GET", "/things")
	if len(list.Params) != 1 || list.Params[0].Name != "limit" {
		t.Errorf("listThings: want parameter limit, got %+v", list.Params)
	}
	s := jsonSchema(t, list.Op.Responses.Status(200))
	if s.Properties["meta"] == nil || s.Properties["meta"].Value.Properties["apiVersion"] == nil {
		t.Errorf("listThings 200: meta should resolve")
	}
	if items := s.Properties["data"].Value.Items; items == nil || items.Ref != "#/components/schemas/thing" ||
		items.Value.Discriminator == nil || items.Value.Discriminator.PropertyName != "typeId" {
		t.Errorf("listThings 200: data items should be the thing schema with its discriminator, got %+v", items)
	}
	if e := jsonSchema(t, list.Op.Responses.Status(401)); e.Properties["error"] == nil || e.Properties["meta"].Value == nil {
		t.Errorf("listThings 401: want the error envelope")
	}
	create := findOp(t, d, "POST", "/things")
	body := create.Op.RequestBody
	if body == nil || body.Value == nil {
		t.Fatalf("createThing: no request body")
	}
	if bs := body.Value.Content.Get("application/json").Schema; bs.Ref != "#/components/schemas/thingCreate" || len(bs.Value.AllOf) != 2 {
		t.Errorf("createThing: the body should be the root's thingCreate (adopted), got %q", bs.Ref)
	}
	get := findOp(t, d, "GET", "/things/{id}")
	if len(get.Params) != 1 || get.Params[0].Name != "id" || get.Params[0].In != "path" {
		t.Errorf("getThing: want the path item's parameter id")
	}
	for _, name := range []string{"thing", "thingCreate", "meta", "apiErrorEnvelope"} {
		if d.Doc.Components.Schemas[name] == nil {
			t.Errorf("components.schemas.%s missing", name)
		}
	}
	if len(d.Doc.Components.Schemas) != 4 {
		t.Errorf("each target is copied once: want 4 schemas, got %d", len(d.Doc.Components.Schemas))
	}
}

// Definitions that refer to each other across two files (a cycle), and to themselves.
func TestBundleSwagger2Cycle(t *testing.T) {
	d := loadRepaired(t, map[string]string{
		"api.yaml": `
swagger: "2.0"
info: {title: t, version: "1"}
paths:
  /tree:
    get:
      responses:
        '200':
          description: a tree
          schema:
            $ref: 'models/a.yml#/definitions/Node'
`,
		"models/a.yml": `
definitions:
  Node:
    type: object
    properties:
      label: {type: string}
      edges:
        type: array
        items:
          $ref: 'b.yml#/definitions/Edge'
`,
		"models/b.yml": `
definitions:
  Edge:
    type: object
    properties:
      to:
        $ref: 'a.yml#/definitions/Node'
      next:
        $ref: '#/definitions/Edge'
`,
	}, "api.yaml")
	node := jsonSchema(t, findOp(t, d, "GET", "/tree").Op.Responses.Status(200))
	edge := node.Properties["edges"].Value.Items
	if edge == nil || edge.Ref != "#/components/schemas/Edge" || edge.Value == nil {
		t.Fatalf("Node.edges items should be the Edge schema, got %+v", edge)
	}
	if to := edge.Value.Properties["to"]; to.Ref != "#/components/schemas/Node" || to.Value != node {
		t.Errorf("Edge.to should be Node itself, got %q", to.Ref)
	}
	if next := edge.Value.Properties["next"]; next.Ref != "#/components/schemas/Edge" || next.Value != edge.Value {
		t.Errorf("Edge.next should be Edge itself, got %q", next.Ref)
	}
	if len(d.Doc.Components.Schemas) != 2 {
		t.Errorf("want the 2 schemas Node and Edge, got %d", len(d.Doc.Components.Schemas))
	}
}

// Targets named as a root definition, or as each other, get a suffix; the same target always
// gets the same name; a whole file is named after the file.
func TestBundleSwagger2NameCollision(t *testing.T) {
	files := map[string]string{
		"api.yaml": `
swagger: "2.0"
info: {title: t, version: "1"}
paths:
  /p:
    get:
      responses:
        '200':
          description: ok
          schema:
            type: object
            properties:
              mine: {$ref: '#/definitions/Pet'}
              theirs: {$ref: 'other.yml#/definitions/Pet'}
              third: {$ref: 'sub/other.yml#/definitions/Pet'}
              again: {$ref: './other.yml#/definitions/Pet'}
              thing: {$ref: 'models/Thing.yml'}
              weird: {$ref: 'other.yml#/definitions/we%20ird~1name'}
definitions:
  Pet:
    type: object
    properties: {root: {type: boolean}}
`,
		"other.yml": `
definitions:
  Pet: {type: object, properties: {other: {type: boolean}}}
  we ird/name: {type: string}
`,
		"sub/other.yml": `
definitions:
  Pet: {type: object, properties: {sub: {type: boolean}}}
`,
		"models/Thing.yml": "type: object\nproperties: {thing: {type: boolean}}\n",
	}
	d := loadRepaired(t, files, "api.yaml")
	props := jsonSchema(t, findOp(t, d, "GET", "/p").Op.Responses.Status(200)).Properties
	for prop, want := range map[string]struct{ ref, field string }{
		"mine":   {"#/components/schemas/Pet", "root"},
		"theirs": {"#/components/schemas/Pet_2", "other"},
		"third":  {"#/components/schemas/Pet_3", "sub"},
		"again":  {"#/components/schemas/Pet_2", "other"},
		"thing":  {"#/components/schemas/Thing", "thing"},
	} {
		p := props[prop]
		if p == nil || p.Ref != want.ref || p.Value == nil || p.Value.Properties[want.field] == nil {
			t.Errorf("%s: want %s with property %s, got %+v", prop, want.ref, want.field, p)
		}
	}
	if w := props["weird"]; w == nil || w.Ref != "#/components/schemas/we_ird_name" || !w.Value.Type.Is("string") {
		t.Errorf("weird: want a sanitized name, got %+v", w)
	}

	// The same bundle on every run.
	dir := writeFiles(t, files)
	root := filepath.Join(dir, "api.yaml")
	data, _ := os.ReadFile(root)
	first, _, err := bundle("swagger", data, root)
	if err != nil || first == nil {
		t.Fatalf("bundle: %v", err)
	}
	for range 10 {
		again, _, _ := bundle("swagger", data, root)
		if !bytes.Equal(first, again) {
			t.Fatal("bundling is not deterministic")
		}
	}
}

// What cannot be inlined is left as it is, with a warning naming the file and the $ref; a
// cycle of $refs fails the load with an error naming them.
func TestBundleProblems(t *testing.T) {
	d := loadRepaired(t, map[string]string{
		"api.yaml": `
openapi: 3.0.3
info:
  title: t
  version: "1"
  description: {$ref: 'texts.yml#/intro'}
tags:
  - name: a
    description: {$ref: 'texts.yml#/missing'}
paths:
  /missing:
    get: {$ref: 'resources/nowhere.yml'}
  /bad-pointer:
    get: {$ref: 'resources/ok.yml#/nothing/here'}
  /absolute:
    get: {$ref: '/etc/passwd'}
  /remote:
    get: {$ref: 'https://example.com/op.yml'}
  /ok:
    get: {$ref: 'resources/ok.yml'}
`,
		"texts.yml":        "intro: |\n  Welcome.\n",
		"resources/ok.yml": "responses: {'204': {description: done}}\n",
	}, "api.yaml")
	notes := bundleNotes(d)
	wantNote(t, notes, "api.yaml", `"resources/nowhere.yml"`, "cannot read resources/nowhere.yml")
	wantNote(t, notes, "api.yaml", `"resources/ok.yml#/nothing/here"`, "nothing at #/nothing/here")
	wantNote(t, notes, `"/etc/passwd"`, "absolute path")
	wantNote(t, notes, `"https://example.com/op.yml"`, "URL")
	wantNote(t, notes, `"texts.yml#/missing"`, "nothing at #/missing")
	if len(notes) != 5 {
		t.Errorf("want 5 notes, got %q", notes)
	}
	if d.Doc.Info.Description != "Welcome.\n" {
		t.Errorf("info.description should be the referenced text, got %q", d.Doc.Info.Description)
	}
	if op := findOp(t, d, "GET", "/ok"); op.Op.Responses.Status(204) == nil {
		t.Errorf("/ok should have its response")
	}
	if op := findOp(t, d, "GET", "/missing"); op.Op.Responses != nil && op.Op.Responses.Len() != 0 {
		t.Errorf("/missing should be left empty")
	}

	dir := writeFiles(t, map[string]string{
		"api.yaml": `
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /loop:
    get: {$ref: 'ops/a.yml'}
`,
		"ops/a.yml": "$ref: 'b.yml'\n",
		"ops/b.yml": "$ref: '../ops/a.yml'\n",
	})
	_, err := LoadFile(context.Background(), filepath.Join(dir, "api.yaml"), Options{})
	if err == nil || !strings.Contains(err.Error(), "nested more than") || !strings.Contains(err.Error(), "$ref") {
		t.Errorf("a cycle of operation $refs: want an error naming it, got %v", err)
	}
}

func TestHasExternalRef(t *testing.T) {
	for text, want := range map[string]bool{
		`{"$ref": "#/components/schemas/A"}`:          false,
		`{"$ref":"other.json#/A"}`:                    true,
		"a:\n  $ref: '#/definitions/A'\n":             false,
		"a:\n  $ref: \"other.yml\"\n":                 true,
		"a: {$ref: other.yml}":                        true,
		"description: no refs here":                   false,
		"x: {'$ref' : '#/a'}\ny: {\"$ref\": \"#/b\"}": false,
	} {
		if got := hasExternalRef([]byte(text)); got != want {
			t.Errorf("hasExternalRef(%q) = %v, want %v", text, got, want)
		}
	}
	for text, want := range map[string]bool{
		"properties:\n  $ref: 'a.yml#/x'\n":           true,
		`{"properties": {"$ref": "a.json"}}`:          true,
		"properties:\n  name: {$ref: 'a.yml'}\n":      false,
		`{"properties": {"a": {"$ref": "#/x"}}}`:      false,
		"patternProperties: {$ref: '#/components/x'}": true,
	} {
		if got := hasSchemaMapRef([]byte(text)); got != want {
			t.Errorf("hasSchemaMapRef(%q) = %v, want %v", text, got, want)
		}
	}
}

func TestRebase(t *testing.T) {
	b := &bundler{rootRel: "api.yaml"}
	for _, c := range []struct{ file, ref, want string }{
		{"resources/a/b.yml", "../../shared/x.yml", "shared/x.yml"},
		{"resources/a/b.yml", "models/m.yml#/M", "resources/a/models/m.yml#/M"},
		{"resources/a/b.yml", "#/x-local/a~1b", "resources/a/b.yml#/x-local/a~1b"},
		{"resources/a/b.yml", "../../api.yaml#/components/schemas/A", "#/components/schemas/A"},
		{"client/c.yml", "../../outside.yml", "../outside.yml"},
		{"client/c.yml", "./my%20file.yml#/a", "client/my%20file.yml#/a"},
		{"client/c.yml", "https://example.com/x.yml", "https://example.com/x.yml"},
		{"client/c.yml", "/abs/x.yml", "/abs/x.yml"},
	} {
		got, _ := b.rebase(c.file, c.ref)
		if got != c.want {
			t.Errorf("rebase(%q, %q) = %q, want %q", c.file, c.ref, got, c.want)
		}
	}
}

// YAML merge keys are applied when YAML is written as JSON.
func TestNodeToJSONMergeKeys(t *testing.T) {
	d := loadRepaired(t, map[string]string{
		"api.yaml": `
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /a:
    get: {$ref: 'op.yml'}
`,
		"op.yml": `
x-base: &base
  description: from the base
  content:
    application/json:
      schema: {$ref: 'models/m.yml'}
responses:
  '200':
    <<: *base
    description: own
  '201':
    <<: *base
`,
		"models/m.yml": "type: object\nproperties: {m: {type: string}}\n",
	}, "api.yaml")
	op := findOp(t, d, "GET", "/a")
	for code, desc := range map[int]string{200: "own", 201: "from the base"} {
		r := op.Op.Responses.Status(code)
		if r == nil || r.Value == nil {
			t.Fatalf("%d: no response", code)
		}
		if got := deref2(r.Value.Description); got != desc {
			t.Errorf("%d: description %q, want %q", code, got, desc)
		}
		if s := jsonSchema(t, r); s.Properties["m"] == nil {
			t.Errorf("%d: the merged schema $ref should resolve from op.yml's directory", code)
		}
	}
}

// The multi-file descriptions of the corpus.
func TestBundleCorpus(t *testing.T) {
	root := corpustest.Dir(t)
	for _, c := range []struct {
		rel string
		ops int // 0: any number but none
	}{
		{"real/digitalocean/specification/DigitalOcean-public.v2.yaml", 659},
		{"real/openziti/edge-api/client.yml", 0},
		{"real/openziti/edge-api/management.yml", 0},
	} {
		t.Run(c.rel, func(t *testing.T) {
			path := filepath.Join(root, filepath.FromSlash(c.rel))
			if _, err := os.Stat(path); err != nil {
				t.Skipf("not in this corpus: %v", err)
			}
			start := time.Now()
			d, err := LoadFile(context.Background(), path, Options{SkipValidation: true})
			if err != nil {
				t.Fatalf("LoadFile: %v", err)
			}
			elapsed := time.Since(start)
			hollow, params, bodies := 0, 0, 0
			for _, o := range d.Ops {
				if o.Op.Responses == nil || o.Op.Responses.Len() == 0 {
					hollow++
				}
				if len(o.Params) > 0 {
					params++
				}
				if o.Op.RequestBody != nil && o.Op.RequestBody.Value != nil {
					bodies++
				}
			}
			t.Logf("%d operations: %d with responses, %d with parameters, %d with a request body; %d warnings; loaded in %s",
				len(d.Ops), len(d.Ops)-hollow, params, bodies, len(d.Warnings), elapsed.Round(time.Millisecond))
			for i, w := range d.Warnings {
				if i == 5 {
					break
				}
				t.Logf("  %s", w)
			}
			if len(d.Ops) == 0 || (c.ops != 0 && len(d.Ops) != c.ops) {
				t.Errorf("want %d operations, got %d", c.ops, len(d.Ops))
			}
			if hollow != 0 {
				t.Errorf("%d operations without responses", hollow)
			}
			if params == 0 {
				t.Errorf("no operation has parameters")
			}
			if n := bundleNotes(d); len(n) != 0 {
				t.Errorf("bundling left $refs: %q", n)
			}
			// Every schema an operation reaches is resolved.
			seen := map[*openapi3.Schema]bool{}
			for _, o := range d.Ops {
				for _, r := range o.Op.Responses.Map() {
					if r.Value == nil {
						t.Fatalf("%s %s: unresolved response %q", o.Method, o.Path, r.Ref)
					}
					for _, mt := range r.Value.Content {
						if mt.Schema != nil && mt.Schema.Value == nil {
							t.Fatalf("%s %s: unresolved schema %q", o.Method, o.Path, mt.Schema.Ref)
						}
					}
				}
				WalkOperationSchemas(o.Op, o.PathItem, seen, func(*openapi3.Schema) bool { return true })
			}
			if len(seen) == 0 {
				t.Errorf("no schema reached")
			}
			if n := repairNotes(d); len(n) != 0 {
				t.Logf("%d repair notes, the first: %s", len(n), n[0])
			}
		})
	}
}

// Bundling never panics, whatever the root holds (the files it names are fixed).
func FuzzBundle(f *testing.F) {
	dir := f.TempDir()
	for name, text := range map[string]string{
		"op.yml":     "responses: {'200': {$ref: 'r.yml'}}\nparameters: [{$ref: '#/p'}]\np: {name: a, in: query}\n",
		"r.yml":      "description: ok\nschema: {$ref: 'd.yml#/definitions/A'}\n",
		"d.yml":      "definitions:\n  A: {properties: {$ref: '#/props'}}\nprops: {b: {$ref: '#/definitions/A'}}\n",
		"self.yml":   "$ref: self.yml\n",
		"scalar.yml": "just text\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			f.Fatal(err)
		}
	}
	f.Add("swagger", "swagger: '2.0'\npaths: {/a: {$ref: 'op.yml'}, /b: {get: {$ref: 'op.yml'}}}\ndefinitions: {X: {$ref: 'd.yml#/definitions/A'}}\n")
	f.Add("openapi", "openapi: 3.0.0\npaths: {/a: {get: {$ref: 'op.yml'}}, /b: {$ref: 'self.yml'}, /c: {put: {$ref: 'scalar.yml'}}}\n")
	f.Add("openapi", "openapi: 3.1.0\ntags: [{name: a, description: {$ref: 'scalar.yml'}}]\ncomponents: {schemas: {A: {properties: {$ref: 'd.yml#/props'}}}}\n")
	f.Add("swagger", `{"swagger": "2.0", "paths": {"/a": {"$ref": "#/paths/~1a"}}, "responses": null}`)
	f.Fuzz(func(t *testing.T, kind, text string) {
		if kind != "swagger" {
			kind = "openapi"
		}
		out, _, err := bundle(kind, []byte(text), filepath.Join(dir, "api.yaml"))
		if err == nil && out != nil && !json.Valid(out) {
			t.Fatalf("not JSON: %s", out)
		}
	})
}

// An alias bomb (3^30 paths to l0) is walked once per anchored node, not once per path to it.
func TestBundleAliasBomb(t *testing.T) {
	var sb strings.Builder
	sb.WriteString("openapi: 3.0.0\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n")
	sb.WriteString("    l0: &l0 {properties: {a: {$ref: 'props.yml#/a'}}}\n")
	for i := 1; i <= 30; i++ {
		fmt.Fprintf(&sb, "    l%d: &l%d {allOf: [*l%d, *l%d, *l%d]}\n", i, i, i-1, i-1, i-1)
	}
	dir := writeFiles(t, map[string]string{"api.yaml": sb.String(), "props.yml": "a: {type: string}\n"})
	root := filepath.Join(dir, "api.yaml")
	data, _ := os.ReadFile(root)
	done := make(chan error, 1)
	go func() {
		_, _, err := bundle("openapi", data, root)
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("unexpected error: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("bundling an alias bomb did not end")
	}
}
