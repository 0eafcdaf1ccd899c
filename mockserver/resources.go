package mockserver

import (
	"path/filepath"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/mockserver/mockserver/mockserver/spec"
)

// opKind is the part an operation plays on a resource.
type opKind string

// Operation kinds, as fixtures name them (operations.ID.kind).
const (
	kindNone       opKind = "none"       // stateless: answered from examples or generated
	kindItem       opKind = "item"       // /things/{id}: one record named by a path parameter
	kindCollection opKind = "collection" // /things: every record (list, create, patch/delete by filter)
	kindSingleton  opKind = "singleton"  // /me/settings/image: one record per caller
)

// binding is what the mock inferred (or a fixture said) an operation does to state.
type binding struct {
	Resource string
	Kind     opKind
	Key      string   // item operations: the path parameter naming the record
	Scope    []string // the path parameters of enclosing resources, outermost first
	// Inferred is false when a fixture corrected the inference.
	Inferred bool
}

// resourceShape is one inferred resource.
type resourceShape struct {
	Name string
	// Collection is the collection path template (the item path without its last segment).
	Collection string
	// KeyProperty is the record property that holds the id (the key parameter's name when the
	// record has it, else "id"; "" when the record has neither).
	KeyProperty string
	// Schema is the record schema: the 2xx response schema of the item's GET, else of another
	// item or singleton operation; Media is the response media type it comes from (its
	// examples are what a record nobody wrote looks like).
	Schema *openapi3.SchemaRef
	Media  *openapi3.MediaType
	// Closed resources answer 404 for ids nobody wrote; open ones generate a record once. A
	// resource is closed when fixtures seed it (unless they say otherwise).
	Closed bool
	Doc    *spec.Document
	// times are the properties the server maintains (creation and update times), found from
	// Schema once its final value is known (prepareShapes).
	times []timeProp
}

// prepareShapes works out, once the shapes are final (fixtures applied), what every write
// needs of them.
func prepareShapes(shapes map[string]*resourceShape) {
	for _, sh := range shapes {
		sh.times = timeProps(sh.Schema)
	}
}

// segments splits a template into its segments, without the trailing empty one a trailing slash
// leaves (trailing slashes are significant for routing, not for what a path names).
func segments(p string) []string {
	segs := strings.Split(strings.Trim(p, "/"), "/")
	if len(segs) == 1 && segs[0] == "" {
		return nil
	}
	return segs
}

func wholeParam(seg string) (string, bool) {
	if len(seg) > 2 && seg[0] == '{' && seg[len(seg)-1] == '}' && !strings.ContainsAny(seg[1:len(seg)-1], "{}") {
		return seg[1 : len(seg)-1], true
	}
	return "", false
}

// params lists the whole-segment parameters of segs.
func params(segs []string) []string {
	var out []string
	for _, s := range segs {
		if p, ok := wholeParam(s); ok {
			out = append(out, p)
		}
	}
	return out
}

