package generate

import (
	"math"
	"math/big"
	"net/netip"
	"regexp"
	"regexp/syntax"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf16"

	"github.com/getkin/kin-openapi/openapi3"
)

// matcher is a small JSON Schema validator used to check candidates. It
// implements the union of what kin-openapi's OpenAPI 3.0 validator and its
// JSON Schema 2020-12 validator (used for 3.1 documents) check.
//
// A strict matcher answers "is v certainly valid under both?", a loose one
// "could v be valid under either?". oneOf exclusivity needs both: the chosen
// branch must match strictly and no other branch may match loosely. `not`
// flips the mode.
type matcher struct {
	g       *Generator
	dir     Direction
	strict  bool
	visited []*openapi3.Schema
	base    int
	// memo holds (schema, container) pairs known to match strictly.
	memo *map[memoKey]any
}

func (m *matcher) remember(s *openapi3.Schema, v any) {
	if m.memo == nil || s == nil {
		return
	}
	p, n, ok := containerKey(v)
	if !ok {
		return
	}
	if *m.memo == nil {
		*m.memo = make(map[memoKey]any)
	}
	// The value itself is kept so its address cannot be reused by another
	// container during this Value call.
	(*m.memo)[memoKey{s, p, n}] = v
}

// rememberAll records that v matches every schema of refs.
func (m *matcher) rememberAll(refs []*openapi3.SchemaRef, v any) {
	if _, _, ok := containerKey(v); !ok {
		return
	}
	for _, r := range refs {
		if r != nil {
			m.remember(r.Value, v)
		}
	}
}

func (m *matcher) known(s *openapi3.Schema, v any) bool {
	if m.memo == nil || *m.memo == nil {
		return false
	}
	p, n, ok := containerKey(v)
	if !ok {
		return false
	}
	_, hit := (*m.memo)[memoKey{s, p, n}]
	return hit
}

func (m *matcher) flipped() *matcher {
	fm := &matcher{g: m.g, dir: m.dir, strict: !m.strict}
	if fm.strict {
		fm.memo = m.memo
	}
	return fm
}

func (m *matcher) all(refs []*openapi3.SchemaRef, v any) bool {
	for _, r := range refs {
		if r != nil && !m.schema(r.Value, v) {
			return false
		}
	}
	if m.strict {
		for _, r := range refs {
			if r != nil {
				m.remember(r.Value, v)
			}
		}
	}
	return true
}

// child validates a nested value: cycle detection restarts.
func (m *matcher) child(s *openapi3.Schema, v any) bool {
	old := m.base
	m.base = len(m.visited)
	ok := m.schema(s, v)
	m.base = old
	return ok
}

func (m *matcher) schema(s *openapi3.Schema, v any) bool {
	if s == nil {
		return true
	}
	if s.Always != nil {
		return *s.Always
	}
	for _, x := range m.visited[m.base:] {
		if x == s {
			return true // same schema on the same value: a cycle, as kin-openapi treats it
		}
	}
	if m.memo != nil && m.known(s, v) {
		return true
	}
	depth := len(m.visited)
	if depth > 400 {
		return !m.strict
	}
	m.visited = append(m.visited, s)
	ok := m.check(s, v)
	m.visited = m.visited[:depth]
	return ok
}

