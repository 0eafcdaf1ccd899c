// Package jsonptr resolves RFC 6901 JSON pointers over decoded JSON and says when two JSON
// values are equal: the one meaning of "the value at a pointer equals X".
//
// Equality is JSON equality: both values must be of the same JSON type; numbers compare by
// value whatever their Go type (7, 7.0, int64(7) and json.Number("7.00") are equal), and a
// number never equals a string (7 is not "7"); objects compare key by key, whatever the
// order, and arrays element by element, in order; null equals only null.
package jsonptr

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// Pointer is a parsed RFC 6901 JSON pointer. The zero Pointer is "", the whole document.
type Pointer struct {
	text   string
	tokens []string // unescaped reference tokens
}

// Parse parses a JSON pointer: "" is the whole document, and "/a~1b/~0c" names the member
// "a/b", then "~c". A pointer must start with "/", and "~" must be followed by "0" or "1".
func Parse(s string) (Pointer, error) {
	if s == "" {
		return Pointer{}, nil
	}
	if s[0] != '/' {
		return Pointer{}, fmt.Errorf("JSON pointer %q does not start with /", s)
	}
	tokens := strings.Split(s[1:], "/")
	for i, t := range tokens {
		for j := 0; j < len(t); j++ {
			if t[j] == '~' && (j+1 == len(t) || t[j+1] != '0' && t[j+1] != '1') {
				return Pointer{}, fmt.Errorf("JSON pointer %q: ~ must be followed by 0 or 1", s)
			}
		}
		tokens[i] = unescape.Replace(t)
	}
	return Pointer{text: s, tokens: tokens}, nil
}

// unescape decodes ~1 then ~0 in one left-to-right pass, so that "~01" is "~1", as RFC 6901
// requires.
var unescape = strings.NewReplacer("~1", "/", "~0", "~")

// String is the pointer as written.
func (p Pointer) String() string { return p.text }

// Tokens returns a copy of the unescaped reference tokens (nil for the whole document).
func (p Pointer) Tokens() []string { return slices.Clone(p.tokens) }

// Get returns the value p points to in doc, a value as encoding/json decodes into an any
// (map[string]any, []any, string, float64 or json.Number, bool, nil). An array index is "0"
// or digits without a leading zero; "-" and an index past the end point to nothing.
func (p Pointer) Get(doc any) (any, bool) {
	v := doc
	for _, t := range p.tokens {
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

// Equals reports whether doc has a value at p and that value is Equal to want. A missing
// value equals nothing, not even null.
func (p Pointer) Equals(doc, want any) bool {
	v, ok := p.Get(doc)
	return ok && Equal(v, want)
}

// arrayIndex parses an RFC 6901 array index: "0" or digits without a leading zero.
func arrayIndex(t string) (int, bool) {
	if t == "" || len(t) > 1 && t[0] == '0' || len(t) > 18 || !allDigits(t) {
		return 0, false
	}
	i, err := strconv.Atoi(t)
	return i, err == nil
}

// Equal reports whether two JSON-compatible values are equal (see the package comment):
// numbers numerically, whatever their Go type (float64, int64, json.Number…), never equal to
// strings; objects and arrays deeply.
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

// number returns a canonical decimal form of a number ("-15e-1" for -1.5), so that numbers of
// any Go type compare by value. A float64 compares by its shortest decimal form (the one JSON
// encoding writes); a json.Number by its exact text.
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

// canonical rewrites a decimal literal (-?digits[.digits][e[+-]digits]) as sign, significant
// digits without leading or trailing zeros, "e", exponent. It is linear in the literal,
// whatever the exponent.
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
