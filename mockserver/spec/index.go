package spec

import (
	"fmt"
	"mime"
	"net/http"
	"regexp"
	"sort"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers"
)

// Operation is one method on one path of a description, with everything validation needs
// prepared at start-up.
type Operation struct {
	Doc      *Document
	ID       string // the operationId, or "METHOD /path" when the description gives none
	Method   string // upper-case
	Path     string // the path template as written in the description
	PathItem *openapi3.PathItem
	Op       *openapi3.Operation
	// Route is the kin-openapi route handed to openapi3filter. Its Spec is the 3.0-marked copy
	// unless the operation needs the JSON Schema 2020-12 validator.
	Route *routers.Route
	// Needs2020 is set when the operation's request schemas use a 3.1 keyword kin-openapi's
	// 3.0 validator ignores (prefixItems, if/then/else, unevaluated*, dependent*, contains …).
	Needs2020 bool
	// Params are the path item's and the operation's parameters merged (operation wins).
	Params []*openapi3.Parameter
	// Security is the effective requirement: the operation's, else the document's.
	Security openapi3.SecurityRequirements
}

var methods = []string{
	http.MethodGet, http.MethodPut, http.MethodPost, http.MethodDelete,
	http.MethodOptions, http.MethodHead, http.MethodPatch, http.MethodTrace,
}

// index builds d.Ops, in path then method order.
func (d *Document) index() error {
	is31 := d.Doc.IsOpenAPI31OrLater()
	if is31 {
		constAsEnum(d.Doc)
	}
	fast := *d.Doc
	fast.OpenAPI = "3.0.3"
	d.fast = &fast

	paths := make([]string, 0, d.Doc.Paths.Len())
	for p := range d.Doc.Paths.Map() {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		item := d.Doc.Paths.Value(p)
		if item == nil {
			continue
		}
		for _, m := range methods {
			op := item.GetOperation(m)
			if op == nil {
				continue
			}
			o := &Operation{Doc: d, Method: m, Path: p, PathItem: item, Op: op}
			o.ID = op.OperationID
			if o.ID == "" {
				o.ID = m + " " + p
			}
			d.Warnings = append(d.Warnings, normalize(o.ID, op)...)
			o.Params = mergeParams(item.Parameters, op.Parameters)
			d.Warnings = append(d.Warnings, normalizeParams(o.ID, o.Params)...)
			if op.Security != nil {
				o.Security = *op.Security
			} else {
				o.Security = d.Doc.Security
			}
			spec := d.fast
			if is31 && needs2020(o) {
				o.Needs2020 = true
				spec = d.Doc
			}
			o.Route = &routers.Route{Spec: spec, Path: p, PathItem: item, Method: m, Operation: op}
			d.Ops = append(d.Ops, o)
		}
	}
	return nil
}

// mergeParams lists the parameters that apply: the path item's unless the operation redefines
// them, then the operation's. Header parameters named Accept, Content-Type or Authorization
// are left out: OpenAPI says they SHALL be ignored.
func mergeParams(item, op openapi3.Parameters) []*openapi3.Parameter {
	var out []*openapi3.Parameter
	keep := func(p *openapi3.Parameter) bool {
		if p.In != openapi3.ParameterInHeader {
			return true
		}
		switch http.CanonicalHeaderKey(p.Name) {
		case "Accept", "Content-Type", "Authorization":
			return false
		}
		return true
	}
	for _, r := range item {
		if r == nil || r.Value == nil || !keep(r.Value) {
			continue
		}
		if op.GetByInAndName(r.Value.In, r.Value.Name) != nil {
			continue
		}
		out = append(out, r.Value)
	}
	for _, r := range op {
		if r != nil && r.Value != nil && keep(r.Value) {
			out = append(out, r.Value)
		}
	}
	return out
}

// normalize prepares an operation's content maps once, at start-up, so that no request can
// trip over the description's shape: media-type keys lose their parameters
// ("application/json; charset=utf-8" is served as application/json), empty media-type entries
// are dropped, and a content parameter without exactly one usable media type is not validated.
// It returns a warning per change that hides a defect of the description.
func normalize(id string, op *openapi3.Operation) []string {
	var warnings []string
	if op.RequestBody != nil && op.RequestBody.Value != nil {
		warnings = append(warnings, normalizeContent(id+" request body", &op.RequestBody.Value.Content)...)
	}
	if op.Responses != nil {
		for code, r := range op.Responses.Map() {
			if r != nil && r.Value != nil {
				warnings = append(warnings, normalizeContent(id+" response "+code, &r.Value.Content)...)
			}
		}
	}
	sort.Strings(warnings)
	return warnings
}

// normalizeParams is normalize for the content parameters that apply to an operation.
func normalizeParams(id string, params []*openapi3.Parameter) []string {
	var warnings []string
	for _, p := range params {
		if p.Content == nil {
			continue
		}
		warnings = append(warnings, normalizeContent(id+" parameter "+p.Name, &p.Content)...)
		if len(p.Content) != 1 || p.Content[firstKey(p.Content)].Schema == nil {
			warnings = append(warnings, fmt.Sprintf("%s: parameter %q needs exactly one media type with a schema (has %d); its value is not validated", id, p.Name, len(p.Content)))
			p.Content = nil
		}
	}
	sort.Strings(warnings)
	return warnings
}

