package spec

import (
	"bytes"
	"cmp"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// repair is given a description kin-openapi refused to load and the error; it returns a
// corrected copy (JSON or YAML text), one human-readable note per change, and ok=false when it
// has nothing to offer.
//
// It works on the parsed form (yaml.Node, so YAML and JSON alike) and writes JSON. It makes one
// pass over the whole root document, whatever loadErr names, since the repaired copy is loaded
// only once more: every problem it knows must be fixed in that one pass. The repairs are:
//
//   - a local $ref ("#/...") to nothing is replaced by the smallest valid object of the kind its
//     position expects: {} for a schema, {description: ""} for a response, and so on; a dangling
//     parameter $ref is removed from its list;
//   - a local $ref to an object of another kind (a schema $ref to a response, say) gets the same
//     treatment; where a Swagger 2.0 response's schema is a $ref to a response, the schema
//     becomes that response's schema, or is removed when that response has none (no body);
//   - a single schema written as a list (the draft-4 tuple `items: [a, b]`, for instance) becomes
//     the first of the list that is not just {type: null}; in OpenAPI 3.1 `items: [...]` becomes
//     prefixItems, its exact equivalent; allOf/anyOf/oneOf written as one schema become a list;
//   - before 3.1, a list of types with one type besides "null" becomes that type, with
//     x-nullable (2.0) or nullable (3.0) when "null" was listed; longer lists are left to
//     kin-openapi, which enforces them;
//   - decorative fields of the wrong type (description, summary, title, termsOfService,
//     externalDocs, contact, license, and tag entries' fields) are dropped; a number or boolean
//     where text is expected is kept as text;
//   - a schema's discriminator of the other version's form (2.0 string / 3.x object) is
//     converted, and a schema's `required` that is not a list (draft-3 `required: true`) dropped;
//   - an entry of the wrong type where an object is expected (a string, number, boolean or list
//     in paths, a path item's methods, parameters, responses, content, headers, examples,
//     links, encoding, callbacks, properties, the components' maps …) is dropped, and so is a
//     map or list of them that is not a map or list; null is dropped only where kin-openapi
//     refuses it (it reads a null OpenAPI 3 path item, an operation, media type or encoding
//     as absent; openapi2conv panics on Swagger 2.0 nulls). Only the fields kin-openapi
//     decodes are checked, and an x- key is never dropped, whatever its value.
//
// It does not read the files a description refers to, so refs to other files are left as they
// are. By the time it runs, bundle (bundle.go) has inlined what kin-openapi cannot follow from
// other files (operations written as $refs, Swagger 2.0 split across files), and data is that
// bundled text: a Swagger 2.0 description is then one self-contained document, all of it
// repaired here.
func repair(kind string, data []byte, loadErr error) (fixed []byte, notes []string, ok bool) {
	_ = loadErr // every known problem is repaired, not only the one kin-openapi reported first
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, nil, false
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil, nil, false
	}
	root := deref(doc.Content[0])
	if root == nil || root.Kind != yaml.MappingNode {
		return nil, nil, false
	}
	r := &repairer{v2: kind == "swagger", root: root, kinds: map[*yaml.Node]string{}}
	if v := mapGet(root, "openapi"); !r.v2 && v != nil && v.Kind == yaml.ScalarNode {
		r.v31 = !strings.HasPrefix(v.Value, "3.0")
	}
	r.walkRoot()
	r.fixRefs()
	if len(r.notes) == 0 {
		return nil, nil, false
	}
	var buf bytes.Buffer
	if err := nodeToJSON(&buf, root, 0); err != nil {
		return nil, nil, false
	}
	// Notes in document order: a $ref's note where the $ref was met.
	slices.SortStableFunc(r.notes, func(a, b note) int { return cmp.Compare(a.seq, b.seq) })
	for _, n := range r.notes {
		notes = append(notes, n.text)
	}
	return buf.Bytes(), notes, true
}

// Kinds of position in a description, as far as $refs are concerned.
const (
	kSchema         = "schema"
	kParameter      = "parameter"
	kResponse       = "response"
	kRequestBody    = "request body"
	kHeader         = "header"
	kExample        = "example"
	kLink           = "link"
	kCallback       = "callback"
	kSecurityScheme = "security scheme"
	kPathItem       = "path item"
	kOperation      = "operation"
	kMediaType      = "media type"
	kEncoding       = "encoding"
)

