package generate

import (
	"sort"
	"strconv"
	"strings"

	"github.com/brianvoe/gofakeit/v7"
	"github.com/getkin/kin-openapi/openapi3"
)

// propInfo describes one property of the merged object.
type propInfo struct {
	name     string
	subs     []*openapi3.SchemaRef
	exp      *expansion // expansion of subs (no choice made)
	recur    []*openapi3.Schema
	kind     kind // classify(name, parent), when !kindParent
	kindAny  bool // the classification depends on the parent's name
	required bool
	ro, wo   bool
}

// objectProps merges the properties of all parts (computed once per
// conjunction). A property that a part closes out (additionalProperties:
// false without declaring it) is dropped: that part would reject it.
func (g *Generator) objectProps(in *info) []propInfo {
	in.propsOnce.Do(func() {
		in.props = g.computeProps(in.parts)
		// Required properties no part declares (others may be left out on
		// purpose: direction, closed out).
		for _, k := range in.required {
			if !declared(in.props, k) {
				in.reqExtra = append(in.reqExtra, k)
			}
		}
	})
	return in.props
}

func (g *Generator) computeProps(parts []*openapi3.Schema) []propInfo {
	nkeys := 0
	for _, p := range parts {
		nkeys += len(p.Properties)
	}
	if nkeys == 0 {
		return nil
	}
	keys := make([]string, 0, nkeys)
	for _, p := range parts {
		for k := range p.Properties {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	strict := matcher{g: g, strict: true}
	out := make([]propInfo, 0, len(keys))
	for i, k := range keys {
		if i > 0 && keys[i-1] == k {
			continue
		}
		pi := propInfo{name: k}
		closed := false
		for _, p := range parts {
			if ps := p.Properties[k]; ps != nil {
				if ps.Value != nil {
					pi.subs = append(pi.subs, ps)
					pi.ro = pi.ro || ps.Value.ReadOnly
					pi.wo = pi.wo || ps.Value.WriteOnly
				}
				continue
			}
			matched := false
			for _, pat := range sortedSchemaKeys(p.PatternProperties) {
				ps := p.PatternProperties[pat]
				if re := g.pattern(pat); re != nil && re.re.MatchString(k) {
					matched = true
					if ps != nil && ps.Value != nil {
						pi.subs = append(pi.subs, ps)
					}
				}
			}
			if h := p.AdditionalProperties.Has; h != nil && !*h {
				closed = true
				continue
			}
			if ap := p.AdditionalProperties.Schema; ap != nil && ap.Value != nil && !matched {
				pi.subs = append(pi.subs, ap)
			}
			if p.PropertyNames != nil && p.PropertyNames.Value != nil && !strict.schema(p.PropertyNames.Value, k) {
				closed = true
			}
		}
		if closed {
			continue
		}
		for _, p := range parts {
			for _, r := range p.Required {
				if r == k {
					pi.required = true
				}
			}
		}
		pi.exp = g.expansionOf(pi.subs)
		pi.recur = recurSchemas(pi.subs)
		pi.kind, pi.kindAny = classifyOwn(k)
		out = append(out, pi)
	}
	return out
}

func (c *gctx) genObject(in *info, n *node) any {
	parts := in.parts
	props := c.g.objectProps(in)
	obj := make(map[string]any, len(props)+len(n.forced))

	deep := n.depth >= c.g.maxDepth
	hard := n.depth >= c.g.hardDepth
	c.push(parts)
	defer c.pop(len(parts))

	required := in.required
	minProps, maxProps := in.minProps, in.maxProps

	forbidden := in.forbidden
	var sbuf [16]int
	skipped := sbuf[:0]
	// Pass 1: the properties to generate and what each would cost.
	// chosen lives on a scratch stack shared with the nested objects
	// (they only append beyond it).
	base := len(c.sels)
	defer func() { c.sels = c.sels[:base] }()
	for i := range props {
		pi := &props[i]
		if (c.dir == Request && pi.ro) || (c.dir == Response && pi.wo) {
			continue
		}
		if !pi.required && len(forbidden) > 0 && containsString(forbidden, pi.name) {
			continue
		}
		if len(n.forced) > 0 {
			if fv, ok := n.forced[pi.name]; ok {
				if c.forcedOK(pi, fv) {
					obj[pi.name] = fv
					continue
				}
			}
		}
		if !pi.required {
			if deep || n.reqOnly || c.recursive(pi.recur) || c.reentrant(pi.recur, parts) {
				skipped = append(skipped, i)
				continue
			}
		}
		cost, minCost := c.g.estimate(pi.exp, estimateLevels)
		c.sels = append(c.sels, sel{idx: i, cost: cost, min: minCost})
	}
	chosen := c.sels[base:len(c.sels):len(c.sels)]
	// Fit the properties into the node budget.
	avail := int64(n.budget) - 1 - int64(len(obj))
	pool, total := c.fit(props, chosen, avail)
	// Pass 2: generate, sharing the budget in proportion to the costs.
	for _, sl := range chosen {
		pi := &props[sl.idx]
		if sl.drop {
			skipped = append(skipped, sl.idx)
			continue
		}
		if sl.null {
			obj[pi.name] = nil
			continue
		}
		ch := c.alloc()
		n.child(ch, pi.name)
		ch.budget = share(pool, sl.cost, total)
		if !pi.kindAny {
			ch.kind, ch.kindOK = pi.kind, true
		}
		if hard || (pi.required && n.depth >= c.g.maxDepth && c.recursive(pi.recur)) {
			obj[pi.name] = c.minimal(pi.subs, ch)
		} else {
			obj[pi.name] = c.genExp(pi.subs, pi.exp, ch)
		}
		c.release()
	}
	if len(skipped) > 1 {
		sortInts(skipped)
	}
	// Inheritance-style discriminator (allOf of a base that declares it):
	// name the concrete schema, through the mapping or its component name.
	for _, p := range parts {
		if !in.discs {
			break
		}
		d := p.Discriminator
		if d == nil || d.PropertyName == "" || len(p.OneOf) > 0 || len(p.AnyOf) > 0 || n.ref == "" {
			continue
		}
		if _, forced := n.forced[d.PropertyName]; forced {
			continue
		}
		name := ""
		for _, k := range sortedMappingKeys(d.Mapping) {
			if discriminatorTarget(d.Mapping[k].Ref) == n.ref {
				name = k
				break
			}
		}
		if name == "" {
			name = refName(n.ref)
		}
		if name == "" {
			continue
		}
		for i := range props {
			if props[i].name == d.PropertyName {
				if _, present := obj[d.PropertyName]; present && c.forcedOK(&props[i], name) {
					obj[d.PropertyName] = name
				}
			}
		}
	}
	// Forced (discriminator) values for properties no part declares.
	if len(n.forced) > 0 {
		for _, k := range sortedKeys(n.forced) {
			if _, ok := obj[k]; !ok {
				obj[k] = n.forced[k]
				c.unsure++ // not checked against the parts
			}
		}
	}
	// Required but undeclared properties.
	for _, k := range in.reqExtra {
		if _, ok := obj[k]; ok {
			continue
		}
		sub := c.extraSchemas(parts, k)
		if sub == nil {
			c.unsure++ // required but forbidden
			continue
		}
		ch := c.alloc()
		n.child(ch, k)
		ch.budget = share(avail, 1, int64(len(required)))
		obj[k] = c.gen(sub, ch)
		c.release()
	}

	// Free-form maps: additionalProperties / patternProperties.
	if len(props) == 0 && !deep && !n.reqOnly {
		c.addExtra(in, n, obj, 1+int(c.reseed(n, saltObject).IntN(2)), maxProps)
	}
	// minProperties
	if uint64(len(obj)) < minProps {
		for _, i := range skipped {
			if uint64(len(obj)) >= minProps {
				break
			}
			pi := &props[i]
			ch := c.alloc()
			n.child(ch, pi.name)
			ch.budget = share(avail, 1, int64(minProps))
			obj[pi.name] = c.gen(pi.subs, ch)
			c.release()
		}
		if uint64(len(obj)) < minProps {
			c.addExtra(in, n, obj, int(minProps)-len(obj), maxProps)
		}
	}
	// maxProperties: drop optional properties, last first.
	if uint64(len(obj)) > maxProps {
		req := map[string]bool{}
		for _, k := range required {
			req[k] = true
		}
		for i := len(props) - 1; i >= 0 && uint64(len(obj)) > maxProps; i-- {
			if _, ok := obj[props[i].name]; ok && !req[props[i].name] && n.forced[props[i].name] == nil {
				delete(obj, props[i].name)
			}
		}
	}
	if cnt := uint64(len(obj)); cnt < minProps || cnt > maxProps {
		c.unsure++
	}
	return obj
}

func declared(props []propInfo, k string) bool {
	for i := range props {
		if props[i].name == k {
			return true
		}
	}
	return false
}

func (c *gctx) forcedOK(pi *propInfo, v any) bool {
	for _, s := range pi.subs {
		if !c.strict.schema(s.Value, v) {
			return false
		}
	}
	return true
}

// recursionShown is how many times a schema may already be on the stack for
// an optional property or array to still expand into it: 2 shows one level
// of recursion (a comment's replies, but not the replies' replies).
const recursionShown = 2

// recursive reports whether generating a property would re-enter a schema
// that is already being generated recursionShown times (recur lists the
// property's schemas, its array items and allOf members: recurSchemas).
func (c *gctx) recursive(recur []*openapi3.Schema) bool {
	for _, s := range recur {
		if c.onStack(s) >= recursionShown {
			return true
		}
	}
	return false
}

// sel is a property selected for generation, with its estimated cost.
type sel struct {
	idx  int
	cost int64 // estimated size when generated in full
	min  int64 // estimated size with only what must be there
	drop bool  // left out to fit the budget (optional)
	null bool  // null to fit the budget (required, nullable)
}

// fit shares avail nodes among the selected properties: scalars cost one
// node each (optional ones beyond the budget are left out, the last
// first); objects and arrays get the rest in proportion to their estimated
// full size. One whose share is below its minimal size is left out when
// optional, null when required and nullable, generated anyway otherwise.
// It returns the total the shares are computed against (see share).
func (c *gctx) fit(props []propInfo, chosen []sel, avail int64) (pool, total int64) {
	var scalars int64
	for _, sl := range chosen {
		if sl.cost <= 1 {
			scalars++
		} else {
			total += sl.cost
		}
	}
	// Optional scalars beyond the budget.
	if extra := scalars - max(avail, 0); extra > 0 {
		for i := len(chosen) - 1; i >= 0 && extra > 0; i-- {
			if sl := &chosen[i]; sl.cost <= 1 && !props[sl.idx].required {
				sl.drop = true
				extra--
			}
		}
	}
	pool = avail - scalars
	if total == 0 {
		return pool, 1
	}
	for i := range chosen {
		sl := &chosen[i]
		if sl.cost <= 1 {
			continue
		}
		if s := pool * sl.cost / total; s < sl.min {
			switch {
			case !props[sl.idx].required:
				sl.drop = true
			case c.nullOK(&props[sl.idx]):
				sl.null = true
			}
		}
	}
	return pool, total
}

// nullOK: null satisfies the property's schemas.
func (c *gctx) nullOK(pi *propInfo) bool {
	return pi.exp.in.nullable && c.strict.all(pi.subs, nil)
}

// share is a child's part of a budget: in proportion to its cost.
func share(avail, cost, total int64) int32 {
	if avail <= 0 || total <= 0 {
		return 1
	}
	b := avail * cost / total
	if b < 1 {
		b = 1
	}
	if b > 1<<30 {
		b = 1 << 30
	}
	return int32(b)
}

func sortInts(xs []int) {
	for i := 1; i < len(xs); i++ {
		for j := i; j > 0 && xs[j] < xs[j-1]; j-- {
			xs[j], xs[j-1] = xs[j-1], xs[j]
		}
	}
}

// reentrant reports whether an optional property would re-enter a schema
// of an enclosing value other than the current object itself (indirect
// recursion: a payment's error's payment). Direct recursion (a comment's
// replies) is shown once; indirect recursion is not.
func (c *gctx) reentrant(recur []*openapi3.Schema, parts []*openapi3.Schema) bool {
	for _, s := range recur {
		if c.onStack(s) > 0 && !containsSchema(parts, s) {
			return true
		}
	}
	return false
}

func containsSchema(xs []*openapi3.Schema, s *openapi3.Schema) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

// extraSchemas returns the schemas an undeclared property k must satisfy, or
// nil when some part forbids it.
func (c *gctx) extraSchemas(parts []*openapi3.Schema, k string) []*openapi3.SchemaRef {
	var subs []*openapi3.SchemaRef
	for _, p := range parts {
		if ps := p.Properties[k]; ps != nil {
			subs = append(subs, ps)
			continue
		}
		matched := false
		for _, pat := range sortedSchemaKeys(p.PatternProperties) {
			ps := p.PatternProperties[pat]
			if re := c.g.pattern(pat); re != nil && re.re.MatchString(k) {
				matched = true
				subs = append(subs, ps)
			}
		}
		if h := p.AdditionalProperties.Has; h != nil && !*h {
			return nil
		}
		if ap := p.AdditionalProperties.Schema; ap != nil && !matched {
			subs = append(subs, ap)
		}
		if p.PropertyNames != nil && p.PropertyNames.Value != nil && !c.strict.schema(p.PropertyNames.Value, k) {
			return nil
		}
	}
	if subs == nil {
		subs = []*openapi3.SchemaRef{}
	}
	return subs
}

// addExtra adds up to count generated entries for additionalProperties /
// patternProperties, when the parts allow extra keys and describe them.
func (c *gctx) addExtra(in *info, n *node, obj map[string]any, count int, maxProps uint64) {
	if count <= 0 {
		return
	}
	parts := in.parts
	described := false
	for _, p := range parts {
		if h := p.AdditionalProperties.Has; h != nil && !*h && len(p.PatternProperties) == 0 {
			return
		}
		if ap := p.AdditionalProperties.Schema; ap != nil && ap.Value != nil {
			described = true
		}
		if len(p.PatternProperties) > 0 {
			described = true
		}
	}
	if !described {
		// Free-form object: leave it empty unless minProperties demands keys.
		need := false
		for _, p := range parts {
			if uint64(len(obj)) < p.MinProps {
				need = true
			}
		}
		if !need {
			return
		}
	}
	f := c.reseed(n, saltKey)
	for k := 0; k < count && uint64(len(obj)) < maxProps; k++ {
		var key string
		// Pattern properties first: the key must match the pattern.
		for _, p := range parts {
			if key != "" {
				break
			}
			for _, pat := range sortedSchemaKeys(p.PatternProperties) {
				cand, ok := c.patternString(pat, 1, 40, n, uint64(k))
				if ok {
					if _, dup := obj[cand]; !dup {
						key = cand
						break
					}
				}
			}
		}
		if key == "" {
			for try := 0; try < 8 && key == ""; try++ {
				cand := mapKey(f, n, k+try)
				if _, dup := obj[cand]; dup {
					continue
				}
				if c.extraSchemas(parts, cand) == nil {
					continue
				}
				key = cand
			}
		}
		if key == "" {
			return
		}
		sub := c.extraSchemas(parts, key)
		if sub == nil {
			return
		}
		ch := c.alloc()
		n.child(ch, key)
		ch.budget = share(int64(n.budget)-1, 1, int64(count))
		obj[key] = c.gen(sub, ch)
		c.release()
	}
}

// mapKey invents a plausible key for a map-like object.
func mapKey(f *gofakeit.Faker, n *node, i int) string {
	tk := tokens(n.name)
	last := ""
	if len(tk) > 0 {
		last = tk[len(tk)-1]
	}
	switch last {
	case "headers":
		return []string{"X-Request-Id", "Cache-Control", "Content-Type", "X-Trace"}[i%4]
	case "labels", "tags", "annotations":
		return []string{"app", "env", "team", "tier"}[i%4]
	case "metadata", "meta":
		return []string{"order_id", "source", "campaign", "ref"}[i%4]
	}
	w := strings.ToLower(fakeNoun(f))
	w = strings.Map(func(r rune) rune {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			return r
		}
		return '_'
	}, w)
	if w == "" {
		w = "key" + strconv.Itoa(i+1)
	}
	return w
}

func sortedKeys(m map[string]any) []string {
	if len(m) == 0 {
		return nil
	}
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func sortedSchemaKeys(m openapi3.Schemas) []string {
	if len(m) == 0 {
		return nil
	}
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// minimal generates the smallest value for subs: used to end required
// recursion. A nullable schema gives null.
func (c *gctx) minimal(subs []*openapi3.SchemaRef, n *node) any {
	e := c.g.expansionOf(subs)
	if e.in.nullable {
		return nil
	}
	nn := c.alloc()
	*nn = *n
	nn.reqOnly = true
	if nn.depth < c.g.hardDepth {
		nn.depth = c.g.hardDepth
	}
	v := c.genExp(subs, e, nn)
	c.release()
	return v
}

// terminal is the value that ends runaway required recursion: null when
// allowed, else the empty value of the type (which may not validate: a
// schema that requires itself forever has no finite instance).
func (c *gctx) terminal(in *info) any {
	if in.nullable {
		return nil
	}
	m := in.imask
	switch {
	case m&tStr != 0:
		return ""
	case m&tInt != 0:
		return int64(0)
	case m&tNum != 0:
		return 0.0
	case m&tBool != 0:
		return false
	case m&tArr != 0:
		return []any{}
	case m&tObj != 0:
		return map[string]any{}
	}
	return nil
}

func (c *gctx) genArray(in *info, n *node) any {
	a := &in.arr
	minItems, maxItems := a.minItems, a.maxItems
	unique := a.unique
	items, prefix, contains := a.items, a.prefix, a.contains
	c.push(in.parts)
	defer c.pop(len(in.parts))

	f := c.reseed(n, saltArray)
	count := uint64(1 + f.IntN(2))
	for _, pr := range prefix {
		if uint64(len(pr)) > count {
			count = uint64(len(pr))
		}
	}
	if n.depth >= c.g.maxDepth || n.reqOnly || c.recursive(a.recur) {
		count = 0
	}
	if count < minItems {
		count = minItems
	}
	if count > maxItems {
		count = maxItems
	}
	if count > 0 && len(contains) > 0 && count < 1 {
		count = 1
	}
	// The same item schemas at every position: expand them once.
	var same *expansion
	if len(prefix) == 0 && len(contains) == 0 && count > 0 {
		same = c.g.itemsExpansion(in)
	}
	// Fit the items into the node budget: one item when two do not fit,
	// none (if allowed) when even one is far too big.
	avail := int64(n.budget) - 1
	if count > minItems && same != nil {
		per, _ := c.g.estimate(same, estimateLevels)
		switch {
		case avail < per/4 && n.depth > 0:
			count = minItems
		case count > 1 && avail < 2*per:
			count = max(minItems, 1)
		}
	}
	out := make([]any, 0, count)
	for i := 0; uint64(i) < count; i++ {
		subs := items
		if same == nil {
			subs = make([]*openapi3.SchemaRef, 0, len(items)+len(prefix)+1)
			for _, pr := range prefix {
				if i < len(pr) {
					subs = append(subs, pr[i])
				}
			}
			if len(subs) == 0 || len(prefix) == 0 {
				subs = append(subs, items...)
			} else {
				// Positions covered by prefixItems ignore items.
				hasAll := true
				for _, pr := range prefix {
					if i >= len(pr) {
						hasAll = false
					}
				}
				if !hasAll {
					subs = append(subs, items...)
				}
			}
			if i == 0 {
				subs = append(subs, contains...)
			}
		}
		ch := c.alloc()
		n.item(ch, i)
		ch.budget = share(avail, 1, int64(count))
		if unique {
			ch.avoid = out
		}
		var v any
		ok := false
		for try := 0; try < 6; try++ {
			if try > 0 {
				ch.variant = uint64(try) + 7
				ch.noExample = true
			}
			if n.depth+1 >= c.g.hardDepth {
				v = c.minimal(subs, ch)
			} else {
				v = c.genExp(subs, same, ch)
			}
			if !unique || !containsJSON(out, v) {
				ok = true
				break
			}
		}
		c.release()
		if !ok {
			if uint64(len(out)) >= minItems {
				break
			}
			c.unsure++ // a duplicate in a unique array
		}
		out = append(out, v)
	}
	if uint64(len(out)) < minItems {
		c.unsure++
	}
	return out
}

func containsString(xs []string, v string) bool {
	for _, x := range xs {
		if x == v {
			return true
		}
	}
	return false
}

func containsJSON(xs []any, v any) bool {
	for _, x := range xs {
		if equalJSON(x, v) {
			return true
		}
	}
	return false
}

// firstNullable: the schema itself (first part) accepts null. kin-openapi
// accepts null for a nullable schema without looking at its allOf.
func (g *Generator) firstNullable(parts []*openapi3.Schema) bool {
	if len(parts) == 0 {
		return false
	}
	p := parts[0]
	return p.Type.IncludesNull() || (g.sem != sem31 && p.Nullable && (p.Type != nil || len(p.AllOf)+len(p.AnyOf)+len(p.OneOf) > 0))
}

func sortedMappingKeys(m map[string]openapi3.MappingRef) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
