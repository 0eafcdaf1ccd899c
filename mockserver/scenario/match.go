package scenario

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"sort"
	"strconv"
	"strings"
)

// Request is what matching sees of a request.
type Request struct {
	// Operation, Method and Template describe the matched operation: its
	// operationId ("" when it has none), its method and its path template
	// ("/users/{id}").
	Operation, Method, Template string
	PathParams                  map[string]string
	Query                       url.Values
	Header                      http.Header
	Body                        any    // the decoded JSON-compatible body; nil when none
	Session                     string // the session whose progress counts
	Named                       string // the scenario named by Prefer: scenario=NAME; "" when none
}

// ParsePointer splits a JSON pointer (RFC 6901) into its unescaped reference
// tokens: "" is the whole document (no tokens), "/a~1b/~0c" is ["a/b", "~c"].
// A pointer must start with "/", and "~" must be followed by "0" or "1".
func ParsePointer(p string) ([]string, error) {
	if p == "" {
		return nil, nil
	}
	if p[0] != '/' {
		return nil, fmt.Errorf("JSON pointer %q does not start with /", p)
	}
	tokens := strings.Split(p[1:], "/")
	for i, t := range tokens {
		for j := 0; j < len(t); j++ {
			if t[j] == '~' && (j+1 == len(t) || t[j+1] != '0' && t[j+1] != '1') {
				return nil, fmt.Errorf("JSON pointer %q: ~ must be followed by 0 or 1", p)
			}
		}
		tokens[i] = pointerUnescape.Replace(t)
	}
	return tokens, nil
}

// pointerUnescape decodes ~1 then ~0 in one left-to-right pass, so that
// "~01" is "~1", as RFC 6901 requires.
var pointerUnescape = strings.NewReplacer("~1", "/", "~0", "~")

// resolve returns the value that tokens point to in doc.
func resolve(doc any, tokens []string) (any, bool) {
	v := doc
	for _, t := range tokens {
		switch x := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = x[t]; !ok {
				return nil, false
			}
		case []any:
			i, ok := arrayIndex(t)
			if !ok || i >= len(x) {
				return nil, false
			}
			v = x[i]
		default:
			return nil, false
		}
	}
	return v, true
}

// arrayIndex parses an RFC 6901 array index: "0" or digits without a
// leading zero ("-", past the end, never resolves).
func arrayIndex(t string) (int, bool) {
	if t == "" || len(t) > 1 && t[0] == '0' || len(t) > 18 {
		return 0, false
	}
	for i := 0; i < len(t); i++ {
		if t[i] < '0' || t[i] > '9' {
			return 0, false
		}
	}
	i, err := strconv.Atoi(t)
	return i, err == nil
}

// bodyCheck is one compiled Match.Body entry.
type bodyCheck struct {
	tokens []string
	want   any
}

// matcher is a Match compiled by Put.
type matcher struct {
	m                Match
	method, template string // from "METHOD /template"; "" when Operation has no space
	body             []bodyCheck
}

func compile(m Match) (*matcher, error) {
	c := &matcher{m: m}
	if method, template, ok := strings.Cut(strings.TrimSpace(m.Operation), " "); ok {
		c.method, c.template = method, strings.TrimSpace(template)
	}
	for _, k := range sortedKeys(m.Body) {
		tokens, err := ParsePointer(k)
		if err != nil {
			return nil, err
		}
		c.body = append(c.body, bodyCheck{tokens, m.Body[k]})
	}
	return c, nil
}

func (c *matcher) matches(r *Request) bool {
	if op := c.m.Operation; op != "" {
		byID := r.Operation != "" && r.Operation == op
		byPath := c.method != "" && strings.EqualFold(r.Method, c.method) && r.Template == c.template
		if !byID && !byPath {
			return false
		}
	}
	for name, want := range c.m.Params {
		if v, ok := r.PathParams[name]; ok {
			if v != want {
				return false
			}
		} else if !contains(r.Query[name], want) {
			return false
		}
	}
	for name, want := range c.m.Headers {
		if !contains(headerValues(r.Header, name), want) {
			return false
		}
	}
	if len(c.body) > 0 && r.Body == nil {
		return false
	}
	for _, b := range c.body {
		v, ok := resolve(r.Body, b.tokens)
		if !ok || !Equal(v, b.want) {
			return false
		}
	}
	return true
}

