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
// value does not shift when a sibling changes. Timestamps fall in a fixed
// window ending 2025-01-01T00:00:00Z; the clock is never read.
//
// How a value is built: a schema and its allOf members (recursively) form a
// conjunction of "parts" that the value must satisfy together. oneOf/anyOf
// groups are resolved one at a time by trying branches (discriminator mapping
// first, cheap branches first when deep) and checking each candidate against
// the whole original schema with a small built-in validator; a oneOf
// candidate that also matches another branch is retried or given a property
// the other branch rejects. Leaves are proposed by, in order: const, the
// schema's own example/examples (when kin-openapi's VisitJSON accepts them),
// enum, default, property-name heuristics, the format, the pattern, and a
// plain word fitted to the length bounds; each proposal is checked before
// it is used.
//
// Recursion: objects include every property (optional ones too) until
// Options.MaxDepth; past it, or when an optional property would re-enter a
// schema already expanded twice on the current path, only required
// properties are kept and arrays shrink to minItems. Required recursion ends
// at Options.HardDepth with null when allowed, else an empty value.
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
}

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
	sem       int

	regexps  sync.Map // pattern string -> *compiledPattern
	examples sync.Map // exampleKey -> bool
	props    sync.Map // partsKey -> []propInfo (merged object properties)
	kinds    sync.Map // nameKey -> kind (property-name classification)
	descs    sync.Map // *openapi3.Schema -> kind (description hint)
}

// New returns a Generator.
func New(opts Options) *Generator {
	g := &Generator{maxDepth: opts.MaxDepth, hardDepth: opts.HardDepth}
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
	c := &gctx{g: g, dir: dir}
	c.fake = gofakeit.NewFaker(&c.pcg, false)
	c.strict = matcher{g: g, dir: dir, strict: true, memo: &c.verified}
	c.loose = matcher{g: g, dir: dir, strict: false}
	root := node{h: fnvUint(fnvOffset, seed), index: -1}
	return c.gen([]*openapi3.SchemaRef{s}, &root)
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

	// stack holds the schemas of the objects/arrays being generated, for
	// recursion detection.
	stack []*openapi3.Schema
	// work counts candidate values built (see workLimit).
	work int
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
	pref   string // $ref of the enclosing object, if any
	index  int    // array index, -1 otherwise

	noExample bool // do not use example/default (variation)
	plain     bool // do not use name heuristics (variation)
	reqOnly   bool // only required properties (variation)
	variant   uint64
	idHint    bool  // a string standing for an object (an id)
	avoid     []any // values already used (unique arrays)

	forced map[string]any // property values forced by a discriminator
}

// child returns the node of property key.
func (n *node) child(key string) node {
	h := fnvString(n.h^0x2f, key)
	return node{h: h, depth: n.depth + 1, name: key, parent: n.name, pref: n.ref, index: -1, noExample: n.noExample, plain: n.plain, variant: n.variant}
}

// item returns the node of array item i.
func (n *node) item(i int) node {
	h := fnvUint(n.h^0x5b, uint64(i))
	return node{h: h, depth: n.depth + 1, name: n.name, parent: n.parent, pref: n.pref, index: i, noExample: n.noExample || i > 0, plain: n.plain, variant: n.variant}
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

func (c *gctx) onStack(s *openapi3.Schema) int {
	k := 0
	for _, x := range c.stack {
		if x == s {
			k++
		}
	}
	return k
}
