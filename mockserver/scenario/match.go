package scenario

import (
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/mockserver/mockserver/mockserver/jsonptr"
	"github.com/mockserver/mockserver/mockserver/opsel"
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
// It is jsonptr.Parse, for callers that want the tokens.
func ParsePointer(p string) ([]string, error) {
	ptr, err := jsonptr.Parse(p)
	return ptr.Tokens(), err
}

// bodyCheck is one compiled Match.Body entry.
type bodyCheck struct {
	ptr  jsonptr.Pointer
	want any
}

// matcher is a Match compiled by Put.
type matcher struct {
	m    Match
	op   opsel.Selector // used when m.Operation is not ""
	body []bodyCheck
}

func compile(m Match) (*matcher, error) {
	c := &matcher{m: m}
	if m.Operation != "" {
		sel, err := opsel.Parse(m.Operation)
		if err != nil {
			return nil, fmt.Errorf("operation: %w", err)
		}
		c.op = sel
	}
	for _, k := range sortedKeys(m.Body) {
		ptr, err := jsonptr.Parse(k)
		if err != nil {
			return nil, err
		}
		c.body = append(c.body, bodyCheck{ptr, m.Body[k]})
	}
	return c, nil
}

func (c *matcher) matches(r *Request) bool {
	if c.m.Operation != "" && !c.op.Matches(r.Operation, r.Method, r.Template) {
		return false
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
		if !b.ptr.Equals(r.Body, b.want) {
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
