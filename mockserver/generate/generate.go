// Package generate turns OpenAPI schemas (kin-openapi) into realistic,
// deterministic, JSON-compatible Go values for a mock server.
//
// Values are map[string]any, []any, string, float64, int64, bool or nil and
// are built to validate against the schema they were generated from:
// composition (allOf/oneOf/anyOf/not), discriminators, string formats and
// patterns, numeric bounds and multipleOf, array and object constraints are
// honoured, and every choice that can go wrong (a oneOf branch, a pattern, a
// property-name heuristic) is checked before it is used.
//
// Determinism: every field draws its randomness from a generator seeded with
// a hash of the caller's seed and the JSON pointer of the field, so the same
// (schema, seed, direction) always yields byte-identical JSON and one field's
// value does not shift when a sibling changes (which optional properties a
// large value keeps can: see Size). Timestamps fall in a fixed window
// ending 2025-01-01T00:00:00Z; the clock is never read. Caches and the
// order of calls never change a value.
//
// How a value is built: a schema and its allOf members (recursively) form a
// conjunction of "parts" that the value must satisfy together; what can be
// derived from a conjunction alone (merged properties, the type to build,
// string and number constraints, size estimates) is computed once and
// cached on the Generator. oneOf/anyOf groups are resolved one at a time
// by trying branches (discriminator mapping first; cheap branches first
// when deep; a oneOf branch whose typical value also matches another
// branch last). A candidate built without a hitch satisfies the chosen
// branches by construction, so only oneOf exclusivity is checked (with a
// small built-in validator, against the other branches); a candidate built
// with a fallback, or under keywords construction does not guarantee
// (not, if/then/else, contains, dependentRequired...), is checked against
// the whole original schema. A oneOf candidate that also matches another
// branch is retried or given a property the other branch rejects. Leaves
// are proposed by, in order: const, the schema's own example/examples
// (when kin-openapi's VisitJSON accepts them), enum, default,
// property-name heuristics, the format, the pattern, and a plain word
// fitted to the length bounds; each proposal is checked before it is used.
//
// Size: objects include every property (optional ones too) until
// Options.MaxDepth, within a budget of Options.MaxNodes JSON values that
// each object shares among its properties in proportion to their
// estimated size. When they do not fit, optional objects and arrays are
// left out, required nullable ones become null, and arrays keep one item
// (none when even that is far too big). Past MaxDepth, or when an
// optional property would re-enter a schema already expanded twice on the
// current path (or once, from another schema: a payment's error's
// payment), only required properties are kept and arrays shrink to
// minItems. Required recursion ends at Options.HardDepth with null when
// allowed, else an empty value.
package generate

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"sync"
	"unsafe"

	"github.com/brianvoe/gofakeit/v7"
	"github.com/getkin/kin-openapi/openapi3"
)

// Direction says which side of an exchange a value is generated for.
type Direction int

const (
	// Response omits writeOnly properties.
	Response Direction = iota
	// Request omits readOnly properties.
	Request
)

// Options configures a Generator.
type Options struct {
	// MaxDepth bounds recursion: past this many nested objects/arrays
	// optional properties are dropped and arrays shrink to minItems.
	// 0 means DefaultMaxDepth.
	MaxDepth int
	// HardDepth is the depth at which even required recursion is cut
	// (a nullable value becomes null, otherwise a minimal value is used).
	// 0 means MaxDepth+10.
	HardDepth int
	// OpenAPIVersion is the version of the description the schemas come
	// from (doc.OpenAPI, e.g. "3.0.3" or "3.1.0"; "2.0" for converted
	// Swagger). It selects the validation semantics values must satisfy:
	// 3.0 (kin-openapi's validator: discriminators select the oneOf
	// branch, nullable allows null) or 3.1 (JSON Schema 2020-12: oneOf
	// exclusivity regardless of discriminators, nullable is ignored).
	// Empty means values must satisfy both, which is always safe but can
	// add a disambiguating property to discriminated oneOf values.
	OpenAPIVersion string
	// MaxNodes bounds the size of a value: the number of JSON values
	// (objects, arrays and scalars) it is built to have. An object
	// spends one node per scalar property and shares the rest among its
	// object and array properties in proportion to their estimated size;
	// one whose share is below its minimal size is left out when
	// optional, or null when required and nullable. Arrays keep one item
	// when two do not fit (none when even one is far too big). Required
	// properties are always present, so a value can exceed the bound.
	// 0 means DefaultMaxNodes.
	MaxNodes int
}

// DefaultMaxNodes is the MaxNodes used when Options.MaxNodes is 0.
const DefaultMaxNodes = 1000

// semantics of the validator values are checked against.
const (
	semBoth = iota
	sem30
	sem31
)

// DefaultMaxDepth is the MaxDepth used when Options.MaxDepth is 0.
const DefaultMaxDepth = 6

