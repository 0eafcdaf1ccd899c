package resource

import (
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/mockserver/mockserver/mockserver/spec"
)

// What the description's schemas say about records: which schema a record follows, its
// properties, the list a response carries.

// singletonOps finds the operations of d that read or write a singleton. A literal path that
// is no collection (no item path beside it, its GET answers no array) holds one record per
// caller only when the description writes it — a PUT, a PATCH, or a POST that sends the record
// its GET answers — and the record is an object: the GET's success schema, else the first
// writer's. A path that is only read (GET /health, GET /ping) is no state: its examples answer.
// Bound are the path's GET, PUT, PATCH, DELETE and writing POST, each only when what it answers
// is the record (no body, or an object).
func singletonOps(d *spec.Document, items map[string]bool) map[*spec.Operation]bool {
	byPath := map[string]map[string]*spec.Operation{} // literal path → method → operation
	for _, op := range d.Ops {
		segs := Segments(op.Path)
		if len(segs) == 0 || strings.Contains(segs[len(segs)-1], "{") {
			continue
		}
		coll := strings.Join(segs, "/")
		if items[coll] {
			continue
		}
		if byPath[coll] == nil {
			byPath[coll] = map[string]*spec.Operation{}
		}
		if byPath[coll][op.Method] == nil { // "/a" and "/a/": the first, in path order
			byPath[coll][op.Method] = op
		}
	}
	out := map[*spec.Operation]bool{}
	for _, ops := range byPath { // each path decides alone: the order does not matter
		get := ops["GET"]
		if get != nil && answersList(get) {
			continue // a list: a collection
		}
		var post *spec.Operation
		var record *openapi3.SchemaRef
		if get != nil {
			record = SuccessSchema(get)
			if record != nil && postWrites(ops["POST"], record) {
				post = ops["POST"]
			}
		}
		writers := []*spec.Operation{ops["PUT"], ops["PATCH"], post}
		written := false
		for _, w := range writers {
			if w == nil {
				continue
			}
			written = true
			if record == nil {
				record = SuccessSchema(w)
			}
		}
		if !written || !isObject(record, 0) {
			continue
		}
		for _, op := range []*spec.Operation{get, ops["PUT"], ops["PATCH"], ops["DELETE"], post} {
			if op == nil {
				continue
			}
			if s := SuccessSchema(op); s == nil || isObject(s, 0) {
				out[op] = true
			}
		}
	}
	return out
}

// postWrites reports whether a POST on a singleton's path writes the record its GET answers:
// it answers that record, or sends it, and what it sends names some of the record's
// properties. A POST sending something else (a search query, credentials) is an action.
func postWrites(post *spec.Operation, record *openapi3.SchemaRef) bool {
	if post == nil || record == nil || record.Value == nil {
		return false
	}
	sent := RequestSchema(post)
	if sent == nil || sent.Value == nil || (!sameSchema(sent, record) && !sameSchema(SuccessSchema(post), record)) {
		return false
	}
	for name := range sent.Value.Properties {
		if record.Value.Properties[name] != nil {
			return true
		}
	}
	return false
}

// RequestSchema is the schema of the operation's request body, in its first media type.
func RequestSchema(op *spec.Operation) *openapi3.SchemaRef {
	if op.Op.RequestBody == nil || op.Op.RequestBody.Value == nil {
		return nil
	}
	content := op.Op.RequestBody.Value.Content
	for _, mt := range spec.OrderedMediaTypes(content) {
		if m := content[mt]; m != nil && m.Schema != nil && m.Schema.Value != nil {
			return m.Schema
		}
	}
	return nil
}

// sameSchema reports whether a and b are one schema: the same component, or the same value.
func sameSchema(a, b *openapi3.SchemaRef) bool {
	if a == nil || b == nil {
		return false
	}
	return (a.Value != nil && a.Value == b.Value) || (a.Ref != "" && a.Ref == b.Ref)
}

// isObject reports whether a schema describes JSON objects only: type object, or no type with
// properties, or a composition of objects.
func isObject(s *openapi3.SchemaRef, depth int) bool {
	if s == nil || s.Value == nil || depth > 8 {
		return false
	}
	v := s.Value
	switch {
	case v.Type.Includes("object"):
		return true
	case !v.Type.IsEmpty():
		return false
	case len(v.Properties) > 0 || v.AdditionalProperties.Schema != nil:
		return true
	}
	for _, sub := range v.AllOf {
		if isObject(sub, depth+1) {
			return true
		}
	}
	for _, alts := range []openapi3.SchemaRefs{v.AnyOf, v.OneOf} {
		if len(alts) == 0 {
			continue
		}
		all := true
		for _, sub := range alts {
			all = all && isObject(sub, depth+1)
		}
		if all {
			return true
		}
	}
	return false
}

