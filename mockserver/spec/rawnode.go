package spec

import (
	"gopkg.in/yaml.v3"
)

// rawNode is one value of the raw description: JSON text, read once and lazily (a value is
// skipped unless walked), or a YAML node.
type rawNode struct {
	y  *yaml.Node
	js []byte
	// at is where the JSON value starts; end is just past it once read (-1 before, -2 when
	// the text is malformed).
	at, end int
}

// each calls f with each member of an object, in order; nothing for other values. f may walk
// the member's value (each, items, keys, strings, text), once, and must not keep v: it is
// reused for the next member.
func (n *rawNode) each(f func(key string, v *rawNode)) {
	if n.y != nil {
		m := deref(n.y)
		if m == nil || m.Kind != yaml.MappingNode {
			return
		}
		pairs := m.Content
		if hasMergeKey(m) {
			var err error
			if pairs, err = mergedPairs(m, 0); err != nil {
				return
			}
		}
		v := &rawNode{}
		for i := 0; i+1 < len(pairs); i += 2 {
			if k := pairs[i]; k.Kind == yaml.ScalarNode {
				*v = rawNode{y: pairs[i+1]}
				f(k.Value, v)
			}
		}
		return
	}
	data := n.js
	i := skipJSONSpace(data, n.at)
	if i >= len(data) || data[i] != '{' {
		n.skip()
		return
	}
	i = skipJSONSpace(data, i+1)
	if i < len(data) && data[i] == '}' {
		n.end = i + 1
		return
	}
	n.end = -2      // until the object is read to its end
	v := &rawNode{} // one for every member: f does not keep it
	for i < len(data) && data[i] == '"' {
		kend := stringEnd(data, i)
		if kend < 0 {
			return
		}
		key, err := unquoteKey(data[i:kend])
		if err != nil {
			return
		}
		i = skipJSONSpace(data, kend)
		if i >= len(data) || data[i] != ':' {
			return
		}
		*v = rawNode{js: data, at: skipJSONSpace(data, i+1), end: -1}
		f(key, v)
		var more bool
		if i, more = n.next(v, '}'); !more {
			return
		}
	}
}

// next moves past v, a member or element of n that f has seen (and perhaps read): it returns
// where the next one starts and true after a comma; at the closing byte it ends n, and on
// anything else n stays unfinished.
func (n *rawNode) next(v *rawNode, closing byte) (int, bool) {
	if v.end == -1 {
		v.skip()
	}
	if v.end < 0 {
		return 0, false
	}
	data := n.js
	i := skipJSONSpace(data, v.end)
	if i < len(data) && data[i] == ',' {
		return skipJSONSpace(data, i+1), true
	}
	if i < len(data) && data[i] == closing {
		n.end = i + 1
	}
	return 0, false
}

// items calls f with each element of an array, as each does with members.
func (n *rawNode) items(f func(v *rawNode)) {
	if n.y != nil {
		if s := deref(n.y); s != nil && s.Kind == yaml.SequenceNode {
			v := &rawNode{}
			for _, c := range s.Content {
				*v = rawNode{y: c}
				f(v)
			}
		}
		return
	}
	data := n.js
	i := skipJSONSpace(data, n.at)
	if i >= len(data) || data[i] != '[' {
		n.skip()
		return
	}
	i = skipJSONSpace(data, i+1)
	if i < len(data) && data[i] == ']' {
		n.end = i + 1
		return
	}
	n.end = -2
	v := &rawNode{}
	for i < len(data) {
		*v = rawNode{js: data, at: i, end: -1}
		f(v)
		var more bool
		if i, more = n.next(v, ']'); !more {
			return
		}
	}
}

// keys lists an object's keys, in order.
func (n *rawNode) keys() []string {
	var out []string
	n.each(func(k string, _ *rawNode) { out = append(out, k) })
	return out
}

// strings lists the strings of an array.
func (n *rawNode) strings() []string {
	var out []string
	n.items(func(v *rawNode) {
		if s := v.text(); s != "" {
			out = append(out, s)
		}
	})
	return out
}

// literal is a JSON literal or YAML plain scalar as written ("false", "12"); "" for strings,
// objects and arrays.
func (n *rawNode) literal() string {
	if n.y != nil {
		if s := deref(n.y); s != nil && s.Kind == yaml.ScalarNode && s.Style == 0 {
			return s.Value
		}
		return ""
	}
	n.skip()
	if n.end < 0 {
		return ""
	}
	switch n.js[n.at] {
	case '"', '{', '[':
		return ""
	}
	return string(n.js[n.at:n.end])
}

// text is a string value ("" for anything else).
func (n *rawNode) text() string {
	if n.y != nil {
		if s := deref(n.y); s != nil && s.Kind == yaml.ScalarNode {
			return s.Value
		}
		return ""
	}
	n.skip()
	if n.end < 0 || n.js[n.at] != '"' {
		return ""
	}
	s, err := unquoteKey(n.js[n.at:n.end])
	if err != nil {
		return ""
	}
	return s
}

// skip finds the end of a JSON value that was not walked.
func (n *rawNode) skip() {
	if n.end >= 0 {
		return
	}
	if e := valueEnd(n.js, n.at); e > n.at {
		n.end = e
	} else {
		n.end = -2
	}
}