func contains(values []string, want string) bool {
	for _, v := range values {
		if v == want {
			return true
		}
	}
	return false
}

// headerValues returns the values of header name, whatever the case of the
// keys of h.
func headerValues(h http.Header, name string) []string {
	if v, ok := h[http.CanonicalHeaderKey(name)]; ok {
		return v
	}
	var out []string
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if strings.EqualFold(k, name) {
			out = append(out, h[k]...)
		}
	}
	return out
}

// Equal reports whether two JSON-compatible values are equal: numbers
// numerically, whatever their Go type (float64, int64, json.Number…), never
// equal to strings; objects and arrays deeply.
func Equal(a, b any) bool {
	na, aNum := number(a)
	nb, bNum := number(b)
	if aNum || bNum {
		return aNum && bNum && na == nb
	}
	switch a := a.(type) {
	case nil:
		return b == nil
	case string:
		s, ok := b.(string)
		return ok && a == s
	case bool:
		t, ok := b.(bool)
		return ok && a == t
	case map[string]any:
		m, ok := b.(map[string]any)
		if !ok || len(a) != len(m) {
			return false
		}
		for k, v := range a {
			w, ok := m[k]
			if !ok || !Equal(v, w) {
				return false
			}
		}
		return true
	case []any:
		s, ok := b.([]any)
		if !ok || len(a) != len(s) {
			return false
		}
		for i := range a {
			if !Equal(a[i], s[i]) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(a, b)
}

// number returns a canonical decimal form of a number ("-15e-1" for -1.5),
// so that numbers of any Go type compare by value. A float64 compares by
// its shortest decimal form (the one JSON encoding writes); a json.Number
// by its exact text.
func number(v any) (string, bool) {
	var s string
	switch n := v.(type) {
	case float64:
		s = strconv.FormatFloat(n, 'e', -1, 64)
	case float32:
		s = strconv.FormatFloat(float64(n), 'e', -1, 32)
	case json.Number:
		s = string(n)
	default:
		switch rv := reflect.ValueOf(v); rv.Kind() {
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			s = strconv.FormatInt(rv.Int(), 10)
		case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
			s = strconv.FormatUint(rv.Uint(), 10)
		default:
			return "", false
		}
	}
	c, err := canonical(s)
	if err != nil { // NaN, Inf or a malformed json.Number: equal only to itself
		return "?" + s, true
	}
	return c, true
}

// canonical rewrites a decimal literal (-?digits[.digits][e[+-]digits]) as
// sign, significant digits without leading or trailing zeros, "e", exponent.
// It is linear in the literal, whatever the exponent.
func canonical(s string) (string, error) {
	bad := errors.New("not a decimal number")
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	mant, exp, hasExp := strings.Cut(strings.ToLower(s), "e")
	ip, fp, _ := strings.Cut(mant, ".")
	digits := ip + fp
	if ip == "" || !allDigits(digits) {
		return "", bad
	}
	var e int64
	if hasExp {
		sign := int64(1)
		switch {
		case strings.HasPrefix(exp, "+"):
			exp = exp[1:]
		case strings.HasPrefix(exp, "-"):
			exp, sign = exp[1:], -1
		}
		if exp == "" {
			return "", bad
		}
		exp = strings.TrimLeft(exp, "0")
		if !allDigits(exp) || len(exp) > 15 {
			return "", bad
		}
		if exp != "" {
			v, err := strconv.ParseInt(exp, 10, 64)
			if err != nil {
				return "", bad
			}
			e = sign * v
		}
	}
	e -= int64(len(fp))
	digits = strings.TrimLeft(digits, "0")
	if digits == "" {
		return "0", nil // -0 is 0
	}
	trimmed := strings.TrimRight(digits, "0")
	e += int64(len(digits) - len(trimmed))
	if neg {
		trimmed = "-" + trimmed
	}
	return trimmed + "e" + strconv.FormatInt(e, 10), nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
