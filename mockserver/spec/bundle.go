package spec

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Bundling inlines, before kin-openapi loads a description, the $refs that kin-openapi cannot
// follow. It runs only when the root text has a $ref to another file, or a map of schemas
// written as a $ref (hasExternalRef, hasSchemaMapRef: byte scans): single-file descriptions
// never pay for it.
//
// OpenAPI 3.x. kin-openapi follows $refs to other files wherever the specification allows a
// Reference Object, ignores a $ref written where it does not (on an Operation, as DigitalOcean
// writes every operation: `get: {$ref: resources/…/x.yml}`; on a Media Type or an Encoding),
// and fails on a schema's properties written as a $ref (DigitalOcean again). Such a $ref, to
// another file or within the root, is replaced by what it points to. A path item that is a $ref
// to another file is left to kin-openapi, unless what it points to holds one of those $refs: it
// is then inlined too, so that they can be. The files kin-openapi reads itself go through
// readForKin, which inlines properties written as $refs there.
//
// Swagger 2.0. kin-openapi's conversion to OpenAPI 3 ignores a path item's $ref, and the files
// other $refs point to would be read as OpenAPI 3 without conversion. So the whole description
// is bundled into one document: path items that are $refs are inlined, and every $ref to a
// schema, parameter or response in another file is replaced by a local one (#/definitions/X,
// #/parameters/X, #/responses/X) to a copy of it added to the root, named as the target is
// named when the name is free, else with a suffix (X_2, X_3 …); a root entry that is only such a
// $ref becomes the copy itself. What is copied is bundled the same way, once per target, so that
// $ref cycles across files end.
//
// Content taken from another file has its $refs rewritten relative to the root document: a
// relative path is resolved against the file it was written in, and a local ref (#/…) becomes a
// ref into that file. In both versions a tag's or info's description written as a $ref to text
// in another file is replaced by that text.
//
// Files are read relative to the file that names them, wherever that leads; absolute paths and
// URLs are not read (URLs are left to kin-openapi, which follows them only when remote refs are
// allowed). A $ref that cannot be inlined is left as it is, with a warning naming the file it is
// written in and the $ref. The work is bounded (files, bytes, nodes copied, nesting); going past
// a bound fails the load. Everything happens in document order, so the result is the same on
// every run.

const (
	bundleMaxFiles = 10000
	bundleMaxBytes = 256 << 20
	bundleMaxNodes = 1 << 20 // DigitalOcean copies 48k
	bundleMaxDepth = 64      // nested inlines: a path item whose operation is a $ref …
	bundleMaxNotes = 50

	// kMapping is a discriminator mapping value: a schema $ref written as text.
	kMapping = "discriminator mapping"
	// kSchemaMap is a schema's properties (or patternProperties …): a map of schemas, which
	// DigitalOcean sometimes writes as a $ref, and kin-openapi then fails on.
	kSchemaMap = "map of schemas"
)

// hasExternalRef reports whether data has a $ref whose value does not start with '#'. It may
// answer yes for text that only looks like one (in a description); never no for a real one.
func hasExternalRef(data []byte) bool {
	for i := 0; ; {
		j := bytes.Index(data[i:], []byte("$ref"))
		if j < 0 {
			return false
		}
		k := i + j + len("$ref")
		i = k
		if k < len(data) && (data[k] == '"' || data[k] == '\'') {
			k++
		}
		k = skipBlanks(data, k)
		if k >= len(data) || data[k] != ':' {
			continue
		}
		k = skipBlanks(data, k+1)
		if k < len(data) && (data[k] == '"' || data[k] == '\'') {
			k++
		}
		if k < len(data) && data[k] == '#' {
			continue
		}
		return true
	}
}

func skipBlanks(data []byte, k int) int {
	for k < len(data) && (data[k] == ' ' || data[k] == '\t') {
		k++
	}
	return k
}

// bundleLimitError is a bound exceeded: it fails the load.
type bundleLimitError struct{ msg string }

func (e *bundleLimitError) Error() string { return e.msg }

// refOrigin is where a $ref was written, before it was rewritten relative to the root.
type refOrigin struct{ file, ref string }

type hosted struct {
	node *yaml.Node
	kind string
}

type bundler struct {
	v2      bool
	dir     string // the root document's directory
	rootRel string // the root document's name, relative to dir
	root    *yaml.Node

	files   map[string]*yaml.Node // files read, by path relative to dir (slash-separated)
	failed  map[string]error      // files that could not be read or parsed
	bytes   int
	nodes   int
	depth   int // inlines in progress
	inlined int // $refs replaced by what they point to
	hostedN int // Swagger 2.0: targets copied into the root
	origin  map[*yaml.Node]refOrigin
	aliased map[*yaml.Node]bool // anchored nodes walked through an alias: each is walked once
	notes   []string
	noted   map[string]bool
	dropped int // notes beyond bundleMaxNotes

	// Swagger 2.0
	homes    map[string]string          // "file#fragment" → the local $ref of its copy
	sections map[string]*yaml.Node      // definitions, parameters, responses of the root
	used     map[string]map[string]bool // names taken in each section
	queue    []hosted                   // copies still to bundle
}