// check is schema after the cycle and memo checks, with s on visited.
func (m *matcher) check(s *openapi3.Schema, v any) bool {

	if v == nil {
		nullable := s.Type.IncludesNull() || (s.Nullable && m.g.sem != sem31)
		if m.strict {
			if s.Type != nil && !nullable {
				return false
			}
			if s.Type == nil && !nullable && len(s.AllOf) == 0 && len(s.AnyOf) == 0 && len(s.OneOf) == 0 {
				return false
			}
			if nullable && (s.Type != nil || len(s.Enum) == 0) {
				return true
			}
		} else if nullable || s.Type == nil {
			return true
		}
	}

	if s.Not != nil && s.Not.Value != nil {
		if m.flipped().schema(s.Not.Value, v) {
			return false
		}
	}
	for _, a := range s.AllOf {
		if a != nil && !m.schema(a.Value, v) {
			return false
		}
	}
	if len(s.AnyOf) > 0 && !m.xof(s, s.AnyOf, v, false) {
		return false
	}
	if len(s.OneOf) > 0 && !m.xof(s, s.OneOf, v, true) {
		return false
	}
	if v == nil && (len(s.AllOf) > 0 || len(s.AnyOf) > 0 || len(s.OneOf) > 0) {
		return true
	}
	if !enumConstOK(s, v) {
		return false
	}
	if s.If != nil && s.If.Value != nil {
		// Checked as in JSON Schema; kin's 3.0 validator ignores it.
		if (&matcher{g: m.g, dir: m.dir, strict: true}).child(s.If.Value, v) {
			if s.Then != nil && !m.child(s.Then.Value, v) {
				return false
			}
		} else if !(&matcher{g: m.g, dir: m.dir, strict: false}).child(s.If.Value, v) {
			if s.Else != nil && !m.child(s.Else.Value, v) {
				return false
			}
		} else if m.strict {
			return false
		}
	}

	switch x := v.(type) {
	case nil:
		return !m.strict || (s.Nullable && m.g.sem != sem31) || s.Type.IncludesNull()
	case bool:
		return s.Type.Permits(openapi3.TypeBoolean)
	case float64:
		return m.number(s, x)
	case int64:
		return m.number(s, float64(x))
	case int:
		return m.number(s, float64(x))
	case string:
		return m.str(s, x)
	case []any:
		return m.array(s, x)
	case map[string]any:
		return m.object(s, x)
	}
	return false
}

// discTarget mirrors kin-openapi's resolveDiscriminatorRef. filter is the
// branch $ref to keep ("" keeps all); ok=false when kin rejects the value.
func discTarget(s *openapi3.Schema, v any) (filter string, ok bool) {
	d := s.Discriminator
	if d == nil {
		return "", true
	}
	obj, isObj := v.(map[string]any)
	if !isObj {
		return "", true
	}
	pv, has := obj[d.PropertyName]
	if !has {
		return "", false
	}
	str, isStr := pv.(string)
	if !isStr {
		return "", false
	}
	if len(d.Mapping) == 0 {
		return "", true
	}
	mr, has := d.Mapping[str]
	if !has {
		return "", false
	}
	return discriminatorTarget(mr.Ref), true
}

// xof checks anyOf (one=false) or oneOf (one=true), under both the
// discriminator-aware semantics of kin-openapi and plain JSON Schema.
func (m *matcher) xof(s *openapi3.Schema, branches openapi3.SchemaRefs, v any, one bool) bool {
	if !one && (s.Discriminator == nil || m.g.sem == sem31) {
		for _, b := range branches {
			if b != nil && b.Value != nil && m.schema(b.Value, v) {
				return true
			}
		}
		return false
	}
	// Per branch: 2 = strict match, 1 = loose match only, 0 = no match.
	var buf [16]uint8
	res := buf[:0]
	if len(branches) > len(buf) {
		res = make([]uint8, 0, len(branches))
	}
	var otherM matcher
	var other *matcher
	for _, b := range branches {
		if b == nil || b.Value == nil {
			res = append(res, 0)
			continue
		}
		var r uint8
		if m.strict {
			if m.schema(b.Value, v) {
				r = 2
			} else {
				if other == nil {
					otherM = matcher{g: m.g, dir: m.dir, strict: !m.strict}
					if otherM.strict {
						otherM.memo = m.memo
					}
					other = &otherM
				}
				if other.schema(b.Value, v) {
					r = 1
				}
			}
		} else {
			if m.schema(b.Value, v) {
				if other == nil {
					otherM = matcher{g: m.g, dir: m.dir, strict: !m.strict}
					if otherM.strict {
						otherM.memo = m.memo
					}
					other = &otherM
				}
				if other.schema(b.Value, v) {
					r = 2
				} else {
					r = 1
				}
			}
		}
		res = append(res, r)
	}
	eval := func(filter string) bool {
		strictN, looseN := 0, 0
		for i, b := range branches {
			if filter != "" && (b == nil || b.Ref != filter) {
				continue
			}
			if res[i] == 2 {
				strictN++
			}
			if res[i] >= 1 {
				looseN++
			}
		}
		if m.strict {
			if one {
				return strictN >= 1 && looseN <= 1
			}
			return strictN >= 1
		}
		if one {
			return looseN >= 1 && strictN <= 1
		}
		return looseN >= 1
	}
	if s.Discriminator == nil || m.g.sem == sem31 {
		return eval("")
	}
	filter, ok := discTarget(s, v)
	kin := ok && eval(filter)
	if m.g.sem == sem30 {
		return kin
	}
	plain := eval("")
	if m.strict {
		return plain && kin
	}
	return plain || kin
}

