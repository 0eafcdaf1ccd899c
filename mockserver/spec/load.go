// Package spec loads API descriptions (OpenAPI 3.0, 3.1 and Swagger 2.0) and indexes their
// operations so that every later step works from data prepared once, at start-up.
package spec

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi2"
	"github.com/getkin/kin-openapi/openapi2conv"
	"github.com/getkin/kin-openapi/openapi3"
	"gopkg.in/yaml.v3"
)

// Options tune loading.
type Options struct {
	// AllowRemoteRefs lets $refs reach http(s) URLs. Off by default: a description can then read
	// only files on this machine.
	AllowRemoteRefs bool
	// SkipValidation skips doc.Validate (the warnings), which costs seconds on the largest
	// descriptions. Loading still fails on a description that cannot be used.
	SkipValidation bool
}

// Document is one loaded description, converted to OpenAPI 3 where needed.
type Document struct {
	File     string      // the root file, as found
	Version  string      // the version the file declares: "2.0", "3.0.3", "3.1.0" …
	Doc      *openapi3.T // the description as served (Swagger 2.0 converted)
	Warnings []string    // problems doc.Validate reported; the description is served anyway

	// fast is a shallow copy of Doc marked 3.0.3: kin-openapi then validates with its
	// 3.0 validator, which does not recompile the schema on every call.
	fast *openapi3.T
	Ops  []*Operation // sorted by path, then method

	// order is the document order kin-openapi's maps lose (order.go); nil when none was read.
	order *order
}

// Error is a description that cannot be used.
type Error struct {
	File   string
	Reason string
}

func (e *Error) Error() string { return e.File + ": " + e.Reason }

// Load reads every description named by paths (files, or directories searched recursively for
// root documents: YAML or JSON files with a top-level openapi or swagger key).
func Load(ctx context.Context, paths []string, opts Options) ([]*Document, error) {
	var files []string
	for _, p := range paths {
		found, err := discover(p)
		if err != nil {
			return nil, err
		}
		files = append(files, found...)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no API description found in %s", strings.Join(paths, ", "))
	}
	docs := make([]*Document, 0, len(files))
	var errs []error
	for _, f := range files {
		d, err := LoadFile(ctx, f, opts)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		docs = append(docs, d)
	}
	return docs, errors.Join(errs...)
}

// discover lists the root documents at p.
func discover(p string) ([]string, error) {
	st, err := os.Stat(p)
	if err != nil {
		return nil, fmt.Errorf("spec %s: %w", p, err)
	}
	if !st.IsDir() {
		return []string{p}, nil
	}
	var out []string
	err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !isDescriptionExt(path) {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if v, _ := sniffVersion(data); v != "" {
			out = append(out, path)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("spec %s: %w", p, err)
	}
	sort.Strings(out)
	return out, nil
}

func isDescriptionExt(path string) bool {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".yaml", ".yml", ".json":
		return true
	}
	return false
}

var (
	yamlVersion = regexp.MustCompile(`(?m)^(openapi|swagger)\s*:\s*['"]?([0-9][0-9A-Za-z.\-]*)`)
	jsonVersion = regexp.MustCompile(`"(openapi|swagger)"\s*:\s*"([^"]*)"`)
)

// sniffVersion finds the declared version without parsing the whole file: a top-level
// `openapi:`/`swagger:` line in YAML, or the first "openapi"/"swagger" key in JSON.
func sniffVersion(data []byte) (version, kind string) {
	trimmed := bytes.TrimLeft(data, " \t\r\n\ufeff")
	re := yamlVersion
	if len(trimmed) > 0 && trimmed[0] == '{' {
		re = jsonVersion
	}
	m := re.FindSubmatch(data)
	if m == nil {
		return "", ""
	}
	return string(m[2]), string(m[1])
}

