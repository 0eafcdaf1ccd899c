package route

import (
	"strings"
)

// segKind orders the kinds of template segments by specificity: a request
// segment matched by a literal is preferred over one matched by a partial
// segment, which is preferred over a whole-segment parameter.
type segKind uint8

const (
	segLiteral segKind = iota // "users", "@me", "levels:append", "" (trailing slash)
	segPartial                // "{name}.json", "v{version}", "{a}-{b}", "{base}...{head}"
	segParam                  // "{id}"
)

// segment is one "/"-separated part of a path template.
type segment struct {
	text string
	kind segKind
	// treeSafe is set on literals made only of bytes that an escaped request
	// path carries as-is and that httprouter treats as plain text; only such
	// literals are given to httprouter as static path text.
	treeSafe bool
	// lits holds the literal parts of a literal or partial segment: for a
	// partial segment with n parameters it has n+1 entries (the text before
	// the first parameter, between parameters, and after the last one), any
	// of which may be empty.
	lits    []string
	nparams int
	litLen  int // total length of the literal parts, for precedence
	// suffixSafe is set when the literal after the last parameter is
	// tree-safe, so it can be matched as a plain suffix.
	suffixSafe bool
}

// isTreeSafe reports whether c may appear unescaped in an escaped request path
// (RFC 3986 unreserved characters and the sub-delimiters plus '@') and is
// not one of httprouter's wildcard characters ':' and '*'.
func isTreeSafe(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	switch c {
	case '-', '.', '_', '~', '!', '$', '&', '\'', '(', ')', '+', ',', ';', '=', '@':
		return true
	}
	return false
}

// parseSegment parses one template segment. A parameter is "{" up to the next
// "}"; a "{" without a closing "}" is literal text.
func parseSegment(s string) (seg segment, names []string) {
	seg.text = s
	var lits []string
	rest := s
	cur := 0 // start of the current literal run in s
	pos := 0
	for {
		i := strings.IndexByte(rest, '{')
		if i < 0 {
			break
		}
		j := strings.IndexByte(rest[i+1:], '}')
		if j < 0 {
			break
		}
		open := pos + i
		closeIdx := open + 1 + j
		lits = append(lits, s[cur:open])
		names = append(names, s[open+1:closeIdx])
		cur = closeIdx + 1
		pos = cur
		rest = s[pos:]
	}
	lits = append(lits, s[cur:])
	seg.lits = lits
	seg.nparams = len(names)
	for _, l := range lits {
		seg.litLen += len(l)
	}
	switch {
	case seg.nparams == 0:
		seg.kind = segLiteral
		seg.treeSafe = true
		for i := 0; i < len(s); i++ {
			if !isTreeSafe(s[i]) {
				seg.treeSafe = false
				break
			}
		}
	case seg.nparams == 1 && lits[0] == "" && lits[1] == "":
		seg.kind = segParam
	default:
		seg.kind = segPartial
		seg.suffixSafe = true
		last := lits[len(lits)-1]
		for i := 0; i < len(last); i++ {
			if !isTreeSafe(last[i]) {
				seg.suffixSafe = false
				break
			}
		}
	}
	return seg, names
}

// shapeText is the segment with every parameter name removed, so that
// templates equal modulo parameter names have equal shapes.
func (s *segment) shapeText() string {
	if s.nparams == 0 {
		return s.text
	}
	var b strings.Builder
	for i, l := range s.lits {
		if i > 0 {
			b.WriteString("{}")
		}
		b.WriteString(l)
	}
	return b.String()
}

// compareSegments orders two segments by specificity: negative when a is more
// specific than b. Literal < partial < parameter; among partial segments more
// literal text and then fewer parameters is more specific. Remaining ties are
// broken by the text so that the order is total and deterministic.
func compareSegments(a, b *segment) int {
	if a.kind != b.kind {
		return int(a.kind) - int(b.kind)
	}
	if a.kind == segPartial {
		if a.litLen != b.litLen {
			return b.litLen - a.litLen
		}
		if a.nparams != b.nparams {
			return a.nparams - b.nparams
		}
	}
	if a.kind == segParam {
		return 0
	}
	return strings.Compare(a.shapeText(), b.shapeText())
}

