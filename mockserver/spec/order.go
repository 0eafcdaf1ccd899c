package spec

import (
	"mime"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"gopkg.in/yaml.v3"
)

// Document order. kin-openapi decodes responses, content and examples into Go maps, which
// forget the order the description writes them in; Prism and users take the first example, the
// first media type, the first of several responses as written. So that order is read again,
// at load time, from the text kin-openapi loaded (after bundling and repair), and kept beside
// the document keyed by kin-openapi's pointers: a component that $refs share is one value in
// kin-openapi, so it has one order, its own. The same reading keeps one more thing kin-openapi's
// types lose: whether an encoding writes `allowReserved: false` or only defaults to it
// (StrictReserved).
//
// JSON is scanned, not decoded: one pass over the text, which descends only into what holds
// an order (paths, operations, responses, content, examples, headers, parameters, and the
// components these $ref) and skips the rest with the byte scanner decode.go uses. YAML is
// parsed once more, to yaml.Node (which keeps the order). The scan runs while kin-openapi
// loads the same text (LoadFile), and needs nothing from it.
//
// Swagger 2.0 has no content maps: the converted document's media types are the operation's
// produces (else the document's) for responses, its consumes (else the document's) for request
// bodies; a response's examples are keyed by media type, and these media types come next.
//
// A response or request body written in another file ($ref: responses/ok.yml) is read from it
// when its content has an order to recover (more than one media type or example), each file
// once; that file's own $refs are not followed. Whatever cannot be recovered (a $ref to a
// header, parameter or path item in another file, a URL, text that does not scan) has no
// order: the accessors then return nil and the caller keeps its own order. Loading never fails
// here.

// ResponseOrder lists the keys of responses (status codes, NXX ranges, default) in the order
// the description writes them. It returns nil when that order was not recovered. A non-nil
// result lists exactly the keys of responses.Map(), each once: keys the recovered order lacks
// come last, sorted. The slice is shared: callers must not modify it.
func (d *Document) ResponseOrder(responses *openapi3.Responses) []string {
	if d == nil || d.order == nil {
		return nil
	}
	return d.order.responses[responses]
}

// MediaOrder lists the media types of a content map in the order the description writes them.
// owner is the *openapi3.Response or *openapi3.RequestBody that holds the content; any other
// value has no order. The keys are those of the content as served (normalized at load: no
// parameters). It returns nil when the order was not recovered; a non-nil result lists exactly
// the content's keys, each once, those the recovered order lacks last, sorted. The slice is
// shared: callers must not modify it.
func (d *Document) MediaOrder(owner any) []string {
	if d == nil || d.order == nil {
		return nil
	}
	switch owner.(type) {
	case *openapi3.Response, *openapi3.RequestBody:
		return d.order.media[owner]
	}
	return nil
}

// ExampleOrder lists the names of an examples map in the order the description writes them.
// owner is the *openapi3.MediaType, *openapi3.Header or *openapi3.Parameter that holds the
// examples (of a response or a request body); any other value has no order. It returns nil
// when the order was not recovered (Swagger 2.0 has no named examples); a non-nil result lists
// exactly the keys of the examples map, including examples without a value, each once, those
// the recovered order lacks last, sorted. The slice is shared: callers must not modify it.
func (d *Document) ExampleOrder(owner any) []string {
	if d == nil || d.order == nil {
		return nil
	}
	switch owner.(type) {
	case *openapi3.MediaType, *openapi3.Header, *openapi3.Parameter:
		return d.order.examples[owner]
	}
	return nil
}

// order is what ResponseOrder, MediaOrder and ExampleOrder answer; built at load, only read
// afterwards.
type order struct {
	responses map[*openapi3.Responses][]string
	media     map[any][]string // *openapi3.Response, *openapi3.RequestBody
	examples  map[any][]string // *openapi3.MediaType, *openapi3.Header, *openapi3.Parameter
	// strict holds, for a request body's media type, the fields whose encoding writes
	// allowReserved: false (what kin-openapi's bool cannot tell from a default).
	strict map[*openapi3.MediaType][]string
}