type repairer struct {
	v2, v31 bool
	root    *yaml.Node
	// kinds records the kind of every object visited, so that a $ref's target can be checked.
	kinds map[*yaml.Node]string
	sites []refSite // the $refs met, in document order
	seq   int       // objects visited so far: orders the notes
	notes []note
}

type note struct {
	seq  int
	text string
}

// refSite is one {$ref: ...} object at a position expecting kind.
type refSite struct {
	node       *yaml.Node
	seq        int
	ref        string
	kind       string
	loc        string     // JSON pointer of node
	parent     *yaml.Node // the mapping or sequence holding node
	parentKind string
	key        string // node's key in parent when parent is a mapping
}

func (r *repairer) note(format string, args ...any) {
	r.noteAt(r.seq, format, args...)
}

func (r *repairer) noteAt(seq int, format string, args ...any) {
	r.notes = append(r.notes, note{seq, "repaired: " + fmt.Sprintf(format, args...)})
}

var methodKeys = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

func (r *repairer) walkRoot() {
	root := r.root
	r.fixDecor(root, "", "externalDocs")
	if info := deref(mapGet(root, "info")); info != nil && info.Kind == yaml.MappingNode {
		r.fixDecor(info, "/info", "title", "summary", "description", "termsOfService", "contact", "license")
	}
	r.fixTags(root)
	if servers := deref(mapGet(root, "servers")); servers != nil && servers.Kind == yaml.SequenceNode {
		for i, s := range servers.Content {
			if s = deref(s); s.Kind == yaml.MappingNode {
				r.fixDecor(s, "/servers/"+strconv.Itoa(i), "description")
			}
		}
	}
	r.eachValue(root, "", "paths", kPathItem)
	if r.v2 {
		r.eachValue(root, "", "definitions", kSchema)
		r.eachValue(root, "", "parameters", kParameter)
		r.eachValue(root, "", "responses", kResponse)
		r.eachValue(root, "", "securityDefinitions", kSecurityScheme)
		return
	}
	r.eachValue(root, "", "webhooks", kPathItem)
	comp := deref(mapGet(root, "components"))
	if comp == nil || comp.Kind != yaml.MappingNode {
		if comp != nil && comp.Kind != yaml.AliasNode && !isNullNode(comp) {
			mapDel(root, "components")
			r.seq++
			r.note("dropped /components: %s where a components object is expected", typeName(comp))
		}
		return
	}
	for _, c := range []struct{ key, kind string }{
		{"schemas", kSchema}, {"responses", kResponse}, {"parameters", kParameter},
		{"examples", kExample}, {"requestBodies", kRequestBody}, {"headers", kHeader},
		{"securitySchemes", kSecurityScheme}, {"links", kLink}, {"callbacks", kCallback},
		{"pathItems", kPathItem},
	} {
		r.eachValue(comp, "/components", c.key, c.kind)
	}
}

// fixTags drops the malformed decoration of the document's tags.
func (r *repairer) fixTags(root *yaml.Node) {
	tags := deref(mapGet(root, "tags"))
	if tags == nil {
		return
	}
	if tags.Kind != yaml.SequenceNode {
		mapDel(root, "tags")
		r.note("/tags is not a list of tags: dropped")
		return
	}
	kept := tags.Content[:0:0]
	for i, t := range tags.Content {
		loc := "/tags/" + strconv.Itoa(i)
		m := deref(t)
		if m.Kind != yaml.MappingNode {
			r.note("%s is not a tag object: dropped", loc)
			continue
		}
		if name := deref(mapGet(m, "name")); name != nil && name.Kind != yaml.ScalarNode {
			r.note("%s has a name that is not text: tag dropped", loc)
			continue
		}
		r.fixDecor(m, loc, "description", "externalDocs")
		kept = append(kept, t)
	}
	tags.Content = kept
}

// eachValue visits every value of the mapping parent[key] as an object of kind. A value of
// the wrong type is dropped, and so is parent[key] when it is not a mapping.
func (r *repairer) eachValue(parent *yaml.Node, loc, key, kind string) {
	r.values(parent, loc, key, kind, true)
}

