// Package resource decides what requests do to the records an API description implies: which
// operations read or write which resource (Infer), and what one request does to the store
// (Engine.Apply), as an Outcome the server renders.
package resource

import (
	"path/filepath"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/mockserver/mockserver/mockserver/spec"
)

// Kind is the part an operation plays on a resource.
type Kind string

// Operation kinds, as fixtures name them (operations.ID.kind).
const (
	None       Kind = "none"       // stateless: answered from examples or generated
	Item       Kind = "item"       // /things/{id}: one record named by a path parameter
	Collection Kind = "collection" // /things: every record (list, create, patch/delete by filter)
	Singleton  Kind = "singleton"  // /me/settings/image: one record per caller
	View       Kind = "view"       // /things/findByStatus, /things/search: a filtered list of a collection
)

// Binding is what the mock inferred (or a fixture said) an operation does to state.
type Binding struct {
	Resource string
	Kind     Kind
	Key      string   // item operations: the path parameter naming the record
	Scope    []string // the path parameters of enclosing resources, outermost first
	// Inferred is false when a fixture corrected the inference.
	Inferred bool
	// ByBody marks a collection PUT that names its record by the body's key property (the
	// petstore's PUT /pet): it replaces that record.
	ByBody bool

	// What bind saw and refine decides on, once record schemas are known: the collection an
	// item POST or a literal sub-path belongs to.
	near      string
	nearKey   string
	nearScope []string

	// Worked out by Model.Prepare for list reads: whether the operation answers a list, and
	// its paging parameters and bounds.
	lists  bool
	paging paging
}

// Shape is one inferred resource.
type Shape struct {
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
	// Closed resources answer 404 for ids nobody wrote; open ones derive a record for any id
	// that fits the key. A resource is closed when fixtures seed it (unless they say otherwise).
	Closed bool
	Doc    *spec.Document
	// Wrap is the property of a one-property envelope the item's answer wraps the record in
	// ({ssh_key: {...}}); "" when it answers the record itself.
	Wrap string

	// Worked out by Prepare, once the shape is final (fixtures applied).
	times      []timeProp
	ids        idStyle
	props      openapi3.Schemas    // the record's properties, its allOf branches' too
	keySch     *openapi3.SchemaRef // the key property's schema
	plainKey   bool                // keySch is a bare string or integer type: a typed id fits it
	looseNames map[string]string   // loose(name) → the record property
	keyParam   *openapi3.SchemaRef // the item path parameter's schema
}

// Model is every binding and shape of the loaded descriptions: the start-up plan of state.
type Model struct {
	Bindings map[*spec.Operation]*Binding
	Shapes   map[string]*Shape
	// Rules are the fixtures' rules on records (empty until fixtures add theirs).
	Rules []*Rule
}

// Prepare works out, once the shapes are final (fixtures applied), what every request needs
// of them.
func (m *Model) Prepare() {
	for op, b := range m.Bindings {
		if b.Kind == Collection || b.Kind == View {
			b.lists, b.paging = listResponse(op), pagingOf(op)
		}
	}
	for _, sh := range m.Shapes {
		sh.props = nil
		if sh.Schema != nil && sh.Schema.Value != nil {
			sh.props = objectProperties(sh.Schema.Value, 0)
		}
		sh.times = timeProps(sh.Schema)
		sh.keySch = nil
		if sh.Schema != nil && sh.Schema.Value != nil && sh.KeyProperty != "" {
			sh.keySch = PropertySchema(sh.Schema.Value, sh.KeyProperty)
		}
		sh.plainKey = plainKey(sh.keySch)
		sh.ids = idStyleOf(sh)
		sh.looseNames = map[string]string{}
		for name := range sh.props {
			sh.looseNames[loose(name)] = name
		}
	}
}

// Segments splits a template into its segments, without the trailing empty one a trailing
// slash leaves (trailing slashes are significant for routing, not for what a path names).
func Segments(p string) []string {
	segs := strings.Split(strings.Trim(p, "/"), "/")
	if len(segs) == 1 && segs[0] == "" {
		return nil
	}
	for i, seg := range segs {
		segs[i] = stem(seg)
	}
	return segs
}

// formatSuffixes are the extensions some APIs give every path (Twilio's
// /Accounts/{AccountSid}/Messages.json and …/Messages/{Sid}.json): a path names the same
// resource with or without them.
var formatSuffixes = []string{".json", ".xml"}

// stem is a path segment without its format suffix.
func stem(seg string) string {
	for _, suf := range formatSuffixes {
		if len(seg) > len(suf) && strings.HasSuffix(seg, suf) {
			return seg[:len(seg)-len(suf)]
		}
	}
	return seg
}

