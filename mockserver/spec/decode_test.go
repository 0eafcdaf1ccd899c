package spec

import (
	"bytes"
	"context"
	"encoding/json"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/mockserver/mockserver/mockserver/internal/corpustest"
)

// sameAsKin loads file with kin-openapi's loader and with loadJSON, and fails unless both give
// the same document or the same error. loadJSON may also decline to decode a document (the
// caller then loads it with kin-openapi), unless split says it must not.
func sameAsKin(t *testing.T, file string, split bool) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	sameAsKinData(t, file, data, split)
}

// sameAsKinData is sameAsKin for the text data of file.
func sameAsKinData(t *testing.T, file string, data []byte, split bool) {
	t.Helper()
	abs, _ := filepath.Abs(file)
	location := &url.URL{Path: filepath.ToSlash(abs)}
	var notes fileNotes
	want, wantErr := newLoader(context.Background(), Options{}, &notes).LoadFromDataWithPath(data, location)
	got, decoded, err := loadJSON(newLoader(context.Background(), Options{}, &notes), data, location)
	switch {
	case !decoded:
		if split {
			t.Errorf("%s: not decoded (%v)", file, err)
		}
	case wantErr != nil:
		if err == nil || err.Error() != wantErr.Error() {
			t.Errorf("%s: kin-openapi fails (%v), loadJSON %v", file, wantErr, err)
		}
	case err != nil:
		t.Errorf("%s: %v", file, err)
	case !reflect.DeepEqual(got, want):
		a, _ := json.Marshal(want)
		b, _ := json.Marshal(got)
		t.Errorf("%s: loadJSON decodes another document (same JSON: %v)", file, bytes.Equal(a, b))
	}
}

func TestLoadJSONAsKin(t *testing.T) {
	// A JSON description with what loadJSON must decode as kin-openapi does: $refs to other
	// files (schema, path item, discriminator mapping), extensions at every level, a null path
	// item, a duplicate key, 3.1 webhooks, boolean schemas and $ref siblings.
	files := map[string]string{
		"root.json": `{
  "openapi": "3.1.0",
  "info": {"title": "t", "version": "1", "x-info": true},
  "x-top": {"a": [1, 2.50, 1e3, 12345678901234567890]},
  "servers": [{"url": "http://x/api"}],
  "security": [{"k": []}],
  "tags": [{"name": "a"}],
  "webhooks": {"hook": {"post": {"requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/A"}}}}, "responses": {"200": {"description": "ok"}}}}, "nil": null},
  "paths": {
    "x-paths-ext": {"v": 1},
    "/p": {"$ref": "items.json#/item"},
    "/r": null,
    "/q/{id}": {
      "parameters": [{"$ref": "#/components/parameters/Id"}],
      "get": {"operationId": "getQ", "x-op": "é\u00e9\ud83d\ude00",
        "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/A", "description": "sibling"}, "example": {"n": 1.0}}}},
          "default": {"$ref": "#/components/responses/Err"}}}
    }
  },
  "components": {
    "x-comp": 1,
    "pathItems": {"P": {"get": {"responses": {"200": {"description": "ok"}}}}},
    "schemas": {
      "A": {"type": ["object", "null"], "properties": {"b": {"$ref": "other.json#/B"}, "t": true, "f": false, "c": {"const": 3}, "pets": {"oneOf": [{"$ref": "#/components/schemas/Cat"}], "discriminator": {"propertyName": "k", "mapping": {"cat": "#/components/schemas/Cat", "ext": "other.json#/B"}}}}},
      "Cat": {"type": "object", "properties": {"k": {"type": "string"}}},
      "Dup": {"type": "string"},
      "Dup": {"type": "integer"}
    },
    "parameters": {"Id": {"name": "id", "in": "path", "required": true, "schema": {"type": "string", "pattern": "^[a-z]+$"}}},
    "responses": {"Err": {"description": "err", "headers": {"X-H": {"$ref": "#/components/headers/H"}}}},
    "headers": {"H": {"schema": {"type": "integer"}}},
    "securitySchemes": {"k": {"type": "apiKey", "in": "header", "name": "K"}},
    "examples": {"E": {"value": {"a": [1, "x", null]}}},
    "requestBodies": {"RB": {"content": {"text/plain": {"schema": {"type": "string"}}}}},
    "links": {"L": {"operationId": "getQ"}},
    "callbacks": {"C": {"{$request.body#/url}": {"post": {"responses": {"200": {"description": "ok"}}}}}}
  }
}`,
		"other.json": `{"B": {"type": "object", "properties": {"z": {"type": "number", "maximum": 10}}}}`,
		"items.json": `{"item": {"get": {"responses": {"200": {"description": "from items", "content": {"application/json": {"schema": {"$ref": "other.json#/B"}}}}}}}}`,
	}
	dir := t.TempDir()
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	sameAsKin(t, filepath.Join(dir, "root.json"), true)
	for _, v := range []string{"3.0.3", "3.1.0"} {
		root := strings.Replace(files["root.json"], "3.1.0", v, 1)
		for _, broken := range []string{
			strings.Replace(root, `"paths"`, `"Paths"`, 1),                // both keys, case aside
			strings.Replace(root, `"schemas"`, `"Schemas"`, 1),            // idem in components
			strings.Replace(root, `"maximum": 10`, `"maximum": "ten"`, 1), // wrong type, in a file
			strings.Replace(root, `"type": "string"`, `"type": 7`, 1),     // wrong type, in a job
			strings.Replace(root, `"title": "t"`, `"title": 7`, 1),        // wrong type, in the rest
			strings.Replace(root, `"$ref": "#/components/schemas/Cat"`, `"$ref": "#/components/schemas/Dog"`, 1),
			strings.Replace(root, `{"name": "a"}]`, `{"name": "a"},]`, 1), // not JSON
		} {
			p := filepath.Join(dir, "broken.json")
			if err := os.WriteFile(p, []byte(broken), 0o644); err != nil {
				t.Fatal(err)
			}
			sameAsKin(t, p, false)
		}
	}
}

