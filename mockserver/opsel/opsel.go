// Package opsel parses operation selectors: operationId or METHOD /template, case-insensitive.
//
// A selector names the operations that fixtures, scenarios, rate limits and verify apply to.
// It is written one of three ways:
//
//   - an operationId, compared case-insensitively ("getThing" selects getThing and GetThing);
//   - "METHOD /template": the method case-insensitively, the path template exactly as the
//     description writes it, parameter names included ("get /things/{id}" selects
//     GET /things/{id}, not /things/{thingId} nor /things/7); the template is the
//     description's, without any mount prefix;
//   - "*": every operation.
//
// Spaces around the selector, and between the method and the template, do not count. An
// operation without an operationId is selected by its method and template.
package opsel

import (
	"errors"
	"strings"
)

// Form describes the valid selectors, for error messages.
const Form = `an operationId or "METHOD /template" (such as "GET /things/{id}")`

// Selector is a parsed selector. The zero Selector selects nothing.
type Selector struct {
	all      bool
	id       string // the operationId form; "" otherwise
	method   string // upper case; "" unless the METHOD /template form
	template string
}

// Parse parses a selector. Text with a space whose second part starts with "/" is the
// METHOD /template form; other text is an operationId. Only empty text is an error.
func Parse(s string) (Selector, error) {
	t := strings.TrimSpace(s)
	switch {
	case t == "":
		return Selector{}, errors.New("empty operation selector: want " + Form + ` or "*"`)
	case t == "*":
		return Selector{all: true}, nil
	}
	if i := strings.IndexAny(t, " \t"); i > 0 {
		if tmpl := strings.TrimSpace(t[i:]); strings.HasPrefix(tmpl, "/") {
			return Selector{method: strings.ToUpper(t[:i]), template: tmpl}, nil
		}
	}
	return Selector{id: t}, nil
}

// All reports whether the selector is "*".
func (s Selector) All() bool { return s.all }

// Matches reports whether the selector names the operation with this operationId ("" when
// it has none), method and path template.
func (s Selector) Matches(operationID, method, template string) bool {
	switch {
	case s.all:
		return true
	case s.method != "":
		return strings.EqualFold(s.method, method) && s.template == template
	default:
		return s.id != "" && strings.EqualFold(s.id, operationID)
	}
}

// String is the selector in its normal form: "*", the operationId as written, or the
// upper-case method, one space and the template.
func (s Selector) String() string {
	switch {
	case s.all:
		return "*"
	case s.method != "":
		return s.method + " " + s.template
	}
	return s.id
}
