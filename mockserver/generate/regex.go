package generate

import (
	"regexp/syntax"
	"strings"

	"github.com/brianvoe/gofakeit/v7"
)

// patternString returns a string matching pattern whose UTF-16 length lies
// in [minLen, maxLen] (maxLen < 0: unbounded). It first asks gofakeit's
// Regex (always re-checked with Go's regexp: gofakeit may return "Could not
// parse regex string" or junk after a panic), then falls back to a
// length-aware constructive generator, then to padding for unanchored
// patterns.
func (c *gctx) patternString(pattern string, minLen, maxLen int, n *node, salt uint64) (string, bool) {
	cp := c.g.pattern(pattern)
	if cp == nil {
		return "", false
	}
	ok := func(s string) bool {
		l := utf16Len(s)
		return l >= minLen && (maxLen < 0 || l <= maxLen) && cp.re.MatchString(s)
	}
	f := c.reseed(n, saltRegex+salt*131)
	ast := cp.syntax()
	lo := 0
	if ast != nil {
		lo = reMinLen(ast)
	}
	// attempt builds a string with the constructive generator (the pattern
	// is parsed once); gofakeit's Regex, which parses the pattern on every
	// call, is only a fallback.
	attempt := func(k int) (string, bool) {
		target := minLen
		if target < lo {
			target = lo
		}
		if k%2 == 1 {
			target += f.IntN(8)
		}
		if maxLen >= 0 && target > maxLen {
			target = maxLen
		}
		rg := regen{f: f, classes: cp.classes, extra: target - lo, fill: k%3 != 2}
		var b strings.Builder
		rg.gen(ast, &b)
		s := b.String()
		if ok(s) {
			return s, true
		}
		// Pad an unanchored match: extra text does not stop it matching.
		if cp.re.MatchString(s) && utf16Len(s) < minLen {
			pad := strings.Repeat("a", minLen-utf16Len(s))
			if !cp.anchor[1] && ok(s+pad) {
				return s + pad, true
			}
			if !cp.anchor[0] && ok(pad+s) {
				return pad + s, true
			}
		}
		return "", false
	}
	if ast != nil {
		for k := 0; k < 3; k++ {
			if s, good := attempt(k); good {
				return s, true
			}
		}
	}
	src := cp.re.String() // \uXXXX already rewritten for Go
	for i := 0; i < 3; i++ {
		s := f.Regex(src)
		if ok(s) {
			return s, true
		}
	}
	if ast == nil {
		return "", false
	}
	for k := 3; k < 10; k++ {
		if s, good := attempt(k); good {
			return s, true
		}
	}
	return "", false
}

// syntax returns the parsed pattern (parsed once, never mutated).
func (cp *compiledPattern) syntax() *syntax.Regexp {
	cp.once.Do(func() {
		re, err := syntax.Parse(cp.re.String(), syntax.Perl)
		if err == nil {
			cp.ast = re
			cp.classes = map[*rune][]rune{}
			classTable(re, cp.classes)
		}
	})
	return cp.ast
}

// reMinLen is the length of the shortest string re matches.
func reMinLen(re *syntax.Regexp) int {
	switch re.Op {
	case syntax.OpLiteral:
		return len(re.Rune)
	case syntax.OpCharClass, syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		return 1
	case syntax.OpCapture:
		return reMinLen(re.Sub[0])
	case syntax.OpPlus:
		return reMinLen(re.Sub[0])
	case syntax.OpRepeat:
		return re.Min * reMinLen(re.Sub[0])
	case syntax.OpConcat:
		t := 0
		for _, s := range re.Sub {
			t += reMinLen(s)
		}
		return t
	case syntax.OpAlternate:
		m := -1
		for _, s := range re.Sub {
			if l := reMinLen(s); m < 0 || l < m {
				m = l
			}
		}
		if m < 0 {
			return 0
		}
		return m
	}
	return 0
}

