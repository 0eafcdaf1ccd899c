package generate

import (
	"sort"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/getkin/kin-openapi/openapi3"
)

// info is what the generator derives from a conjunction of schemas alone,
// independent of the seed and of the position of the value: the merged
// keywords of every part, the type to generate, the object's properties,
// the array's item schemas. It is computed once per conjunction and cached
// on the Generator, so generating a value only makes the random choices.
// An info is immutable once built, except for what is filled once on first
// use (props, which refers to the infos of the property schemas and so
// cannot be built eagerly in a recursive schema; example validity; the
// items' expansion).
type info struct {
	parts []*openapi3.Schema

	falseSchema bool  // a part is the false schema: nothing validates
	untrusted   bool  // keywords construction does not guarantee (if, contains, ...)
	check       bool  // construction alone does not guarantee validity (`not`)
	mask        uint8 // partsMask
	imask       uint8 // mask refined by the keywords of untyped parts
	pick        uint8 // the type to generate, unless byName
	byName      bool  // nothing says the type: the property name decides
	nullable    bool  // firstNullable
	constV      any
	hasConst    bool
	hasExample  bool // parts[0] has example or examples
	examples    [2]struct {
		once sync.Once
		ok   []bool
	} // examplesValid per direction
	enum []any
	def  any // parts[0].Default

	str       stringSpec
	anyString bool // every string is valid (no length, pattern, checked format, enum...)
	// simpleString: a string is valid when its length, patterns and
	// formats are (no enum, const, not; strPatterns compiled).
	simpleString bool
	strPatterns  []*compiledPattern
	descKind     kind // hint from the description of the first described part
	num          numSpec
	unixTime     bool // a number that is a Unix timestamp

	// Objects.
	propsOnce sync.Once
	props     []propInfo
	required  []string // sorted, unique
	reqExtra  []string // required, declared by no part (set with props)
	minProps  uint64
	maxProps  uint64
	forbidden []string // notRequired
	discs     bool     // a part declares an inheritance-style discriminator

	// Arrays.
	arr arraySpec
}

type arraySpec struct {
	minItems, maxItems uint64
	unique             bool
	items              []*openapi3.SchemaRef
	prefix             []openapi3.SchemaRefs
	contains           []*openapi3.SchemaRef
	itemsExp           atomic.Pointer[expansion] // expansion of items, set on first use
	recur              []*openapi3.Schema
}

// expansion is the flattening of a list of schemas with no oneOf/anyOf
// choice made yet: the conjunction's info and the first pending group.
type expansion struct {
	in   *info
	pend group              // pend.owner == nil: nothing pending
	keys []*openapi3.Schema // the schemas of the refs it was built from
	est  [estimateLevels + 1]atomic.Int64
	// next[i] is the expansion with pend's branch i chosen as well (set on
	// first use): choices follow a path in a tree of expansions.
	next []atomic.Pointer[expansion]
}

// infoCache maps conjunctions to their info. Conjunctions of one schema are
// keyed by the schema; longer ones by a hash of the pointers, checked
// against the stored parts.
type infoCache struct {
	single sync.Map // *openapi3.Schema -> *info
	multi  sync.Map // uint64 -> *info
	exp    sync.Map // *openapi3.Schema -> *expansion (single ref)
	expM   sync.Map // uint64 -> *expansion (several refs)
	groups sync.Map // groupKey -> *groupFacts
}

func ptrHash(h uint64, p *openapi3.Schema) uint64 {
	return mix(h ^ uint64(uintptr(unsafe.Pointer(p))))
}

func sameParts(a, b []*openapi3.Schema) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// partsInfo returns the (cached) info of a conjunction. parts is not kept.
func (g *Generator) partsInfo(parts []*openapi3.Schema) *info {
	if len(parts) == 1 {
		if v, ok := g.infos.single.Load(parts[0]); ok {
			return v.(*info)
		}
		in := g.newInfo(parts)
		v, _ := g.infos.single.LoadOrStore(parts[0], in)
		return v.(*info)
	}
	h := uint64(len(parts))
	for _, p := range parts {
		h = ptrHash(h, p)
	}
	if v, ok := g.infos.multi.Load(h); ok {
		if in := v.(*info); sameParts(in.parts, parts) {
			return in
		}
		return g.newInfo(parts) // hash collision: do not cache
	}
	in := g.newInfo(parts)
	v, _ := g.infos.multi.LoadOrStore(h, in)
	if in2 := v.(*info); sameParts(in2.parts, parts) {
		return in2
	}
	return in
}