// Generator produces values for schemas. It is safe for concurrent use; its
// only state is caches (compiled patterns, example validity, merged object
// properties, name classifications) keyed by pattern, property name or
// *openapi3.Schema. Use one Generator per loaded description: the caches
// hold on to the schemas they saw.
type Generator struct {
	maxDepth  int
	hardDepth int
	maxNodes  int
	sem       int

	regexps  sync.Map // pattern string -> *compiledPattern
	examples sync.Map // exampleKey -> bool
	kinds    sync.Map // nameKey -> kind (property-name classification)
	descs    sync.Map // *openapi3.Schema -> kind (description hint)
	contexts sync.Map // ctxKey -> context bits
	prefixes sync.Map // property name -> id prefix
	infos    infoCache
	doms     sync.Map  // domKey -> *domEntry
	pool     sync.Pool // *gctx, reused between Value calls
}

// New returns a Generator.
func New(opts Options) *Generator {
	g := &Generator{maxDepth: opts.MaxDepth, hardDepth: opts.HardDepth, maxNodes: opts.MaxNodes}
	if g.maxNodes <= 0 {
		g.maxNodes = DefaultMaxNodes
	}
	if g.maxNodes > 1<<30 {
		g.maxNodes = 1 << 30
	}
	if g.maxDepth <= 0 {
		g.maxDepth = DefaultMaxDepth
	}
	if g.hardDepth <= g.maxDepth {
		g.hardDepth = g.maxDepth + 10
	}
	v := strings.TrimSpace(opts.OpenAPIVersion)
	switch {
	case strings.HasPrefix(v, "3.0"), strings.HasPrefix(v, "2"):
		g.sem = sem30
	case v != "":
		g.sem = sem31
	}
	return g
}

// Seed derives a uint64 seed from strings with 64-bit FNV-1a. It is stable
// across processes and platforms. Parts are separated so that ("ab","c") and
// ("a","bc") differ.
func Seed(parts ...string) uint64 {
	h := uint64(fnvOffset)
	for i, p := range parts {
		if i > 0 {
			h ^= 0xff
			h *= fnvPrime
		}
		h = fnvString(h, p)
	}
	return h
}

const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
	// zeroSeed replaces a zero seed: gofakeit.New(0) would mean "random".
	zeroSeed = 0x5eed5eed5eed5eed
)

func fnvString(h uint64, s string) uint64 {
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= fnvPrime
	}
	return h
}

func fnvUint(h uint64, v uint64) uint64 {
	for i := 0; i < 8; i++ {
		h ^= v & 0xff
		h *= fnvPrime
		v >>= 8
	}
	return h
}

// mix is a SplitMix64 finaliser, used to decorrelate derived seeds.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// Value returns a value that validates against s. The same (s, seed, dir)
// always gives byte-identical JSON.
func (g *Generator) Value(s *openapi3.SchemaRef, seed uint64, dir Direction) any {
	if s == nil || s.Value == nil {
		return nil
	}
	if seed == 0 {
		seed = zeroSeed
	}
	c, _ := g.pool.Get().(*gctx)
	if c == nil {
		c = g.newCtx(dir)
	}
	c.setDir(dir)
	root := c.alloc()
	*root = node{h: fnvUint(fnvOffset, seed), index: -1, budget: int32(g.maxNodes)}
	refs := [1]*openapi3.SchemaRef{s}
	v := c.gen(refs[:], root)
	// Reset and reuse (not after a panic: the stacks may be unbalanced).
	c.release()
	c.work, c.unsure, c.verifying = 0, 0, 0
	clear(c.verified)
	g.pool.Put(c)
	return v
}

// newCtx returns a fresh generation context.
func (g *Generator) newCtx(dir Direction) *gctx {
	c := &gctx{g: g}
	c.fake = gofakeit.NewFaker(&c.pcg, false)
	c.setDir(dir)
	return c
}

func (c *gctx) setDir(dir Direction) {
	c.dir = dir
	c.strict = matcher{g: c.g, dir: dir, strict: true, memo: &c.verified, visited: c.strict.visited[:0]}
	c.loose = matcher{g: c.g, dir: dir, strict: false, visited: c.loose.visited[:0]}
}

// SafeValue is Value with any panic (a malformed schema, a bug) recovered
// into an error, so one bad schema cannot take a mock server down.
func (g *Generator) SafeValue(s *openapi3.SchemaRef, seed uint64, dir Direction) (v any, err error) {
	defer func() {
		if r := recover(); r != nil {
			v, err = nil, fmt.Errorf("generate: %v", r)
		}
	}()
	return g.Value(s, seed, dir), nil
}

// gctx is the state of one Value call. It is not shared between goroutines.
type gctx struct {
	g    *Generator
	dir  Direction
	pcg  rand.PCG
	fake *gofakeit.Faker

	strict matcher
	loose  matcher
	// probing: generating a probe value for dominated (which must not
	// consult dominated itself).
	probing bool
	// unsure counts values built that may not satisfy their schema (a
	// fallback, a contradiction, a failed search); verifying is the number
	// of enclosing candidates that will be checked. A value built with
	// unsure unchanged while verifying is recorded as valid (see
	// searchIn), so the check does not descend into it.
	unsure    int
	verifying int

	// stack holds the schemas of the objects/arrays being generated, for
	// recursion detection; onStackN counts them by stackSlot, so that the
	// common answer (not on the stack) needs no scan.
	stack    []*openapi3.Schema
	onStackN [256]uint16
	// work counts candidate values built (see workLimit).
	work int
	// sels is scratch space for genObject.
	sels []sel
	// nodes is the stack of nodes (see alloc); ntop its height.
	nodes []*[nodeChunk]node
	ntop  int
	// verified remembers (schema, container) pairs already checked, so a
	// subtree is not re-verified by every enclosing oneOf/anyOf.
	verified map[memoKey]any
}