// values is eachValue; with check unset (a field kin-openapi does not decode, and so ignores
// whatever its type), nothing is dropped.
func (r *repairer) values(parent *yaml.Node, loc, key, kind string, check bool) {
	m := deref(mapGet(parent, key))
	if m == nil {
		return
	}
	loc += "/" + escapePointer(key)
	if m.Kind != yaml.MappingNode {
		r.dropContainer(parent, key, m, loc, check, "a map of "+kindNoun(kind)+"s")
		return
	}
	kept := m.Content[:0:0]
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i].Value, m.Content[i+1]
		x := strings.HasPrefix(k, "x-")
		if check && !x && !isMergeKey(m.Content[i]) && r.drop(v, kind, loc+"/"+escapePointer(k), false) {
			continue
		}
		kept = append(kept, m.Content[i], v)
		if !x || kind == kSchema {
			r.visit(m, "", k, v, kind, loc+"/"+escapePointer(k))
		}
	}
	m.Content = kept
}

// dropContainer drops parent[key], the value v at loc, which is not the map or list expected
// (want says which), unless check is unset or v is an alias or null (kin-openapi reads those).
func (r *repairer) dropContainer(parent *yaml.Node, key string, v *yaml.Node, loc string, check bool, want string) {
	if !check || v.Kind == yaml.AliasNode || isNullNode(v) {
		return
	}
	mapDel(parent, key)
	r.seq++
	r.note("dropped %s: %s where %s is expected", loc, typeName(v), want)
}

// eachItem visits every item of the sequence parent[key] as an object of kind. An item of the
// wrong type is dropped, and so is parent[key] when it is not a sequence.
func (r *repairer) eachItem(parent *yaml.Node, parentKind, loc, key, kind string) {
	r.items(parent, parentKind, loc, key, kind, true)
}

// items is eachItem; with check unset, nothing is dropped.
func (r *repairer) items(parent *yaml.Node, parentKind, loc, key, kind string, check bool) {
	s := deref(mapGet(parent, key))
	if s == nil {
		return
	}
	loc += "/" + escapePointer(key)
	if s.Kind != yaml.SequenceNode {
		r.dropContainer(parent, key, s, loc, check, "a list of "+kindNoun(kind)+"s")
		return
	}
	kept := s.Content[:0:0]
	for i, c := range s.Content {
		if check && r.drop(c, kind, loc+"/"+strconv.Itoa(i), false) {
			continue
		}
		kept = append(kept, c)
		r.visit(s, parentKind, "", c, kind, loc+"/"+strconv.Itoa(i))
	}
	s.Content = kept
}

// child visits parent[key] as an object of kind; a value of the wrong type is dropped.
func (r *repairer) child(parent *yaml.Node, parentKind, loc, key, kind string) {
	r.one(parent, parentKind, loc, key, kind, true)
}

// one is child; with check unset, nothing is dropped.
func (r *repairer) one(parent *yaml.Node, parentKind, loc, key, kind string, check bool) {
	c := mapGet(parent, key)
	if c == nil {
		return
	}
	if check && r.drop(c, kind, loc+"/"+escapePointer(key), true) {
		mapDel(parent, key)
		return
	}
	r.visit(parent, parentKind, key, c, kind, loc+"/"+escapePointer(key))
}

// drop reports whether v, at loc, is of a type kin-openapi cannot read as an object of kind,
// and notes that it is dropped: the caller removes it. A list where a schema belongs is not
// dropped (collapseSchemaList makes it one schema), nor a boolean schema (kin-openapi reads it;
// it is valid from OpenAPI 3.1). A null is dropped where kin-openapi refuses it (or, in
// Swagger 2.0, where its conversion dereferences it): as an entry of a map or list, but not of
// OpenAPI 3 paths, content or encoding (a null path item, media type or encoding is read as
// absent), and never alone (single is set: a null operation, request body or schema is absent).
func (r *repairer) drop(v *yaml.Node, kind, loc string, single bool) bool {
	v = deref(v)
	switch {
	case v == nil || v.Kind == yaml.MappingNode || v.Kind == yaml.AliasNode:
		return false
	case kind == kSchema && (v.Kind == yaml.SequenceNode || v.ShortTag() == "!!bool"):
		return false
	case isNullNode(v) && (single || kind == kPathItem && !r.v2 || kind == kMediaType || kind == kEncoding):
		return false
	}
	r.seq++
	r.note("dropped %s: %s where %s is expected", loc, typeName(v), withArticle(kindNoun(kind)))
	return true
}