// resourceNames names each collection template by its last literal segment, adding enclosing
// segments where two collections would share a name.
func resourceNames(d *spec.Document, items map[string]bool) map[string]string {
	colls := map[string]bool{}
	for _, op := range d.Ops {
		segs := Segments(op.Path)
		if len(segs) == 0 {
			continue
		}
		if _, ok := wholeParam(segs[len(segs)-1]); ok {
			colls[strings.Join(segs[:len(segs)-1], "/")] = true
		} else {
			colls[strings.Join(segs, "/")] = true
		}
	}
	list := make([]string, 0, len(colls))
	for c := range colls {
		list = append(list, c)
	}
	sort.Strings(list)
	names := map[string]string{}
	for depth := 1; ; depth++ {
		taken := map[string][]string{}
		for _, c := range list {
			taken[nameAt(c, depth)] = append(taken[nameAt(c, depth)], c)
		}
		clash := false
		for _, c := range list {
			if _, done := names[c]; done {
				continue
			}
			n := nameAt(c, depth)
			if len(taken[n]) == 1 || depth > 8 {
				names[c] = n
			} else {
				clash = true
			}
		}
		if !clash {
			return names
		}
	}
}

// nameAt joins the last depth literal segments of a collection template with "." (names go in
// control API paths).
func nameAt(coll string, depth int) string {
	var lits []string
	segs := Segments(coll)
	for i := len(segs) - 1; i >= 0 && len(lits) < depth; i-- {
		if !strings.Contains(segs[i], "{") {
			lits = append([]string{segs[i]}, lits...)
		}
	}
	if len(lits) == 0 {
		return strings.ReplaceAll(strings.Trim(coll, "/"), "/", ".")
	}
	return strings.Join(lits, ".")
}

// answersList reports whether the operation's success response is a list: a JSON array, or
// an object wrapping one (ListField).
func answersList(op *spec.Operation) bool {
	return ListItems(SuccessSchema(op)) != nil
}

// SuccessMedia is the media type (with a schema) of the operation's lowest 2xx response.
func SuccessMedia(op *spec.Operation) *openapi3.MediaType {
	for _, k := range spec.ResponseKeys(op.Op.Responses) {
		if st := spec.KeyStatus(k); st < 200 || st > 299 {
			continue
		}
		r := op.Op.Responses.Value(k)
		if r == nil || r.Value == nil {
			continue
		}
		for _, mt := range op.Doc.MediaTypes(r.Value) {
			if m := r.Value.Content[mt]; m != nil && m.Schema != nil && m.Schema.Value != nil {
				return m
			}
		}
		return nil
	}
	return nil
}

// SuccessSchema is the JSON schema of the operation's lowest 2xx response.
func SuccessSchema(op *spec.Operation) *openapi3.SchemaRef {
	if m := SuccessMedia(op); m != nil {
		return m.Schema
	}
	return nil
}

// RecordBranch is the object schema a record follows: schema itself, or — where a response
// offers alternatives (Stripe's GET /v1/customers/{customer}: anyOf customer, deleted_customer)
// — the first alternative that describes an object, as descriptions list the live record first.
func RecordBranch(schema *openapi3.SchemaRef) *openapi3.SchemaRef {
	if schema == nil || schema.Value == nil {
		return nil
	}
	v := schema.Value
	if len(v.Properties) > 0 || len(v.AllOf) > 0 || (len(v.AnyOf) == 0 && len(v.OneOf) == 0) {
		return schema
	}
	for _, alts := range []openapi3.SchemaRefs{v.AnyOf, v.OneOf} {
		for _, alt := range alts {
			if isObject(alt, 0) {
				return alt
			}
		}
	}
	return schema
}

// RequiredOf lists the properties an object schema requires, its allOf branches' too.
func RequiredOf(s *openapi3.Schema) []string {
	out := s.Required
	for _, b := range s.AllOf {
		if b != nil && b.Value != nil {
			out = append(out[:len(out):len(out)], RequiredOf(b.Value)...)
		}
	}
	return out
}

// PropertySchema is the schema of an object's property, declared by the schema itself or one
// of its allOf branches.
func PropertySchema(s *openapi3.Schema, name string) *openapi3.SchemaRef {
	if p := s.Properties[name]; p != nil {
		return p
	}
	for _, b := range s.AllOf {
		if b != nil && b.Value != nil {
			if p := PropertySchema(b.Value, name); p != nil {
				return p
			}
		}
	}
	return nil
}

// Properties are the properties an object schema declares, its allOf branches' too.
func Properties(s *openapi3.Schema) openapi3.Schemas { return objectProperties(s, 0) }

// objectProperties are the properties an object schema declares, its allOf branches' too.
func objectProperties(s *openapi3.Schema, depth int) openapi3.Schemas {
	if len(s.AllOf) == 0 || depth > 8 {
		return s.Properties
	}
	out := openapi3.Schemas{}
	for _, b := range s.AllOf {
		if b != nil && b.Value != nil {
			for k, v := range objectProperties(b.Value, depth+1) {
				out[k] = v
			}
		}
	}
	for k, v := range s.Properties {
		out[k] = v
	}
	return out
}

// listNames are the property names that hold a list's items in the envelopes real APIs use
// ({object: list, data}, {items, total}, {results, next}, {entries, next_marker} …).
var listNames = []string{"data", "items", "results", "result", "entries", "records", "values", "content", "list", "elements", "rows", "objects"}

