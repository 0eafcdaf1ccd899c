package body

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

var fuzzMediaTypes = []string{
	"application/json",
	"application/x-www-form-urlencoded",
	"multipart/form-data",
	"text/plain",
	"application/octet-stream",
	"application/problem+json",
	"application/x-www-form-urlencoded", // forms twice: they have the most logic
	"multipart/form-data",
}

// fuzzSchema is a schema with every shape the form walker follows,
// including a cycle.
func fuzzSchema() *openapi3.Schema {
	item := obj(map[string]*openapi3.Schema{"k": intS(), "b": boolS()})
	s := obj(map[string]*openapi3.Schema{
		"i":    intS(),
		"n":    numS(),
		"b":    boolS(),
		"s":    strS(),
		"arr":  arr(intS()),
		"objs": arr(item),
		"file": openapi3.NewStringSchema().WithFormat("binary"),
		"meta": obj(map[string]*openapi3.Schema{"id": intS()}),
		"map":  openapi3.NewObjectSchema().WithAdditionalProperties(numS()),
		"alt": {OneOf: openapi3.SchemaRefs{
			openapi3.NewSchemaRef("", intS()), openapi3.NewSchemaRef("", boolS()), openapi3.NewSchemaRef("", item),
		}},
	})
	s.Properties["self"] = openapi3.NewSchemaRef("#/self", s)
	s.AllOf = openapi3.SchemaRefs{openapi3.NewSchemaRef("#/self", s)}
	return s
}

func FuzzDecode(f *testing.F) {
	f.Add(uint8(0), "", []byte(`{"a":[1,2.5,{"b":null}],"big":9007199254740993}`))
	f.Add(uint8(1), "", []byte(`a[b][c]=1&a[]=x&i=7&objs[0][k]=1&objs[1][b]=true&bad=%zz`))
	f.Add(uint8(2), "XyZ", []byte("--XyZ\r\nContent-Disposition: form-data; name=\"meta\"\r\nContent-Type: application/json\r\n\r\n{\"id\":1}\r\n"+
		"--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.bin\"\r\n\r\n\x00\x01\r\n--XyZ--\r\n"))
	f.Add(uint8(9), "", []byte(`i=1&n=2.5&b=TRUE&arr=3&map[x]=1e3&alt=abc&self[self][i]=4`))

	schema := fuzzSchema()
	f.Fuzz(func(t *testing.T, sel uint8, boundary string, data []byte) {
		mediaType := fuzzMediaTypes[int(sel)%len(fuzzMediaTypes)]
		var s *openapi3.Schema
		if sel&8 != 0 {
			s = schema
		}
		lim := Limits{MaxDepth: int(sel >> 4), MaxParts: int(sel >> 4)}
		params := map[string]string{"boundary": boundary}

		d, err := Decode(mediaType, params, data, s, lim)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error is %T, not *Error: %v", err, err)
			}
			if len(e.Location) == 0 || e.Location[0] != "body" || e.Code == "" || e.Message == "" {
				t.Fatalf("malformed error %#v", e)
			}
			_ = e.Error()
		} else {
			if _, merr := json.Marshal(d.Value); merr != nil {
				t.Fatalf("decoded value %#v does not marshal: %v", d.Value, merr)
			}
			if s != nil {
				_ = s.VisitJSON(d.Value) // must not panic
			}
		}

		// JSON agrees with encoding/json on validity.
		if IsJSON(mediaType) {
			trimmed := trimJSONSpace(trimBOM(data))
			valid := json.Valid(trimmed)
			switch {
			case len(data) == 0 || len(trimmed) == 0:
				if err != nil || d.Value != nil {
					t.Fatalf("empty JSON: %v, %v", d.Value, err)
				}
			case err == nil && !valid:
				t.Fatalf("accepted invalid JSON %q as %#v", data, d.Value)
			case err != nil && valid:
				var e *Error
				errors.As(err, &e)
				if e.Code != CodeNestingDepth && e.Code != CodeJSONNumber {
					t.Fatalf("rejected valid JSON %q: %v", data, err)
				}
			}
		}
		switch mediaType {
		case "application/x-www-form-urlencoded", "multipart/form-data":
			if err == nil && len(data) > 0 {
				if _, ok := d.Value.(map[string]any); !ok {
					t.Fatalf("form decoded to %T", d.Value)
				}
			}
		}
	})
}