// StrictReserved lists the fields of a request body's media type whose encoding object writes
// `allowReserved: false` in so many words: their values must percent-encode RFC 3986's reserved
// characters. Where the description leaves allowReserved to its default, nothing is listed — a
// client that sends `metadata[url]=https://…` as curl does must not be refused for a default it
// never read. The slice is shared: callers must not modify it.
func (d *Document) StrictReserved(media *openapi3.MediaType) []string {
	if d == nil || d.order == nil {
		return nil
	}
	return d.order.strict[media]
}

// readOrder scans data (the text kin-openapi loaded) for its document order, in a goroutine:
// the result (nil when data does not scan) is sent once on the returned channel.
func readOrder(data []byte, v2 bool) <-chan *rawDoc {
	c := make(chan *rawDoc, 1)
	go func() { c <- scanOrder(data, v2) }()
	return c
}

// The raw description: only what holds an order, with the $refs as written.
type (
	rawDoc struct {
		v2        bool
		paths     map[string]*rawItem
		pathItems map[string]*rawItem     // components.pathItems (3.1)
		responses map[string]*rawResponse // components.responses (2.0: responses)
		bodies    map[string]*rawBody     // components.requestBodies
		headers   map[string]*rawHeader   // components.headers
		params    map[string]*rawParam    // components.parameters
		// Swagger 2.0: the document's media types.
		produces, consumes []string

		// Set by assign: the root document's directory, which $refs to other files are
		// relative to, and the other files read (nil: unreadable), each once.
		dir   string
		files map[string]*rawNode
	}
	rawItem struct {
		ref    string
		ops    map[string]*rawOp // by lower-case method
		params []*rawParam
	}
	rawOp struct {
		codes     []string // response keys, in order
		responses map[string]*rawResponse
		body      *rawBody
		params    []*rawParam
		// Swagger 2.0: the operation's media types.
		produces, consumes []string
	}
	rawResponse struct {
		ref     string
		content []rawMedia // 2.0: the media types of its examples
		headers map[string]*rawHeader
		// foreign is set when it was read from another file: its own $refs are relative to
		// that file, and not followed.
		foreign bool
	}
	rawBody struct {
		ref     string
		content []rawMedia
	}
	rawMedia struct {
		key      string
		examples []string
		// strict lists the fields whose encoding writes allowReserved: false in so many words.
		strict []string
	}
	rawHeader struct {
		ref      string
		examples []string
	}
	rawParam struct {
		ref      string
		examples []string
	}
)

func (r *rawResponse) target() string { return r.ref }
func (r *rawBody) target() string     { return r.ref }
func (r *rawHeader) target() string   { return r.ref }
func (r *rawParam) target() string    { return r.ref }

// scanOrder reads the raw description, JSON or YAML; nil when it cannot.
func scanOrder(data []byte, v2 bool) *rawDoc {
	var root rawNode
	if isJSON(data) {
		root = rawNode{js: data, at: 0, end: -1}
	} else {
		var doc yaml.Node
		if yaml.Unmarshal(data, &doc) != nil || doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
			return nil
		}
		root = rawNode{y: doc.Content[0]}
	}
	d := &rawDoc{
		v2:        v2,
		paths:     map[string]*rawItem{},
		pathItems: map[string]*rawItem{},
		responses: map[string]*rawResponse{},
		bodies:    map[string]*rawBody{},
		headers:   map[string]*rawHeader{},
		params:    map[string]*rawParam{},
	}
	root.each(func(k string, v *rawNode) {
		switch {
		case k == "paths":
			v.each(func(p string, v *rawNode) {
				if !strings.HasPrefix(p, "x-") {
					d.paths[p] = d.item(v)
				}
			})
		case k == "components" && !v2:
			v.each(func(section string, v *rawNode) {
				switch section {
				case "pathItems":
					v.each(func(name string, v *rawNode) { d.pathItems[name] = d.item(v) })
				case "responses":
					v.each(func(name string, v *rawNode) { d.responses[name] = d.response(v) })
				case "requestBodies":
					v.each(func(name string, v *rawNode) { d.bodies[name] = d.body(v) })
				case "headers":
					v.each(func(name string, v *rawNode) { d.headers[name] = d.header(v) })
				case "parameters":
					v.each(func(name string, v *rawNode) { d.params[name] = d.param(v) })
				}
			})
		case k == "responses" && v2:
			v.each(func(name string, v *rawNode) { d.responses[name] = d.response(v) })
		case k == "produces" && v2:
			d.produces = v.strings()
		case k == "consumes" && v2:
			d.consumes = v.strings()
		}
	})
	if root.end == -2 {
		return nil // malformed: kin-openapi would not have loaded it
	}
	return d
}

