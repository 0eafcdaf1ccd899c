package generate

import (
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// A value is generated for a conjunction of schemas ("parts"): the schema
// itself, its allOf members (recursively) and the oneOf/anyOf branches chosen
// so far. Choices are made one group at a time and every candidate is checked
// against the whole original conjunction, so oneOf exclusivity, anyOf and
// discriminators are verified rather than assumed.

const (
	kindOneOf = 1
	kindAnyOf = 2
)

type choice struct {
	owner *openapi3.Schema
	kind  uint8
	idx   int
}

type group struct {
	owner    *openapi3.Schema
	kind     uint8
	branches openapi3.SchemaRefs
	facts    *groupFacts // set for cached expansions (else looked up)
}

func findChoice(choices []choice, owner *openapi3.Schema, kind uint8) int {
	for _, ch := range choices {
		if ch.owner == owner && ch.kind == kind {
			return ch.idx
		}
	}
	return -1
}

// expand flattens refs into parts, following allOf and chosen branches. The
// first oneOf/anyOf without a choice is returned as pending (owner nil:
// none).
func expand(refs []*openapi3.SchemaRef, choices []choice, parts []*openapi3.Schema) ([]*openapi3.Schema, group) {
	e := expander{choices: choices, parts: parts}
	for _, r := range refs {
		if r != nil {
			e.walk(r.Value)
		}
	}
	return e.parts, e.pend
}

type expander struct {
	choices []choice
	parts   []*openapi3.Schema
	pend    group
}

func (e *expander) walk(s *openapi3.Schema) {
	if s == nil {
		return
	}
	for _, p := range e.parts {
		if p == s {
			return
		}
	}
	e.parts = append(e.parts, s)
	for _, a := range s.AllOf {
		if a != nil {
			e.walk(a.Value)
		}
	}
	if len(s.OneOf) > 0 {
		if i := findChoice(e.choices, s, kindOneOf); i >= 0 {
			e.walk(s.OneOf[i].Value)
		} else if e.pend.owner == nil {
			e.pend = group{owner: s, kind: kindOneOf, branches: s.OneOf}
		}
	}
	if len(s.AnyOf) > 0 {
		if i := findChoice(e.choices, s, kindAnyOf); i >= 0 {
			e.walk(s.AnyOf[i].Value)
		} else if e.pend.owner == nil {
			e.pend = group{owner: s, kind: kindAnyOf, branches: s.AnyOf}
		}
	}
}

// refName is the last segment of a $ref ("#/components/schemas/Pet" -> "Pet").
func refName(ref string) string {
	if ref == "" {
		return ""
	}
	if i := strings.LastIndexAny(ref, "/#"); i >= 0 {
		ref = ref[i+1:]
	}
	ref = strings.TrimSuffix(ref, ".yaml")
	ref = strings.TrimSuffix(ref, ".yml")
	ref = strings.TrimSuffix(ref, ".json")
	return ref
}

// discriminatorTarget mirrors kin-openapi: a mapping value without "/" is a
// schema name under #/components/schemas/.
func discriminatorTarget(ref string) string {
	if ref != "" && !strings.Contains(ref, "/") {
		return "#/components/schemas/" + ref
	}
	return ref
}

// gen generates a value for the conjunction refs.
func (c *gctx) gen(refs []*openapi3.SchemaRef, n *node) any {
	return c.genExp(refs, nil, n)
}

// genExp is gen with the expansion of refs already looked up (nil: look it
// up).
func (c *gctx) genExp(refs []*openapi3.SchemaRef, e *expansion, n *node) any {
	budget := 24
	if c.work > workLimit {
		budget = 1 // pathological schema: stop searching, take what comes
	}
	if e == nil {
		e = c.g.expansionOf(refs)
	}
	if len(refs) > 0 && refs[0] != nil && refs[0].Ref != "" && refs[0].Ref != n.ref {
		nn := c.alloc()
		*nn = *n
		nn.ref = refs[0].Ref
		v, _ := c.searchIn(refs, e, nn, nil, &budget)
		c.release()
		return v
	}
	v, _ := c.searchIn(refs, e, n, nil, &budget)
	return v
}

// workLimit bounds the number of candidate values one Value call builds.
const workLimit = 20000

// searchIn resolves pending oneOf/anyOf groups by trying branches in order, returning the
// first candidate that verifies against refs, with the expansion of refs under choices done: e.in
// is the conjunction, e.pend the first unresolved group.
func (c *gctx) searchIn(refs []*openapi3.SchemaRef, e *expansion, n *node, choices []choice, budget *int) (any, bool) {
	in, pend := e.in, &e.pend
	u := c.unsure
	if pend.owner == nil {
		*budget--
		c.work++
		if len(choices) == 0 && !in.check {
			v := c.genParts(in, n)
			// Built without a choice to check: when nothing below went
			// wrong it satisfies refs, which spares an enclosing check
			// from descending into it.
			if c.verifying > 0 && c.unsure == u && !in.untrusted {
				c.strict.rememberAll(refs, v)
			}
			return v, true
		}
		c.verifying++
		v := c.genParts(in, n)
		c.verifying--
		// Built without a hitch, it satisfies every part: only the
		// exclusivity of the oneOf choices is left to check.
		if c.unsure == u && !in.check && !in.untrusted && c.exclusive(choices, v) {
			c.strict.rememberAll(refs, v)
			return v, true
		}
		if c.strict.all(refs, v) {
			c.unsure = u
			return v, true
		}
		if len(choices) == 0 && n.variant == 0 {
			// Only `not` can have failed: try variations.
			for k := uint64(1); k <= 4 && *budget > 0; k++ {
				*budget--
				vn := c.alloc()
				*vn = *n
				vn.variant = k
				vn.noExample = true
				vn.plain = k >= 2
				vn.reqOnly = k >= 3
				c.verifying++
				v2 := c.genParts(in, vn)
				c.verifying--
				c.release()
				if c.strict.all(refs, v2) {
					c.unsure = u
					return v2, true
				}
			}
		}
		c.unsure = u + 1
		return v, false
	}
	parts := in.parts

	type cand struct {
		idx    int
		rank   int
		forced map[string]any
	}
	var cbuf [8]cand
	cands := cbuf[:0]
	disc := pend.owner.Discriminator
	if disc != nil && disc.PropertyName != "" && len(disc.Mapping) > 0 {
		keys := make([]string, 0, len(disc.Mapping))
		for k := range disc.Mapping {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		used := make([]bool, len(pend.branches))
		for _, k := range keys {
			target := discriminatorTarget(disc.Mapping[k].Ref)
			for i, b := range pend.branches {
				if b != nil && b.Ref == target && !used[i] {
					used[i] = true
					cands = append(cands, cand{idx: i, forced: map[string]any{disc.PropertyName: k}})
				}
			}
		}
		// Branches the mapping does not name come last: kin-openapi rejects
		// them, a plain JSON Schema validator does not.
		for i := range pend.branches {
			if !used[i] {
				cands = append(cands, cand{idx: i})
			}
		}
	} else {
		for i, b := range pend.branches {
			var forced map[string]any
			if disc != nil && disc.PropertyName != "" && b != nil && b.Ref != "" {
				forced = map[string]any{disc.PropertyName: refName(b.Ref)}
			}
			cands = append(cands, cand{idx: i, forced: forced})
		}
	}
	// Order: null-only branches last; when deep, cheaper branches first;
	// polymorphic (discriminated) oneOf rotates by seed for variety.
	// A oneOf branch whose typical value also matches another branch
	// rarely works: try it after the others (see dominated).
	deepHere := n.depth >= c.g.maxDepth
	gi := pend.facts
	if gi == nil {
		gi = c.g.groupInfo(pend)
	}
	var dom []bool
	if pend.kind == kindOneOf && disc == nil && !c.probing {
		dom = c.g.dominated(pend, c.dir)
	}
	rank := func(i int) int {
		b := pend.branches[i]
		if b == nil || b.Value == nil {
			return 9
		}
		m := gi.masks[i]
		if m == tNull {
			return 8
		}
		r := 0
		if dom != nil && dom[i] {
			r = 3
		}
		if deepHere || c.onStack(b.Value) > 0 {
			switch {
			case m&(tStr|tInt|tNum|tBool) != 0 && m&(tObj|tArr) == 0:
				return r
			case m&tArr != 0 && m&tObj == 0:
				return r + 1
			}
			return r + 2
		}
		return r
	}
	if disc != nil && pend.kind == kindOneOf && len(cands) > 1 {
		// Rotate the candidates that have a mapping/name by seed.
		k := 0
		for k < len(cands) && cands[k].forced != nil {
			k++
		}
		if k > 1 {
			f := c.reseed(n, saltChoice)
			r := f.IntN(k)
			rot := append(append([]cand{}, cands[r:k]...), cands[:r]...)
			copy(cands, rot)
		}
	}
	// Stable insertion sort by rank.
	for i := range cands {
		cands[i].rank = rank(cands[i].idx)
	}
	for i := 1; i < len(cands); i++ {
		for j := i; j > 0 && cands[j].rank < cands[j-1].rank; j-- {
			cands[j], cands[j-1] = cands[j-1], cands[j]
		}
	}
	// A oneOf branch that accepts every value of its type (e.g. a bare
	// {type: object}) matches whatever another branch produces, so only
	// that branch itself can be chosen: try it first.
	if pend.kind == kindOneOf {
		for i, cd := range cands {
			b := pend.branches[cd.idx]
			if i > 0 && b != nil && b.Value != nil && gi.onlyType[cd.idx] && len(b.Value.AllOf) == 0 {
				u := cands[i]
				copy(cands[1:i+1], cands[:i])
				cands[0] = u
				break
			}
		}
	}

	// Skip branches that cannot agree with the rest of the conjunction
	// (type or const/enum clash), so the budget is not spent on them.
	baseMask := in.imask
	objBranches := gi.objBranches
	var best any
	haveBest := false
	for _, cd := range cands {
		if *budget <= 0 {
			break
		}
		b := pend.branches[cd.idx]
		if b == nil || b.Value == nil {
			continue
		}
		bm := gi.masks[cd.idx]
		if baseMask&bm == 0 && bm != 0 && baseMask != 0 {
			continue
		}
		if b.Value.Const != nil && !c.leafOK(parts, b.Value.Const) {
			continue
		}
		if len(b.Value.Enum) > 0 && !c.anyEnumOK(parts, b.Value.Enum) {
			continue
		}
		ch := append(choices[:len(choices):len(choices)], choice{pend.owner, pend.kind, cd.idx})
		nn := c.alloc()
		*nn = *n
		if nn.ref == "" && b.Ref != "" {
			nn.ref = b.Ref // names the value (for its properties' context)
		}
		if cd.forced != nil {
			nn.forced = mergeForced(n.forced, cd.forced)
		}
		// A string alternative to expandable objects is an id (Stripe style).
		if objBranches > 0 && bm&tStr != 0 && bm&(tObj|tArr) == 0 {
			nn.idHint = true
		}
		v, ok := c.searchIn(refs, c.g.next(e, refs, cd.idx, ch), nn, ch, budget)
		if ok {
			c.release()
			c.unsure = u
			return v, true
		}
		if pend.kind == kindOneOf {
			if v2, ok := c.disambiguate(refs, pend, cd.idx, ch, v); ok {
				c.release()
				c.unsure = u
				return v2, true
			}
		}
		if !haveBest {
			best, haveBest = v, true
		}
		// Variation: plain values, only required properties, another seed.
		if *budget > 0 && n.variant == 0 {
			nn.plain, nn.reqOnly, nn.noExample, nn.variant = true, true, true, 1
			if v2, ok := c.searchIn(refs, c.g.next(e, refs, cd.idx, ch), nn, ch, budget); ok {
				c.release()
				c.unsure = u
				return v2, true
			}
		}
		c.release()
	}
	c.unsure = u + 1
	return best, false
}

// exclusive reports whether v, built to satisfy the chosen branches,
// matches no other branch of the oneOf choices (loosely: under either
// validator). Groups with a discriminator are left to the full check.
func (c *gctx) exclusive(choices []choice, v any) bool {
	for _, ch := range choices {
		if ch.owner.Discriminator != nil {
			return false
		}
		if ch.kind != kindOneOf {
			continue
		}
		for j, b := range ch.owner.OneOf {
			if j != ch.idx && b != nil && b.Value != nil && c.loose.schema(b.Value, v) {
				return false
			}
		}
	}
	return true
}

func mergeForced(a, b map[string]any) map[string]any {
	if len(a) == 0 {
		return b
	}
	m := make(map[string]any, len(a)+len(b))
	for k, v := range a {
		m[k] = v
	}
	for k, v := range b {
		m[k] = v
	}
	return m
}

// genParts generates a value satisfying every schema of the conjunction.
func (c *gctx) genParts(in *info, n *node) any {
	parts := in.parts
	if len(parts) == 0 {
		return c.genAny(n)
	}
	if in.falseSchema {
		c.unsure++
		return nil // false schema: nothing validates
	}
	if n.depth > c.g.hardDepth+4 {
		v := c.terminal(in)
		if !c.leafOK(parts, v) {
			c.unsure++
		}
		return v
	}
	if in.hasConst {
		v := deepCopy(in.constV)
		if !c.leafOK(parts, v) {
			c.unsure++
		}
		return v
	}
	// example / examples of the schema itself
	if !n.noExample && in.hasExample {
		if v, ok := c.example(in, n); ok {
			return v
		}
	}
	// enum
	if in.enum != nil {
		if v, ok := c.enum(in, n); ok {
			return v
		}
	}
	// default (scalars)
	if !n.noExample && !n.plain {
		if d := in.def; d != nil {
			switch dv := d.(type) {
			case bool, float64, int64, int:
				if c.leafOK(parts, dv) {
					return deepCopy(dv)
				}
			case string:
				if dv != "" && c.leafOK(parts, dv) {
					return dv
				}
			}
		}
	}

	t := in.pick
	if in.byName {
		t = c.nameType(n)
	}
	switch t {
	case tObj:
		return c.genObject(in, n)
	case tArr:
		return c.genArray(in, n)
	case tStr:
		return c.genString(in, n)
	case tInt:
		return c.genNumber(in, n, true)
	case tNum:
		return c.genNumber(in, n, false)
	case tBool:
		return c.genBool(parts, n)
	case tNull:
		if !c.leafOK(parts, nil) {
			c.unsure++
		}
		return nil
	}
	// Contradictory types: nothing validates.
	c.unsure++
	return c.genAny(n)
}

// genAny is used for the empty schema: a plausible string.
func (c *gctx) genAny(n *node) any {
	f := c.reseed(n, saltString)
	if v, ok := c.nameString(n, f, stringSpec{}); ok {
		return v
	}
	return strings.ToLower(fakeNoun(f))
}

func (c *gctx) genBool(parts []*openapi3.Schema, n *node) any {
	f := c.reseed(n, saltBool)
	v := f.Bool()
	if containsJSON(n.avoid, v) {
		v = !v
	}
	if c.leafOK(parts, v) {
		return v
	}
	if !c.leafOK(parts, !v) {
		c.unsure++
	}
	return !v
}

// Type bits.
const (
	tNull uint8 = 1 << iota
	tBool
	tInt
	tNum // non-integral numbers
	tStr
	tArr
	tObj
	tAll = tNull | tBool | tInt | tNum | tStr | tArr | tObj
)

func typeMask(t *openapi3.Types) uint8 {
	if t == nil || len(*t) == 0 {
		return tAll
	}
	var m uint8
	for _, x := range *t {
		switch x {
		case openapi3.TypeNull:
			m |= tNull
		case openapi3.TypeBoolean:
			m |= tBool
		case openapi3.TypeInteger:
			m |= tInt
		case openapi3.TypeNumber:
			m |= tInt | tNum
		case openapi3.TypeString:
			m |= tStr
		case openapi3.TypeArray:
			m |= tArr
		case openapi3.TypeObject:
			m |= tObj
		}
	}
	return m
}

func valueMask(v any) uint8 {
	switch x := v.(type) {
	case nil:
		return tNull
	case bool:
		return tBool
	case float64:
		if x == float64(int64(x)) {
			return tInt
		}
		return tNum
	case int64, int, int32:
		return tInt
	case string:
		return tStr
	case []any:
		return tArr
	case map[string]any:
		return tObj
	}
	return 0
}

// shallowMask is the type mask of a schema including its allOf members.
func shallowMask(s *openapi3.Schema) uint8 {
	m := typeMask(s.Type)
	if m == tAll {
		m = inferMask(s)
	}
	for _, a := range s.AllOf {
		if a != nil && a.Value != nil && a.Value != s {
			m &= typeMask(a.Value.Type)
		}
	}
	return m
}

func partsMask(parts []*openapi3.Schema) uint8 {
	m := tAll
	for _, p := range parts {
		m &= typeMask(p.Type)
	}
	return m
}

// inferMask guesses the type of an untyped schema from its keywords.
func inferMask(s *openapi3.Schema) uint8 {
	switch {
	case len(s.Properties) > 0 || len(s.Required) > 0 || s.AdditionalProperties.Schema != nil ||
		s.AdditionalProperties.Has != nil || s.MinProps > 0 || s.MaxProps != nil || len(s.PatternProperties) > 0 ||
		s.Discriminator != nil:
		return tObj
	case s.Items != nil || len(s.PrefixItems) > 0 || s.MinItems > 0 || s.MaxItems != nil || s.UniqueItems:
		return tArr
	case s.Pattern != "" || s.MinLength > 0 || s.MaxLength != nil:
		return tStr
	case s.Min != nil || s.Max != nil || s.MultipleOf != nil || s.ExclusiveMin.Value != nil || s.ExclusiveMax.Value != nil:
		if s.Format == "int32" || s.Format == "int64" {
			return tInt
		}
		return tInt | tNum
	case s.Format != "":
		switch s.Format {
		case "int32", "int64", "unix-time":
			return tInt
		case "float", "double":
			return tInt | tNum
		}
		return tStr
	}
	if len(s.Enum) > 0 {
		return valueMask(s.Enum[0])
	}
	return tAll
}

// preferInt: a "number" that should look like an integer.
func preferInt(parts []*openapi3.Schema) bool {
	for _, p := range parts {
		switch p.Format {
		case "int32", "int64", "integer", "unix-time":
			return true
		}
		if p.MultipleOf != nil && *p.MultipleOf == float64(int64(*p.MultipleOf)) {
			return true
		}
	}
	return false
}

func (c *gctx) nameType(n *node) uint8 {
	tk := tokens(n.name)
	if len(tk) == 0 {
		return tStr
	}
	last := tk[len(tk)-1]
	switch last {
	case "metadata", "meta", "attributes", "properties", "settings", "config", "options", "params", "data", "extra", "labels", "headers", "context":
		return tObj
	case "count", "total", "size", "age", "quantity", "qty":
		return tInt
	}
	if tk[0] == "is" || tk[0] == "has" || tk[0] == "can" {
		return tBool
	}
	return tStr
}

// enum picks an enum value valid for every part.
func (c *gctx) enum(in *info, n *node) (any, bool) {
	src, parts := in.enum, in.parts
	if src == nil {
		return nil, false
	}
	f := c.reseed(n, saltEnum)
	start := f.IntN(len(src))
	// Prefer non-null values.
	for pass := 0; pass < 2; pass++ {
		for k := 0; k < len(src); k++ {
			v := src[(start+k)%len(src)]
			if (v == nil) != (pass == 1) {
				continue
			}
			if containsJSON(n.avoid, v) {
				continue
			}
			if c.leafOK(parts, v) && c.enumDeepOK(parts, v) {
				return deepCopy(v), true
			}
		}
	}
	return nil, false
}

func (c *gctx) enumDeepOK(parts []*openapi3.Schema, v any) bool {
	switch v.(type) {
	case map[string]any, []any:
		for _, p := range parts {
			if !c.strict.schema(p, v) {
				return false
			}
		}
	}
	return true
}

type exampleKey struct {
	s   *openapi3.Schema
	i   int
	dir Direction
}

// example returns the schema's own example (or first valid examples entry)
// when it validates.
func (c *gctx) example(in *info, n *node) (any, bool) {
	parts := in.parts
	s := parts[0]
	if s.Example == nil && len(s.Examples) == 0 {
		return nil, false
	}
	valid := c.g.examplesValid(in, c.dir)
	try := func(i int, ex any) (any, bool) {
		if ex == nil {
			return nil, false
		}
		if !valid[i+1] {
			return nil, false
		}
		for _, p := range parts[1:] {
			if !c.strict.schema(p, ex) {
				return nil, false
			}
		}
		// A discriminator value forced on this node must be honoured.
		if len(n.forced) > 0 {
			m, ok := ex.(map[string]any)
			if !ok {
				return nil, false
			}
			for k, fv := range n.forced {
				if !equalJSON(m[k], fv) {
					return nil, false
				}
			}
		}
		return deepCopy(ex), true
	}
	if v, ok := try(-1, s.Example); ok {
		return v, true
	}
	for i, ex := range s.Examples {
		if v, ok := try(i, ex); ok {
			return v, true
		}
	}
	return nil, false
}

// examplesValid reports, per example of the conjunction's first schema
// (index 0: example, i+1: examples[i]), whether it is valid on its own
// (exampleValid), computed once per conjunction and direction.
func (g *Generator) examplesValid(in *info, dir Direction) []bool {
	d := 0
	if dir == Request {
		d = 1
	}
	e := &in.examples[d]
	e.once.Do(func() {
		s := in.parts[0]
		e.ok = make([]bool, 1+len(s.Examples))
		if s.Example != nil {
			e.ok[0] = g.exampleValid(s, -1, s.Example, dir)
		}
		for i, ex := range s.Examples {
			if ex != nil {
				e.ok[i+1] = g.exampleValid(s, i, ex, dir)
			}
		}
	})
	return e.ok
}

// exampleOptions are the VisitJSON options examples are checked with, for
// responses and requests (built once: the format validators compile
// regular expressions).
var exampleOptions = func() (o [2][]openapi3.SchemaValidationOption) {
	base := []openapi3.SchemaValidationOption{
		openapi3.EnableFormatValidation(),
		openapi3.FailFast(),
		openapi3.WithStringFormatValidators(StringFormats()),
	}
	o[0] = append(base[:len(base):len(base)], openapi3.VisitAsResponse())
	o[1] = append(base[:len(base):len(base)], openapi3.VisitAsRequest())
	return o
}()

// exampleValid checks an example with kin-openapi's VisitJSON (formats and
// the direction's readOnly/writeOnly rules included) and with the package's
// own strict matcher (which also knows OpenAPI 3.1 keywords such as const).
// Results are cached per schema.
func (g *Generator) exampleValid(s *openapi3.Schema, i int, ex any, dir Direction) bool {
	key := exampleKey{s, i, dir}
	if v, ok := g.examples.Load(key); ok {
		return v.(bool)
	}
	ok := func() (ok bool) {
		defer func() {
			if recover() != nil {
				ok = false
			}
		}()
		opts := exampleOptions[0]
		if dir == Request {
			opts = exampleOptions[1]
		}
		if err := s.VisitJSON(deepCopy(ex), opts...); err != nil {
			return false
		}
		m := matcher{g: g, dir: dir, strict: true}
		return m.schema(s, ex)
	}()
	g.examples.Store(key, ok)
	return ok
}

// anyEnumOK reports whether some enum value satisfies every part locally.
func (c *gctx) anyEnumOK(parts []*openapi3.Schema, enum []any) bool {
	for _, e := range enum {
		if c.leafOK(parts, e) {
			return true
		}
	}
	return false
}

// disambiguate makes an object that matches several oneOf branches match
// only the chosen one: it adds a property that another matching branch
// declares, with a value of a type that branch rejects but the chosen
// branch accepts (as an additional property).
func (c *gctx) disambiguate(refs []*openapi3.SchemaRef, pend *group, chosen int, choices []choice, v any) (any, bool) {
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, false
	}
	var buf [8]*openapi3.Schema
	parts, _ := expand(refs, choices, buf[:0])
	out := make(map[string]any, len(obj)+2)
	for k, x := range obj {
		out[k] = x
	}
	for j, b := range pend.branches {
		if j == chosen || b == nil || b.Value == nil {
			continue
		}
		if !c.loose.schema(b.Value, out) {
			continue
		}
		var bbuf [8]*openapi3.Schema
		bparts, _ := expand([]*openapi3.SchemaRef{b}, nil, bbuf[:0])
		done := false
		for _, bp := range bparts {
			for _, k := range sortedSchemaKeys(bp.Properties) {
				if done {
					break
				}
				if _, exists := out[k]; exists {
					continue
				}
				ps := bp.Properties[k]
				if ps == nil || ps.Value == nil {
					continue
				}
				subs := c.extraSchemas(parts, k)
				if subs == nil || declaredIn(parts, k) {
					continue
				}
				pm := shallowMask(ps.Value)
				for _, cand := range []any{"none", int64(0), false, []any{}, map[string]any{}} {
					if pm&valueMask(cand) != 0 && !(valueMask(cand) == tInt && pm&tNum != 0) {
						continue
					}
					if !c.strict.all(subs, cand) {
						continue
					}
					out[k] = cand
					done = true
					break
				}
			}
		}
	}
	if c.strict.all(refs, out) {
		return out, true
	}
	return nil, false
}

func declaredIn(parts []*openapi3.Schema, k string) bool {
	for _, p := range parts {
		if _, ok := p.Properties[k]; ok {
			return true
		}
	}
	return false
}

// onlyType reports whether s constrains nothing but the type.
func onlyType(s *openapi3.Schema) bool {
	cp := *s
	cp.Type = nil
	cp.Title, cp.Description = "", ""
	return cp.IsEmpty() && len(cp.AllOf) == 0 && len(cp.AnyOf) == 0 && len(cp.OneOf) == 0
}

// notRequired returns the property names a `not: {required: [...]}` forbids.
func notRequired(parts []*openapi3.Schema) []string {
	var out []string
	for _, p := range parts {
		if p.Not == nil || p.Not.Value == nil {
			continue
		}
		ns := p.Not.Value
		if len(ns.Required) == 0 {
			continue
		}
		cp := *ns
		cp.Required = nil
		cp.Type = nil
		cp.Title, cp.Description = "", ""
		if cp.IsEmpty() {
			out = append(out, ns.Required...)
		}
	}
	return out
}
