package mockserver

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/mockserver/mockserver/mockserver/resource"
)

// Generated error bodies read right: where an error response's schema has message-like string
// fields, they say what the status means (and, for an invalid request, what was wrong) instead
// of a random sentence blind to the status ("Too many requests" in a 404).

// textRoles maps a message-like property name (lower case, without '_' and '-') to what it
// says: the status's name ("title") or a sentence about the request ("message", "detail").
var textRoles = map[string]string{
	"title":            "title",
	"message":          "message",
	"msg":              "message",
	"error":            "message",
	"errormessage":     "message",
	"reason":           "message",
	"detail":           "detail",
	"details":          "detail",
	"errordescription": "detail",
	"errordetail":      "detail",
}

// fieldName is k lower-cased without '_' and '-' (error_description → errordescription), the
// form textRoles is keyed by.
func fieldName(k string) string {
	var b [32]byte
	n := 0
	for i := 0; i < len(k); i++ {
		c := k[i]
		switch {
		case c == '_' || c == '-':
			continue
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		}
		if n == len(b) {
			return "" // longer than any name textRoles knows
		}
		b[n] = c
		n++
	}
	return string(b[:n])
}

// statusFields are the names (as fieldName writes them) of integer fields that hold the HTTP
// status in error bodies (problem+json's status, Feathers' and the petstore's code).
var statusFields = map[string]bool{"status": true, "code": true, "statuscode": true, "httpstatus": true}

// maxErrorTextDepth bounds how deep fields are looked for: Stripe's {error: {message}} is 1,
// {errors: [{message}]} 2.
const maxErrorTextDepth = 3

// errorTexts is what message-like fields of an error body say.
type errorTexts struct {
	title, message, detail string
	status                 int
}

func newErrorTexts(status int, violations []Violation) errorTexts {
	t := errorTexts{title: http.StatusText(status), status: status}
	if t.title == "" {
		t.title = fmt.Sprintf("Error %d", status)
	}
	t.message, t.detail = t.title, t.title
	if len(violations) > 0 {
		parts := make([]string, 0, min(len(violations), 5))
		for i, v := range violations {
			if i == 5 {
				parts = append(parts, fmt.Sprintf("and %d more", len(violations)-5))
				break
			}
			parts = append(parts, violationText(v))
		}
		t.detail = strings.Join(parts, "; ")
		t.message = t.title + ": " + t.detail
	}
	return t
}

// violationText is one violation as a person reads it: "body.username: does not match …".
func violationText(v Violation) string {
	if len(v.Location) == 0 || len(v.Location) == 2 && strings.Contains(v.Message, strconv.Quote(v.Location[1])) {
		return v.Message // it names its parameter already: `query parameter "limit" is required`
	}
	return strings.Join(v.Location, ".") + ": " + v.Message
}

// errorBody is v, the value generated for an error response of schema, with its message-like
// fields telling the status and violations; v itself when the result would break the schema.
func (s *Server) errorBody(schema *openapi3.SchemaRef, v any, texts errorTexts) any {
	out, changed := s.withErrorTexts(schema, v, texts, 0)
	if !changed {
		return v
	}
	if !s.answerFits(schema, out) {
		return v
	}
	return out
}

// withErrorTexts returns v with the message-like string fields of schema's object filled in
// from texts, and integer status fields (statusFields) set to the status; changed is false when nothing
// was. v itself is never changed (it may be the description's own example): the parts that
// change are copied. A field keeps its generated value when the text would break its schema.
func (s *Server) withErrorTexts(schema *openapi3.SchemaRef, v any, texts errorTexts, depth int) (out any, changed bool) {
	if schema == nil || schema.Value == nil || depth > maxErrorTextDepth {
		return v, false
	}
	switch t := v.(type) {
	case map[string]any:
		var m map[string]any
		for k, fv := range t {
			ps := resource.PropertySchema(schema.Value, k)
			if ps == nil || ps.Value == nil {
				continue
			}
			nv, ok := s.fieldText(k, ps, fv, texts, depth)
			if !ok {
				continue
			}
			if m == nil {
				m = make(map[string]any, len(t))
				for k2, v2 := range t {
					m[k2] = v2
				}
			}
			m[k] = nv
		}
		if m == nil {
			return v, false
		}
		return m, true
	case []any:
		var a []any
		for i, e := range t {
			ne, ok := s.withErrorTexts(schema.Value.Items, e, texts, depth+1)
			if ok && a == nil {
				a = append(make([]any, 0, len(t)), t[:i]...)
			}
			if a != nil {
				a = append(a, ne)
			}
		}
		if a == nil {
			return v, false
		}
		return a, true
	}
	return v, false
}

// fieldText is the new value of field k (schema ps, generated value fv); ok is false to keep fv.
func (s *Server) fieldText(k string, ps *openapi3.SchemaRef, fv any, texts errorTexts, depth int) (any, bool) {
	switch fv.(type) {
	case map[string]any, []any:
		// Only an error's own parts are looked into ({error: {message}}, {errors: [{message}]}),
		// never the resources an error body may carry (Stripe's error.payment_intent).
		if lk := strings.ToLower(k); lk != "error" && lk != "errors" {
			return nil, false
		}
		return s.withErrorTexts(ps, fv, texts, depth+1)
	case string:
		var text string
		switch textRoles[fieldName(k)] {
		case "":
			return nil, false
		case "title":
			text = texts.title
		case "message":
			text = texts.message
		default:
			text = texts.detail
		}
		for _, t := range []string{text, texts.title} {
			if s.answerFits(ps, t) {
				return t, true
			}
		}
	case float64, int64, int:
		if statusFields[fieldName(k)] && s.answerFits(ps, int64(texts.status)) {
			return int64(texts.status), true
		}
	}
	return nil, false
}