func (d *rawDoc) item(v *rawNode) *rawItem {
	it := &rawItem{ops: map[string]*rawOp{}}
	v.each(func(k string, v *rawNode) {
		switch k {
		case "$ref":
			it.ref = v.text()
		case "parameters":
			it.params = d.paramList(v)
		default:
			if m := strings.ToLower(k); slices.Contains(methods, strings.ToUpper(k)) && it.ops[m] == nil {
				it.ops[m] = d.operation(v)
			}
		}
	})
	return it
}

func (d *rawDoc) operation(v *rawNode) *rawOp {
	op := &rawOp{responses: map[string]*rawResponse{}}
	v.each(func(k string, v *rawNode) {
		switch {
		case k == "responses":
			v.each(func(code string, v *rawNode) {
				if strings.HasPrefix(code, "x-") || op.responses[code] != nil {
					return
				}
				op.codes = append(op.codes, code)
				op.responses[code] = d.response(v)
			})
		case k == "requestBody" && !d.v2:
			op.body = d.body(v)
		case k == "parameters" && !d.v2:
			op.params = d.paramList(v)
		case k == "produces" && d.v2:
			op.produces = v.strings()
		case k == "consumes" && d.v2:
			op.consumes = v.strings()
		}
	})
	return op
}

func (d *rawDoc) response(v *rawNode) *rawResponse {
	r := &rawResponse{}
	v.each(func(k string, v *rawNode) {
		switch {
		case k == "$ref":
			r.ref = v.text()
		case k == "content" && !d.v2:
			r.content = content(v)
		case k == "examples" && d.v2:
			v.each(func(mt string, _ *rawNode) { r.content = append(r.content, rawMedia{key: mt}) })
		case k == "headers" && !d.v2:
			r.headers = map[string]*rawHeader{}
			v.each(func(name string, v *rawNode) { r.headers[name] = d.header(v) })
		}
	})
	return r
}

func (d *rawDoc) body(v *rawNode) *rawBody {
	b := &rawBody{}
	v.each(func(k string, v *rawNode) {
		switch k {
		case "$ref":
			b.ref = v.text()
		case "content":
			b.content = content(v)
		}
	})
	return b
}

func (d *rawDoc) header(v *rawNode) *rawHeader {
	h := &rawHeader{}
	v.each(func(k string, v *rawNode) {
		switch k {
		case "$ref":
			h.ref = v.text()
		case "examples":
			h.examples = v.keys()
		}
	})
	return h
}

func (d *rawDoc) param(v *rawNode) *rawParam {
	p := &rawParam{}
	v.each(func(k string, v *rawNode) {
		switch k {
		case "$ref":
			p.ref = v.text()
		case "examples":
			p.examples = v.keys()
		}
	})
	return p
}

func (d *rawDoc) paramList(v *rawNode) []*rawParam {
	var out []*rawParam
	v.items(func(v *rawNode) { out = append(out, d.param(v)) })
	return out
}

// content reads a content map: its media types, each with its example names.
func content(v *rawNode) []rawMedia {
	var out []rawMedia
	v.each(func(mt string, v *rawNode) {
		m := rawMedia{key: mt}
		v.each(func(k string, v *rawNode) {
			switch k {
			case "examples":
				m.examples = v.keys()
			case "encoding":
				v.each(func(field string, v *rawNode) {
					v.each(func(k string, v *rawNode) {
						if k == "allowReserved" && v.literal() == "false" {
							m.strict = append(m.strict, field)
						}
					})
				})
			}
		})
		out = append(out, m)
	})
	return out
}

// Resolving the raw description's own $refs. A $ref to another file, or to anything but a
// component or a path item, resolves to nil.

const maxRefHops = 16