type memoKey struct {
	s *openapi3.Schema
	p unsafe.Pointer
	n int
}

// containerKey identifies a map or non-empty slice value by identity.
func containerKey(v any) (unsafe.Pointer, int, bool) {
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 0 {
			return nil, 0, false
		}
		return reflect.ValueOf(x).UnsafePointer(), len(x), true
	case []any:
		if len(x) == 0 {
			return nil, 0, false
		}
		return unsafe.Pointer(&x[0]), len(x), true
	}
	return nil, 0, false
}

// node describes the position of the value being generated.
type node struct {
	h      uint64 // hash of seed and JSON pointer
	depth  int    // number of enclosing objects/arrays
	name   string // property name (for array items: the array's name)
	parent string // enclosing property name
	ref    string // $ref the schema came through, if any
	pref   string // $ref of the nearest enclosing object that has one
	index  int    // array index, -1 otherwise

	noExample bool // do not use example/default (variation)
	plain     bool // do not use name heuristics (variation)
	reqOnly   bool // only required properties (variation)
	variant   uint64
	budget    int32 // nodes the value may have (see Options.MaxNodes)
	idHint    bool  // a string standing for an object (an id)
	kindOK    bool  // kind is set
	kind      kind  // classify(name, parent), when kindOK
	avoid     []any // values already used (unique arrays)

	forced map[string]any // property values forced by a discriminator
}

// child sets dst to the node of property key.
func (n *node) child(dst *node, key string) {
	h := fnvString(n.h^0x2f, key)
	*dst = node{h: h, depth: n.depth + 1, name: key, parent: n.name, pref: n.named(), index: -1, noExample: n.noExample, plain: n.plain, variant: n.variant}
}

// item sets dst to the node of array item i.
func (n *node) item(dst *node, i int) {
	h := fnvUint(n.h^0x5b, uint64(i))
	*dst = node{h: h, depth: n.depth + 1, name: n.name, parent: n.parent, pref: n.named(), index: i, noExample: n.noExample || i > 0, plain: n.plain, variant: n.variant, kind: n.kind, kindOK: n.kindOK}
}

// named is the $ref of the nearest enclosing value that came through one
// (this node's, else its enclosing object's).
func (n *node) named() string {
	if n.ref != "" {
		return n.ref
	}
	return n.pref
}

// nodeChunk is the number of nodes allocated at once by alloc.
const nodeChunk = 64

// alloc returns a node for a child or variation of the current one. Nodes
// live on a stack (release frees the last one) whose chunks never move, so
// the pointers stay valid and no node is allocated per value.
func (c *gctx) alloc() *node {
	ci, i := c.ntop/nodeChunk, c.ntop%nodeChunk
	if ci == len(c.nodes) {
		c.nodes = append(c.nodes, new([nodeChunk]node))
	}
	c.ntop++
	return &c.nodes[ci][i]
}

// release frees the node alloc returned last.
func (c *gctx) release() {
	c.ntop--
	n := &c.nodes[c.ntop/nodeChunk][c.ntop%nodeChunk]
	n.avoid, n.forced = nil, nil
}

// reseed seeds the faker for one purpose at node n.
func (c *gctx) reseed(n *node, salt uint64) *gofakeit.Faker {
	s := mix(n.h ^ mix(salt+n.variant*0x9e3779b97f4a7c15))
	if s == 0 {
		s = zeroSeed
	}
	c.pcg.Seed(s, s^0xda3e39cb94b95bdb)
	return c.fake
}

const (
	saltString = iota + 1
	saltNumber
	saltBool
	saltArray
	saltObject
	saltEnum
	saltChoice
	saltRegex
	saltKey
)

func stackSlot(s *openapi3.Schema) uint8 {
	p := uintptr(unsafe.Pointer(s))
	return uint8((p >> 4) ^ (p >> 12) ^ (p >> 20))
}

func (c *gctx) push(parts []*openapi3.Schema) {
	for _, p := range parts {
		c.stack = append(c.stack, p)
		c.onStackN[stackSlot(p)]++
	}
}

func (c *gctx) pop(k int) {
	for _, p := range c.stack[len(c.stack)-k:] {
		c.onStackN[stackSlot(p)]--
	}
	c.stack = c.stack[:len(c.stack)-k]
}

// onStack counts the occurrences of s on the stack.
func (c *gctx) onStack(s *openapi3.Schema) int {
	if c.onStackN[stackSlot(s)] == 0 {
		return 0
	}
	k := 0
	for _, x := range c.stack {
		if x == s {
			k++
		}
	}
	return k
}
