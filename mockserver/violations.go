package mockserver

import (
	"errors"
	"fmt"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
)

// paramViolations turns kin-openapi's error for one parameter into violation entries, from
// its typed fields: never from Error(), which can dump whole schemas.
func paramViolations(p *openapi3.Parameter, err error) []Violation {
	loc := []string{p.In, p.Name}
	var re *openapi3filter.RequestError
	if errors.As(err, &re) && re.Err != nil {
		err = re.Err
	}
	switch {
	case errors.Is(err, openapi3filter.ErrInvalidRequired):
		return []Violation{{Location: loc, Code: "required", Message: fmt.Sprintf("%s parameter %q is required", p.In, p.Name)}}
	case errors.Is(err, openapi3filter.ErrInvalidEmptyValue):
		return []Violation{{Location: loc, Code: "empty", Message: fmt.Sprintf("%s parameter %q must not be empty", p.In, p.Name)}}
	}
	var pe *openapi3filter.ParseError
	var se *openapi3.SchemaError
	var me openapi3.MultiError
	if !errors.As(err, &pe) && !errors.As(err, &se) && !errors.As(err, &me) {
		// A content parameter whose value kin-openapi could not decode.
		return []Violation{{Location: loc, Code: "parse", Message: oneLineMsg(fmt.Sprintf("%s parameter %q cannot be parsed: %v", p.In, p.Name, err))}}
	}
	if pe != nil {
		l := append([]string{}, loc...)
		for _, seg := range pe.Path() {
			l = append(l, fmt.Sprint(seg))
		}
		if pe.Kind == openapi3filter.KindInvalidFormat {
			if t := scalarType(p.Schema); t != "" {
				// "seven" for an integer: the value's type is wrong (Prism's code too).
				return []Violation{{Location: l, Code: "type", Message: oneLineMsg(fmt.Sprintf("%s parameter %q: value %s must be %s", p.In, p.Name, quote(fmt.Sprint(pe.Value)), article(t)))}}
			}
		}
		msg := pe.Reason
		if msg == "" && pe.Cause != nil {
			msg = pe.Cause.Error()
		}
		if msg == "" {
			msg = "cannot be parsed"
		}
		return []Violation{{Location: l, Code: "parse", Message: oneLineMsg(fmt.Sprintf("%s parameter %q: %s", p.In, p.Name, msg))}}
	}
	return schemaViolations(loc, err)
}

// scalarType is the type of a parameter whose value is one integer, number or boolean; "" for
// anything else.
func scalarType(ref *openapi3.SchemaRef) string {
	if ref == nil || ref.Value == nil {
		return ""
	}
	for _, t := range []string{openapi3.TypeInteger, openapi3.TypeNumber, openapi3.TypeBoolean} {
		if ref.Value.Type.Is(t) {
			return t
		}
	}
	return ""
}

func article(t string) string {
	if t == openapi3.TypeInteger {
		return "an integer"
	}
	return "a " + t
}

// schemaViolations flattens a schema validation error into one entry per violation.
func schemaViolations(prefix []string, err error) []Violation {
	var out []Violation
	var walk func(error)
	walk = func(err error) {
		// A MultiError is a list of violations; but one inside a SchemaError (a oneOf/anyOf
		// failure's per-branch reasons) belongs to that SchemaError, which is reported alone.
		if me, ok := err.(openapi3.MultiError); ok {
			for _, e := range me {
				walk(e)
			}
			return
		}
		var se *openapi3.SchemaError
		if errors.As(err, &se) {
			if se.SchemaField == "allOf" && se.Origin != nil {
				// Every allOf branch must hold: each branch's violations are the client's.
				walk(se.Origin)
				return
			}
			loc := append(append([]string{}, prefix...), se.JSONPointer()...)
			code := se.SchemaField
			if code == "" {
				code = "schema"
			}
			msg := cleanReason(se.Reason)
			if msg == "" {
				msg = "value does not match the schema"
			}
			if code == "required" {
				// kin-openapi points at the object; point at the missing property.
				if name, ok := missingProperty(msg); ok && (len(loc) == 0 || loc[len(loc)-1] != name) {
					loc = append(loc, name)
				}
			}
			out = append(out, Violation{Location: loc, Code: code, Message: oneLineMsg(msg)})
			return
		}
		out = append(out, Violation{Location: append([]string{}, prefix...), Code: "invalid", Message: oneLineMsg(err.Error())})
	}
	walk(err)
	return dedupeViolations(out)
}

// cleanReason drops the "error at \"/a/b\": at '/b': " prefixes kin-openapi's JSON Schema
// 2020-12 validator puts before its reasons: the location is reported on its own.
func cleanReason(r string) string {
	for {
		switch {
		case strings.HasPrefix(r, "error at "):
			if i := strings.Index(r, ": "); i > 0 {
				r = r[i+2:]
				continue
			}
		case strings.HasPrefix(r, "at '"):
			if i := strings.Index(r, "': "); i > 0 {
				r = r[i+3:]
				continue
			}
		}
		return r
	}
}

// maxViolations bounds the violations reported for one request: past it, one entry says how
// many more there were. A body can break its schema a million times; the report stays small.
const maxViolations = 100

func capViolations(vs []Violation) []Violation {
	if len(vs) <= maxViolations {
		return vs
	}
	more := len(vs) - maxViolations
	return append(vs[:maxViolations:maxViolations], Violation{Location: []string{}, Code: "truncated",
		Message: fmt.Sprintf("%d more violations not listed", more)})
}

// missingProperty extracts x from kin-openapi's `property "x" is missing`.
func missingProperty(reason string) (string, bool) {
	const pre = `property "`
	i := strings.Index(reason, pre)
	if i < 0 {
		return "", false
	}
	rest := reason[i+len(pre):]
	j := strings.Index(rest, `"`)
	if j < 0 {
		return "", false
	}
	return rest[:j], true
}

func dedupeViolations(in []Violation) []Violation {
	seen := make(map[string]bool, len(in))
	out := in[:0]
	for _, v := range in {
		k := strings.Join(v.Location, "\x00") + "\x01" + v.Code + "\x01" + v.Message
		if !seen[k] {
			seen[k] = true
			out = append(out, v)
		}
	}
	return out
}

func oneLineMsg(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 240 {
		s = s[:237] + "..."
	}
	return s
}