func isNullNode(v *yaml.Node) bool { return v.Kind == yaml.ScalarNode && v.ShortTag() == "!!null" }

// isMergeKey reports whether k is YAML's merge key (`<<: *base`): what it merges is not an
// entry of its own.
func isMergeKey(k *yaml.Node) bool { return k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge" }

// typeName names the type of a value that is not an object: "a string", "a list" …
func typeName(v *yaml.Node) string {
	switch v.Kind {
	case yaml.SequenceNode:
		return "a list"
	case yaml.MappingNode:
		return "an object"
	}
	switch v.ShortTag() {
	case "!!null":
		return "null"
	case "!!bool":
		return "a boolean"
	case "!!int", "!!float":
		return "a number"
	}
	return "a string"
}

// kindNoun names what an object of kind is called: "media type object", "schema" …
func kindNoun(kind string) string {
	if kind == kSchema {
		return kind
	}
	return kind + " object"
}

func withArticle(noun string) string {
	if strings.IndexByte("aeiou", noun[0]) >= 0 {
		return "an " + noun
	}
	return "a " + noun
}

// visit walks the object n, found at loc in parent, expected to be of kind.
func (r *repairer) visit(parent *yaml.Node, parentKind, key string, n *yaml.Node, kind, loc string) {
	n = deref(n)
	if n == nil {
		return
	}
	r.seq++
	if kind == kSchema && n.Kind == yaml.SequenceNode {
		r.collapseSchemaList(n, loc)
	}
	if n.Kind != yaml.MappingNode {
		return
	}
	if _, seen := r.kinds[n]; seen {
		return // an alias of an object already walked
	}
	r.kinds[n] = kind
	if ref := mapGet(n, "$ref"); ref != nil {
		if ref = deref(ref); ref.Kind == yaml.ScalarNode {
			r.sites = append(r.sites, refSite{node: n, seq: r.seq, ref: ref.Value, kind: kind, loc: loc,
				parent: parent, parentKind: parentKind, key: key})
		}
		return
	}
	switch kind {
	case kPathItem:
		r.fixDecor(n, loc, "summary", "description")
		r.eachItem(n, kind, loc, "parameters", kParameter)
		for _, m := range methodKeys {
			r.child(n, kind, loc, m, kOperation)
		}
	case kOperation:
		r.fixDecor(n, loc, "summary", "description", "externalDocs")
		r.eachItem(n, kind, loc, "parameters", kParameter)
		r.one(n, kind, loc, "requestBody", kRequestBody, !r.v2)
		r.eachValue(n, loc, "responses", kResponse)
		r.values(n, loc, "callbacks", kCallback, !r.v2)
	case kCallback:
		kept := n.Content[:0:0]
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i].Value, n.Content[i+1]
			x := strings.HasPrefix(k, "x-")
			if !x && !isMergeKey(n.Content[i]) && r.drop(v, kPathItem, loc+"/"+escapePointer(k), false) {
				continue
			}
			kept = append(kept, n.Content[i], v)
			if !x {
				r.visit(n, kind, k, v, kPathItem, loc+"/"+escapePointer(k))
			}
		}
		n.Content = kept
	case kParameter, kHeader:
		r.fixDecor(n, loc, "description")
		r.child(n, kind, loc, "schema", kSchema)
		r.one(n, kind, loc, "items", kSchema, r.v2) // Swagger 2.0
		r.values(n, loc, "content", kMediaType, !r.v2)
		r.values(n, loc, "examples", kExample, !r.v2)
	case kRequestBody:
		r.fixDecor(n, loc, "description")
		r.eachValue(n, loc, "content", kMediaType)
	case kResponse:
		r.fixDecor(n, loc, "description")
		r.one(n, kind, loc, "schema", kSchema, r.v2) // Swagger 2.0
		r.eachValue(n, loc, "headers", kHeader)
		r.values(n, loc, "content", kMediaType, !r.v2)
		r.values(n, loc, "links", kLink, !r.v2)
	case kMediaType:
		r.child(n, kind, loc, "schema", kSchema)
		r.eachValue(n, loc, "examples", kExample)
		r.eachValue(n, loc, "encoding", kEncoding)
	case kEncoding:
		r.eachValue(n, loc, "headers", kHeader)
	case kSecurityScheme:
		r.fixDecor(n, loc, "description")
	case kSchema:
		r.walkSchema(n, loc)
	}
}

