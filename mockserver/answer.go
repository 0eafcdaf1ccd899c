package mockserver

import (
	"cmp"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/mockserver/mockserver/mockserver/generate"
	"github.com/mockserver/mockserver/mockserver/resource"
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
	if schema == nil || schema.Value == nil {
		return rec, ""
	}
	inner, name := resource.Unwrap(schema)
	if b := s.model.Bindings[x.op]; b != nil && name == "" {
		if sh := s.model.Shapes[b.Resource]; sh != nil && sh.Wrap != "" {
			if p := resource.PropertySchema(schema.Value, sh.Wrap); p != nil && p.Value != nil && len(resource.Properties(p.Value)) > 1 {
				inner, name = p, sh.Wrap // {knowledge_base: the record, database_status}
			}
		}
	}
	// The documented answer generated for this record, made once and only where needed.
	var gen any
	documented := func() any {
		if gen == nil {
			gen = s.gens[x.op.Doc].Value(schema, generate.Seed(s.cfg.Seed, "answer", key), generate.Response)
		}
		return gen
	}
	if _, already := rec[name].(map[string]any); name != "" && !already { // {ssh_key: the record}
		in, warning := s.asDocumented(x, method, inner, rec, key)
		if wrapped := s.wrapped(x, schema, name, in, key, nil); wrapped != nil {
			return wrapped, warning
		}
		shape, _ := documented().(map[string]any)
		if wrapped := s.wrapped(x, schema, name, in, key, shape); wrapped != nil {
			return wrapped, warning
		}
	}
	if s.answerFits(schema, rec) && sharesProperty(schema.Value, rec) {
		return rec, ""
	}
	if cand := s.asAlternative(schema, rec); cand != nil {
		return cand, ""
	}
	shape, ok := documented().(map[string]any)
	if !ok {
		// An array, a string …: no record can be that; the documented answer stands.
		return gen, "the stored record does not have the documented shape of this response; generated instead"
	}
	out := make(map[string]any, len(shape))
	for k, v := range shape {
		out[k] = v
	}
	for k, v := range rec {
		if ps := resource.PropertySchema(schema.Value, k); ps != nil && ps.Value != nil && s.answerFits(ps, v) {
			out[k] = v
		}
	}
	if method == http.MethodDelete {
		if ps := resource.PropertySchema(schema.Value, "deleted"); ps != nil && ps.Value != nil && s.answerFits(ps, true) {
			out["deleted"] = true // a deletion marker says it was deleted
		}
	}
	if s.answerFits(schema, out) {
		return out, ""
	}
	return shape, "the stored record does not fit the documented response; generated instead"
}

// wrapped is the record's answer in inside its envelope (around, or a bare one), with the
// envelope's id the record's key where it has one; nil when that does not fit schema.
func (s *Server) wrapped(x *exchange, schema *openapi3.SchemaRef, name string, in any, key string, around map[string]any) map[string]any {
	out := make(map[string]any, len(around)+1)
	for k, v := range around {
		out[k] = v
	}
	out[name] = in
	if p := resource.PropertySchema(schema.Value, "id"); p != nil && p.Value != nil {
		for _, v := range []any{key, typedKey(key)} {
			if s.answerFits(p, v) {
				out["id"] = v
			}
		}
	}
	if !s.answerFits(schema, out) {
		return nil
	}
	return out
}

// asAlternative is rec as one of the alternatives a oneOf or anyOf response offers: the
// record's fields an alternative declares, where that fits the response. A GitHub user record
// matches both private-user and public-user (oneOf: neither may match alone); cut to
// public-user's fields it is a public user, its login kept. nil when no alternative takes it.
func (s *Server) asAlternative(schema *openapi3.SchemaRef, rec map[string]any) map[string]any {
	for _, alts := range []openapi3.SchemaRefs{schema.Value.OneOf, schema.Value.AnyOf} {
		for _, alt := range alts {
			if alt == nil || alt.Value == nil {
				continue
			}
			props := resource.Properties(alt.Value)
			if len(props) == 0 {
				continue
			}
			cand := make(map[string]any, len(props))
			for k, v := range rec {
				if props[k] != nil {
					cand[k] = v
				}
			}
			if d := schema.Value.Discriminator; d != nil && alt.Ref != "" {
				for _, value := range slices.Sorted(maps.Keys(d.Mapping)) { // the first name, whatever the map's order
					if d.Mapping[value].Ref == alt.Ref {
						cand[d.PropertyName] = value // the alternative it is, by its own name
						break
					}
				}
			}
			if len(cand) > 0 && s.answerFits(schema, cand) {
				return cand
			}
		}
	}
	return nil
}