// TestLoadJSONAsKinCorpus compares both decodings of every JSON OpenAPI 3 description of the
// corpus.
func TestLoadJSONAsKinCorpus(t *testing.T) {
	if testing.Short() {
		t.Skip("loads every JSON description of the corpus twice")
	}
	root := corpustest.Dir(t)
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(p) != ".json" {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if _, kind := sniffVersion(data); kind == "openapi" && isJSON(data) {
			sameAsKin(t, p, true)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// FuzzLoadJSON: whatever JSON text loadJSON decodes, it decodes as kin-openapi does (the same
// document, or the same error); what it declines, kin-openapi loads instead.
func FuzzLoadJSON(f *testing.F) {
	f.Add([]byte(`{"openapi":"3.0.3","info":{"title":"t","version":"1"},"paths":{"/a/{id}":{"get":{"parameters":[{"name":"id","in":"path","required":true,"schema":{"type":"string"}}],"responses":{"200":{"description":"ok","content":{"application/json":{"schema":{"$ref":"#/components/schemas/A"}}}}}}}},"components":{"schemas":{"A":{"type":"object","properties":{"b":{"$ref":"#/components/schemas/B"}}},"B":{"type":"integer","x-b":[1,2]}}}}`))
	f.Add([]byte(`{"openapi":"3.1.0","info":{"title":"t","version":"1"},"webhooks":{"w":{"post":{"responses":{"200":{"description":"ok"}}}}},"x-top":null,"paths":{"x-p":1,"/b":null}}`))
	f.Add([]byte(`{"openapi":"3.0.0","info":{},"paths":{"/a":{"get":{}}},"Paths":{},"components":{"schemas":{"A":true,"A":{"type":"string"}}}}`))
	f.Add([]byte(`{"openapi":"3.0.0","info":{"title":"\u00e9\"","version":"1"},"paths":{"/\u0061":{"$ref":"#/paths/~1b"},"/b":{"get":{"responses":{"default":{"$ref":"#/components/responses/R"}}}}},"components":{"responses":{"R":{"description":"r"}}}} `))
	f.Fuzz(func(t *testing.T, data []byte) {
		if !isJSON(data) || len(data) > 1<<16 {
			return
		}
		sameAsKinData(t, filepath.Join(t.TempDir(), "fuzz.json"), data, false)
	})
}