// follow resolves x's $ref (and the $ref of what it points to …) among the components in m,
// named after prefix.
func follow[T interface {
	comparable
	target() string
}](x T, m map[string]T, prefix string) T {
	x, _ = followRef(x, m, prefix)
	return x
}

// followRef is follow, which also returns the $ref it stopped at, when it stopped at one it
// could not resolve.
func followRef[T interface {
	comparable
	target() string
}](x T, m map[string]T, prefix string) (T, string) {
	var zero T
	for range maxRefHops {
		if x == zero || x.target() == "" {
			return x, ""
		}
		name, ok := strings.CutPrefix(x.target(), prefix)
		if !ok {
			return zero, x.target()
		}
		x = m[pointerToken(name)]
	}
	return zero, ""
}

// maxOrderFiles bounds the other files read for their order.
const maxOrderFiles = 1000

// responseFor is the raw response x stands for: itself, or what its $ref points to among the
// components, or in another file when c has an order to recover (when it has one key at most,
// nothing is read).
func (d *rawDoc) responseFor(x *rawResponse, c openapi3.Content) *rawResponse {
	r, ref := followRef(x, d.responses, d.responsePrefix())
	if r != nil || ref == "" || d.v2 || !needsOrder(c) {
		return r
	}
	if n := d.external(ref); n != nil {
		r = d.response(n)
		r.foreign = true
	}
	return r
}

// bodyFor is responseFor for a request body.
func (d *rawDoc) bodyFor(x *rawBody, c openapi3.Content) *rawBody {
	b, ref := followRef(x, d.bodies, "#/components/requestBodies/")
	if b != nil || ref == "" || !needsOrder(c) {
		return b
	}
	if n := d.external(ref); n != nil {
		b = d.body(n)
	}
	return b
}

// needsOrder reports whether a content map, or the examples of one of its media types, has
// more than one key.
func needsOrder(c openapi3.Content) bool {
	if len(c) > 1 {
		return true
	}
	for _, mt := range c {
		if mt != nil && len(mt.Examples) > 1 {
			return true
		}
	}
	return false
}

// external reads what a $ref to another file points to: a file named relative to the root
// document's directory, and in it a JSON pointer through objects. nil for anything else (a
// URL, an absolute path, a file that does not parse).
func (d *rawDoc) external(ref string) *rawNode {
	file, fragment, _ := strings.Cut(ref, "#")
	if d.dir == "" || file == "" || strings.Contains(file, ":") || strings.HasPrefix(file, "/") {
		return nil
	}
	if u, err := url.PathUnescape(file); err == nil {
		file = u
	}
	path := filepath.Join(d.dir, filepath.FromSlash(file))
	n, read := d.files[path]
	if !read {
		if len(d.files) >= maxOrderFiles {
			return nil
		}
		n = readRawFile(path)
		d.files[path] = n
	}
	for tok := range strings.SplitSeq(strings.TrimPrefix(fragment, "/"), "/") {
		if n == nil || tok == "" {
			continue
		}
		tok = pointerToken(tok)
		var next *rawNode
		n.each(func(k string, v *rawNode) {
			if k == tok && next == nil {
				c := *v
				next = &c
			}
		})
		n = next
	}
	return n
}

// readRawFile reads another file of the description, JSON or YAML; nil when it cannot.
func readRawFile(path string) *rawNode {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	if isJSON(data) {
		return &rawNode{js: data, end: -1}
	}
	var doc yaml.Node
	if yaml.Unmarshal(data, &doc) != nil || doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil
	}
	return &rawNode{y: doc.Content[0]}
}

// pointerToken decodes one JSON pointer token written in a URI fragment.
func pointerToken(s string) string {
	if strings.Contains(s, "%") {
		if u, err := url.PathUnescape(s); err == nil {
			s = u
		}
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "~1", "/"), "~0", "~")
}

func (d *rawDoc) responsePrefix() string {
	if d.v2 {
		return "#/responses/"
	}
	return "#/components/responses/"
}

// pathItem is the path item written under path, its $refs followed.
func (d *rawDoc) pathItem(path string) *rawItem {
	it := d.paths[path]
	for range maxRefHops {
		if it == nil || it.ref == "" {
			return it
		}
		if name, ok := strings.CutPrefix(it.ref, "#/paths/"); ok {
			it = d.paths[pointerToken(name)]
		} else if name, ok := strings.CutPrefix(it.ref, "#/components/pathItems/"); ok {
			it = d.pathItems[pointerToken(name)]
		} else {
			return nil
		}
	}
	return nil
}