func (r *repairer) walkSchema(n *yaml.Node, loc string) {
	r.fixDecor(n, loc, "title", "description", "externalDocs")
	if d := deref(mapGet(n, "discriminator")); d != nil {
		switch {
		case !r.v2 && d.Kind == yaml.ScalarNode:
			mapSet(n, "discriminator", &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Content: []*yaml.Node{
				strNode("propertyName"), strNode(d.Value)}})
			r.note("%s/discriminator %q is the Swagger 2.0 form: written as {propertyName: %q}", loc, d.Value, d.Value)
		case r.v2 && d.Kind == yaml.MappingNode:
			if p := deref(mapGet(d, "propertyName")); p != nil && p.Kind == yaml.ScalarNode {
				mapSet(n, "discriminator", strNode(p.Value))
				r.note("%s/discriminator is the OpenAPI 3 form: written as %q", loc, p.Value)
			} else {
				mapDel(n, "discriminator")
				r.note("%s/discriminator is not a property name: dropped", loc)
			}
		case d.Kind != yaml.ScalarNode && d.Kind != yaml.MappingNode:
			mapDel(n, "discriminator")
			r.note("%s/discriminator is malformed: dropped", loc)
		}
	}
	if t := deref(mapGet(n, "type")); t != nil && t.Kind == yaml.SequenceNode && !r.v31 {
		r.fixTypeList(n, t, loc)
	}
	if req := deref(mapGet(n, "required")); req != nil && req.Kind != yaml.SequenceNode {
		mapDel(n, "required")
		r.note("%s/required is not a list of property names: dropped", loc)
	}
	if items := deref(mapGet(n, "items")); items != nil && items.Kind == yaml.SequenceNode && r.v31 &&
		mapGet(n, "prefixItems") == nil {
		// JSON Schema 2020-12 renamed the tuple form of items to prefixItems.
		renameKey(n, "items", "prefixItems")
		r.note("%s/items is a list of schemas (the tuple form): renamed prefixItems", loc)
	}
	for _, k := range []string{"items", "additionalProperties", "not", "additionalItems", "contains",
		"propertyNames", "if", "then", "else", "unevaluatedItems", "unevaluatedProperties", "contentSchema"} {
		if c := deref(mapGet(n, k)); c != nil && !isNullNode(c) && c.ShortTag() != "!!bool" {
			r.one(n, kSchema, loc, k, kSchema, r.decodes(k))
		}
	}
	for _, k := range []string{"properties", "patternProperties", "dependentSchemas", "$defs", "definitions"} {
		r.values(n, loc, k, kSchema, r.decodes(k))
	}
	for _, k := range []string{"allOf", "anyOf", "oneOf", "prefixItems"} {
		c := deref(mapGet(n, k))
		if c != nil && c.Kind == yaml.MappingNode {
			mapSet(n, k, &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Content: []*yaml.Node{c}})
			r.note("%s/%s is a single schema, not a list: made a list of one", loc, k)
		}
		r.items(n, kSchema, loc, k, kSchema, r.decodes(k))
	}
}

// decodes reports whether kin-openapi decodes the value of the schema keyword k as schemas,
// and so refuses a value of the wrong type there. It ignores the others (Swagger 2.0's schema
// object has fewer), whatever their type: nothing is dropped from them.
func (r *repairer) decodes(k string) bool {
	switch k {
	case "items", "not", "additionalProperties", "properties", "allOf":
		return true
	case "additionalItems", "definitions":
		return false
	}
	return !r.v2
}

