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
// first oneOf/anyOf without a choice is returned as pending.
func expand(refs []*openapi3.SchemaRef, choices []choice, parts []*openapi3.Schema) ([]*openapi3.Schema, *group) {
	var pend *group
	var walk func(s *openapi3.Schema)
	walk = func(s *openapi3.Schema) {
		if s == nil {
			return
		}
		for _, p := range parts {
			if p == s {
				return
			}
		}
		parts = append(parts, s)
		for _, a := range s.AllOf {
			if a != nil {
				walk(a.Value)
			}
		}
		if len(s.OneOf) > 0 {
			if i := findChoice(choices, s, kindOneOf); i >= 0 {
				walk(s.OneOf[i].Value)
			} else if pend == nil {
				pend = &group{owner: s, kind: kindOneOf, branches: s.OneOf}
			}
		}
		if len(s.AnyOf) > 0 {
			if i := findChoice(choices, s, kindAnyOf); i >= 0 {
				walk(s.AnyOf[i].Value)
			} else if pend == nil {
				pend = &group{owner: s, kind: kindAnyOf, branches: s.AnyOf}
			}
		}
	}
	for _, r := range refs {
		if r != nil {
			walk(r.Value)
		}
	}
	return parts, pend
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
	budget := 24
	if c.work > workLimit {
		budget = 1 // pathological schema: stop searching, take what comes
	}
	if len(refs) > 0 && refs[0] != nil && refs[0].Ref != "" && refs[0].Ref != n.ref {
		nn := *n
		nn.ref = refs[0].Ref
		n = &nn
	}
	v, _ := c.search(refs, n, nil, &budget)
	return v
}

// workLimit bounds the number of candidate values one Value call builds.
const workLimit = 20000