// bundle returns the bundled root document as JSON, or nil when nothing was changed, and one
// warning per $ref left as it is. file is the root document's absolute path.
func bundle(kind string, data []byte, file string) (out []byte, notes []string, err error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, nil, nil // kin-openapi reports it
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil, nil, nil
	}
	root := deref(doc.Content[0])
	if root == nil || root.Kind != yaml.MappingNode {
		return nil, nil, nil
	}
	b := &bundler{
		v2:      kind == "swagger",
		dir:     filepath.Dir(file),
		rootRel: filepath.Base(file),
		root:    root,
		files:   map[string]*yaml.Node{},
		failed:  map[string]error{},
		origin:  map[*yaml.Node]refOrigin{},
		noted:   map[string]bool{},
	}
	b.files[b.rootRel] = root
	if b.v2 {
		err = b.bundle2()
	} else {
		err = b.bundle3()
	}
	if err != nil {
		return nil, nil, err
	}
	if b.dropped > 0 {
		b.notes = append(b.notes, fmt.Sprintf("bundling: … and %d more $refs left as they are", b.dropped))
	}
	if b.inlined == 0 && b.hostedN == 0 {
		return nil, b.notes, nil
	}
	var buf bytes.Buffer
	if err := nodeToJSON(&buf, root, 0); err != nil {
		return nil, nil, err
	}
	return buf.Bytes(), b.notes, nil
}

func (b *bundler) note(ref *yaml.Node, format string, args ...any) {
	o := b.originOf(ref)
	text := fmt.Sprintf("bundling: %s: $ref %q: %s; left as it is", o.file, o.ref, fmt.Sprintf(format, args...))
	if b.noted[text] {
		return
	}
	b.noted[text] = true
	if len(b.notes) >= bundleMaxNotes {
		b.dropped++
		return
	}
	b.notes = append(b.notes, text)
}

func (b *bundler) originOf(ref *yaml.Node) refOrigin {
	if o, ok := b.origin[ref]; ok {
		return o
	}
	return refOrigin{b.rootRel, ref.Value}
}

func (b *bundler) limit(ref *yaml.Node, format string, args ...any) error {
	o := b.originOf(ref)
	return &bundleLimitError{fmt.Sprintf("bundling: %s: $ref %q: %s", o.file, o.ref, fmt.Sprintf(format, args...))}
}

// ---- OpenAPI 3.x

func (b *bundler) bundle3() error {
	if err := b.inlineDescriptions(); err != nil {
		return err
	}
	return b.walkRoot(b.visit3)
}

// visit3 inlines the $refs kin-openapi ignores, in the root document's context.
func (b *bundler) visit3(site, ref *yaml.Node, kind string) error {
	switch kind {
	case kOperation, kMediaType, kEncoding, kSchemaMap:
		return b.inline(site, ref, kind, b.visit3)
	case kPathItem:
		if strings.HasPrefix(ref.Value, "#") {
			return nil
		}
		return b.inlineIfNeeded(site, ref)
	}
	return nil
}

// inlineIfNeeded inlines a path item that is a $ref to another file when what it points to has
// $refs kin-openapi would ignore; otherwise kin-openapi follows it.
func (b *bundler) inlineIfNeeded(site, ref *yaml.Node) error {
	file, target, err := b.target(ref.Value)
	if err != nil {
		var le *bundleLimitError
		if errors.As(err, &le) {
			return b.limit(ref, "%v", err)
		}
		return nil // kin-openapi reports it
	}
	c, err := b.copyFrom(file, target, kPathItem)
	if err != nil {
		return b.limit(ref, "%v", err)
	}
	if c.Kind != yaml.MappingNode {
		return nil
	}
	before := b.inlined
	if err := b.nested(ref, func() error { return b.walk(c, kPathItem, 0, b.visit3) }); err != nil {
		return err
	}
	if b.inlined > before {
		b.replace(site, c)
		b.inlined++
	}
	return nil
}

// ---- Swagger 2.0

var sectionKinds = []struct{ section, kind string }{
	{"definitions", kSchema}, {"parameters", kParameter}, {"responses", kResponse},
}