// inferResources binds every operation of the descriptions to a resource, where the paths say
// so: `/things/{id}` is an item of "things", `/things` its collection; a literal path whose
// GET answers an array is a collection too; a literal path the description writes, whose
// record is an object (PUT /user/settings/image, Stripe's GET+POST /v1/account), is a
// singleton kept per caller (see singletonOps). Actions (POST on an item, or on a literal path
// with no item beside it) and literal paths that are only read (GET /health) are stateless.
func inferResources(docs []*spec.Document) (map[*spec.Operation]*binding, map[string]*resourceShape) {
	bindings := map[*spec.Operation]*binding{}
	shapes := map[string]*resourceShape{}
	owner := map[string]*spec.Document{} // which description a resource name belongs to
	for _, d := range docs {
		items := map[string]bool{} // collection templates that have an item path
		for _, op := range d.Ops {
			segs := segments(op.Path)
			if len(segs) > 1 {
				if _, ok := wholeParam(segs[len(segs)-1]); ok {
					items[strings.Join(segs[:len(segs)-1], "/")] = true
				}
			}
		}
		names := resourceNames(d, items)
		singles := singletonOps(d, items)
		for coll, n := range names {
			// Names are global: a name another description already has is qualified with
			// this description's file name ("community:user").
			if o, taken := owner[n]; taken && o != d {
				n = strings.TrimSuffix(filepath.Base(d.File), filepath.Ext(d.File)) + ":" + n
				names[coll] = n
			}
			owner[n] = d
		}
		for _, op := range d.Ops {
			segs := segments(op.Path)
			if len(segs) == 0 {
				continue
			}
			last := segs[len(segs)-1]
			b := &binding{Kind: kindNone, Inferred: true}
			bindings[op] = b
			if key, ok := wholeParam(last); ok && len(segs) > 1 {
				coll := strings.Join(segs[:len(segs)-1], "/")
				if _, param := wholeParam(segs[len(segs)-2]); param {
					continue // /a/{x}/{y}: no name for the resource
				}
				b.Resource, b.Key, b.Scope = names[coll], key, params(segs[:len(segs)-1])
				if op.Method != "POST" {
					b.Kind = kindItem
				}
			} else if _, isParam := wholeParam(last); !isParam && !strings.Contains(last, "{") {
				coll := strings.Join(segs, "/")
				b.Resource, b.Scope = names[coll], params(segs)
				switch {
				case items[coll] || answersArray(op):
					if op.Method != "OPTIONS" && op.Method != "HEAD" && op.Method != "TRACE" {
						b.Kind = kindCollection
					}
				case singles[op]:
					b.Kind = kindSingleton
				}
			}
			if b.Kind == kindNone {
				b.Resource = ""
			}
		}
	}
	// Shapes: the record schema of each resource, from its item (or singleton) reads first.
	ops := make([]*spec.Operation, 0, len(bindings))
	for op := range bindings {
		ops = append(ops, op)
	}
	sort.Slice(ops, func(i, j int) bool { return opOrder(ops[i]) < opOrder(ops[j]) })
	for _, op := range ops {
		b := bindings[op]
		if b.Kind == kindNone {
			continue
		}
		sh := shapes[b.Resource]
		if sh == nil {
			segs := segments(op.Path)
			coll := op.Path
			if b.Kind == kindItem {
				coll = "/" + strings.Join(segs[:len(segs)-1], "/")
			}
			sh = &resourceShape{Name: b.Resource, Collection: coll, Doc: op.Doc}
			shapes[b.Resource] = sh
		}
		if sh.Media == nil && (b.Kind == kindItem || b.Kind == kindSingleton) {
			// An item's own response describes the record best (it may override what a
			// collection's array items said).
			if m := successMedia(op); m != nil {
				sh.Media, sh.Schema = m, recordBranch(m.Schema) // anyOf [customer, deleted_customer]: the customer
			}
		}
		if sh.Schema == nil && b.Kind == kindCollection && answersArray(op) {
			sh.Schema = recordBranch(successSchema(op).Value.Items) // a collection alone: its array's items
		}
		if sh.KeyProperty == "" && b.Key != "" && sh.Schema != nil && sh.Schema.Value != nil {
			switch {
			case sh.Schema.Value.Properties[b.Key] != nil:
				sh.KeyProperty = b.Key
			case sh.Schema.Value.Properties["id"] != nil:
				sh.KeyProperty = "id"
			}
		}
	}
	for _, sh := range shapes {
		if sh.KeyProperty == "" && sh.Schema != nil && sh.Schema.Value != nil && sh.Schema.Value.Properties["id"] != nil {
			sh.KeyProperty = "id"
		}
	}
	return bindings, shapes
}

// opOrder sorts operations so that a resource's shape comes from its item GET when there is one
// (on one path, a PUT's answer before a PATCH's: never a tie, whatever the map order).
func opOrder(op *spec.Operation) string {
	rank, tie := "2", op.Method
	switch op.Method {
	case "GET":
		rank = "0"
	case "PUT":
		rank, tie = "1", "0"
	case "PATCH":
		rank, tie = "1", "1"
	}
	return op.Doc.File + "\x00" + rank + "\x00" + op.Path + "\x00" + tie
}

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
		segs := segments(op.Path)
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
		if get != nil && answersArray(get) {
			continue // a list: a collection
		}
		var post *spec.Operation
		var record *openapi3.SchemaRef
		if get != nil {
			record = successSchema(get)
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
				record = successSchema(w)
			}
		}
		if !written || !isObject(record, 0) {
			continue
		}
		for _, op := range []*spec.Operation{get, ops["PUT"], ops["PATCH"], ops["DELETE"], post} {
			if op == nil {
				continue
			}
			if s := successSchema(op); s == nil || isObject(s, 0) {
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
	sent := requestSchema(post)
	if sent == nil || sent.Value == nil || (!sameSchema(sent, record) && !sameSchema(successSchema(post), record)) {
		return false
	}
	for name := range sent.Value.Properties {
		if record.Value.Properties[name] != nil {
			return true
		}
	}
	return false
}

// requestSchema is the schema of the operation's request body, in its first media type.
func requestSchema(op *spec.Operation) *openapi3.SchemaRef {
	if op.Op.RequestBody == nil || op.Op.RequestBody.Value == nil {
		return nil
	}
	content := op.Op.RequestBody.Value.Content
	for _, mt := range orderedMediaTypes(content) {
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
		segs := segments(op.Path)
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
	segs := segments(coll)
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

// answersArray reports whether the operation's success response is a JSON array.
func answersArray(op *spec.Operation) bool {
	s := successSchema(op)
	return s != nil && s.Value != nil && s.Value.Type.Is("array")
}

// successMedia is the media type (with a schema) of the operation's lowest 2xx response.
func successMedia(op *spec.Operation) *openapi3.MediaType {
	for _, k := range responseKeys(op.Op.Responses) {
		if st := keyStatus(k); st < 200 || st > 299 {
			continue
		}
		r := op.Op.Responses.Value(k)
		if r == nil || r.Value == nil {
			continue
		}
		for _, mt := range mediaTypes(op.Doc, r.Value) {
			if m := r.Value.Content[mt]; m != nil && m.Schema != nil && m.Schema.Value != nil {
				return m
			}
		}
		return nil
	}
	return nil
}

// successSchema is the JSON schema of the operation's lowest 2xx response.
func successSchema(op *spec.Operation) *openapi3.SchemaRef {
	if m := successMedia(op); m != nil {
		return m.Schema
	}
	return nil
}