// regen generates a string for a parsed regexp. extra is the number of
// characters it may add beyond the minimal match; fill spends it eagerly.
type regen struct {
	f       *gofakeit.Faker
	classes map[*rune][]rune // classCands per character class (read-only)
	extra   int
	fill    bool
	steps   int
}

func (r *regen) gen(re *syntax.Regexp, b *strings.Builder) {
	r.steps++
	if r.steps > 10000 {
		return
	}
	switch re.Op {
	case syntax.OpLiteral:
		for _, c := range re.Rune {
			b.WriteRune(c)
		}
	case syntax.OpCharClass:
		b.WriteRune(r.pick(re.Rune))
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		b.WriteByte("abcdefghijklmnopqrstuvwxyz"[r.f.IntN(26)])
	case syntax.OpCapture:
		r.gen(re.Sub[0], b)
	case syntax.OpConcat:
		for _, s := range re.Sub {
			r.gen(s, b)
		}
	case syntax.OpAlternate:
		// Prefer alternatives that fit the remaining budget.
		i := r.f.IntN(len(re.Sub))
		for k := 0; k < len(re.Sub); k++ {
			j := (i + k) % len(re.Sub)
			if reMinLen(re.Sub[j])-reMinLen(re) <= r.extra {
				i = j
				break
			}
		}
		r.extra -= reMinLen(re.Sub[i]) - reMinLen(re)
		r.gen(re.Sub[i], b)
	case syntax.OpStar, syntax.OpPlus, syntax.OpQuest, syntax.OpRepeat:
		lo, hi := 0, -1
		switch re.Op {
		case syntax.OpPlus:
			lo = 1
		case syntax.OpQuest:
			hi = 1
		case syntax.OpRepeat:
			lo, hi = re.Min, re.Max
		}
		unit := reMinLen(re.Sub[0])
		if unit == 0 {
			unit = 1
		}
		room := r.extra / unit
		if hi >= 0 && hi-lo < room {
			room = hi - lo
		}
		if room < 0 {
			room = 0
		}
		add := room
		if !r.fill {
			if room > 0 {
				add = r.f.IntN(room + 1)
			}
			if add > 4 {
				add = 4
			}
		}
		r.extra -= add * reMinLen(re.Sub[0])
		for i := 0; i < lo+add; i++ {
			r.gen(re.Sub[0], b)
		}
	}
}

// pick chooses a character from a class, preferring letters and digits.
func (r *regen) pick(ranges []rune) rune {
	if len(ranges) == 0 {
		return 'a'
	}
	if cands := r.classes[&ranges[0]]; len(cands) > 0 {
		return cands[r.f.IntN(len(cands))]
	}
	if c := classCands(ranges); len(c) > 0 {
		return c[r.f.IntN(len(c))]
	}
	return ranges[0]
}

// classCands lists the characters pick chooses from for a class: letters
// and digits it contains, else "-_.", else other printable ASCII.
func classCands(ranges []rune) []rune {
	in := func(c rune) bool {
		for i := 0; i+1 < len(ranges); i += 2 {
			if c >= ranges[i] && c <= ranges[i+1] {
				return true
			}
		}
		return false
	}
	var buf [128]rune
	cands := buf[:0]
	for _, set := range []string{"abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", "-_.", "!#$%&()*+,/:;<=>?@[]^{|}~ '\"\\`"} {
		for _, c := range set {
			if in(c) {
				cands = append(cands, c)
			}
		}
		if len(cands) > 0 {
			return append([]rune(nil), cands...)
		}
	}
	return nil
}

// classTable precomputes classCands for every character class of re,
// keyed by the class's first range element.
func classTable(re *syntax.Regexp, t map[*rune][]rune) {
	if re.Op == syntax.OpCharClass && len(re.Rune) > 0 {
		t[&re.Rune[0]] = classCands(re.Rune)
	}
	for _, sub := range re.Sub {
		classTable(sub, t)
	}
}
