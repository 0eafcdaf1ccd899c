package resource

import (
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

func TestKeyProperty(t *testing.T) {
	str := &openapi3.SchemaRef{Value: openapi3.NewStringSchema()}
	integer := &openapi3.SchemaRef{Value: openapi3.NewIntegerSchema()}
	record := func(props ...string) *openapi3.Schema {
		s := openapi3.NewObjectSchema()
		for i := 0; i+1 < len(props); i += 2 {
			if props[i+1] == "int" {
				s.Properties[props[i]] = integer
			} else {
				s.Properties[props[i]] = str
			}
		}
		return s
	}
	tests := []struct {
		name   string
		record *openapi3.Schema
		param  string
		schema *openapi3.SchemaRef
		want   string
	}{
		{"the parameter's own name", record("id", "int", "petId", "int"), "petId", integer, "petId"},
		{"another case", record("sid", "str"), "Sid", str, "sid"},
		{"its last word", record("id", "int", "number", "int"), "issue_number", integer, "number"},
		{"camel case last word", record("id", "int", "name", "str"), "petId", str, "id"},
		{"without _id", record("key", "str", "namespace", "str", "label", "str"), "namespace_id", str, "namespace"},
		{"id", record("id", "int"), "id", str, "id"},
		{"a login for a string an integer id cannot hold", record("id", "int", "login", "str"), "org", str, "login"},
		{"a name", record("id", "int", "name", "str"), "repo", str, "name"},
		{"an integer parameter keeps id", record("id", "int", "name", "str"), "thing", integer, "id"},
		{"nothing", record("label", "str"), "thing", str, ""},
	}
	for _, tt := range tests {
		if got := keyProperty(tt.record, tt.param, tt.schema); got != tt.want {
			t.Errorf("%s: {%s} → %q, want %q", tt.name, tt.param, got, tt.want)
		}
	}
}