// LoadFile loads one root document, after inlining what kin-openapi cannot follow from other
// files (bundle.go).
func LoadFile(ctx context.Context, file string, opts Options) (*Document, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, &Error{File: file, Reason: err.Error()}
	}
	version, kind := sniffVersion(data)
	if kind == "" {
		return nil, &Error{File: file, Reason: "not an API description: no top-level openapi or swagger field"}
	}
	abs, err := filepath.Abs(file)
	if err != nil {
		return nil, &Error{File: file, Reason: err.Error()}
	}
	location := &url.URL{Path: filepath.ToSlash(abs)}

	v2 := kind == "swagger" && strings.HasPrefix(version, "2")
	if !v2 && (kind != "openapi" || !strings.HasPrefix(version, "3.")) {
		return nil, &Error{File: file, Reason: fmt.Sprintf("unsupported %s version %q (want 2.0, 3.0 or 3.1)", kind, version)}
	}
	// $refs to other files that kin-openapi cannot follow are inlined first (bundle.go); a
	// description without any is read as it is.
	var bundled []string
	if hasExternalRef(data) || hasSchemaMapRef(data) {
		out, notes, err := bundle(kind, data, abs)
		if err != nil {
			return nil, &Error{File: file, Reason: err.Error()}
		}
		if out != nil {
			data = out
		}
		bundled = notes
	}

	var fileNotes fileNotes
	load := func(data []byte) (*openapi3.T, error) {
		loader := newLoader(ctx, opts, &fileNotes)
		switch {
		case v2:
			return loadSwagger2(data, loader, location)
		case isJSON(data):
			// JSON is decoded faster (decode.go); what that does not decode is loaded again as
			// kin-openapi loads it.
			if doc, decoded, err := loadJSON(loader, data, location); decoded {
				return doc, err
			}
			loader = newLoader(ctx, opts, &fileNotes)
		}
		return loader.LoadFromDataWithPath(data, location)
	}
	// The document order is read from the same text while kin-openapi loads it (order.go).
	scanned := readOrder(data, v2)
	doc, err := load(data)
	var repairs []string
	if err != nil {
		// A description kin-openapi refuses may still be servable after a repair (dangling
		// $refs, malformed decoration): try once, and report what was changed.
		fixed, notes, ok := repair(kind, data, err)
		if !ok {
			return nil, &Error{File: file, Reason: oneLine(err.Error())}
		}
		scanned = readOrder(fixed, v2)
		if doc, err = load(fixed); err != nil {
			return nil, &Error{File: file, Reason: oneLine(err.Error())}
		}
		repairs = notes
	}
	if doc.Paths == nil {
		doc.Paths = openapi3.NewPaths()
	}
	d := &Document{File: file, Version: version, Doc: doc}
	if !opts.SkipValidation {
		d.Warnings = validate(ctx, doc)
	}
	d.Warnings = slices.Concat(bundled, fileNotes.list, repairs, d.Warnings)
	if err := d.index(); err != nil {
		return nil, &Error{File: file, Reason: err.Error()}
	}
	// After index: the orders list the content maps' keys as served.
	if raw := <-scanned; raw != nil {
		d.order = raw.assign(d.Doc, filepath.Dir(abs))
	}
	return d, nil
}

// fileNotes collects the warnings about the files kin-openapi reads, each once (a file is read
// again when a repaired copy is loaded).
type fileNotes struct {
	mu   sync.Mutex
	list []string
}