// expansionOf returns the (cached) expansion of refs with no choice made.
func (g *Generator) expansionOf(refs []*openapi3.SchemaRef) *expansion {
	if len(refs) == 1 && refs[0] != nil && refs[0].Value != nil {
		s := refs[0].Value
		if v, ok := g.infos.exp.Load(s); ok {
			return v.(*expansion)
		}
		e := g.newExpansion(refs)
		v, _ := g.infos.exp.LoadOrStore(s, e)
		return v.(*expansion)
	}
	h := uint64(len(refs)) + 0x9e37
	for _, r := range refs {
		if r != nil {
			h = ptrHash(h, r.Value)
		} else {
			h = ptrHash(h, nil)
		}
	}
	if v, ok := g.infos.expM.Load(h); ok {
		e := v.(*expansion)
		if sameRefs(e, refs) {
			return e
		}
		return g.newExpansion(refs)
	}
	e := g.newExpansion(refs)
	if v, _ := g.infos.expM.LoadOrStore(h, e); sameRefs(v.(*expansion), refs) {
		return v.(*expansion)
	}
	return e
}

// sameRefs: e was built from refs (compared by the schemas they hold).
func sameRefs(e *expansion, refs []*openapi3.SchemaRef) bool {
	if len(e.keys) != len(refs) {
		return false
	}
	for i, r := range refs {
		var s *openapi3.Schema
		if r != nil {
			s = r.Value
		}
		if e.keys[i] != s {
			return false
		}
	}
	return true
}

func (g *Generator) newExpansion(refs []*openapi3.SchemaRef) *expansion {
	var buf [8]*openapi3.Schema
	parts, pend := expand(refs, nil, buf[:0])
	keys := make([]*openapi3.Schema, len(refs))
	for i, r := range refs {
		if r != nil {
			keys[i] = r.Value
		}
	}
	e := &expansion{in: g.partsInfo(parts), pend: pend, keys: keys}
	g.initPend(e)
	return e
}

func (g *Generator) initPend(e *expansion) {
	if e.pend.owner != nil {
		e.pend.facts = g.groupInfo(&e.pend)
		e.next = make([]atomic.Pointer[expansion], len(e.pend.branches))
	}
}

// choiceExpansion expands refs under choices (not cached).
func (g *Generator) choiceExpansion(refs []*openapi3.SchemaRef, choices []choice) *expansion {
	var buf [8]*openapi3.Schema
	parts, pend := expand(refs, choices, buf[:0])
	e := &expansion{in: g.partsInfo(parts), pend: pend}
	g.initPend(e)
	return e
}

// next is the expansion of refs under choices, which are e's choices plus
// branch i of e.pend (cached on e).
func (g *Generator) next(e *expansion, refs []*openapi3.SchemaRef, i int, choices []choice) *expansion {
	if i < len(e.next) {
		if x := e.next[i].Load(); x != nil {
			return x
		}
	}
	x := g.choiceExpansion(refs, choices)
	if i < len(e.next) {
		e.next[i].Store(x)
	}
	return x
}