// fixTypeList rewrites a list of types, which only OpenAPI 3.1 allows, where it has an exact
// equivalent: [T] or [T, "null"] becomes type T, with x-nullable (Swagger 2.0) or nullable
// (OpenAPI 3.0) when "null" was listed. A list of several other types is left as it is:
// kin-openapi reads and enforces it, and keeping only one would reject values the description
// allows.
func (r *repairer) fixTypeList(n, t *yaml.Node, loc string) {
	var types []string
	null := false
	for _, c := range t.Content {
		c = deref(c)
		switch {
		case c.Kind != yaml.ScalarNode:
			return
		case c.Value == "null":
			null = true
		default:
			types = append(types, c.Value)
		}
	}
	if len(types) != 1 {
		return
	}
	was := "[" + strings.Join(scalarValues(t), ", ") + "]"
	mapSet(n, "type", strNode(types[0]))
	if !null {
		r.note("%s/type %s written as type: %s", loc, was, types[0])
		return
	}
	key := "nullable"
	if r.v2 {
		key = "x-nullable"
	}
	if mapGet(n, key) == nil {
		mapSet(n, key, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: "true"})
	}
	r.note("%s/type %s written as type: %s with %s: true", loc, was, types[0], key)
}

func scalarValues(seq *yaml.Node) []string {
	out := make([]string, 0, len(seq.Content))
	for _, c := range seq.Content {
		out = append(out, deref(c).Value)
	}
	return out
}

// collapseSchemaList turns a list found where one schema belongs into the first of its
// schemas that is not only {type: null}, in place.
func (r *repairer) collapseSchemaList(n *yaml.Node, loc string) {
	count := len(n.Content)
	var pick *yaml.Node
	for _, c := range n.Content {
		c = deref(c)
		if c.Kind != yaml.MappingNode || isNullOnly(c) {
			continue
		}
		pick = c
		break
	}
	if pick == nil {
		*n = yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		r.note("%s is a list of %d where one schema belongs: replaced by an empty schema {}", loc, count)
		return
	}
	*n = *pick
	r.note("%s is a list of %d schemas where one schema belongs: kept the first that is not {type: null}", loc, count)
}

func isNullOnly(m *yaml.Node) bool {
	if len(m.Content) != 2 || m.Content[0].Value != "type" {
		return false
	}
	t := deref(m.Content[1])
	return t.Kind == yaml.ScalarNode && t.Value == "null"
}

// fixDecor drops or mends the decorative fields named of the mapping n: text fields that are
// objects or lists, externalDocs, contact and license objects that are malformed.
func (r *repairer) fixDecor(n *yaml.Node, loc string, fields ...string) {
	for _, f := range fields {
		v := deref(mapGet(n, f))
		if v == nil {
			continue
		}
		switch f {
		case "externalDocs", "contact", "license":
			if !isFlatObject(v) {
				mapDel(n, f)
				r.note("%s/%s is not a valid %s object: dropped", loc, f, f)
			}
			continue
		}
		switch {
		case v.Kind != yaml.ScalarNode:
			mapDel(n, f)
			what := "an object"
			if v.Kind == yaml.SequenceNode {
				what = "a list"
			}
			if ref := deref(mapGet(v, "$ref")); v.Kind == yaml.MappingNode && ref != nil && ref.Kind == yaml.ScalarNode {
				what = fmt.Sprintf("a $ref (%q)", ref.Value)
			}
			r.note("%s/%s is %s, not text: dropped", loc, f, what)
		case v.ShortTag() == "!!int" || v.ShortTag() == "!!float" || v.ShortTag() == "!!bool":
			v.Tag, v.Style = "!!str", 0
			r.note("%s/%s %s is not text: kept as the text %q", loc, f, v.Value, v.Value)
		}
	}
}

// isFlatObject reports whether v is a mapping whose fields (other than x- extensions) are all
// text, as externalDocs, contact and license are.
func isFlatObject(v *yaml.Node) bool {
	if v.Kind != yaml.MappingNode {
		return false
	}
	for i := 0; i+1 < len(v.Content); i += 2 {
		if strings.HasPrefix(v.Content[i].Value, "x-") {
			continue
		}
		if deref(v.Content[i+1]).Kind != yaml.ScalarNode {
			return false
		}
	}
	return true
}