// search resolves pending oneOf/anyOf groups by trying branches in order and
// returns the first candidate that verifies against refs.
func (c *gctx) search(refs []*openapi3.SchemaRef, n *node, choices []choice, budget *int) (any, bool) {
	var buf [8]*openapi3.Schema
	parts, pend := expand(refs, choices, buf[:0])
	if pend == nil {
		*budget--
		c.work++
		v := c.genParts(parts, n)
		if len(choices) == 0 && !needsCheck(parts) {
			return v, true
		}
		if c.strict.all(refs, v) {
			return v, true
		}
		if len(choices) == 0 && n.variant == 0 {
			// Only `not` can have failed: try variations.
			for k := uint64(1); k <= 4 && *budget > 0; k++ {
				*budget--
				vn := *n
				vn.variant = k
				vn.noExample = true
				vn.plain = k >= 2
				vn.reqOnly = k >= 3
				if v2 := c.genParts(parts, &vn); c.strict.all(refs, v2) {
					return v2, true
				}
			}
		}
		return v, false
	}

	type cand struct {
		idx    int
		forced map[string]any
	}
	var cands []cand
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
					cands = append(cands, cand{i, map[string]any{disc.PropertyName: k}})
				}
			}
		}
		// Branches the mapping does not name come last: kin-openapi rejects
		// them, a plain JSON Schema validator does not.
		for i := range pend.branches {
			if !used[i] {
				cands = append(cands, cand{i, nil})
			}
		}
	} else {
		for i, b := range pend.branches {
			var forced map[string]any
			if disc != nil && disc.PropertyName != "" && b != nil && b.Ref != "" {
				forced = map[string]any{disc.PropertyName: refName(b.Ref)}
			}
			cands = append(cands, cand{i, forced})
		}
	}
	// Order: null-only branches last; when deep, cheaper branches first;
	// polymorphic (discriminated) oneOf rotates by seed for variety.
	rank := func(i int) int {
		b := pend.branches[i]
		if b == nil || b.Value == nil {
			return 9
		}
		m := shallowMask(b.Value)
		if m == tNull {
			return 8
		}
		if n.depth >= c.g.maxDepth || c.onStack(b.Value) > 0 {
			switch {
			case m&(tStr|tInt|tNum|tBool) != 0 && m&(tObj|tArr) == 0:
				return 0
			case m&tArr != 0 && m&tObj == 0:
				return 1
			}
			return 2
		}
		return 0
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
	sort.SliceStable(cands, func(a, b int) bool { return rank(cands[a].idx) < rank(cands[b].idx) })
	// A oneOf branch that accepts every value of its type (e.g. a bare
	// {type: object}) matches whatever another branch produces, so only
	// that branch itself can be chosen: try it first.
	if pend.kind == kindOneOf {
		for i, cd := range cands {
			b := pend.branches[cd.idx]
			if i > 0 && b != nil && b.Value != nil && onlyType(b.Value) && len(b.Value.AllOf) == 0 {
				u := cands[i]
				copy(cands[1:i+1], cands[:i])
				cands[0] = u
				break
			}
		}
	}

	// Skip branches that cannot agree with the rest of the conjunction
	// (type or const/enum clash), so the budget is not spent on them.
	baseMask := partsMask(parts)
	if baseMask == tAll {
		for _, p := range parts {
			if im := inferMask(p); im != tAll {
				baseMask &= im
			}
		}
	}
	objBranches := 0
	for _, b := range pend.branches {
		if b != nil && b.Value != nil && shallowMask(b.Value)&(tObj|tArr) != 0 && shallowMask(b.Value)&tStr == 0 {
			objBranches++
		}
	}
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
		bm := shallowMask(b.Value)
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
		nn := *n
		if cd.forced != nil {
			nn.forced = mergeForced(n.forced, cd.forced)
		}
		// A string alternative to expandable objects is an id (Stripe style).
		if objBranches > 0 && bm&tStr != 0 && bm&(tObj|tArr) == 0 {
			nn.idHint = true
		}
		v, ok := c.search(refs, &nn, ch, budget)
		if ok {
			return v, true
		}
		if pend.kind == kindOneOf {
			if v2, ok := c.disambiguate(refs, pend, cd.idx, ch, v); ok {
				return v2, true
			}
		}
		if !haveBest {
			best, haveBest = v, true
		}
		// Variation: plain values, only required properties, another seed.
		if *budget > 0 && n.variant == 0 {
			vn := nn
			vn.plain, vn.reqOnly, vn.noExample, vn.variant = true, true, true, 1
			if v2, ok := c.search(refs, &vn, ch, budget); ok {
				return v2, true
			}
		}
	}
	return best, false
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

// needsCheck reports whether parts carry constraints that construction alone
// does not guarantee (currently: not).
func needsCheck(parts []*openapi3.Schema) bool {
	for _, p := range parts {
		if p.Not != nil {
			return true
		}
	}
	return false
}