// newInfo analyses a conjunction.
func (g *Generator) newInfo(src []*openapi3.Schema) *info {
	parts := make([]*openapi3.Schema, len(src))
	copy(parts, src)
	in := &info{parts: parts[:len(parts):len(parts)]}
	for _, p := range parts {
		if p.Always != nil && !*p.Always {
			in.falseSchema = true
		}
		if p.Not != nil {
			in.check = true
		}
		if p.Const != nil && !in.hasConst {
			in.constV, in.hasConst = p.Const, true
		}
		if len(p.Enum) > 0 && in.enum == nil {
			in.enum = p.Enum
		}
		if p.Format == "unix-time" || p.Format == "timestamp" {
			in.unixTime = true
		}
		if p.If != nil || p.Then != nil || p.Else != nil || len(p.DependentRequired) > 0 || len(p.DependentSchemas) > 0 ||
			p.Contains != nil || p.MinContains != nil || p.MaxContains != nil || len(p.PrefixItems) > 0 ||
			p.UnevaluatedItems.Has != nil || p.UnevaluatedItems.Schema != nil ||
			p.UnevaluatedProperties.Has != nil || p.UnevaluatedProperties.Schema != nil {
			in.untrusted = true
		}
	}
	if len(parts) == 0 {
		return in
	}
	in.hasExample = parts[0].Example != nil || len(parts[0].Examples) > 0
	in.def = parts[0].Default
	in.mask = partsMask(parts)
	in.imask = in.mask
	if in.imask == tAll {
		for _, p := range parts {
			if im := inferMask(p); im != tAll {
				in.imask &= im
			}
		}
	}
	in.pick, in.byName = pickTypeStatic(parts, in.mask)
	in.nullable = g.firstNullable(parts)
	in.str = collectString(parts)
	in.anyString, in.simpleString = true, true
	for _, p := range parts {
		if p.Always != nil || len(p.Enum) > 0 || p.Const != nil || p.Not != nil || !p.Type.Permits(openapi3.TypeString) {
			in.anyString, in.simpleString = false, false
		}
		if p.MinLength != 0 || p.MaxLength != nil || p.Pattern != "" || !formatOK(p.Format, "") {
			in.anyString = false
		}
		if p.Pattern != "" {
			cp := g.pattern(p.Pattern)
			if cp == nil {
				in.simpleString = false
			}
			in.strPatterns = append(in.strPatterns, cp)
		}
	}
	in.descKind = g.descKind(in.str.descSchema)
	in.num = collectNum(parts)

	// Objects.
	in.maxProps = 1 << 62
	var req []string
	for _, p := range parts {
		req = append(req, p.Required...)
		if p.MinProps > in.minProps {
			in.minProps = p.MinProps
		}
		if p.MaxProps != nil && *p.MaxProps < in.maxProps {
			in.maxProps = *p.MaxProps
		}
		if d := p.Discriminator; d != nil && d.PropertyName != "" && len(p.OneOf) == 0 && len(p.AnyOf) == 0 {
			in.discs = true
		}
	}
	if len(req) > 0 {
		sort.Strings(req)
		out := req[:0]
		for i, k := range req {
			if i == 0 || req[i-1] != k {
				out = append(out, k)
			}
		}
		in.required = out[:len(out):len(out)]
	}
	in.forbidden = notRequired(parts)

	// Arrays.
	a := &in.arr
	a.maxItems = 1 << 31
	for _, p := range parts {
		if p.MinItems > a.minItems {
			a.minItems = p.MinItems
		}
		if p.MaxItems != nil && *p.MaxItems < a.maxItems {
			a.maxItems = *p.MaxItems
		}
		a.unique = a.unique || p.UniqueItems
		if p.Items != nil && p.Items.Value != nil {
			a.items = append(a.items, p.Items)
		}
		if len(p.PrefixItems) > 0 {
			a.prefix = append(a.prefix, p.PrefixItems)
		}
		if p.Contains != nil && p.Contains.Value != nil {
			a.contains = append(a.contains, p.Contains)
		}
	}
	a.recur = recurSchemas(a.items)
	return in
}

// itemsExpansion is the expansion of the items schemas (used when neither
// prefixItems nor contains make items differ), computed on first use.
func (g *Generator) itemsExpansion(in *info) *expansion {
	if len(in.arr.items) == 0 {
		return nil
	}
	if e := in.arr.itemsExp.Load(); e != nil {
		return e
	}
	e := g.expansionOf(in.arr.items)
	in.arr.itemsExp.Store(e)
	return e
}

// recurSchemas lists the schemas whose presence on the generation stack
// makes a property recursive (see recursive).
func recurSchemas(subs []*openapi3.SchemaRef) []*openapi3.Schema {
	var out []*openapi3.Schema
	for _, r := range subs {
		if r == nil || r.Value == nil {
			continue
		}
		s := r.Value
		out = append(out, s)
		if s.Items != nil && s.Items.Value != nil {
			out = append(out, s.Items.Value)
		}
		for _, a := range s.AllOf {
			if a != nil && a.Value != nil {
				out = append(out, a.Value)
			}
		}
	}
	return out
}

// pickTypeStatic chooses the type to generate from the parts alone; byName
// reports that nothing constrains it (the property name then decides).
func pickTypeStatic(parts []*openapi3.Schema, mask uint8) (uint8, bool) {
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
		return 0, true
	}
	if mask == 0 {
		return 0, false
	}
	pi := preferInt(parts)
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
				if b == tNum && mask&tInt != 0 && pi {
					return tInt, false
				}
				return b, false
			}
		}
	}
	for _, b := range []uint8{tObj, tArr, tStr, tInt, tNum, tBool, tNull} {
		if mask&b != 0 {
			if b == tInt && mask&tNum != 0 && !pi {
				return tNum, false
			}
			return b, false
		}
	}
	return tNull, false
}

// estimateLevels is how deep estimate looks.
const estimateLevels = 3