func normalizeContent(where string, c *openapi3.Content) []string {
	if *c == nil {
		return nil
	}
	var warnings []string
	keys := make([]string, 0, len(*c))
	for k := range *c {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make(openapi3.Content, len(keys))
	for _, k := range keys {
		mt := (*c)[k]
		if mt == nil {
			warnings = append(warnings, fmt.Sprintf("%s: media type %q is empty; left out", where, k))
			continue
		}
		clean := k
		if parsed, _, err := mime.ParseMediaType(k); err == nil {
			clean = parsed
		}
		if _, dup := out[clean]; dup {
			continue // the first spelling (sorted) wins
		}
		out[clean] = mt
	}
	*c = out
	return warnings
}

func firstKey(c openapi3.Content) string {
	for k := range c {
		return k // only called on a map of length 1
	}
	return ""
}

// Needs2020 reports whether a schema uses a keyword only kin-openapi's JSON Schema 2020-12
// validator checks (prefixItems, if/then/else, contains, propertyNames, dependent*,
// patternProperties, unevaluated*). const is not among them: loading a 3.1 description turns
// every const into an enum of one.
func Needs2020(ref *openapi3.SchemaRef) bool {
	found := false
	walkSchema(ref, map[*openapi3.Schema]bool{}, func(s *openapi3.Schema) bool {
		found = found || uses2020(s)
		return !found
	})
	return found
}

func uses2020(s *openapi3.Schema) bool {
	return len(s.PrefixItems) > 0 || s.If != nil || s.Then != nil || s.Else != nil ||
		s.Contains != nil || s.PropertyNames != nil || len(s.DependentSchemas) > 0 ||
		len(s.DependentRequired) > 0 || len(s.PatternProperties) > 0 ||
		s.UnevaluatedProperties.Schema != nil || s.UnevaluatedProperties.Has != nil ||
		s.UnevaluatedItems.Schema != nil || s.UnevaluatedItems.Has != nil
}

// needs2020 reports whether the request side of o uses a keyword only the 2020-12 validator
// checks.
func needs2020(o *Operation) bool {
	found := false
	visit := func(s *openapi3.Schema) bool {
		found = found || uses2020(s)
		return !found
	}
	seen := map[*openapi3.Schema]bool{}
	for _, p := range o.Params {
		walkSchema(p.Schema, seen, visit)
		for _, mt := range p.Content {
			if mt != nil { // a null media type (application/json: with nothing)
				walkSchema(mt.Schema, seen, visit)
			}
		}
	}
	if o.Op.RequestBody != nil && o.Op.RequestBody.Value != nil {
		for _, mt := range o.Op.RequestBody.Value.Content {
			if mt != nil { // a null media type (application/json: with nothing)
				walkSchema(mt.Schema, seen, visit)
			}
		}
	}
	return found
}

// constAsEnum gives every schema with a const and no enum an enum of that one value, so that
// kin-openapi's fast 3.0 validator (which ignores const) still enforces it.
func constAsEnum(doc *openapi3.T) {
	seen := map[*openapi3.Schema]bool{}
	visit := func(s *openapi3.Schema) bool {
		if s.Const != nil && len(s.Enum) == 0 {
			s.Enum = []any{s.Const}
		}
		return true
	}
	if doc.Components != nil {
		for _, s := range doc.Components.Schemas {
			walkSchema(s, seen, visit)
		}
	}
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			WalkOperationSchemas(op, item, seen, visit)
		}
	}
}

// WalkOperationSchemas visits every schema reachable from an operation's parameters, request
// body and responses, each once (seen guards cycles).
func WalkOperationSchemas(op *openapi3.Operation, item *openapi3.PathItem, seen map[*openapi3.Schema]bool, visit func(*openapi3.Schema) bool) {
	params := append(append(openapi3.Parameters{}, item.Parameters...), op.Parameters...)
	for _, p := range params {
		if p == nil || p.Value == nil {
			continue
		}
		walkSchema(p.Value.Schema, seen, visit)
		for _, mt := range p.Value.Content {
			if mt != nil { // a null media type (application/json: with nothing)
				walkSchema(mt.Schema, seen, visit)
			}
		}
	}
	if op.RequestBody != nil && op.RequestBody.Value != nil {
		for _, mt := range op.RequestBody.Value.Content {
			if mt != nil { // a null media type (application/json: with nothing)
				walkSchema(mt.Schema, seen, visit)
			}
		}
	}
	if op.Responses != nil {
		for _, r := range op.Responses.Map() {
			if r == nil || r.Value == nil {
				continue
			}
			for _, mt := range r.Value.Content {
				if mt != nil { // a null media type (application/json: with nothing)
					walkSchema(mt.Schema, seen, visit)
				}
			}
		}
	}
}

// walkSchema visits s and every schema below it once. visit returns false to stop descending.
func walkSchema(ref *openapi3.SchemaRef, seen map[*openapi3.Schema]bool, visit func(*openapi3.Schema) bool) {
	if ref == nil || ref.Value == nil || seen[ref.Value] {
		return
	}
	s := ref.Value
	seen[s] = true
	if !visit(s) {
		return
	}
	for _, list := range []openapi3.SchemaRefs{s.AllOf, s.AnyOf, s.OneOf, s.PrefixItems} {
		for _, c := range list {
			walkSchema(c, seen, visit)
		}
	}
	for _, c := range []*openapi3.SchemaRef{s.Not, s.Items, s.AdditionalProperties.Schema, s.If, s.Then, s.Else, s.Contains, s.PropertyNames} {
		walkSchema(c, seen, visit)
	}
	for _, m := range []openapi3.Schemas{s.Properties, s.PatternProperties, s.DependentSchemas} {
		for _, c := range m {
			walkSchema(c, seen, visit)
		}
	}
}

// LenientRegex compiles patterns with Go's RE2; a pattern RE2 cannot compile (lookahead,
// backreferences) matches everything instead of failing every value. Every schema validation
// uses it.
func LenientRegex(expr string) (openapi3.RegexMatcher, error) {
	re, err := regexp.Compile(expr)
	if err != nil {
		return anything{}, nil
	}
	return re, nil
}

type anything struct{}

func (anything) MatchString(string) bool { return true }
