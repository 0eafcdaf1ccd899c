package mockserver

import (
	"net/http"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/mockserver/mockserver/mockserver/generate"
	"github.com/mockserver/mockserver/mockserver/spec"
)

// A stored record answered as the documented response. The record is what the resource holds;
// the response an operation documents may say more, less or something else (Stripe's DELETE
// answers {id, object: "customer", deleted: true}, not the customer). The answer keeps the
// contract: the record itself where it validates, else the documented shape — generated,
// deterministically from the record's key — with every field of the record that fits it.

// asDocumented is rec as the response schema documents it (see above); warning is "" unless
// the record had to give way to the documented shape.
func (s *Server) asDocumented(x *exchange, method string, schema *openapi3.SchemaRef, rec map[string]any, key string) (answer any, warning string) {
	if schema == nil || schema.Value == nil || s.answerFits(schema, rec) {
		return rec, ""
	}
	seed := generate.Seed(s.cfg.Seed, "answer", key)
	gen := s.gens[x.op.Doc].Value(schema, seed, generate.Response)
	shape, ok := gen.(map[string]any)
	if !ok {
		// An array, a string …: no record can be that; the documented answer stands.
		return gen, "the stored record does not have the documented shape of this response; generated instead"
	}
	out := make(map[string]any, len(shape))
	for k, v := range shape {
		out[k] = v
	}
	for k, v := range rec {
		if ps := propertySchema(schema.Value, k); ps != nil && ps.Value != nil && s.answerFits(ps, v) {
			out[k] = v
		}
	}
	if method == http.MethodDelete {
		if ps := propertySchema(schema.Value, "deleted"); ps != nil && ps.Value != nil && s.answerFits(ps, true) {
			out["deleted"] = true // a deletion marker says it was deleted
		}
	}
	if s.answerFits(schema, out) {
		return out, ""
	}
	return shape, "the stored record does not fit the documented response; generated instead"
}

// answerFits reports whether v validates against a response schema.
func (s *Server) answerFits(schema *openapi3.SchemaRef, v any) bool {
	return schema.Value.VisitJSON(v, s.responseOpts(schema)...) == nil
}

// responseOpts are the options to validate a value against a response schema with: the JSON
// Schema 2020-12 validator only where the schema needs it. spec.Needs2020 walks the schema, so
// its answer is remembered per schema: this runs on the request path (state answers, keys).
func (s *Server) responseOpts(schema *openapi3.SchemaRef) []openapi3.SchemaValidationOption {
	needs, ok := s.needs2020.Load(schema)
	if !ok {
		needs, _ = s.needs2020.LoadOrStore(schema, spec.Needs2020(schema))
	}
	if needs.(bool) {
		return s.validate.responseOpts2020
	}
	return s.validate.responseOpts
}