func (m *matcher) number(s *openapi3.Schema, x float64) bool {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return false
	}
	t := s.Type
	integral := x == math.Trunc(x)
	if t != nil {
		if t.Permits(openapi3.TypeInteger) && !t.Permits(openapi3.TypeNumber) {
			if !integral {
				return false
			}
		} else if !t.Permits(openapi3.TypeNumber) {
			return false
		}
	}
	if integral {
		switch s.Format {
		case "int32":
			if x < math.MinInt32 || x > math.MaxInt32 {
				return false
			}
		case "int64":
			if x < math.MinInt64 || x >= math.MaxInt64 {
				return false
			}
		}
	}
	lo, loEx, hasLo, hi, hiEx, hasHi := bounds(s)
	if hasLo && (x < lo || (loEx && x == lo)) {
		return false
	}
	if hasHi && (x > hi || (hiEx && x == hi)) {
		return false
	}
	if s.MultipleOf != nil {
		mo := *s.MultipleOf
		dec := decimalMultiple(x, mo)
		kin := kinMultiple(x, mo)
		if m.strict {
			return dec && kin
		}
		return dec || kin
	}
	return true
}

// bounds returns the effective numeric bounds of s (3.0 boolean and 3.1
// numeric exclusive bounds both understood).
func bounds(s *openapi3.Schema) (lo float64, loEx, hasLo bool, hi float64, hiEx, hasHi bool) {
	if s.Min != nil {
		lo, hasLo = *s.Min, true
		loEx = s.ExclusiveMin.IsTrue()
	}
	if v := s.ExclusiveMin.Value; v != nil {
		if !hasLo || *v >= lo {
			lo, loEx, hasLo = *v, true, true
		}
	}
	if s.Max != nil {
		hi, hasHi = *s.Max, true
		hiEx = s.ExclusiveMax.IsTrue()
	}
	if v := s.ExclusiveMax.Value; v != nil {
		if !hasHi || *v <= hi {
			hi, hiEx, hasHi = *v, true, true
		}
	}
	return
}

// decimalMultiple: x is a multiple of mo in decimal arithmetic (how a JSON
// Schema validator reading the JSON text sees it).
func decimalMultiple(x, mo float64) bool {
	if mo <= 0 || math.IsNaN(mo) || math.IsInf(mo, 0) {
		return mo > 0
	}
	xr, ok1 := new(big.Rat).SetString(strconv.FormatFloat(x, 'g', -1, 64))
	mr, ok2 := new(big.Rat).SetString(strconv.FormatFloat(mo, 'g', -1, 64))
	if !ok1 || !ok2 || mr.Sign() == 0 {
		return false
	}
	return new(big.Rat).Quo(xr, mr).IsInt()
}