func (n *fileNotes) add(notes []string) {
	if len(notes) == 0 {
		return
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	for _, s := range notes {
		if !slices.Contains(n.list, s) {
			n.list = append(n.list, s)
		}
	}
}

func newLoader(ctx context.Context, opts Options, notes *fileNotes) *openapi3.Loader {
	loader := openapi3.NewLoader()
	loader.Context = ctx
	loader.IsExternalRefsAllowed = true
	// kin-openapi reads a file again for every $ref to it: each is read and prepared once.
	type read struct {
		data []byte
		err  error
	}
	var mu sync.Mutex
	cache := map[string]read{}
	loader.ReadFromURIFunc = func(l *openapi3.Loader, u *url.URL) ([]byte, error) {
		local := (u.Scheme == "" || u.Scheme == "file") && u.Host == ""
		if !local && !opts.AllowRemoteRefs {
			return nil, fmt.Errorf("remote $ref %s refused (allow remote references to follow it)", u)
		}
		key := u.String()
		mu.Lock()
		r, ok := cache[key]
		mu.Unlock()
		if ok {
			return r.data, r.err
		}
		r.data, r.err = openapi3.DefaultReadFromURI(l, u)
		if r.err == nil && local {
			var n []string
			r.data, n, r.err = readForKin(r.data, filepath.FromSlash(u.Path))
			if r.err != nil {
				r.data, r.err = nil, fmt.Errorf("%s: %v", u.Path, r.err)
			}
			notes.add(n)
		}
		mu.Lock()
		cache[key] = r
		mu.Unlock()
		return r.data, r.err
	}
	return loader
}

// loadSwagger2 converts a Swagger 2.0 document. YAML goes through yaml.Node to JSON so that
// scalars keep their text (no dates turned into time.Time, no 1.10 turned into 1.1).
func loadSwagger2(data []byte, loader *openapi3.Loader, location *url.URL) (*openapi3.T, error) {
	if t := bytes.TrimLeft(data, " \t\r\n\ufeff"); len(t) == 0 || t[0] != '{' {
		var n yaml.Node
		if err := yaml.Unmarshal(data, &n); err != nil {
			return nil, err
		}
		var buf bytes.Buffer
		if err := nodeToJSON(&buf, &n, 0); err != nil {
			return nil, err
		}
		data = buf.Bytes()
	}
	var doc2 openapi2.T
	if err := json.Unmarshal(data, &doc2); err != nil {
		return nil, err
	}
	doc3, err := toV3(&doc2, loader, location)
	if err != nil {
		return nil, err
	}
	carryAllowEmptyValue(&doc2, doc3)
	return doc3, nil
}

// toV3 is openapi2conv.ToV3WithLoader, which dereferences the nulls json.Unmarshal leaves in
// a Swagger 2.0 document (a null path item, response, parameter or header): its panic is
// returned as an error, so that the description is repaired (repair.go) instead.
func toV3(doc2 *openapi2.T, loader *openapi3.Loader, location *url.URL) (doc3 *openapi3.T, err error) {
	defer func() {
		if p := recover(); p != nil {
			doc3, err = nil, fmt.Errorf("converting Swagger 2.0: %v", p)
		}
	}()
	return openapi2conv.ToV3WithLoader(doc2, loader, location)
}

// carryAllowEmptyValue copies allowEmptyValue, which openapi2conv drops, onto the converted
// query parameters: in Swagger 2.0 a query parameter may be sent empty only when it says so.
func carryAllowEmptyValue(doc2 *openapi2.T, doc3 *openapi3.T) {
	mark := func(from []*openapi2.Parameter, to openapi3.Parameters) {
		for _, p := range from {
			if p == nil || !p.AllowEmptyValue || p.In != openapi3.ParameterInQuery {
				continue
			}
			if q := to.GetByInAndName(p.In, p.Name); q != nil {
				q.AllowEmptyValue = true
			}
		}
	}
	if doc3.Components != nil {
		for name, p := range doc2.Parameters {
			if q := doc3.Components.Parameters[name]; p != nil && p.AllowEmptyValue && q != nil && q.Value != nil {
				q.Value.AllowEmptyValue = true
			}
		}
	}
	for path, item2 := range doc2.Paths {
		item3 := doc3.Paths.Value(path)
		if item2 == nil || item3 == nil {
			continue
		}
		mark(item2.Parameters, item3.Parameters)
		for method, op2 := range item2.Operations() {
			if op3 := item3.GetOperation(method); op2 != nil && op3 != nil {
				mark(op2.Parameters, op3.Parameters)
			}
		}
	}
}

// maxJSONSize bounds what nodeToJSON writes once aliases are expanded (an alias bomb).
const maxJSONSize = 256 << 20

// nodeToJSON writes a YAML node as JSON. Anchors and aliases are expanded (bounded).
func nodeToJSON(buf *bytes.Buffer, n *yaml.Node, depth int) error {
	if depth > 512 {
		return errors.New("YAML nested too deeply")
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			buf.WriteString("null")
			return nil
		}
		return nodeToJSON(buf, n.Content[0], depth+1)
	case yaml.AliasNode:
		if buf.Len() > maxJSONSize {
			return fmt.Errorf("YAML aliases expand to more than %d MiB", maxJSONSize>>20)
		}
		return nodeToJSON(buf, n.Alias, depth+1)
	case yaml.MappingNode:
		pairs := n.Content
		if hasMergeKey(n) {
			var err error
			if pairs, err = mergedPairs(n, depth); err != nil {
				return err
			}
		}
		buf.WriteByte('{')
		for i := 0; i+1 < len(pairs); i += 2 {
			if i > 0 {
				buf.WriteByte(',')
			}
			k, _ := json.Marshal(pairs[i].Value)
			buf.Write(k)
			buf.WriteByte(':')
			if err := nodeToJSON(buf, pairs[i+1], depth+1); err != nil {
				return err
			}
		}
		buf.WriteByte('}')
	case yaml.SequenceNode:
		buf.WriteByte('[')
		for i, c := range n.Content {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := nodeToJSON(buf, c, depth+1); err != nil {
				return err
			}
		}
		buf.WriteByte(']')
	case yaml.ScalarNode:
		writeScalar(buf, n)
	}
	return nil
}

