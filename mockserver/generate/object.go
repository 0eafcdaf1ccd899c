package generate

import (
	"sort"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// propInfo describes one property of the merged object.
type propInfo struct {
	name     string
	subs     []*openapi3.SchemaRef
	required bool
	ro, wo   bool
}

// objectProps merges the properties of all parts. A property that a part
// closes out (additionalProperties: false without declaring it) is dropped:
// that part would reject it.
func (c *gctx) objectProps(parts []*openapi3.Schema) []propInfo {
	if len(parts) <= len(partsKey{}) {
		var key partsKey
		copy(key[:], parts)
		if v, ok := c.g.props.Load(key); ok {
			return v.([]propInfo)
		}
		props := c.computeProps(parts)
		c.g.props.Store(key, props)
		return props
	}
	return c.computeProps(parts)
}

// partsKey identifies a conjunction of up to four schemas for caching.
type partsKey [4]*openapi3.Schema

func (c *gctx) computeProps(parts []*openapi3.Schema) []propInfo {
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
				if re := c.g.pattern(pat); re != nil && re.re.MatchString(k) {
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
			if p.PropertyNames != nil && p.PropertyNames.Value != nil && !c.strict.schema(p.PropertyNames.Value, k) {
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
		out = append(out, pi)
	}
	return out
}

func (c *gctx) genObject(parts []*openapi3.Schema, n *node) any {
	props := c.objectProps(parts)
	obj := make(map[string]any, len(props)+len(n.forced))

	deep := n.depth >= c.g.maxDepth
	hard := n.depth >= c.g.hardDepth
	for _, p := range parts {
		c.stack = append(c.stack, p)
	}
	defer func() { c.stack = c.stack[:len(c.stack)-len(parts)] }()

	// Required properties not declared anywhere.
	var required []string
	for _, p := range parts {
		required = append(required, p.Required...)
	}

	minProps, maxProps := uint64(0), uint64(1<<62)
	for _, p := range parts {
		if p.MinProps > minProps {
			minProps = p.MinProps
		}
		if p.MaxProps != nil && *p.MaxProps < maxProps {
			maxProps = *p.MaxProps
		}
	}

	forbidden := notRequired(parts)
	var skipped []int
	for i := range props {
		pi := &props[i]
		if (c.dir == Request && pi.ro) || (c.dir == Response && pi.wo) {
			continue
		}
		if !pi.required && len(forbidden) > 0 && containsString(forbidden, pi.name) {
			continue
		}
		if fv, ok := n.forced[pi.name]; ok {
			if c.forcedOK(pi, fv) {
				obj[pi.name] = fv
				continue
			}
		}
		if !pi.required {
			if deep || n.reqOnly || c.recursive(pi.subs) {
				skipped = append(skipped, i)
				continue
			}
		}
		ch := n.child(pi.name)
		if hard || (pi.required && c.recursive(pi.subs) && n.depth >= c.g.maxDepth) {
			obj[pi.name] = c.minimal(pi.subs, &ch)
			continue
		}
		obj[pi.name] = c.gen(pi.subs, &ch)
	}
	// Inheritance-style discriminator (allOf of a base that declares it):
	// name the concrete schema, through the mapping or its component name.
	for _, p := range parts {
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
	for _, k := range sortedKeys(n.forced) {
		if _, ok := obj[k]; !ok {
			obj[k] = n.forced[k]
		}
	}
	// Required but undeclared properties.
	sort.Strings(required)
	for i, k := range required {
		if i > 0 && required[i-1] == k {
			continue
		}
		if _, ok := obj[k]; ok {
			continue
		}
		if declared(props, k) {
			continue // dropped on purpose (direction) or closed out
		}
		ch := n.child(k)
		sub := c.extraSchemas(parts, k)
		if sub == nil {
			continue
		}
		obj[k] = c.gen(sub, &ch)
	}

	// Free-form maps: additionalProperties / patternProperties.
	if len(props) == 0 && !deep && !n.reqOnly {
		c.addExtra(parts, n, obj, 1+int(c.reseed(n, saltObject).IntN(2)), maxProps)
	}
	// minProperties
	if uint64(len(obj)) < minProps {
		for _, i := range skipped {
			if uint64(len(obj)) >= minProps {
				break
			}
			pi := &props[i]
			ch := n.child(pi.name)
			obj[pi.name] = c.gen(pi.subs, &ch)
		}
		if uint64(len(obj)) < minProps {
			c.addExtra(parts, n, obj, int(minProps)-len(obj), maxProps)
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

// recursive reports whether generating subs would re-enter a schema that is
// already being generated recursionShown times.
func (c *gctx) recursive(subs []*openapi3.SchemaRef) bool {
	for _, r := range subs {
		s := r.Value
		if s == nil {
			continue
		}
		if c.onStack(s) >= recursionShown {
			return true
		}
		// An array of a recursive item type.
		if s.Items != nil && s.Items.Value != nil && c.onStack(s.Items.Value) >= recursionShown {
			return true
		}
		for _, a := range s.AllOf {
			if a != nil && a.Value != nil && c.onStack(a.Value) >= recursionShown {
				return true
			}
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
func (c *gctx) addExtra(parts []*openapi3.Schema, n *node, obj map[string]any, count int, maxProps uint64) {
	if count <= 0 {
		return
	}
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
		ch := n.child(key)
		obj[key] = c.gen(sub, &ch)
	}
}

// mapKey invents a plausible key for a map-like object.
func mapKey(f fakerLike, n *node, i int) string {
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
	w := strings.ToLower(f.Noun())
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

type fakerLike interface {
	Noun() string
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
	var buf [8]*openapi3.Schema
	parts, _ := expand(subs, nil, buf[:0])
	if c.firstNullable(parts) {
		return nil
	}
	nn := *n
	nn.reqOnly = true
	if nn.depth < c.g.hardDepth {
		nn.depth = c.g.hardDepth
	}
	return c.gen(subs, &nn)
}

// terminal is the value that ends runaway required recursion: null when
// allowed, else the empty value of the type (which may not validate: a
// schema that requires itself forever has no finite instance).
func (c *gctx) terminal(parts []*openapi3.Schema) any {
	if c.firstNullable(parts) {
		return nil
	}
	m := partsMask(parts)
	if m == tAll {
		for _, p := range parts {
			if im := inferMask(p); im != tAll {
				m &= im
			}
		}
	}
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

func (c *gctx) genArray(parts []*openapi3.Schema, n *node) any {
	minItems, maxItems := uint64(0), uint64(1<<31)
	unique := false
	var items []*openapi3.SchemaRef
	var prefix []openapi3.SchemaRefs
	var contains []*openapi3.SchemaRef
	for _, p := range parts {
		if p.MinItems > minItems {
			minItems = p.MinItems
		}
		if p.MaxItems != nil && *p.MaxItems < maxItems {
			maxItems = *p.MaxItems
		}
		unique = unique || p.UniqueItems
		if p.Items != nil && p.Items.Value != nil {
			items = append(items, p.Items)
		}
		if len(p.PrefixItems) > 0 {
			prefix = append(prefix, p.PrefixItems)
		}
		if p.Contains != nil && p.Contains.Value != nil {
			contains = append(contains, p.Contains)
		}
	}
	for _, p := range parts {
		c.stack = append(c.stack, p)
	}
	defer func() { c.stack = c.stack[:len(c.stack)-len(parts)] }()

	f := c.reseed(n, saltArray)
	count := uint64(1 + f.IntN(2))
	for _, pr := range prefix {
		if uint64(len(pr)) > count {
			count = uint64(len(pr))
		}
	}
	if n.depth >= c.g.maxDepth || n.reqOnly || c.recursive(items) {
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
	// Enum-limited unique arrays cannot exceed the enum size.
	out := make([]any, 0, count)
	for i := 0; uint64(i) < count; i++ {
		subs := make([]*openapi3.SchemaRef, 0, len(items)+len(prefix)+1)
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
		ch := n.item(i)
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
				v = c.minimal(subs, &ch)
			} else {
				v = c.gen(subs, &ch)
			}
			if !unique || !containsJSON(out, v) {
				ok = true
				break
			}
		}
		if !ok {
			if uint64(len(out)) >= minItems {
				break
			}
		}
		out = append(out, v)
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
func (c *gctx) firstNullable(parts []*openapi3.Schema) bool {
	if len(parts) == 0 {
		return false
	}
	p := parts[0]
	return p.Type.IncludesNull() || (c.g.sem != sem31 && p.Nullable && (p.Type != nil || len(p.AllOf)+len(p.AnyOf)+len(p.OneOf) > 0))
}

func sortedMappingKeys(m map[string]openapi3.MappingRef) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