// typedKey is a key as a number where it reads as one.
func typedKey(key string) any {
	if n, err := strconv.ParseInt(key, 10, 64); err == nil {
		return n
	}
	if f, err := strconv.ParseFloat(key, 64); err == nil {
		return f
	}
	return key
}

// sharesProperty reports whether a record can be the object schema documents: the schema
// declares no properties, or the record has one of them (a record with none of a deletion
// answer's {message} is not that answer, however permissive the schema).
func sharesProperty(schema *openapi3.Schema, rec map[string]any) bool {
	if len(rec) == 0 {
		return true
	}
	for k := range rec {
		if resource.PropertySchema(schema, k) != nil {
			return true
		}
	}
	return len(schema.Properties) == 0 && len(schema.AllOf) == 0
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

// shapeList answers one page of records as the list response documents it: an array, or an
// envelope ({object: list, data, has_more, url}, {items, total}, {results, next} …) whose list
// field holds the records and whose count, more-to-come, cursor, URL and paging fields say what
// the page is (each only where the value fits its schema; the rest of the envelope generated).
// Each record is answered as the list's items document it; warning is the first that had to
// give way, or the envelope's.
func (s *Server) shapeList(x *exchange, schema *openapi3.SchemaRef, page resource.Page, seed uint64) (any, string) {
	render := func(items *openapi3.SchemaRef) ([]any, string) {
		out := make([]any, len(page.Records))
		var warning string
		for i, rec := range page.Records {
			var w string
			out[i], w = s.documentedRecord(x, items, rec)
			if warning == "" {
				warning = w
			}
		}
		return out, warning
	}
	if schema == nil || schema.Value == nil {
		return render(nil)
	}
	if schema.Value.Type.Includes("array") {
		return render(schema.Value.Items)
	}
	field, items := resource.ListFieldLoose(schema)
	wrapper, ok := s.gens[x.op.Doc].Value(schema, seed, generate.Response).(map[string]any)
	if field == "" || !ok {
		out, w := render(nil)
		return out, cmp.Or(w, "the list response is not an array or a known list envelope; the records are answered as an array")
	}
	out, warning := render(items)
	wrapper[field] = out
	set := func(name string, v any) {
		if p := resource.PropertySchema(schema.Value, name); p != nil && p.Value != nil && s.answerFits(p, v) {
			wrapper[name] = v
		}
	}
	for _, n := range []string{"has_more", "hasMore", "has_next", "hasNext"} {
		set(n, page.HasMore)
	}
	for _, n := range []string{"total", "total_count", "totalCount", "total_results", "totalResults", "count", "total_entries"} {
		set(n, int64(page.Total))
	}
	set("url", x.r.URL.Path)
	set("uri", x.r.URL.RequestURI())
	set("offset", int64(page.Offset))
	if page.Limit > 0 {
		for _, n := range []string{"limit", "per_page", "perPage", "page_size", "pageSize"} {
			set(n, int64(page.Limit))
		}
		set("page", int64(page.Offset/page.Limit+1))
	}
	var last string
	if n := len(page.Records); n > 0 {
		if sh := s.model.Shapes[s.model.Bindings[x.op].Resource]; sh != nil && sh.KeyProperty != "" {
			last = resource.ScalarString(page.Records[n-1][sh.KeyProperty])
		}
	}
	for _, n := range []string{"next", "next_page", "nextPage", "next_cursor", "nextCursor", "next_marker", "next_page_token", "nextPageToken", "cursor",
		"next_page_uri", "nextPageUri", "next_page_url", "nextPageUrl", "next_url", "nextUrl"} {
		p := resource.PropertySchema(schema.Value, n)
		if p == nil || p.Value == nil {
			continue
		}
		if _, present := wrapper[n]; !present && !slices.Contains(resource.RequiredOf(schema.Value), n) {
			continue
		}
		switch {
		case page.HasMore && (p.Value.Format == "uri" || n == "next" || strings.HasSuffix(strings.ToLower(n), "uri") || strings.HasSuffix(strings.ToLower(n), "url")):
			q := x.r.URL.Query()
			q.Set("offset", strconv.Itoa(page.Offset+len(page.Records)))
			set(n, "http://"+x.r.Host+x.r.URL.Path+"?"+q.Encode())
		case page.HasMore:
			set(n, last)
		case s.answerFits(p, nil):
			wrapper[n] = nil
		case !slices.Contains(resource.RequiredOf(schema.Value), n):
			delete(wrapper, n)
		}
	}
	if !s.answerFits(schema, wrapper) && warning == "" {
		warning = "the list does not fit the documented envelope"
	}
	return wrapper, warning
}