func hasMergeKey(m *yaml.Node) bool {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if k := m.Content[i]; k.Kind == yaml.ScalarNode && k.Value == "<<" && k.ShortTag() == "!!merge" {
			return true
		}
	}
	return false
}

// mergedPairs returns the keys and values of the mapping m with its YAML merge keys
// (`<<: *base`) applied: a key written in m wins over a merged one, and an earlier merged
// mapping over a later one.
func mergedPairs(m *yaml.Node, depth int) ([]*yaml.Node, error) {
	if depth > 512 {
		return nil, errors.New("YAML nested too deeply")
	}
	var out, merges []*yaml.Node
	seen := map[string]bool{}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k := m.Content[i]
		if k.Kind == yaml.ScalarNode && k.Value == "<<" && k.ShortTag() == "!!merge" {
			v := deref(m.Content[i+1])
			if v != nil && v.Kind == yaml.SequenceNode {
				merges = append(merges, v.Content...)
			} else {
				merges = append(merges, v)
			}
			continue
		}
		if !seen[k.Value] {
			seen[k.Value] = true
			out = append(out, k, m.Content[i+1])
		}
	}
	for _, src := range merges {
		src = deref(src)
		if src == nil || src.Kind != yaml.MappingNode {
			continue
		}
		pairs, err := mergedPairs(src, depth+1)
		if err != nil {
			return nil, err
		}
		for i := 0; i+1 < len(pairs); i += 2 {
			if !seen[pairs[i].Value] {
				seen[pairs[i].Value] = true
				out = append(out, pairs[i], pairs[i+1])
			}
		}
	}
	return out, nil
}

func writeScalar(buf *bytes.Buffer, n *yaml.Node) {
	switch n.ShortTag() {
	case "!!null":
		buf.WriteString("null")
		return
	case "!!bool":
		var b bool
		if n.Decode(&b) == nil {
			fmt.Fprint(buf, b)
			return
		}
	case "!!int", "!!float":
		// Keep the literal text where it is valid JSON (1.10 stays 1.10).
		if json.Valid([]byte(n.Value)) {
			buf.WriteString(n.Value)
			return
		}
		var f float64
		if n.Decode(&f) == nil {
			if b, err := json.Marshal(f); err == nil {
				buf.Write(b)
				return
			}
		}
	}
	s, _ := json.Marshal(n.Value)
	buf.Write(s)
}

// Validate runs kin-openapi's document validation, as LoadFile does unless told to skip it, and
// returns the problems it reports, one a line. It only reads the description: it can run while
// the description is served.
func (d *Document) Validate(ctx context.Context) []string { return validate(ctx, d.Doc) }

// validate runs kin-openapi's document validation and returns its problems, one a line.
func validate(ctx context.Context, doc *openapi3.T) []string {
	err := doc.Validate(ctx,
		openapi3.EnableMultiError(),
		openapi3.DisableExamplesValidation(),
		openapi3.SetRegexCompiler(LenientRegex),
	)
	if err == nil {
		return nil
	}
	var lines []string
	var me openapi3.MultiError
	if errors.As(err, &me) {
		for _, e := range me {
			lines = append(lines, oneLine(e.Error()))
		}
	} else {
		lines = append(lines, oneLine(err.Error()))
	}
	slices.Sort(lines)
	return slices.Compact(lines)
}

// oneLine shortens kin-openapi's multi-line messages (which can dump whole schemas).
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 300 {
		s = s[:297] + "..."
	}
	return s
}