// markers are properties that say an object is a page of a list.
var markers = []string{"has_more", "hasMore", "has_next", "total", "total_count", "totalCount", "total_results", "totalResults",
	"count", "next", "next_page", "nextPage", "next_cursor", "nextCursor", "next_marker", "next_page_token", "nextPageToken",
	"cursor", "offset", "page", "limit", "per_page", "url", "object"}

// ListField finds the property of an object response that holds the list (and the schema of
// its items): a property with a list's name (data, items, results …) whose value is an array,
// in an object that also says it is a page (has_more, total, next …), or the object's only
// array property beside such a marker. "" when the schema is no list envelope.
func ListField(schema *openapi3.SchemaRef) (string, *openapi3.SchemaRef) {
	return listField(schema, false)
}

// ListFieldLoose is ListField that also takes an object's only array of objects without a
// page marker beside it (DigitalOcean's {ssh_keys: [...], links, meta}): for answering a list
// the operation is known to be, not for guessing whether it is one.
func ListFieldLoose(schema *openapi3.SchemaRef) (string, *openapi3.SchemaRef) {
	return listField(schema, true)
}

func listField(schema *openapi3.SchemaRef, loose bool) (string, *openapi3.SchemaRef) {
	if schema == nil || schema.Value == nil || !isObject(schema, 0) {
		return "", nil
	}
	props := objectProperties(schema.Value, 0)
	isArray := func(p *openapi3.SchemaRef) bool { // of records: an envelope lists objects
		return p != nil && p.Value != nil && p.Value.Type.Includes("array") && isObject(p.Value.Items, 0)
	}
	marked := false
	for _, m := range markers {
		if props[m] != nil {
			marked = true
			break
		}
	}
	if !marked && !loose {
		return "", nil
	}
	for _, n := range listNames {
		if isArray(props[n]) {
			return n, props[n].Value.Items
		}
	}
	var only string
	names := make([]string, 0, len(props))
	for n := range props {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if isArray(props[n]) {
			if only != "" {
				return "", nil
			}
			only = n
		}
	}
	if only == "" {
		return "", nil
	}
	return only, props[only].Value.Items
}

// ListItems is the schema of the items a list response carries: the array's items, or the
// items of its envelope's list field; nil when the response is no list.
func ListItems(schema *openapi3.SchemaRef) *openapi3.SchemaRef {
	if schema == nil || schema.Value == nil {
		return nil
	}
	if schema.Value.Type.Includes("array") {
		return schema.Value.Items
	}
	_, items := ListField(schema)
	return items
}

// envelopeSiblings are the properties an envelope may carry beside the record it wraps
// (OpenZiti's {data, meta}, Superset's {id, result}).
var envelopeSiblings = map[string]bool{"meta": true, "links": true, "_links": true, "id": true, "message": true,
	"status": true, "success": true, "pagination": true, "errors": true, "warnings": true, "request_id": true, "requestId": true}

// Unwrap is the record inside an envelope, and the property holding it: an object whose one
// property that is itself an object of several properties holds the record, beside nothing but
// envelope fields (DigitalOcean's {ssh_key: {...}}, OpenZiti's {data: {...}, meta}, Superset's
// {id, result: {...}}). schema itself and "" when it is no such envelope.
func Unwrap(schema *openapi3.SchemaRef) (*openapi3.SchemaRef, string) {
	if schema == nil || schema.Value == nil {
		return schema, ""
	}
	var name string
	for n, p := range objectProperties(schema.Value, 0) {
		switch {
		case envelopeSiblings[n] && !(n == "id" || n == "message") && isObject(p, 0):
			// meta, links: the envelope's own objects
		case isObject(p, 0) && p.Value != nil && len(objectProperties(p.Value, 0)) > 1:
			if name != "" {
				return schema, "" // two records: no envelope
			}
			name = n
		case !envelopeSiblings[n]:
			return schema, "" // a field of a record
		}
	}
	if name == "" {
		return schema, ""
	}
	return objectProperties(schema.Value, 0)[name], name
}

// looseEnvelope is the one property of an object schema that holds an object of several
// properties, beside nothing but scalars (DigitalOcean's {knowledge_base: {...},
// database_status: "…"}); "" when there is no such property. Whether it is an envelope the
// requests decide (wrappedByRequests): a pet's {category: {...}, id, name} has the same shape.
func looseEnvelope(schema *openapi3.SchemaRef) (*openapi3.SchemaRef, string) {
	if schema == nil || schema.Value == nil {
		return nil, ""
	}
	props := objectProperties(schema.Value, 0)
	var name string
	for n, p := range props {
		switch {
		case p == nil || p.Value == nil:
		case isObject(p, 0) && len(objectProperties(p.Value, 0)) > 1:
			if name != "" {
				return nil, ""
			}
			name = n
		case envelopeSiblings[n]:
		case p.Value.Type.Includes("object") || p.Value.Type.Includes("array"):
			return nil, ""
		}
	}
	if name == "" {
		return nil, ""
	}
	return props[name], name
}