// ItemPath is the path of the record id in the collection a request path names: the id
// appended as a segment, before the collection's format suffix where it has one
// (/Messages.json → /Messages/SM1.json).
func ItemPath(collection, id string) string {
	collection = strings.TrimSuffix(collection, "/")
	for _, suf := range formatSuffixes {
		if strings.HasSuffix(collection, suf) {
			return strings.TrimSuffix(collection, suf) + "/" + id + suf
		}
	}
	return collection + "/" + id
}

func wholeParam(seg string) (string, bool) {
	if len(seg) > 2 && seg[0] == '{' && seg[len(seg)-1] == '}' && !strings.ContainsAny(seg[1:len(seg)-1], "{}") {
		return seg[1 : len(seg)-1], true
	}
	return "", false
}

// Params lists the whole-segment parameters of segs.
func Params(segs []string) []string {
	var out []string
	for _, s := range segs {
		if p, ok := wholeParam(s); ok {
			out = append(out, p)
		}
	}
	return out
}

// Infer binds every operation of the descriptions to a resource, where the paths say so:
// `/things/{id}` is an item of "things", `/things` its collection; a literal path whose GET
// answers an array is a collection too; `/things/findByStatus` or `/things/search` beside an
// item path, read and answering a list of the records, is a view of the collection; a POST on
// an item path that sends and answers the record (Stripe's POST /v1/customers/{customer}) is
// an update; a literal path the description writes, whose record is an object (PUT
// /user/settings/image, Stripe's GET+POST /v1/account), is a singleton kept per caller.
// Actions (other POSTs on an item, or on a literal path with no item beside it) and literal
// paths that are only read (GET /health) are stateless.
func Infer(docs []*spec.Document) *Model {
	bindings := map[*spec.Operation]*Binding{}
	shapes := map[string]*Shape{}
	owner := map[string]*spec.Document{} // which description a resource name belongs to
	for _, d := range docs {
		items := map[string]bool{} // collection templates that have an item path
		for _, op := range d.Ops {
			segs := Segments(op.Path)
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
			bindings[op] = bind(op, names, items, singles)
		}
	}
	shapeAll(bindings, shapes)
	wrappedByRequests(bindings, shapes)
	// Second pass, now that record schemas are known: item POSTs that update, views, PUTs by
	// body.
	ops := make([]*spec.Operation, 0, len(bindings))
	for op := range bindings {
		ops = append(ops, op)
	}
	sort.Slice(ops, func(i, j int) bool { return opOrder(ops[i]) < opOrder(ops[j]) })
	for _, op := range ops {
		refine(op, bindings[op], shapes)
	}
	m := &Model{Bindings: bindings, Shapes: shapes}
	m.Prepare()
	return m
}

// bind is the first reading of one operation's path.
func bind(op *spec.Operation, names map[string]string, items map[string]bool, singles map[*spec.Operation]bool) *Binding {
	b := &Binding{Kind: None, Inferred: true}
	segs := Segments(op.Path)
	if len(segs) == 0 {
		return b
	}
	last := segs[len(segs)-1]
	if key, ok := wholeParam(last); ok && len(segs) > 1 {
		coll := strings.Join(segs[:len(segs)-1], "/")
		if _, param := wholeParam(segs[len(segs)-2]); param {
			return b // /a/{x}/{y}: no name for the resource
		}
		b.Resource, b.Key, b.Scope = names[coll], key, Params(segs[:len(segs)-1])
		if op.Method != "POST" {
			b.Kind = Item
		} else {
			b.near, b.nearKey, b.nearScope = names[coll], key, b.Scope
		}
	} else if _, isParam := wholeParam(last); !isParam && !strings.Contains(last, "{") {
		coll := strings.Join(segs, "/")
		b.Resource, b.Scope = names[coll], Params(segs)
		if parent := strings.Join(segs[:len(segs)-1], "/"); len(segs) > 1 && items[parent] && !items[coll] && op.Method == "GET" {
			b.near, b.nearScope = names[parent], Params(segs[:len(segs)-1])
		}
		switch {
		case items[coll] && op.Method != "POST" && op.Method != "PUT" && !listResponse(op) && isObject(SuccessSchema(op), 0):
			// GitHub's GET and PATCH /user beside /user/{account_id}: an object, not the
			// collection's list (a PATCH of every record would answer an array)
		case items[coll] || answersList(op):
			if op.Method != "OPTIONS" && op.Method != "HEAD" && op.Method != "TRACE" {
				b.Kind = Collection
			}
		case singles[op]:
			b.Kind = Singleton
		}
	}
	if b.Kind == None {
		b.Resource = ""
	}
	return b
}