// estimate guesses the number of JSON values a value of e has, looking k
// levels deep (deeper values count as one): full is the size when every
// property is generated, min the size with only the required properties
// (nullable objects and arrays counted as null, arrays empty) — at least
// a few properties for an object that requires none, below which showing
// it is pointless. Arrays count two items; of a pending oneOf/anyOf the
// first branch that is not null counts. A static guess, used to share a
// node budget among properties and array items.
func (g *Generator) estimate(e *expansion, k int) (full, min int64) {
	if e == nil || k <= 0 {
		return 1, 1
	}
	if v := e.est[k].Load(); v > 0 {
		return v >> 32, v & (1<<32 - 1)
	}
	in := e.in
	full, min = 1, 1
	switch {
	case in.byName:
	case in.pick == tObj:
		props := g.objectProps(in)
		for i := range props {
			f, m := g.estimate(props[i].exp, k-1)
			full += f
			if props[i].required {
				if props[i].exp.in.nullable && f > 1 {
					m = 1
				}
				min += m
			}
		}
		if min == 1 {
			min += int64(minInt(len(props), 3))
		}
	case in.pick == tArr:
		if len(in.arr.items) > 0 {
			f, m := g.estimate(g.itemsExpansion(in), k-1)
			full += 2 * f
			min += int64(in.arr.minItems) * m
		}
	}
	if e.pend.owner != nil {
		for _, b := range e.pend.branches {
			if b == nil || b.Value == nil || shallowMask(b.Value) == tNull {
				continue
			}
			bf, bm := g.estimate(g.expansionOf([]*openapi3.SchemaRef{b}), k-1)
			full += bf - 1
			min += bm - 1
			break
		}
	}
	full, min = clampEst(full), clampEst(min)
	if min > full {
		min = full
	}
	e.est[k].Store(full<<32 | min)
	return full, min
}

func clampEst(v int64) int64 {
	if v < 1 {
		return 1
	}
	if v > 1<<30 {
		return 1 << 30
	}
	return v
}

func minInt(a, b int) int {
	if a < b {
		return a
	}
	return b
}

type domKey struct {
	owner *openapi3.Schema
	dir   Direction
}

type domEntry struct {
	once sync.Once
	dom  []bool
}

// dominated reports, per branch of a oneOf group, whether a typical value
// of the branch alone (generated with a fixed seed) also matches another
// branch: such a branch can only be chosen when the rest of the
// conjunction or a disambiguating property makes it exclusive, so it is
// tried last. It is a function of the schemas only (the probe does not
// consult dominated itself), computed once per group and direction.
func (g *Generator) dominated(pend *group, dir Direction) []bool {
	v, _ := g.doms.LoadOrStore(domKey{pend.owner, dir}, &domEntry{})
	e := v.(*domEntry)
	e.once.Do(func() {
		dom := make([]bool, len(pend.branches))
		c := g.newCtx(dir)
		c.probing = true
		loose := matcher{g: g, dir: dir, strict: false}
		for i, b := range pend.branches {
			if b == nil || b.Value == nil {
				continue
			}
			root := c.alloc()
			*root = node{h: mix(0x9b0be ^ uint64(i)), index: -1, budget: int32(g.maxNodes / 4)}
			refs := [1]*openapi3.SchemaRef{b}
			val := c.gen(refs[:], root)
			c.release()
			for j, b2 := range pend.branches {
				if j != i && b2 != nil && b2.Value != nil && loose.schema(b2.Value, val) {
					dom[i] = true
					break
				}
			}
		}
		e.dom = dom
	})
	return e.dom
}

// groupFacts are what search needs to know about the branches of a
// oneOf/anyOf group, computed once per group.
type groupFacts struct {
	masks       []uint8 // shallowMask per branch (0 for a missing one)
	onlyType    []bool  // onlyType per branch
	objBranches int     // branches that are objects or arrays, not strings
}

type groupKey struct {
	owner *openapi3.Schema
	kind  uint8
}

func (g *Generator) groupInfo(pend *group) *groupFacts {
	key := groupKey{pend.owner, pend.kind}
	if v, ok := g.infos.groups.Load(key); ok {
		return v.(*groupFacts)
	}
	gi := &groupFacts{masks: make([]uint8, len(pend.branches)), onlyType: make([]bool, len(pend.branches))}
	for i, b := range pend.branches {
		if b == nil || b.Value == nil {
			continue
		}
		m := shallowMask(b.Value)
		gi.masks[i] = m
		gi.onlyType[i] = onlyType(b.Value)
		if m&(tObj|tArr) != 0 && m&tStr == 0 {
			gi.objBranches++
		}
	}
	v, _ := g.infos.groups.LoadOrStore(key, gi)
	return v.(*groupFacts)
}

// stringOK checks a string against a simpleString conjunction.
func (in *info) stringOK(s string) bool {
	if !in.str.lenOK(s) {
		return false
	}
	for _, cp := range in.strPatterns {
		if !cp.re.MatchString(s) {
			return false
		}
	}
	for _, f := range in.str.formats {
		if !formatOK(f, s) {
			return false
		}
	}
	return true
}