func (b *bundler) bundle2() error {
	b.homes = map[string]string{}
	b.sections = map[string]*yaml.Node{}
	b.used = map[string]map[string]bool{}
	for _, s := range sectionKinds {
		b.used[s.section] = map[string]bool{}
		m := deref(mapGet(b.root, s.section))
		if m == nil || m.Kind != yaml.MappingNode {
			continue
		}
		b.sections[s.section] = m
		for i := 0; i+1 < len(m.Content); i += 2 {
			b.used[s.section][m.Content[i].Value] = true
		}
	}
	// An entry of the root's sections that is only a $ref to another file becomes the home of
	// what it points to (openziti lists its polymorphic types so), before any name is chosen.
	for _, s := range sectionKinds {
		m := b.sections[s.section]
		if m == nil {
			continue
		}
		for i := 0; i+1 < len(m.Content); i += 2 {
			if err := b.adopt(s.section, m.Content[i].Value, deref(m.Content[i+1]), s.kind); err != nil {
				return err
			}
		}
	}
	if err := b.inlineDescriptions(); err != nil {
		return err
	}
	if err := b.walkRoot(b.visit2); err != nil {
		return err
	}
	for i := 0; i < len(b.queue); i++ {
		if err := b.walk(b.queue[i].node, b.queue[i].kind, 0, b.visit2); err != nil {
			return err
		}
	}
	return nil
}

// adopt makes the root entry section/name, a $ref to another file, the copy of its target.
func (b *bundler) adopt(section, name string, entry *yaml.Node, kind string) error {
	if entry == nil || entry.Kind != yaml.MappingNode {
		return nil
	}
	ref := deref(mapGet(entry, "$ref"))
	if ref == nil || ref.Kind != yaml.ScalarNode || !b.isFileRef(ref.Value) {
		return nil
	}
	file, frag, err := b.split(b.rootRel, ref.Value)
	if err != nil || file == b.rootRel {
		return nil
	}
	key := file + "#" + frag
	if _, ok := b.homes[key]; ok {
		return nil // the walk points it to the first entry
	}
	c, err := b.fetchObject(ref, kind)
	if c == nil {
		return err
	}
	b.homes[key] = "#/" + section + "/" + escapePointer(name)
	b.replace(entry, c)
	b.hostedN++
	return nil // the walk of the root's sections bundles the copy
}

// visit2 bundles one $ref of a Swagger 2.0 description, in the root document's context.
func (b *bundler) visit2(site, ref *yaml.Node, kind string) error {
	if kind == kPathItem || kind == kSchemaMap {
		return b.inline(site, ref, kind, b.visit2)
	}
	if !b.isFileRef(ref.Value) {
		return nil // local, or a URL or absolute path: left to kin-openapi
	}
	switch kind {
	case kSchema, kParameter, kResponse:
		return b.host(site, ref, kind)
	case kMapping:
		return nil
	}
	return b.inline(site, ref, kind, b.visit2)
}

// host points ref to the root's copy of its target, made on first use.
func (b *bundler) host(site, ref *yaml.Node, kind string) error {
	file, frag, err := b.split(b.rootRel, ref.Value)
	if err != nil {
		b.note(ref, "%v", err)
		return nil
	}
	if file == b.rootRel {
		ref.Value = "#" + frag
		return nil
	}
	key := file + "#" + frag
	if home, ok := b.homes[key]; ok {
		ref.Value = home
		return nil
	}
	file, target, err := b.target(ref.Value)
	if err != nil {
		var le *bundleLimitError
		if errors.As(err, &le) {
			return b.limit(ref, "%v", err)
		}
		b.note(ref, "%v", err)
		return nil
	}
	section, name, kind := placeFor(kind, file, frag)
	c, err := b.copyFrom(file, target, kind)
	if err != nil {
		return b.limit(ref, "%v", err)
	}
	m := b.sections[section]
	if m == nil {
		m = mapNode()
		mapSet(b.root, section, m) // replaces a section that is not a mapping (null)
		b.sections[section] = m
	}
	used := b.used[section]
	unique := name
	for i := 2; used[unique]; i++ {
		unique = name + "_" + strconv.Itoa(i)
	}
	used[unique] = true
	m.Content = append(m.Content, strNode(unique), c)
	home := "#/" + section + "/" + escapePointer(unique)
	b.homes[key] = home
	ref.Value = home
	b.hostedN++
	b.queue = append(b.queue, hosted{c, kind})
	return nil
}