// assign matches the raw description with the loaded one (after index: the content maps are
// those served), and keeps the orders of what it matched. dir is the root document's
// directory, which the $refs to other files are relative to.
func (d *rawDoc) assign(doc *openapi3.T, dir string) *order {
	d.dir, d.files = dir, map[string]*rawNode{}
	o := &order{
		responses: map[*openapi3.Responses][]string{},
		media:     map[any][]string{},
		examples:  map[any][]string{},
		strict:    map[*openapi3.MediaType][]string{},
	}
	// Components first: kin-openapi gives every $ref to a component the component's value, so
	// that value takes the component's order whoever reaches it first.
	if c := doc.Components; c != nil {
		for _, name := range sortedKeys(c.Responses) {
			if ref := c.Responses[name]; ref != nil && ref.Value != nil {
				o.response(d, ref.Value, d.responseFor(d.responses[name], ref.Value.Content), d.produces)
			}
		}
		for _, name := range sortedKeys(c.RequestBodies) {
			ref := c.RequestBodies[name]
			if ref == nil {
				continue
			}
			if d.v2 {
				// A body parameter of the document's: its media types are the document's consumes.
				o.body(d, ref.Value, &rawBody{}, d.consumes)
			} else if ref.Value != nil {
				o.body(d, ref.Value, d.bodyFor(d.bodies[name], ref.Value.Content), nil)
			}
		}
		for _, name := range sortedKeys(c.Headers) {
			if ref := c.Headers[name]; ref != nil {
				o.header(ref.Value, follow(d.headers[name], d.headers, "#/components/headers/"))
			}
		}
		for _, name := range sortedKeys(c.Parameters) {
			if ref := c.Parameters[name]; ref != nil {
				o.param(ref.Value, follow(d.params[name], d.params, "#/components/parameters/"))
			}
		}
	}
	if doc.Paths == nil {
		return o
	}
	pm := doc.Paths.Map()
	for _, path := range sortedKeys(pm) {
		item, raw := pm[path], d.pathItem(path)
		if item == nil || raw == nil {
			continue
		}
		o.params(d, item.Parameters, raw.params)
		for _, m := range methods {
			if op := item.GetOperation(m); op != nil {
				o.operation(d, op, raw.ops[strings.ToLower(m)])
			}
		}
	}
	return o
}

func (o *order) operation(d *rawDoc, op *openapi3.Operation, raw *rawOp) {
	if raw == nil {
		return
	}
	if op.Responses != nil {
		if _, done := o.responses[op.Responses]; !done {
			o.responses[op.Responses] = inOrder(raw.codes, op.Responses.Map())
		}
		produces := raw.produces
		if len(produces) == 0 {
			produces = d.produces
		}
		for _, code := range raw.codes {
			if ref := op.Responses.Value(code); ref != nil && ref.Value != nil {
				o.response(d, ref.Value, d.responseFor(raw.responses[code], ref.Value.Content), produces)
			}
		}
	}
	if op.RequestBody != nil && op.RequestBody.Value != nil {
		if d.v2 {
			consumes := raw.consumes
			if len(consumes) == 0 {
				consumes = d.consumes
			}
			o.body(d, op.RequestBody.Value, &rawBody{}, consumes)
		} else {
			o.body(d, op.RequestBody.Value, d.bodyFor(raw.body, op.RequestBody.Value.Content), nil)
		}
	}
	o.params(d, op.Parameters, raw.params)
}

// response keeps the orders of a response: its media types (2.0: the media types it is
// produced as, then those of its examples), their examples, its headers' examples.
func (o *order) response(d *rawDoc, r *openapi3.Response, raw *rawResponse, produces []string) {
	if r == nil || raw == nil {
		return
	}
	if _, done := o.media[r]; done {
		return
	}
	o.media[r] = mediaOrder(produces, raw.content, r.Content)
	o.mediaExamples(raw.content, r.Content)
	if raw.foreign {
		return
	}
	for name, rh := range raw.headers {
		if ref := r.Headers[name]; ref != nil {
			o.header(ref.Value, follow(rh, d.headers, "#/components/headers/"))
		}
	}
}