// genParts generates a value satisfying every schema in parts.
func (c *gctx) genParts(parts []*openapi3.Schema, n *node) any {
	if len(parts) == 0 {
		return c.genAny(n)
	}
	for _, p := range parts {
		if p.Always != nil && !*p.Always {
			return nil // false schema: nothing validates
		}
	}
	if n.depth > c.g.hardDepth+4 {
		return c.terminal(parts)
	}
	// const
	for _, p := range parts {
		if p.Const != nil {
			return deepCopy(p.Const)
		}
	}
	// example / examples of the schema itself
	if !n.noExample {
		if v, ok := c.example(parts, n); ok {
			return v
		}
	}
	mask := partsMask(parts)
	// enum
	if v, ok := c.enum(parts, n, mask); ok {
		return v
	}
	// default (scalars)
	if !n.noExample && !n.plain {
		if d := parts[0].Default; d != nil {
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

	t := c.pickType(parts, mask, n)
	switch t {
	case tObj:
		return c.genObject(parts, n)
	case tArr:
		return c.genArray(parts, n)
	case tStr:
		return c.genString(parts, n)
	case tInt:
		return c.genNumber(parts, n, true)
	case tNum:
		return c.genNumber(parts, n, false)
	case tBool:
		return c.genBool(parts, n)
	case tNull:
		return nil
	}
	return c.genAny(n)
}

// genAny is used for the empty schema: a plausible string.
func (c *gctx) genAny(n *node) any {
	f := c.reseed(n, saltString)
	if v, ok := c.nameString(n, f, stringSpec{}); ok {
		return v
	}
	return strings.ToLower(f.Noun())
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

// pickType chooses one concrete type for the value.
func (c *gctx) pickType(parts []*openapi3.Schema, mask uint8, n *node) uint8 {
	if mask == tAll {
		m := tAll
		for _, p := range parts {
			if im := inferMask(p); im != tAll {
				m &= im
			}
		}
		if m != 0 {
			mask = m
		}
	}
	// `not: {type: X}` rules X out.
	for _, p := range parts {
		if p.Not != nil && p.Not.Value != nil && p.Not.Value.Type != nil && onlyType(p.Not.Value) {
			if m := mask &^ typeMask(p.Not.Value.Type); m != 0 {
				mask = m
			}
		}
	}
	if mask == tAll {
		// Nothing to go on: guess from the name.
		return c.nameType(n)
	}
	if mask == 0 {
		return 0
	}
	// Follow the order the schema lists its types in.
	for _, p := range parts {
		if p.Type == nil {
			continue
		}
		for _, t := range *p.Type {
			var b uint8
			switch t {
			case openapi3.TypeBoolean:
				b = tBool
			case openapi3.TypeInteger:
				b = tInt
			case openapi3.TypeNumber:
				if mask&tNum != 0 {
					b = tNum
				} else {
					b = tInt
				}
			case openapi3.TypeString:
				b = tStr
			case openapi3.TypeArray:
				b = tArr
			case openapi3.TypeObject:
				b = tObj
			}
			if b != 0 && mask&b != 0 {
				if b == tNum && mask&tInt != 0 && preferInt(parts, n) {
					return tInt
				}
				return b
			}
		}
	}
	for _, b := range []uint8{tObj, tArr, tStr, tInt, tNum, tBool, tNull} {
		if mask&b != 0 {
			if b == tInt && mask&tNum != 0 && !preferInt(parts, n) {
				return tNum
			}
			return b
		}
	}
	return tNull
}

// preferInt: a "number" that should look like an integer.
func preferInt(parts []*openapi3.Schema, n *node) bool {
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
func (c *gctx) enum(parts []*openapi3.Schema, n *node, mask uint8) (any, bool) {
	var src []any
	for _, p := range parts {
		if len(p.Enum) > 0 {
			src = p.Enum
			break
		}
	}
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
func (c *gctx) example(parts []*openapi3.Schema, n *node) (any, bool) {
	s := parts[0]
	if s.Example == nil && len(s.Examples) == 0 {
		return nil, false
	}
	try := func(i int, ex any) (any, bool) {
		if ex == nil {
			return nil, false
		}
		if !c.g.exampleValid(s, i, ex, c.dir) {
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
		opts := []openapi3.SchemaValidationOption{
			openapi3.EnableFormatValidation(),
			openapi3.FailFast(),
			openapi3.WithStringFormatValidator("uuid", openapi3.NewRegexpFormatValidator(openapi3.FormatOfStringForUUIDOfRFC4122)),
			openapi3.WithStringFormatValidator("email", openapi3.NewRegexpFormatValidator(openapi3.FormatOfStringForEmail)),
			openapi3.WithStringFormatValidator("ipv4", openapi3.NewIPValidator(true)),
			openapi3.WithStringFormatValidator("ipv6", openapi3.NewIPValidator(false)),
		}
		if dir == Request {
			opts = append(opts, openapi3.VisitAsRequest())
		} else {
			opts = append(opts, openapi3.VisitAsResponse())
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