// fixRefs checks every local $ref met by the walk: one to nothing, or to an object of another
// kind, is replaced.
func (r *repairer) fixRefs() {
	for _, s := range r.sites {
		if !strings.HasPrefix(s.ref, "#") {
			continue // another file: not read here
		}
		target, known := r.resolve(s.ref)
		if !known {
			continue
		}
		if target == nil {
			r.replaceRef(s, fmt.Sprintf("%s: $ref %q points to nothing", s.loc, s.ref))
			continue
		}
		tk, visited := r.kinds[target]
		if !visited || tk == s.kind {
			continue
		}
		why := fmt.Sprintf("%s: $ref %q expects a %s but points to a %s", s.loc, s.ref, s.kind, tk)
		if s.kind == kSchema && tk == kResponse && s.parentKind == kResponse && s.key == "schema" {
			// Swagger 2.0: a response's schema given as the $ref of a whole response.
			if body := mapGet(target, "schema"); body != nil {
				*s.node = *deref(body)
				r.noteAt(s.seq, "%s; replaced by that response's schema", why)
			} else {
				mapDel(s.parent, s.key)
				r.noteAt(s.seq, "%s; that response has no body, so the schema was removed", why)
			}
			continue
		}
		r.replaceRef(s, why)
	}
}

// replaceRef replaces the $ref object of s by the smallest valid object of its kind.
func (r *repairer) replaceRef(s refSite, why string) {
	var repl *yaml.Node
	var what string
	switch s.kind {
	case kSchema, kExample, kLink, kCallback, kPathItem:
		repl, what = mapNode(), "an empty "+s.kind+" {}"
	case kResponse:
		repl, what = mapNode(strNode("description"), strNode("")), `a response with no body {description: ""}`
	case kRequestBody:
		repl, what = mapNode(strNode("content"), mapNode()), "an empty request body {content: {}}"
	case kHeader:
		if r.v2 {
			repl, what = mapNode(strNode("type"), strNode("string")), "a string header {type: string}"
		} else {
			repl, what = mapNode(strNode("schema"), mapNode()), "a header of any value {schema: {}}"
		}
	case kParameter:
		if s.parent != nil && s.parent.Kind == yaml.SequenceNode {
			for i, c := range s.parent.Content {
				if deref(c) == s.node {
					s.parent.Content = append(s.parent.Content[:i:i], s.parent.Content[i+1:]...)
					r.noteAt(s.seq, "%s; parameter removed", why)
					return
				}
			}
		}
		return // a named parameter cannot be invented
	default:
		return // a security scheme cannot be invented either
	}
	s.node.Content = repl.Content
	r.noteAt(s.seq, "%s; replaced by %s", why, what)
}

// resolve finds the node a local $ref points to. known is false when the ref cannot be read as
// a JSON pointer (and is then left alone); target is nil when nothing is there.
func (r *repairer) resolve(ref string) (target *yaml.Node, known bool) {
	u, err := url.Parse(ref)
	if err != nil {
		return nil, false
	}
	frag := u.Fragment
	if frag == "" || frag[0] != '/' {
		return nil, false
	}
	n := r.root
	for part := range strings.SplitSeq(frag[1:], "/") {
		part = strings.ReplaceAll(strings.ReplaceAll(part, "~1", "/"), "~0", "~")
		switch n.Kind {
		case yaml.MappingNode:
			n = deref(mapGet(n, part))
		case yaml.SequenceNode:
			i, err := strconv.Atoi(part)
			if err != nil || i < 0 || i >= len(n.Content) {
				return nil, true
			}
			n = deref(n.Content[i])
		default:
			n = nil
		}
		if n == nil {
			return nil, true
		}
	}
	return n, true
}

// deref follows aliases (a bounded number: an unresolved one is returned as it is, and then
// matches no kind the walk looks for).
func deref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && n.Alias != nil && i < 64; i++ {
		n = n.Alias
	}
	return n
}

func mapGet(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

func mapSet(m *yaml.Node, key string, v *yaml.Node) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			m.Content[i+1] = v
			return
		}
	}
	m.Content = append(m.Content, strNode(key), v)
}

func mapDel(m *yaml.Node, key string) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			m.Content = append(m.Content[:i:i], m.Content[i+2:]...)
			return
		}
	}
}

func renameKey(m *yaml.Node, from, to string) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == from {
			m.Content[i] = strNode(to)
			return
		}
	}
}

func strNode(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s} }

func mapNode(kv ...*yaml.Node) *yaml.Node {
	return &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Content: kv}
}

func escapePointer(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}