// kinMultiple mirrors kin-openapi's binary check with its 2^-51 slack.
func kinMultiple(x, mo float64) bool {
	if mo <= 0 {
		return false
	}
	xr := new(big.Rat).SetFloat64(x)
	mr := new(big.Rat).SetFloat64(mo)
	q := new(big.Rat).Quo(xr, mr)
	if q.IsInt() {
		return true
	}
	fl := new(big.Int).Div(q.Num(), q.Denom())
	var dist *big.Rat
	for _, k := range []*big.Int{fl, new(big.Int).Add(fl, big.NewInt(1))} {
		gap := new(big.Rat).Sub(xr, new(big.Rat).Mul(new(big.Rat).SetInt(k), mr))
		gap.Abs(gap)
		if dist == nil || gap.Cmp(dist) < 0 {
			dist = gap
		}
	}
	tol := new(big.Rat).Mul(new(big.Rat).Abs(xr), new(big.Rat).SetFrac(big.NewInt(1), new(big.Int).Lsh(big.NewInt(1), 51)))
	return dist.Cmp(tol) <= 0
}

func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	_ = utf16.IsSurrogate
	return n
}

func (m *matcher) str(s *openapi3.Schema, x string) bool {
	if !s.Type.Permits(openapi3.TypeString) {
		return false
	}
	if s.MinLength != 0 || s.MaxLength != nil {
		l := uint64(utf16Len(x))
		if l < s.MinLength || (s.MaxLength != nil && l > *s.MaxLength) {
			return false
		}
	}
	if s.Pattern != "" {
		re := m.g.pattern(s.Pattern)
		if re == nil || !re.re.MatchString(x) {
			return false
		}
	}
	if s.Format != "" && !formatOK(s.Format, x) {
		return false
	}
	return true
}

var (
	reUUID     = regexp.MustCompile(openapi3.FormatOfStringForUUIDOfRFC4122)
	reEmail    = regexp.MustCompile(openapi3.FormatOfStringForEmail)
	reByte     = regexp.MustCompile(openapi3.FormatOfStringByte)
	reDate     = regexp.MustCompile(openapi3.FormatOfStringDate)
	reDateTime = regexp.MustCompile(openapi3.FormatOfStringDateTime)
)

// formatOK checks the formats kin-openapi validates (date, date-time, byte)
// plus the ones the mock server registers (uuid, email, ipv4, ipv6).
func formatOK(format, x string) bool {
	switch format {
	case "uuid":
		return reUUID.MatchString(x)
	case "email":
		return reEmail.MatchString(x)
	case "byte":
		return reByte.MatchString(x)
	case "date":
		return reDate.MatchString(x)
	case "date-time":
		return reDateTime.MatchString(x)
	case "ipv4":
		a, err := netip.ParseAddr(x)
		return err == nil && a.Is4()
	case "ipv6":
		a, err := netip.ParseAddr(x)
		return err == nil && a.Is6()
	}
	return true
}

func (m *matcher) array(s *openapi3.Schema, x []any) bool {
	if !s.Type.Permits(openapi3.TypeArray) {
		return false
	}
	n := uint64(len(x))
	if n < s.MinItems || (s.MaxItems != nil && n > *s.MaxItems) {
		return false
	}
	if s.UniqueItems {
		for i := range x {
			for j := i + 1; j < len(x); j++ {
				if equalJSON(x[i], x[j]) {
					return false
				}
			}
		}
	}
	for i, p := range s.PrefixItems {
		if i >= len(x) {
			break
		}
		if p != nil && !m.child(p.Value, x[i]) {
			return false
		}
	}
	if s.Items != nil && s.Items.Value != nil {
		for i := len(s.PrefixItems); i < len(x); i++ {
			if !m.child(s.Items.Value, x[i]) {
				return false
			}
		}
	}
	if s.Contains != nil && s.Contains.Value != nil {
		k := 0
		for _, it := range x {
			if m.child(s.Contains.Value, it) {
				k++
			}
		}
		minC := uint64(1)
		if s.MinContains != nil {
			minC = *s.MinContains
		}
		if uint64(k) < minC || (s.MaxContains != nil && uint64(k) > *s.MaxContains) {
			return false
		}
	}
	return true
}

