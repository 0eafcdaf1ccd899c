package body

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// leafKind tells how a leaf value is finalized.
type leafKind uint8

const (
	leafText  leafKind = iota // a form string, coerced by the schema
	leafFile                  // file content, kept as a string
	leafValue                 // an already decoded value (a JSON part)
)

// formNode is a field of a form under construction. A leaf holds one value;
// any other node holds keyed children (from a[k]) and items (plain values
// from a=v, and elements appended by a[]).
type formNode struct {
	names    []string       // keys in order of first appearance
	kids     []*formNode    // kids[i] is the child at names[i]
	index    map[string]int // names → position, once there are many
	items    []*formNode
	appended bool // some item was appended with []

	isLeaf bool
	kind   leafKind
	text   string
	value  any
}

// smallNode is the number of keys up to which a node finds a child by a
// linear search rather than through its index map.
const smallNode = 8

func (n *formNode) child(key string) *formNode {
	if n.index != nil {
		if i, ok := n.index[key]; ok {
			return n.kids[i]
		}
	} else {
		for i, name := range n.names {
			if name == key {
				return n.kids[i]
			}
		}
	}
	c := &formNode{}
	n.names = append(n.names, key)
	n.kids = append(n.kids, c)
	switch {
	case n.index != nil:
		n.index[key] = len(n.kids) - 1
	case len(n.names) > smallNode:
		n.index = make(map[string]int, 2*len(n.names))
		for i, name := range n.names {
			n.index[name] = i
		}
	}
	return c
}

// insert stores leaf at the path segs (segs[0] is the field name; "" means
// "append a new element").
func (n *formNode) insert(segs []string, leaf *formNode) {
	cur := n.child(segs[0])
	for i, seg := range segs[1:] {
		if seg != "" {
			cur = cur.child(seg)
			continue
		}
		cur.appended = true
		if i == len(segs)-2 { // a[] as the last segment: the element is the leaf
			cur.items = append(cur.items, leaf)
			return
		}
		next := &formNode{}
		cur.items = append(cur.items, next)
		cur = next
	}
	cur.items = append(cur.items, leaf)
}

// splitKey splits a form key in bracket syntax: "a[b][]" → ["a","b",""].
// A key that is not well-formed bracket syntax is one literal name.
func splitKey(key string) []string {
	i := strings.IndexByte(key, '[')
	if i <= 0 {
		return []string{key}
	}
	segs := []string{key[:i]}
	rest := key[i:]
	for rest != "" {
		if rest[0] != '[' {
			return []string{key}
		}
		j := strings.IndexByte(rest, ']')
		if j < 0 {
			return []string{key}
		}
		seg := rest[1:j]
		if strings.IndexByte(seg, '[') >= 0 {
			return []string{key}
		}
		segs = append(segs, seg)
		rest = rest[j+1:]
	}
	return segs
}

func depthError(segs []string, maxDepth int) *Error {
	loc := segs
	if len(loc) > maxDepth {
		loc = loc[:maxDepth]
	}
	return newError(CodeNestingDepth, loc,
		fmt.Sprintf("form key nesting exceeds the limit of %d levels", maxDepth))
}

// decodeForm decodes an application/x-www-form-urlencoded body.
func decodeForm(data []byte, schema *openapi3.Schema, maxDepth int) (any, error) {
	root := &formNode{}
	s := string(data)
	for s != "" {
		var pair string
		pair, s, _ = strings.Cut(s, "&")
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		key, err := url.QueryUnescape(k)
		if err != nil {
			return nil, newError(CodeFormSyntax, nil,
				fmt.Sprintf("invalid percent-encoding in field name %q", truncate(k, 64)))
		}
		segs := splitKey(key)
		if len(segs) > maxDepth {
			return nil, depthError(segs, maxDepth)
		}
		val, err := url.QueryUnescape(v)
		if err != nil {
			return nil, newError(CodeFormSyntax, segs,
				fmt.Sprintf("invalid percent-encoding in the value of %q", truncate(key, 64)))
		}
		root.insert(segs, &formNode{isLeaf: true, kind: leafText, text: val})
	}
	return finalizeRoot(root, schema)
}

// finalizeRoot builds the object of a form's fields.
func finalizeRoot(root *formNode, schema *openapi3.Schema) (map[string]any, error) {
	obj, err := finalizeObject(root, schema)
	if err != nil {
		// The location was collected from the failure up: reverse it.
		err.Location = append([]string{"body"}, reversed(err.Location)...)
		return nil, err
	}
	return obj, nil
}

// The finalize functions report failures as an *Error whose Location holds
// the path from the failing node up, in reverse: success costs no path
// bookkeeping.

// finalizeObject builds the object of n's keyed children.
func finalizeObject(n *formNode, schema *openapi3.Schema) (map[string]any, *Error) {
	obj := make(map[string]any, len(n.names))
	for i, k := range n.names {
		v, err := finalize(n.kids[i], propSchema(schema, k))
		if err != nil {
			err.Location = append(err.Location, k)
			return nil, err
		}
		obj[k] = v
	}
	return obj, nil
}

// finalizeArray builds an array of nodes, element i guided by items[i].
func finalizeArray(nodes []*formNode, schema *openapi3.Schema) ([]any, *Error) {
	arr := make([]any, len(nodes))
	for i, c := range nodes {
		v, err := finalize(c, itemSchema(schema, i))
		if err != nil {
			err.Location = append(err.Location, strconv.Itoa(i))
			return nil, err
		}
		arr[i] = v
	}
	return arr, nil
}

func finalize(n *formNode, schema *openapi3.Schema) (any, *Error) {
	if n.isLeaf {
		return finalizeLeaf(n, schema), nil
	}
	kind := schemaKind(schema)
	if len(n.names) > 0 {
		if kind != openapi3.TypeObject {
			if order, ok := indexOrder(n); ok {
				nodes := make([]*formNode, 0, len(order)+len(n.items))
				for _, i := range order {
					nodes = append(nodes, n.kids[i])
				}
				nodes = append(nodes, n.items...)
				return finalizeArray(nodes, schema)
			}
		}
		if len(n.items) > 0 {
			return nil, &Error{Code: CodeFormConflict,
				Message: "form field is given both as a value and as an object"}
		}
		return finalizeObject(n, schema)
	}
	// Only items.
	if n.appended || (kind == openapi3.TypeArray && len(n.items) > 1) {
		return finalizeArray(n.items, schema)
	}
	// Plain values: a single one (wrapped by finalizeLeaf if the schema
	// wants an array), or repeated ones where the last wins.
	return finalize(n.items[len(n.items)-1], schema)
}

func finalizeLeaf(n *formNode, schema *openapi3.Schema) any {
	switch n.kind {
	case leafValue:
		if _, isArray := n.value.([]any); !isArray && schemaKind(schema) == openapi3.TypeArray {
			return []any{n.value}
		}
		return n.value
	case leafFile:
		if schemaKind(schema) == openapi3.TypeArray {
			return []any{n.text}
		}
		return n.text
	default:
		if schemaKind(schema) == openapi3.TypeArray {
			return []any{coerce(n.text, itemSchema(schema, 0))}
		}
		return coerce(n.text, schema)
	}
}

// indexOrder returns the positions of n's children sorted by their keys
// when all keys are canonical decimal indices.
func indexOrder(n *formNode) ([]int, bool) {
	idx := make([]int, len(n.names))
	for i, k := range n.names {
		v, ok := isIndex(k)
		if !ok {
			return nil, false
		}
		idx[i] = v
	}
	order := make([]int, len(n.names))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return idx[a] - idx[b] })
	return order, true
}