// placeFor chooses the root section and name of the copy of file#frag, met where kind is
// expected: the section the target is in when it is one, else the section of kind; the name
// the target has there, else its last pointer segment, else the file's name.
func placeFor(kind, file, frag string) (section, name, sectionKind string) {
	parts := strings.Split(strings.TrimPrefix(frag, "/"), "/")
	if len(parts) == 2 && strings.HasPrefix(frag, "/") {
		for _, s := range sectionKinds {
			if parts[0] == s.section {
				return s.section, sanitizeName(unescapePointer(parts[1]), s.kind), s.kind
			}
		}
	}
	section, sectionKind = "definitions", kSchema
	switch kind {
	case kParameter:
		section, sectionKind = "parameters", kParameter
	case kResponse:
		section, sectionKind = "responses", kResponse
	}
	name = unescapePointer(parts[len(parts)-1])
	if name == "" {
		name = strings.TrimSuffix(path.Base(file), path.Ext(file))
	}
	return section, sanitizeName(name, sectionKind), sectionKind
}

// sanitizeName keeps the characters OpenAPI allows in a component name.
func sanitizeName(s, kind string) string {
	var sb strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-', r == '_':
			sb.WriteRune(r)
		default:
			sb.WriteByte('_')
		}
	}
	if sb.Len() == 0 {
		return kind
	}
	return sb.String()
}

// ---- shared

// inlineDescriptions replaces a tag's or info's description written as a $ref to text.
func (b *bundler) inlineDescriptions() error {
	var sites []*yaml.Node
	if info := deref(mapGet(b.root, "info")); info != nil {
		sites = append(sites, info)
	}
	if tags := deref(mapGet(b.root, "tags")); tags != nil && tags.Kind == yaml.SequenceNode {
		for _, t := range tags.Content {
			sites = append(sites, deref(t))
		}
	}
	for _, s := range sites {
		if s == nil || s.Kind != yaml.MappingNode {
			continue
		}
		d := deref(mapGet(s, "description"))
		if d == nil || d.Kind != yaml.MappingNode {
			continue
		}
		ref := deref(mapGet(d, "$ref"))
		if ref == nil || ref.Kind != yaml.ScalarNode || !b.isFileRef(ref.Value) {
			continue
		}
		_, target, err := b.target(ref.Value)
		if err != nil {
			var le *bundleLimitError
			if errors.As(err, &le) {
				return b.limit(ref, "%v", err)
			}
			b.note(ref, "%v", err)
			continue
		}
		if target.Kind != yaml.ScalarNode {
			continue // repair drops it
		}
		mapSet(s, "description", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: target.Value})
		b.inlined++
	}
	return nil
}

// fetchObject copies the object ref points to. A nil node with a nil error means the ref is
// left as it is (noted); an error means a limit was passed.
func (b *bundler) fetchObject(ref *yaml.Node, kind string) (*yaml.Node, error) {
	file, target, err := b.target(ref.Value)
	if err != nil {
		var le *bundleLimitError
		if errors.As(err, &le) {
			return nil, b.limit(ref, "%v", err)
		}
		b.note(ref, "%v", err)
		return nil, nil
	}
	c, err := b.copyFrom(file, target, kind)
	if err != nil {
		return nil, b.limit(ref, "%v", err)
	}
	if c.Kind != yaml.MappingNode {
		b.note(ref, "points to a %s, not an object", kindName(c))
		return nil, nil
	}
	return c, nil
}

// inline replaces the $ref object site by a copy of what it points to (its other fields kept
// over the copy's), then bundles the copy with visit.
func (b *bundler) inline(site, ref *yaml.Node, kind string, visit refVisitor) error {
	if !strings.HasPrefix(ref.Value, "#") && !b.isFileRef(ref.Value) {
		b.note(ref, "a URL or an absolute path, which bundling does not read")
		return nil
	}
	c, err := b.fetchObject(ref, kind)
	if c == nil {
		return err
	}
	b.replace(site, c)
	b.inlined++
	return b.nested(ref, func() error { return b.walk(site, kind, 0, visit) })
}

// nested runs f one inline deeper.
func (b *bundler) nested(ref *yaml.Node, f func() error) error {
	if b.depth >= bundleMaxDepth {
		return b.limit(ref, "$refs nested more than %d deep (a cycle?)", bundleMaxDepth)
	}
	b.depth++
	defer func() { b.depth-- }()
	return f()
}

// replace makes the $ref object site the mapping c, keeping the fields written beside $ref.
func (b *bundler) replace(site, c *yaml.Node) {
	for i := 0; i+1 < len(site.Content); i += 2 {
		if k := site.Content[i].Value; k != "$ref" {
			mapSet(c, k, site.Content[i+1])
		}
	}
	site.Kind, site.Tag, site.Style, site.Value, site.Alias = yaml.MappingNode, "!!map", 0, "", nil
	site.Content = c.Content
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "list"
	case yaml.ScalarNode:
		return "scalar"
	}
	return "mapping"
}