func (m *matcher) object(s *openapi3.Schema, x map[string]any) bool {
	if !s.Type.Permits(openapi3.TypeObject) {
		return false
	}
	n := uint64(len(x))
	if n < s.MinProps || (s.MaxProps != nil && n > *s.MaxProps) {
		return false
	}
	// Cheap checks first: required properties, then scalar values, then
	// objects and arrays (a mismatch is usually found before descending).
	for _, k := range s.Required {
		if _, ok := x[k]; ok {
			continue
		}
		if m.exempt(s, k) {
			continue
		}
		return false
	}
	for k, deps := range s.DependentRequired {
		if _, ok := x[k]; ok {
			for _, d := range deps {
				if _, ok := x[d]; !ok {
					return false
				}
			}
		}
	}
	for pass := 0; pass < 2; pass++ {
		for k, v := range x {
			switch v.(type) {
			case map[string]any, []any:
				if pass == 0 {
					continue
				}
			default:
				if pass == 1 {
					continue
				}
			}
			if !m.property(s, k, v) {
				return false
			}
		}
	}
	return true
}

// property checks the value of property k of an object against s.
func (m *matcher) property(s *openapi3.Schema, k string, v any) bool {
	if p := s.Properties[k]; p != nil {
		if p.Value == nil {
			return true
		}
		if m.strict && v != nil {
			if (m.dir == Request && p.Value.ReadOnly) || (m.dir == Response && p.Value.WriteOnly) {
				return false
			}
		}
		return m.child(p.Value, v)
	}
	matchedPattern := false
	for pat, ps := range s.PatternProperties {
		re := m.g.pattern(pat)
		if re != nil && re.re.MatchString(k) {
			matchedPattern = true
			if ps != nil && !m.child(ps.Value, v) {
				return false
			}
		}
	}
	if matchedPattern && !m.strict {
		return true
	}
	if h := s.AdditionalProperties.Has; h != nil && !*h {
		return false
	}
	if ap := s.AdditionalProperties.Schema; ap != nil && ap.Value != nil && !matchedPattern {
		if !m.child(ap.Value, v) {
			return false
		}
	}
	if s.PropertyNames != nil && s.PropertyNames.Value != nil && !m.child(s.PropertyNames.Value, k) {
		return false
	}
	return true
}

// exempt: a required property that the direction allows to be missing
// (readOnly in a request, writeOnly in a response), as kin-openapi does.
func (m *matcher) exempt(s *openapi3.Schema, k string) bool {
	ro, wo := propFlags(s, k, 0)
	if !ro && !wo {
		for _, x := range m.visited[m.base:] {
			r2, w2 := propFlags(x, k, 0)
			ro, wo = ro || r2, wo || w2
		}
	}
	return (m.dir == Request && ro) || (m.dir == Response && wo)
}

func propFlags(s *openapi3.Schema, k string, depth int) (ro, wo bool) {
	if s == nil || depth > 16 {
		return
	}
	if p := s.Properties[k]; p != nil && p.Value != nil {
		ro, wo = p.Value.ReadOnly, p.Value.WriteOnly
	}
	for _, a := range s.AllOf {
		if a != nil {
			r2, w2 := propFlags(a.Value, k, depth+1)
			ro, wo = ro || r2, wo || w2
		}
	}
	return
}

// equalJSON compares JSON-like values, numbers by value.
func equalJSON(a, b any) bool {
	if af, ok := num(a); ok {
		bf, ok := num(b)
		return ok && af == bf
	}
	switch x := a.(type) {
	case nil:
		return b == nil
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case string:
		y, ok := b.(string)
		return ok && x == y
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !equalJSON(x[i], y[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			w, ok := y[k]
			if !ok || !equalJSON(v, w) {
				return false
			}
		}
		return true
	}
	return false
}

func num(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case float32:
		return float64(x), true
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case int32:
		return float64(x), true
	case uint64:
		return float64(x), true
	}
	return 0, false
}