func (o *order) body(d *rawDoc, b *openapi3.RequestBody, raw *rawBody, consumes []string) {
	if b == nil || raw == nil {
		return
	}
	if _, done := o.media[b]; done {
		return
	}
	o.media[b] = mediaOrder(consumes, raw.content, b.Content)
	o.mediaExamples(raw.content, b.Content)
	for _, rm := range raw.content {
		if mt := b.Content[mediaKey(rm.key, b.Content)]; mt != nil && len(rm.strict) > 0 {
			o.strict[mt] = rm.strict
		}
	}
}

// mediaExamples keeps the order of the examples of each media type of c written in raw. Two
// spellings of one media type (application/json; charset=utf-8 beside application/json) are
// served as the first of them sorted (index.go): that one's examples are the ones.
func (o *order) mediaExamples(raw []rawMedia, c openapi3.Content) {
	for i, rm := range raw {
		key := mediaKey(rm.key, c)
		mt := c[key]
		if mt == nil || len(mt.Examples) == 0 {
			continue
		}
		if _, done := o.examples[mt]; done {
			continue
		}
		best := i
		for j, other := range raw {
			if j != i && other.key < raw[best].key && mediaKey(other.key, c) == key {
				best = j
			}
		}
		o.examples[mt] = inOrder(raw[best].examples, mt.Examples)
	}
}

func (o *order) header(h *openapi3.Header, raw *rawHeader) {
	if h == nil || raw == nil || len(h.Examples) == 0 {
		return
	}
	if _, done := o.examples[h]; !done {
		o.examples[h] = inOrder(raw.examples, h.Examples)
	}
}

// params matches a parameter list with the raw one, by position (kin-openapi keeps it).
func (o *order) params(d *rawDoc, list openapi3.Parameters, raw []*rawParam) {
	if len(list) != len(raw) {
		return
	}
	for i, ref := range list {
		if ref != nil {
			o.param(ref.Value, follow(raw[i], d.params, "#/components/parameters/"))
		}
	}
}

func (o *order) param(p *openapi3.Parameter, raw *rawParam) {
	if p == nil || raw == nil || len(p.Examples) == 0 {
		return
	}
	if _, done := o.examples[p]; !done {
		o.examples[p] = inOrder(raw.examples, p.Examples)
	}
}

// mediaOrder lists the keys of c: first those of lead (Swagger 2.0's produces or consumes),
// then those written in raw, as the keys of c.
func mediaOrder(lead []string, raw []rawMedia, c openapi3.Content) []string {
	keys := make([]string, 0, len(lead)+len(raw))
	for _, k := range lead {
		keys = append(keys, mediaKey(k, c))
	}
	for _, m := range raw {
		keys = append(keys, mediaKey(m.key, c))
	}
	return inOrder(keys, c)
}

// mediaKey is the key of c a media type written in the description is served under: as
// written, else without its parameters (index.go normalizes content maps so).
func mediaKey(k string, c openapi3.Content) string {
	if _, ok := c[k]; ok {
		return k
	}
	if parsed, _, err := mime.ParseMediaType(k); err == nil {
		return parsed
	}
	return k
}

// inOrder lists the keys of m: those of order that m has, in that order and each once, then
// m's others, sorted.
func inOrder[V any](order []string, m map[string]V) []string {
	out := make([]string, 0, len(m))
	// Maps are small: a set only for a large one.
	var seen map[string]bool
	if len(m) > 16 {
		seen = make(map[string]bool, len(m))
	}
	listed := func(k string) bool {
		if seen != nil {
			return seen[k]
		}
		return slices.Contains(out, k)
	}
	for _, k := range order {
		if _, ok := m[k]; ok && !listed(k) {
			out = append(out, k)
			if seen != nil {
				seen[k] = true
			}
		}
	}
	if len(out) == len(m) {
		return out
	}
	n := len(out)
	for k := range m {
		if !listed(k) {
			out = append(out, k)
		}
	}
	slices.Sort(out[n:])
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