// isFileRef reports whether ref names another file by a relative path (with or without a
// fragment): not local, not a URL, not an absolute path.
func (b *bundler) isFileRef(ref string) bool {
	if ref == "" || strings.HasPrefix(ref, "#") {
		return false
	}
	u, err := url.Parse(ref)
	if err != nil || u.Scheme != "" || u.Host != "" || u.Opaque != "" {
		return false
	}
	p := u.Path
	return !strings.HasPrefix(p, "/") && !strings.HasPrefix(p, `\`) && !filepath.IsAbs(p)
}

// split resolves ref, written in file from (relative to the root's directory), into the file it
// points to (relative to the root's directory) and the fragment (unescaped JSON pointer).
func (b *bundler) split(from, ref string) (file, frag string, err error) {
	raw, fragRaw, _ := strings.Cut(ref, "#")
	if raw == "" {
		file = from
	} else {
		if !b.isFileRef(ref) {
			return "", "", errors.New("not a relative file reference")
		}
		p, err := url.PathUnescape(raw)
		if err != nil {
			return "", "", fmt.Errorf("bad path: %v", err)
		}
		file = path.Clean(path.Join(path.Dir(from), filepath.ToSlash(p)))
	}
	frag = fragRaw
	if strings.Contains(frag, "%") {
		if f, err := url.PathUnescape(frag); err == nil {
			frag = f
		}
	}
	return file, frag, nil
}

// target reads what ref (in the root's context) points to.
func (b *bundler) target(ref string) (file string, n *yaml.Node, err error) {
	file, frag, err := b.split(b.rootRel, ref)
	if err != nil {
		return "", nil, err
	}
	doc, err := b.load(file)
	if err != nil {
		return "", nil, err
	}
	n, err = pointerGet(doc, frag)
	if err != nil {
		return "", nil, fmt.Errorf("%s: %v", file, err)
	}
	return file, n, nil
}

// load reads and parses a file, once.
func (b *bundler) load(file string) (*yaml.Node, error) {
	if n, ok := b.files[file]; ok {
		return n, nil
	}
	if err, ok := b.failed[file]; ok {
		return nil, err
	}
	if len(b.files)+len(b.failed) >= bundleMaxFiles {
		return nil, &bundleLimitError{fmt.Sprintf("more than %d files referenced", bundleMaxFiles)}
	}
	data, err := os.ReadFile(filepath.Join(b.dir, filepath.FromSlash(file)))
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		err = fmt.Errorf("cannot read %s: %v", file, err)
		b.failed[file] = err
		return nil, err
	}
	b.bytes += len(data)
	if b.bytes > bundleMaxBytes {
		return nil, &bundleLimitError{fmt.Sprintf("referenced files total more than %d MiB", bundleMaxBytes>>20)}
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		err = fmt.Errorf("cannot parse %s: %v", file, err)
		b.failed[file] = err
		return nil, err
	}
	n := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}
	if doc.Kind == yaml.DocumentNode && len(doc.Content) > 0 {
		n = doc.Content[0]
	}
	b.files[file] = n
	return n, nil
}

// pointerGet follows a JSON pointer (unescaped from the URL) from n; "" is n itself.
func pointerGet(n *yaml.Node, frag string) (*yaml.Node, error) {
	n = deref(n)
	if frag == "" || frag == "/" { // "#/" is the whole document to kin-openapi too
		return n, nil
	}
	if frag[0] != '/' {
		return nil, fmt.Errorf("fragment %q is not a JSON pointer", frag)
	}
	for part := range strings.SplitSeq(frag[1:], "/") {
		part = unescapePointer(part)
		var next *yaml.Node
		switch n.Kind {
		case yaml.MappingNode:
			next = deref(mapGet(n, part))
		case yaml.SequenceNode:
			if i, err := strconv.Atoi(part); err == nil && i >= 0 && i < len(n.Content) {
				next = deref(n.Content[i])
			}
		}
		if next == nil {
			return nil, fmt.Errorf("nothing at #%s", frag)
		}
		n = next
	}
	return n, nil
}

func unescapePointer(s string) string {
	if !strings.Contains(s, "~") {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "~1", "/"), "~0", "~")
}

// copyFrom copies n, found in file and expected to be of kind, with aliases expanded and its
// $refs rewritten relative to the root document.
func (b *bundler) copyFrom(file string, n *yaml.Node, kind string) (*yaml.Node, error) {
	c, err := b.copyNode(n, 0)
	if err != nil {
		return nil, err
	}
	if file == b.rootRel {
		return c, nil
	}
	err = b.walk(c, kind, 0, func(site, ref *yaml.Node, kind string) error {
		if kind == kMapping && !strings.Contains(ref.Value, "/") {
			return nil // a schema name, not a ref
		}
		if rebased, ok := b.rebase(file, ref.Value); ok && rebased != ref.Value {
			o, seen := b.origin[ref]
			if !seen {
				o = refOrigin{file, ref.Value}
			}
			ref.Value = rebased
			b.origin[ref] = o
		}
		return nil
	})
	return c, err
}

// rebase rewrites ref, written in file, relative to the root document. URLs and absolute paths
// are kept; ok is false for a ref that cannot be read.
func (b *bundler) rebase(file, ref string) (string, bool) {
	if strings.HasPrefix(ref, "#") {
		return escapeRefPath(file) + ref, true
	}
	if !b.isFileRef(ref) {
		return ref, false
	}
	target, _, err := b.split(file, ref)
	if err != nil {
		return ref, false
	}
	_, frag, hasFrag := strings.Cut(ref, "#")
	if target == b.rootRel {
		return "#" + frag, true
	}
	if hasFrag {
		return escapeRefPath(target) + "#" + frag, true
	}
	return escapeRefPath(target), true
}

// escapeRefPath writes a slash-separated relative path as a URI reference.
func escapeRefPath(p string) string {
	s := (&url.URL{Path: p}).EscapedPath()
	if first, _, _ := strings.Cut(s, "/"); strings.Contains(first, ":") {
		s = "./" + s // not a scheme
	}
	return s
}

// copyNode deep-copies n, expanding aliases, within the node budget.
func (b *bundler) copyNode(n *yaml.Node, depth int) (*yaml.Node, error) {
	if depth > 512 {
		return nil, &bundleLimitError{"YAML nested too deeply"}
	}
	n = deref(n)
	b.nodes++
	if b.nodes > bundleMaxNodes {
		return nil, &bundleLimitError{fmt.Sprintf("more than %d YAML nodes copied", bundleMaxNodes)}
	}
	if n == nil || n.Kind == yaml.AliasNode {
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}, nil
	}
	c := &yaml.Node{Kind: n.Kind, Style: n.Style, Tag: n.Tag, Value: n.Value, Line: n.Line, Column: n.Column}
	content := n.Content
	if n.Kind == yaml.MappingNode && hasMergeKey(n) {
		// Merge keys applied, so that the walk sees (and rebases) what they bring.
		var err error
		if content, err = mergedPairs(n, depth); err != nil {
			return nil, &bundleLimitError{err.Error()}
		}
	}
	if len(content) > 0 {
		c.Content = make([]*yaml.Node, len(content))
		for i, k := range content {
			var err error
			if c.Content[i], err = b.copyNode(k, depth+1); err != nil {
				return nil, err
			}
		}
	}
	if c.Kind == yaml.DocumentNode {
		if len(c.Content) == 0 {
			return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}, nil
		}
		return c.Content[0], nil
	}
	return c, nil
}

// ---- the walk

var schemaMapKeys = []string{"properties", "patternProperties", "dependentSchemas", "$defs", "definitions"}

// refVisitor is called for every $ref met by walk: site is the object holding it, ref its value
// and kind what the position expects. For kMapping, site is the mapping and ref one of its
// values.
type refVisitor func(site, ref *yaml.Node, kind string) error

func (b *bundler) walkRoot(visit refVisitor) error {
	var parts []struct {
		parent *yaml.Node
		key    string
		kind   string
	}
	add := func(parent *yaml.Node, key, kind string) {
		parts = append(parts, struct {
			parent *yaml.Node
			key    string
			kind   string
		}{parent, key, kind})
	}
	add(b.root, "paths", kPathItem)
	if b.v2 {
		for _, s := range sectionKinds {
			add(b.root, s.section, s.kind)
		}
	} else {
		add(b.root, "webhooks", kPathItem)
		if comp := deref(mapGet(b.root, "components")); comp != nil && comp.Kind == yaml.MappingNode {
			for _, c := range []struct{ key, kind string }{
				{"schemas", kSchema}, {"responses", kResponse}, {"parameters", kParameter},
				{"examples", kExample}, {"requestBodies", kRequestBody}, {"headers", kHeader},
				{"securitySchemes", kSecurityScheme}, {"links", kLink}, {"callbacks", kCallback},
				{"pathItems", kPathItem},
			} {
				add(comp, c.key, c.kind)
			}
		}
	}
	for _, p := range parts {
		if err := b.eachValue(p.parent, p.key, p.kind, 0, visit); err != nil {
			return err
		}
	}
	return nil
}

// walk visits the $refs of n, an object of kind, in document order.
func (b *bundler) walk(n *yaml.Node, kind string, depth int, visit refVisitor) error {
	if depth > 512 {
		return &bundleLimitError{"YAML nested too deeply"}
	}
	if n = b.unalias(n); n == nil {
		return nil
	}
	if n.Kind == yaml.SequenceNode && kind == kSchema { // items as a list (tuple form)
		for i := 0; i < len(n.Content); i++ {
			if err := b.walk(n.Content[i], kind, depth+1, visit); err != nil {
				return err
			}
		}
		return nil
	}
	if n.Kind != yaml.MappingNode {
		return nil
	}
	if ref := deref(mapGet(n, "$ref")); ref != nil && ref.Kind == yaml.ScalarNode {
		if err := visit(n, ref, kind); err != nil {
			return err
		}
		if kind != kSchema {
			return nil // replaced and walked by visit, or left as it is
		}
		// A schema's other keywords apply beside its $ref (JSON Schema 2020-12).
	}
	d := depth + 1
	var err error
	one := func(key, kind string) {
		if err == nil {
			if c := mapGet(n, key); c != nil {
				err = b.walk(c, kind, d, visit)
			}
		}
	}
	values := func(key, kind string) {
		if err == nil {
			err = b.eachValue(n, key, kind, d, visit)
		}
	}
	items := func(key, kind string) {
		if err == nil {
			err = b.eachItem(n, key, kind, d, visit)
		}
	}
	switch kind {
	case kPathItem:
		items("parameters", kParameter)
		for _, m := range methodKeys {
			one(m, kOperation)
		}
	case kOperation:
		items("parameters", kParameter)
		one("requestBody", kRequestBody)
		values("responses", kResponse)
		values("callbacks", kCallback)
	case kCallback:
		for i := 0; i+1 < len(n.Content) && err == nil; i += 2 {
			if !strings.HasPrefix(n.Content[i].Value, "x-") {
				err = b.walk(n.Content[i+1], kPathItem, d, visit)
			}
		}
	case kParameter, kHeader:
		one("schema", kSchema)
		one("items", kSchema) // Swagger 2.0
		values("content", kMediaType)
		if !b.v2 {
			values("examples", kExample)
		}
	case kRequestBody:
		values("content", kMediaType)
	case kResponse:
		one("schema", kSchema) // Swagger 2.0
		values("headers", kHeader)
		values("content", kMediaType)
		values("links", kLink)
	case kMediaType:
		one("schema", kSchema)
		values("examples", kExample)
		values("encoding", kEncoding)
	case kEncoding:
		values("headers", kHeader)
	case kSchemaMap:
		for i := 0; i+1 < len(n.Content) && err == nil; i += 2 {
			err = b.walk(n.Content[i+1], kSchema, d, visit)
		}
	case kSchema:
		for _, k := range []string{"items", "additionalProperties", "not", "additionalItems", "contains",
			"propertyNames", "if", "then", "else", "unevaluatedItems", "unevaluatedProperties", "contentSchema"} {
			one(k, kSchema)
		}
		for _, k := range schemaMapKeys {
			one(k, kSchemaMap)
		}
		for _, k := range []string{"allOf", "anyOf", "oneOf", "prefixItems"} {
			items(k, kSchema)
		}
		if disc := deref(mapGet(n, "discriminator")); err == nil && !b.v2 && disc != nil && disc.Kind == yaml.MappingNode {
			if m := deref(mapGet(disc, "mapping")); m != nil && m.Kind == yaml.MappingNode {
				for i := 1; i < len(m.Content) && err == nil; i += 2 {
					if v := deref(m.Content[i]); v.Kind == yaml.ScalarNode {
						err = visit(m, v, kMapping)
					}
				}
			}
		}
	}
	return err
}

// unalias returns the node n stands for, or nil when n is an alias of a node already walked
// through an alias (an alias bomb is then walked in linear time).
func (b *bundler) unalias(n *yaml.Node) *yaml.Node {
	if n == nil || n.Kind != yaml.AliasNode {
		return n
	}
	t := deref(n)
	if t == nil || t.Kind == yaml.AliasNode {
		return nil
	}
	if b.aliased == nil {
		b.aliased = map[*yaml.Node]bool{}
	}
	if b.aliased[t] {
		return nil
	}
	b.aliased[t] = true
	return t
}

// eachValue walks every value of the mapping parent[key] as an object of kind (extensions
// excepted, unless they are schema properties). Values added during the walk are not walked.
func (b *bundler) eachValue(parent *yaml.Node, key, kind string, depth int, visit refVisitor) error {
	m := deref(mapGet(parent, key))
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	n := len(m.Content)
	for i := 0; i+1 < n; i += 2 {
		if kind != kSchema && strings.HasPrefix(m.Content[i].Value, "x-") {
			continue
		}
		if err := b.walk(m.Content[i+1], kind, depth, visit); err != nil {
			return err
		}
	}
	return nil
}

// eachItem walks every item of the list parent[key] as an object of kind.
func (b *bundler) eachItem(parent *yaml.Node, key, kind string, depth int, visit refVisitor) error {
	s := deref(mapGet(parent, key))
	if s == nil || s.Kind != yaml.SequenceNode {
		return nil
	}
	n := len(s.Content)
	for i := 0; i < n; i++ {
		if err := b.walk(s.Content[i], kind, depth, visit); err != nil {
			return err
		}
	}
	return nil
}

// ---- files kin-openapi reads

// hasSchemaMapRef reports whether data may have a map of schemas written as a $ref
// (`properties: {$ref: …}`): the byte scan that keeps fixSchemaMapRefs off most files.
func hasSchemaMapRef(data []byte) bool {
	for _, key := range []string{"properties", "patternProperties", "dependentSchemas", "$defs", "definitions"} {
		for i := 0; ; {
			j := bytes.Index(data[i:], []byte(key))
			if j < 0 {
				break
			}
			k := i + j + len(key)
			i = k
			if k < len(data) && (data[k] == '"' || data[k] == '\'') {
				k++
			}
			k = skipBlanks(data, k)
			if k >= len(data) || data[k] != ':' {
				continue
			}
			k = skipSpace(data, k+1)
			if k < len(data) && data[k] == '{' {
				k = skipSpace(data, k+1)
			}
			if k < len(data) && (data[k] == '"' || data[k] == '\'') {
				k++
			}
			if bytes.HasPrefix(data[k:], []byte("$ref")) {
				return true
			}
		}
	}
	return false
}

func skipSpace(data []byte, k int) int {
	for k < len(data) && (data[k] == ' ' || data[k] == '\t' || data[k] == '\r' || data[k] == '\n') {
		k++
	}
	return k
}

// readForKin prepares a file kin-openapi reads for a $ref (file is its absolute path): YAML is
// given as JSON, so that kin-openapi, which parses a file again for every $ref to it, takes its
// fast JSON path (scalars keep their text, as for Swagger 2.0); and every map of schemas written
// as a $ref, wherever it is (the file's layout is not known), is inlined. It returns data itself
// when there is nothing to change or the file cannot be parsed (kin-openapi then reports it).
func readForKin(data []byte, file string) (out []byte, notes []string, err error) {
	isJSON := false
	if t := bytes.TrimLeft(data, " \t\r\n\ufeff"); len(t) > 0 && (t[0] == '{' || t[0] == '[') {
		isJSON = true
	}
	mapRefs := hasSchemaMapRef(data)
	if isJSON && !mapRefs {
		return data, nil, nil
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil || len(doc.Content) == 0 {
		return data, nil, nil
	}
	root := deref(doc.Content[0])
	if mapRefs {
		b := &bundler{
			dir:     filepath.Dir(file),
			rootRel: filepath.Base(file),
			root:    root,
			files:   map[string]*yaml.Node{},
			failed:  map[string]error{},
			origin:  map[*yaml.Node]refOrigin{},
			noted:   map[string]bool{},
		}
		b.files[b.rootRel] = root
		var visit refVisitor
		visit = func(site, ref *yaml.Node, kind string) error {
			if kind == kSchemaMap {
				return b.inline(site, ref, kind, visit)
			}
			return nil
		}
		if err := b.eachSchemaMap(root, 0, visit); err != nil {
			return nil, nil, err
		}
		notes = b.notes
		if isJSON && b.inlined == 0 {
			return data, notes, nil
		}
	}
	var buf bytes.Buffer
	if err := nodeToJSON(&buf, root, 0); err != nil {
		return data, notes, nil
	}
	return buf.Bytes(), notes, nil
}

// eachSchemaMap finds, anywhere below n, the maps of schemas that are $refs.
func (b *bundler) eachSchemaMap(n *yaml.Node, depth int, visit refVisitor) error {
	if depth > 512 {
		return &bundleLimitError{"YAML nested too deeply"}
	}
	if n = b.unalias(n); n == nil {
		return nil
	}
	switch n.Kind {
	case yaml.SequenceNode:
		for _, c := range n.Content {
			if err := b.eachSchemaMap(c, depth+1, visit); err != nil {
				return err
			}
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			v := deref(n.Content[i+1])
			if slices.Contains(schemaMapKeys, n.Content[i].Value) && v != nil && v.Kind == yaml.MappingNode {
				if ref := deref(mapGet(v, "$ref")); ref != nil && ref.Kind == yaml.ScalarNode {
					if err := visit(v, ref, kSchemaMap); err != nil {
						return err
					}
				}
			}
			if err := b.eachSchemaMap(n.Content[i+1], depth+1, visit); err != nil {
				return err
			}
		}
	}
	return nil
}
