package body

import (
	"net/url"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// DeepObject decodes the query parameter name written in deepObject style — bracket syntax
// as in forms: `created[gte]=1`, `expand[]=a&expand[]=b`, `items[0][price]=p`, or a plain
// `created=1` — from the raw query, guided by schema (which may be nil). present is false when
// the query does not carry the parameter at all. Failures are returned as *Error located at
// ["query", name, …].
func DeepObject(rawQuery, name string, schema *openapi3.Schema, lim Limits) (v any, present bool, err error) {
	root := &formNode{}
	maxDepth := lim.maxDepth()
	for s := rawQuery; s != ""; {
		var pair string
		pair, s, _ = strings.Cut(s, "&")
		k, val, _ := strings.Cut(pair, "=")
		if !strings.HasPrefix(k, name) {
			continue // cheap test first: most pairs belong to other parameters
		}
		key, err := url.QueryUnescape(k)
		if err != nil {
			continue // another parameter's problem, or nobody's
		}
		segs := splitKey(key)
		if segs[0] != name {
			continue
		}
		if len(segs) > maxDepth {
			return nil, true, queryError(depthError(segs, maxDepth), name)
		}
		text, err := url.QueryUnescape(val)
		if err != nil {
			return nil, true, queryError(newError(CodeFormSyntax, segs[1:], "invalid percent-encoding in the value of "+truncate(key, 64)), name)
		}
		root.insert(segs, &formNode{isLeaf: true, kind: leafText, text: text})
	}
	if len(root.kids) == 0 {
		return nil, false, nil
	}
	v, e := finalize(root.kids[0], schema)
	if e != nil {
		// finalize collects the location from the failure up.
		e.Location = reversed(e.Location)
		return nil, true, queryError(e, name)
	}
	return v, true, nil
}

// queryError relocates a body error to the query parameter name.
func queryError(e *Error, name string) *Error {
	loc := e.Location
	if len(loc) > 0 && loc[0] == "body" {
		loc = loc[1:]
	}
	if len(loc) > 0 && loc[0] == name {
		loc = loc[1:]
	}
	e.Location = append([]string{"query", name}, loc...)
	return e
}