// unhex returns the value of a hexadecimal digit, or -1.
func unhex(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'a' <= c && c <= 'f':
		return int(c-'a') + 10
	case 'A' <= c && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// escapeAt reports whether s[i:] starts with a valid %XX escape and returns
// the byte it stands for.
func escapeAt(s string, i int) (byte, bool) {
	if i+2 < len(s) && s[i] == '%' {
		h, l := unhex(s[i+1]), unhex(s[i+2])
		if h >= 0 && l >= 0 {
			return byte(h<<4 | l), true
		}
	}
	return 0, false
}

// matchLitAt matches the template literal lit against the escaped request
// segment s at offset i and returns the offset after it. Tree-safe bytes of
// lit must appear as they are (exactly as for literals that httprouter
// matches); any other byte may appear as is or percent-encoded. A '%' of s
// that starts a valid escape is always read as that escape, never as the
// byte '%': a literal '%' of lit is matched by "%25" (the only way a client
// can send one), or by a '%' that starts no escape.
func matchLitAt(lit, s string, i int) (int, bool) {
	for k := 0; k < len(lit); k++ {
		c := lit[k]
		if i >= len(s) {
			return 0, false
		}
		if s[i] == c && c != '%' {
			i++
			continue
		}
		if isTreeSafe(c) {
			return 0, false
		}
		if d, ok := escapeAt(s, i); ok {
			if d != c {
				return 0, false
			}
			i += 3
			continue
		}
		if s[i] == c { // a '%' that starts no escape
			i++
			continue
		}
		return 0, false
	}
	return i, true
}

// nextBoundary returns the offset of the character after the one at i,
// stepping over a whole %XX escape so that parameter values never split one.
func nextBoundary(s string, i int) int {
	if _, ok := escapeAt(s, i); ok {
		return i + 3
	}
	return i + 1
}

// matchBudget bounds the backtracking work of one partial-segment match, so
// that a hostile request cannot make a template like "{a}-{b}-{c}" quadratic
// or worse. Real templates with one or two parameters never come near it.
const matchBudget = 1 << 16

// match reports whether the escaped request segment s matches the template
// segment. Parameter values (still escaped) are written to vals, which must
// have room for s.nparams values; vals may be nil when values are not wanted.
func (seg *segment) match(s string, vals []string) bool {
	switch seg.kind {
	case segParam:
		if s == "" {
			return false
		}
		if vals != nil {
			vals[0] = s
		}
		return true
	case segLiteral:
		if seg.treeSafe {
			return s == seg.text
		}
		end, ok := matchLitAt(seg.text, s, 0)
		return ok && end == len(s)
	}
	pos, ok := matchLitAt(seg.lits[0], s, 0)
	if !ok {
		return false
	}
	budget := matchBudget
	return seg.matchParam(0, s, pos, vals, &budget)
}

// matchParam matches parameter j starting at pos in s, followed by the rest
// of the segment. Parameters are non-empty; the leftmost split that lets the
// rest match wins (so "{base}...{head}" splits "a...b...c" as "a", "b...c").
func (seg *segment) matchParam(j int, s string, pos int, vals []string, budget *int) bool {
	next := seg.lits[j+1]
	last := j == seg.nparams-1
	if pos >= len(s) {
		return false
	}
	if last && seg.suffixSafe {
		// Common case ("{name}.json"): the rest is a plain suffix.
		end := len(s) - len(next)
		if end <= pos || s[end:] != next {
			return false
		}
		if vals != nil {
			vals[j] = s[pos:end]
		}
		return true
	}
	for end := nextBoundary(s, pos); end <= len(s); end = nextBoundary(s, end) {
		*budget--
		if *budget < 0 {
			return false
		}
		after, ok := matchLitAt(next, s, end)
		if ok {
			if last {
				ok = after == len(s)
			} else {
				ok = seg.matchParam(j+1, s, after, vals, budget)
			}
			if ok {
				if vals != nil {
					vals[j] = s[pos:end]
				}
				return true
			}
		}
		if end >= len(s) {
			break
		}
	}
	return false
}
