package body

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// maxSchemaVisits bounds the number of schemas one lookup looks at, so that
// huge or cyclic (resolved $ref) schema graphs cost little.
const maxSchemaVisits = 256

// schemaWalk is one lookup through a schema graph: every schema is visited
// at most once.
type schemaWalk struct {
	seen []*openapi3.Schema
}

// enter reports whether s should be looked at, marking it as seen.
func (w *schemaWalk) enter(s *openapi3.Schema) bool {
	if s == nil || len(w.seen) >= maxSchemaVisits {
		return false
	}
	for _, x := range w.seen {
		if x == s {
			return false
		}
	}
	w.seen = append(w.seen, s)
	return true
}

func refValue(r *openapi3.SchemaRef) *openapi3.Schema {
	if r == nil {
		return nil
	}
	return r.Value
}

// schemaTypes returns the candidate types of s in order of preference: its
// own type list; else those of the first allOf branch that has any; else
// those of the anyOf then oneOf branches in order. Without any type keyword
// the type is inferred from properties (object), items (array) or enum
// values. The result may contain duplicates; nil means unknown.
func schemaTypes(s *openapi3.Schema) []string {
	var w schemaWalk
	var out []string
	w.types(s, &out)
	return out
}

func (w *schemaWalk) types(s *openapi3.Schema, out *[]string) {
	if !w.enter(s) {
		return
	}
	if !s.Type.IsEmpty() {
		*out = append(*out, s.Type.Slice()...)
		return
	}
	for _, r := range s.AllOf {
		n := len(*out)
		w.types(refValue(r), out)
		if len(*out) > n {
			return
		}
	}
	n := len(*out)
	for _, r := range s.AnyOf {
		w.types(refValue(r), out)
	}
	for _, r := range s.OneOf {
		w.types(refValue(r), out)
	}
	if len(*out) > n {
		return
	}
	switch {
	case len(s.Properties) > 0 || s.AdditionalProperties.Schema != nil:
		*out = append(*out, openapi3.TypeObject)
	case s.Items != nil || len(s.PrefixItems) > 0:
		*out = append(*out, openapi3.TypeArray)
	default:
		for _, e := range s.Enum {
			switch e.(type) {
			case string:
				*out = append(*out, openapi3.TypeString)
			case bool:
				*out = append(*out, openapi3.TypeBoolean)
			case float64, float32, int, int64, int32, json.Number:
				*out = append(*out, openapi3.TypeNumber)
			}
		}
	}
}

// schemaKind returns the first candidate type of s that is not "null", or
// "" when unknown.
func schemaKind(s *openapi3.Schema) string {
	for _, t := range schemaTypes(s) {
		if t != openapi3.TypeNull {
			return t
		}
	}
	return ""
}

// propSchema returns the schema of property name of s: an explicit property
// anywhere in s and its allOf/anyOf/oneOf branches first, then an
// additionalProperties schema. nil when unknown.
func propSchema(s *openapi3.Schema, name string) *openapi3.Schema {
	if s == nil {
		return nil
	}
	var w schemaWalk
	if p := w.prop(s, name, false); p != nil {
		return p
	}
	w = schemaWalk{seen: w.seen[:0]}
	return w.prop(s, name, true)
}

func (w *schemaWalk) prop(s *openapi3.Schema, name string, additional bool) *openapi3.Schema {
	if !w.enter(s) {
		return nil
	}
	if additional {
		if p := refValue(s.AdditionalProperties.Schema); p != nil {
			return p
		}
	} else if p := refValue(s.Properties[name]); p != nil {
		return p
	}
	for _, branches := range [...]openapi3.SchemaRefs{s.AllOf, s.AnyOf, s.OneOf} {
		for _, r := range branches {
			if p := w.prop(refValue(r), name, additional); p != nil {
				return p
			}
		}
	}
	return nil
}

// itemSchema returns the schema of the array element at index i of s:
// prefixItems[i], else items, searched through allOf/anyOf/oneOf branches.
// nil when unknown.
func itemSchema(s *openapi3.Schema, i int) *openapi3.Schema {
	var w schemaWalk
	return w.item(s, i)
}

func (w *schemaWalk) item(s *openapi3.Schema, i int) *openapi3.Schema {
	if !w.enter(s) {
		return nil
	}
	if i >= 0 && i < len(s.PrefixItems) {
		if p := refValue(s.PrefixItems[i]); p != nil {
			return p
		}
	}
	if p := refValue(s.Items); p != nil {
		return p
	}
	for _, branches := range [...]openapi3.SchemaRefs{s.AllOf, s.AnyOf, s.OneOf} {
		for _, r := range branches {
			if p := w.item(refValue(r), i); p != nil {
				return p
			}
		}
	}
	return nil
}

// coerce converts a form string to the first candidate type of schema that
// it parses as. "string" always fits; a string that fits no candidate type,
// or a schema without type information, keeps the string.
func coerce(v string, schema *openapi3.Schema) any {
	if schema == nil || v == "" {
		return v
	}
	for _, t := range schemaTypes(schema) {
		switch t {
		case openapi3.TypeString:
			return v
		case openapi3.TypeInteger:
			if n, ok := parseInteger(v); ok {
				return n
			}
		case openapi3.TypeNumber:
			if n, ok := parseNumber(v); ok {
				return n
			}
		case openapi3.TypeBoolean:
			switch {
			case strings.EqualFold(v, "true"):
				return true
			case strings.EqualFold(v, "false"):
				return false
			}
		}
	}
	return v
}

// parseNumber parses a JSON number literal: int64 for integer literals that
// fit, else a finite float64.
func parseNumber(s string) (any, bool) {
	if !isJSONNumber(s) {
		return nil, false
	}
	return parseJSONNumber(s)
}

// parseInteger parses a JSON number literal with an integral value.
func parseInteger(s string) (any, bool) {
	n, ok := parseNumber(s)
	if !ok {
		return nil, false
	}
	if f, isFloat := n.(float64); isFloat && f != math.Trunc(f) {
		return nil, false
	}
	return n, true
}

// isIndex reports whether s is a canonical non-negative decimal index
// ("0", "12"; not "012", "-1", "+1") that fits in an int, returning it.
func isIndex(s string) (int, bool) {
	if s == "" || len(s) > 9 || (len(s) > 1 && s[0] == '0') {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return 0, false
		}
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}