// deepCopy copies maps and slices so callers may mutate results freely.
func deepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = deepCopy(e)
		}
		return m
	case []any:
		s := make([]any, len(x))
		for i, e := range x {
			s[i] = deepCopy(e)
		}
		return s
	case int:
		return int64(x)
	case int32:
		return int64(x)
	case float32:
		return float64(x)
	case map[any]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			if ks, ok := k.(string); ok {
				m[ks] = deepCopy(e)
			}
		}
		return m
	}
	return v
}

// compiledPattern caches a pattern compiled the way kin-openapi compiles it.
type compiledPattern struct {
	re      *regexp.Regexp
	anchor  [2]bool // pattern anchored at start / end
	once    sync.Once
	ast     *syntax.Regexp
	classes map[*rune][]rune // see classTable
}

var rewriteCodepoints = regexp.MustCompile(`\\u([0-9A-Fa-f]{4})`)

// pattern returns the compiled pattern or nil when Go cannot compile it
// (kin-openapi then rejects every string, so nothing can be done).
func (g *Generator) pattern(p string) *compiledPattern {
	if v, ok := g.regexps.Load(p); ok {
		return v.(*compiledPattern)
	}
	var cp *compiledPattern
	re, err := regexp.Compile(rewriteCodepoints.ReplaceAllString(p, `\x{$1}`))
	if err == nil {
		cp = &compiledPattern{re: re}
		cp.anchor[0] = strings.HasPrefix(p, "^")
		cp.anchor[1] = strings.HasSuffix(p, "$") && !strings.HasSuffix(p, `\$`)
	}
	v, _ := g.regexps.LoadOrStore(p, cp)
	return v.(*compiledPattern)
}

// leafOK checks v against every part (compositions already expanded into
// parts are checked too, not-schemas loosely).
func (c *gctx) leafOK(parts []*openapi3.Schema, v any) bool {
	for _, p := range parts {
		if !c.localOK(p, v) {
			return false
		}
	}
	return true
}

// localOK checks the keywords of s that apply to v itself, without
// descending into allOf/anyOf/oneOf (those are parts of their own).
func (c *gctx) localOK(s *openapi3.Schema, v any) bool {
	if s.Always != nil {
		return *s.Always
	}
	if v == nil {
		return (s.Nullable && c.g.sem != sem31) || s.Type.IncludesNull()
	}
	if !enumConstOK(s, v) {
		return false
	}
	if s.Not != nil && s.Not.Value != nil && c.loose.schema(s.Not.Value, v) {
		return false
	}
	m := &c.strict
	switch x := v.(type) {
	case bool:
		return s.Type.Permits(openapi3.TypeBoolean)
	case float64:
		return m.number(s, x)
	case int64:
		return m.number(s, float64(x))
	case string:
		return m.str(s, x)
	case []any, map[string]any:
		return m.schemaNoXOf(s, v)
	}
	return false
}

// schemaNoXOf validates containers ignoring the schema's own composition.
func (m *matcher) schemaNoXOf(s *openapi3.Schema, v any) bool {
	switch x := v.(type) {
	case []any:
		return m.array(s, x)
	case map[string]any:
		return m.object(s, x)
	}
	return m.schema(s, v)
}

// enumConstOK reports whether v is one of s's enum values (when it has any) and equals its const
// (when it has one).
func enumConstOK(s *openapi3.Schema, v any) bool {
	if len(s.Enum) > 0 && !slices.ContainsFunc(s.Enum, func(e any) bool { return equalJSON(e, v) }) {
		return false
	}
	return s.Const == nil || equalJSON(s.Const, v)
}