// shapeAll finds each resource's record schema, from its item (or singleton) reads first.
func shapeAll(bindings map[*spec.Operation]*Binding, shapes map[string]*Shape) {
	ops := make([]*spec.Operation, 0, len(bindings))
	for op := range bindings {
		ops = append(ops, op)
	}
	sort.Slice(ops, func(i, j int) bool { return opOrder(ops[i]) < opOrder(ops[j]) })
	for _, op := range ops {
		b := bindings[op]
		if b.Kind == None {
			continue
		}
		sh := shapes[b.Resource]
		if sh == nil {
			segs := Segments(op.Path)
			coll := op.Path
			if b.Kind == Item {
				coll = "/" + strings.Join(segs[:len(segs)-1], "/")
			}
			sh = &Shape{Name: b.Resource, Collection: coll, Doc: op.Doc}
			shapes[b.Resource] = sh
		}
		if sh.Media == nil && (b.Kind == Item || b.Kind == Singleton) {
			// An item's own response describes the record best (it may override what a
			// collection's array items said).
			if m := SuccessMedia(op); m != nil && isObject(m.Schema, 0) {
				// anyOf [customer, deleted_customer]: the customer; {ssh_key: {...}}: the key
				sh.Media = m
				sh.Schema, sh.Wrap = Unwrap(RecordBranch(m.Schema))
			}
			if b.Kind == Item && sh.keyParam == nil {
				sh.keyParam = pathParam(op, b.Key)
			}
		}
		if sh.Schema == nil && b.Kind == Collection {
			if items := ListItems(SuccessSchema(op)); items != nil && isObject(items, 0) {
				sh.Schema, _ = Unwrap(RecordBranch(items)) // a collection alone: its list's items
			}
		}
		if sh.KeyProperty == "" && b.Key != "" && sh.Schema != nil && sh.Schema.Value != nil {
			sh.KeyProperty = keyProperty(sh.Schema.Value, b.Key, pathParam(op, b.Key))
		}
	}
	for _, sh := range shapes {
		if sh.KeyProperty == "" && sh.Schema != nil && sh.Schema.Value != nil && PropertySchema(sh.Schema.Value, "id") != nil {
			sh.KeyProperty = "id"
		}
	}
}

// refine reads what needs the record schemas: an item POST that updates its record (it sends
// some of the record's properties and answers the record: Stripe's POST
// /v1/customers/{customer}), a literal path under a collection that lists the collection's
// records (a view: /pet/findByStatus, /v1/customers/search), a collection PUT naming its record
// by the body's key (the petstore's PUT /pet).
func refine(op *spec.Operation, b *Binding, shapes map[string]*Shape) {
	near := shapes[b.near]
	switch {
	case b.Kind == None && op.Method == "POST" && b.nearKey != "":
		if near == nil || near.Schema == nil || !sendsRecord(op, near.Schema) || !answersRecord(op, near.Schema) {
			return
		}
		b.Kind, b.Resource, b.Key, b.Scope = Item, b.near, b.nearKey, b.nearScope
	case b.near != "" && op.Method == "GET" && (b.Kind == Collection || b.Kind == None):
		if near == nil || near.Schema == nil || !sameSchema(RecordBranch(ListItems(SuccessSchema(op))), near.Schema) {
			return
		}
		if own := shapes[b.Resource]; own != nil && b.Kind == Collection && own.Collection == op.Path {
			delete(shapes, b.Resource) // the view's own name named no resource of its own
		}
		b.Kind, b.Resource, b.Scope = View, b.near, b.nearScope
	case b.Kind == Collection && op.Method == "PUT":
		sh := shapes[b.Resource]
		if sh != nil && sh.KeyProperty != "" {
			if req := RequestSchema(op); req != nil && req.Value != nil && PropertySchema(req.Value, sh.KeyProperty) != nil {
				b.ByBody = true
			}
		}
	}
}

// sendsRecord reports whether op's request body sends some of record's properties.
func sendsRecord(op *spec.Operation, record *openapi3.SchemaRef) bool {
	sent := RequestSchema(op)
	if sent == nil || sent.Value == nil || record.Value == nil {
		return false
	}
	return overlap(sent.Value, record.Value) > 0
}

