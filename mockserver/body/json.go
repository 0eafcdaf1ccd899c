package body

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// decodeJSON decodes one JSON value from data. Objects and arrays may nest at
// most maxDepth deep (maxDepth 0 admits scalars only). loc is the location
// of the value, starting with "body". White space only decodes to nil.
//
// Valid input takes the fast path: a byte scan enforces the depth limit
// before anything is built, then json.Decoder (UseNumber) builds the value
// and its numbers are converted. Invalid input is scanned again token by
// token (diagnoseJSON), building nothing, to name where it fails.
func decodeJSON(data []byte, maxDepth int, loc []string) (any, error) {
	data = trimBOM(data)
	if len(trimJSONSpace(data)) == 0 {
		return nil, nil
	}
	if jsonDepthExceeds(data, maxDepth) {
		return nil, diagnoseJSON(data, maxDepth, loc, nil)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, diagnoseJSON(data, maxDepth, loc, err)
	}
	if end := dec.InputOffset(); len(trimJSONSpace(data[end:])) > 0 {
		return nil, trailingError(data, end, loc)
	}
	return convertNumbers(v, loc)
}

// jsonDepthExceeds reports whether the brackets of data, outside strings,
// nest deeper than maxDepth. It is exact for valid JSON.
func jsonDepthExceeds(data []byte, maxDepth int) bool {
	depth, inString := 0, false
	for i := 0; i < len(data); i++ {
		c := data[i]
		if inString {
			switch c {
			case '\\':
				i++
			case '"':
				inString = false
			}
			continue
		}
		switch c {
		case '"':
			inString = true
		case '{', '[':
			depth++
			if depth > maxDepth {
				return true
			}
		case '}', ']':
			depth--
		}
	}
	return false
}

func trailingError(data []byte, end int64, loc []string) *Error {
	for end < int64(len(data)) && isJSONSpace(data[end]) {
		end++
	}
	return newError(CodeJSONSyntax, loc,
		fmt.Sprintf("unexpected data after the top-level JSON value at offset %d", end))
}

// jsonFrame is an open object or array during diagnoseJSON.
type jsonFrame struct {
	isObj   bool
	haveKey bool   // an object's key has been read, its value not yet
	key     string // that key
	n       int    // the number of elements read so far
}

// diagnoseJSON walks data token by token, building nothing, and returns the
// first failure with its path: a syntax error, nesting beyond maxDepth or
// data after the top-level value. If it finds none, it describes decodeErr.
func diagnoseJSON(data []byte, maxDepth int, loc []string, decodeErr error) *Error {
	dec := json.NewDecoder(bytes.NewReader(data))
	var stack []jsonFrame
	path := func() []string {
		p := append([]string(nil), loc...)
		for i := range stack {
			f := &stack[i]
			switch {
			case f.isObj && f.haveKey:
				p = append(p, f.key)
			case !f.isObj:
				p = append(p, strconv.Itoa(f.n))
			}
		}
		return p
	}
	for {
		tok, err := dec.Token()
		if err != nil {
			return jsonSyntaxError(err, path())
		}
		if d, ok := tok.(json.Delim); ok && (d == '{' || d == '[') {
			if len(stack) >= maxDepth {
				return newError(CodeNestingDepth, path(),
					fmt.Sprintf("JSON nesting exceeds the limit of %d levels", maxDepth))
			}
			stack = append(stack, jsonFrame{isObj: d == '{'})
			continue
		}
		if d, ok := tok.(json.Delim); ok && (d == '}' || d == ']') {
			stack = stack[:len(stack)-1]
		} else if s, ok := tok.(string); ok && len(stack) > 0 {
			if f := &stack[len(stack)-1]; f.isObj && !f.haveKey {
				f.key, f.haveKey = s, true
				continue
			}
		}
		// A value has been completed.
		if len(stack) == 0 {
			break
		}
		f := &stack[len(stack)-1]
		f.key, f.haveKey = "", false
		f.n++
	}
	if end := dec.InputOffset(); len(trimJSONSpace(data[end:])) > 0 {
		return trailingError(data, end, loc)
	}
	if decodeErr == nil {
		decodeErr = errors.New("invalid JSON")
	}
	if strings.Contains(decodeErr.Error(), "exceeded max depth") {
		// encoding/json's own limit of 10000 levels, below a larger MaxDepth.
		return newError(CodeNestingDepth, loc, "JSON nesting exceeds the limit of encoding/json")
	}
	return jsonSyntaxError(decodeErr, loc)
}

// convertNumbers replaces the json.Numbers in v (decoded with UseNumber) by
// int64 or float64, in place. A failure's location is built as the
// recursion unwinds, so that success costs no path bookkeeping.
func convertNumbers(v any, loc []string) (any, error) {
	c, err := convertValue(v)
	if err != nil {
		err.Location = append(append([]string(nil), loc...), reversed(err.Location)...)
		return nil, err
	}
	return c, nil
}

// convertValue is convertNumbers; the Location of its error holds the path
// from the failing value up, in reverse.
func convertValue(v any) (any, *Error) {
	switch t := v.(type) {
	case json.Number:
		n, ok := parseJSONNumber(string(t))
		if !ok {
			return nil, &Error{Code: CodeJSONNumber,
				Message: fmt.Sprintf("number %s is out of range", truncate(string(t), 40))}
		}
		return n, nil
	case map[string]any:
		for k, e := range t {
			switch e.(type) {
			case json.Number, map[string]any, []any:
				c, err := convertValue(e)
				if err != nil {
					err.Location = append(err.Location, k)
					return nil, err
				}
				t[k] = c
			}
		}
	case []any:
		for i, e := range t {
			switch e.(type) {
			case json.Number, map[string]any, []any:
				c, err := convertValue(e)
				if err != nil {
					err.Location = append(err.Location, strconv.Itoa(i))
					return nil, err
				}
				t[i] = c
			}
		}
	}
	return v, nil
}

func reversed(s []string) []string {
	out := make([]string, len(s))
	for i, x := range s {
		out[len(s)-1-i] = x
	}
	return out
}

func jsonSyntaxError(err error, loc []string) *Error {
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		return newError(CodeJSONSyntax, loc, fmt.Sprintf("invalid JSON at offset %d: %s", se.Offset, se.Error()))
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return newError(CodeJSONSyntax, loc, "unexpected end of JSON input")
	default:
		return newError(CodeJSONSyntax, loc, "invalid JSON: "+err.Error())
	}
}

// parseJSONNumber converts a JSON number literal: an integer literal that
// fits in int64 becomes int64, anything else float64. It fails for numbers
// outside float64's range.
func parseJSONNumber(s string) (any, bool) {
	if !strings.ContainsAny(s, ".eE") {
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			return i, true
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return nil, false
	}
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return nil, false
	}
	return f, true
}

// isJSONNumber reports whether s is a JSON number literal
// (-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?).
func isJSONNumber(s string) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && s[i] >= '1' && s[i] <= '9':
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	default:
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		if i >= len(s) || !isDigit(s[i]) {
			return false
		}
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if i >= len(s) || !isDigit(s[i]) {
			return false
		}
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	}
	return i == len(s)
}

func isJSONSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// trimJSONSpace drops JSON white space (space, tab, CR, LF; not the other
// characters bytes.TrimSpace drops) from both ends.
func trimJSONSpace(b []byte) []byte {
	for len(b) > 0 && isJSONSpace(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && isJSONSpace(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