// answersRecord reports whether op's success answers record (itself, or among alternatives).
func answersRecord(op *spec.Operation, record *openapi3.SchemaRef) bool {
	got := SuccessSchema(op)
	return sameSchema(got, record) || sameSchema(RecordBranch(got), record)
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

// keyProperty finds the record property a path parameter names: the parameter's own name (in
// any case: Twilio's {Sid} is sid), else its last word (GitHub's {issue_number} is the issue's
// number, {petId} its id), else its name without "_id" (DigitalOcean's {namespace_id} is the
// namespace), else "id" — unless the parameter is a string "id" cannot hold (GitHub's {org}
// names an organization by its login, not its integer id): then a string property that names
// things (login, username, name, slug, handle). "" when the record has none of them.
func keyProperty(record *openapi3.Schema, param string, paramSchema *openapi3.SchemaRef) string {
	props := objectProperties(record, 0)
	names := make([]string, 0, len(props))
	for n := range props {
		names = append(names, n)
	}
	sort.Strings(names)
	last := param
	if i := strings.LastIndexAny(param, "_-."); i >= 0 {
		last = param[i+1:]
	} else {
		for i := len(param) - 1; i > 0; i-- {
			if param[i] >= 'A' && param[i] <= 'Z' {
				last = param[i:]
				break
			}
		}
	}
	find := func(want string) string {
		if props[want] != nil {
			return want
		}
		for _, n := range names {
			if strings.EqualFold(n, want) {
				return n
			}
		}
		return ""
	}
	base := strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(param, "_id"), "Id"), "ID") // {namespace_id}: the namespace
	for _, want := range []string{param, last, base} {
		if n := find(want); n != "" && (want != base || base == param || takesText(props[n]) || !textualParam(paramSchema)) {
			return n
		}
	}
	id := find("id")
	textual := textualParam(paramSchema)
	if id != "" && (!textual || takesText(props[id])) {
		return id
	}
	if textual {
		for _, want := range []string{"login", "username", "name", "slug", "handle"} {
			if n := find(want); n != "" && takesText(props[n]) {
				return n
			}
		}
	}
	return id
}

// textualParam reports whether a path parameter takes text (a string, or no type said).
func textualParam(p *openapi3.SchemaRef) bool {
	return p == nil || p.Value == nil || p.Value.Type.IsEmpty() || p.Value.Type.Includes("string")
}

// takesText reports whether a property holds strings.
func takesText(p *openapi3.SchemaRef) bool {
	return p != nil && p.Value != nil && textualParam(p)
}

// pathParam is the schema of an operation's path parameter.
func pathParam(op *spec.Operation, name string) *openapi3.SchemaRef {
	for _, p := range op.Params {
		if p.In == openapi3.ParameterInPath && p.Name == name {
			return p.Schema
		}
	}
	return nil
}

// wrappedByRequests unwraps the records of resources whose answers wrap them beside scalar
// fields ({knowledge_base: {...}, database_status}): where what the collection's create sends
// names more of the inner object's properties than of the wrapper's, the inner object is the
// record (Shape.Wrap the property holding it).
func wrappedByRequests(bindings map[*spec.Operation]*Binding, shapes map[string]*Shape) {
	for op, b := range bindings {
		if b.Kind != Collection || op.Method != "POST" {
			continue
		}
		sh := shapes[b.Resource]
		if sh == nil || sh.Wrap != "" || sh.Schema == nil || sh.Schema.Value == nil {
			continue
		}
		inner, name := looseEnvelope(sh.Schema)
		sent := RequestSchema(op)
		if name == "" || sent == nil || sent.Value == nil {
			continue
		}
		if overlap(sent.Value, inner.Value) > overlap(sent.Value, sh.Schema.Value) {
			sh.Schema, sh.Wrap, sh.KeyProperty = inner, name, ""
			for iop, ib := range bindings {
				if ib.Kind == Item && ib.Resource == b.Resource && sh.KeyProperty == "" {
					sh.KeyProperty = keyProperty(inner.Value, ib.Key, pathParam(iop, ib.Key))
				}
			}
			if sh.KeyProperty == "" && PropertySchema(inner.Value, "id") != nil {
				sh.KeyProperty = "id"
			}
		}
	}
}

// overlap counts the properties of a that b declares too (names compared loosely).
func overlap(a, b *openapi3.Schema) int {
	names := map[string]bool{}
	for n := range objectProperties(b, 0) {
		names[loose(n)] = true
	}
	n := 0
	for name := range objectProperties(a, 0) {
		if names[loose(name)] {
			n++
		}
	}
	return n
}

// plainKey reports whether a key schema says nothing but its type (string or integer): no
// format, pattern, bounds, enum or nullability that a typed id would have to be checked
// against.
func plainKey(s *openapi3.SchemaRef) bool {
	if s == nil || s.Value == nil {
		return false
	}
	v := s.Value
	typed := v.Type.Is("string") || v.Type.Is("integer")
	return typed && (v.Format == "" || v.Type.Is("integer") && v.Format == "int64") && v.Pattern == "" && v.Min == nil && v.Max == nil && v.MinLength == 0 &&
		v.MaxLength == nil && len(v.Enum) == 0 && v.Const == nil && !v.Nullable && len(v.AllOf) == 0 && len(v.AnyOf) == 0 &&
		len(v.OneOf) == 0 && v.Not == nil && v.MultipleOf == nil
}
