// Package route matches an HTTP method and request path against the path
// templates of an OpenAPI description, with OpenAPI precedence, on top of
// github.com/julienschmidt/httprouter.
//
// # Escaped paths
//
// Callers pass the escaped request path, e.g. r.URL.EscapedPath(), not
// r.URL.Path, and without the query. The path is split on "/" before
// anything is unescaped, so a "%2F" inside a parameter value stays inside
// that value; each parameter value is then percent-decoded (a value with an
// invalid escape is returned as it was sent). Literal template text made of
// unreserved characters, sub-delimiters and '@' must appear as is in the
// request, as with any httprouter static route ("/users/%40me" is not
// "/users/@me"); other literal characters (':', '*', '#', '?', space,
// non-ASCII, ...) match either as is or percent-encoded. A literal '%'
// matches "%25": a '%' of the request that starts an escape is always read
// as that escape ("/discount/100%" matches "/discount/100%25", and
// "/a%41" matches "/a%2541", not "/a%41", which is "/aA").
//
// # Precedence
//
// When several templates match a path, the most specific one that has the
// request method wins. Templates are compared segment by segment from the
// left: a literal segment ("search") beats a partial segment ("{name}.json",
// "v{version}", "{a}-{b}"), which beats a whole-segment parameter ("{id}").
// So "/pets/search" beats "/pets/{id}", and "/a/lit/{y}" beats "/a/{x}/b"
// for "/a/lit/b". If the most specific template lacks the method, a less
// specific one that has it is used; if none has it the result is 405 with the
// union of their methods in Allow. Parameters match non-empty text; in a
// partial segment the leftmost split wins ("{a}-{b}" reads "1-2-3" as "1",
// "2-3"). Trailing slashes are significant.
//
// # Design
//
// httprouter v1.3.0 panics on shapes real descriptions use: a literal beside
// a parameter at the same position, two parameter names at one position,
// parameters inside a segment, ':' or '*' in literal text. New therefore
// folds the templates into httprouter patterns. Walking the templates as a
// segment tree, every position where some sibling is not a plain literal
// becomes one positional parameter ":pN" shared by all the siblings, whose
// subtrees are merged; literals with characters that httprouter or escaped
// paths treat specially (':', '*', '%', '#', non-ASCII, ...) count as not
// plain, so they never reach httprouter as pattern text; a trailing slash
// stays a static "/" beside a folded position. Each folded pattern is
// registered once (httprouter.Router.Handle, redirects off) with a
// dispatcher that holds its candidate templates in precedence order, indexed
// by the literals at folded positions when there are many. Match asks
// httprouter (Lookup) for the pattern, learns its dispatcher by calling the
// pattern's Handle with a pooled recorder, and the dispatcher checks only
// the folded positions of its candidates, since httprouter has compared the
// static ones. All of this is built in New. A successful Match allocates
// nothing but the Params slice (it reuses the slice httprouter allocates for
// its parameters) and the decoded copy of a value that has percent escapes.
package route

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unsafe"

	"github.com/julienschmidt/httprouter"
)

// Entry is one operation to route.
type Entry struct {
	Method   string // upper-case, e.g. "GET"
	Template string // OpenAPI path template, e.g. "/users/{id}/repos", may include partial segments like "/{name}.json" or "/a/{x}-{y}"
	Value    int    // caller's handle (index of the operation)
}

// Param is one path parameter of a match.
type Param struct {
	Name  string // the parameter name in the template
	Value string // the percent-decoded value
}

// Result is the outcome of Match.
type Result struct {
	Value  int
	Params []Param // in template order
	Status int     // 0 on success; 404 no path matched; 405 path matched but not the method
	Allow  []string
	// Closest is, for misses, the Value of the closest operation (longest
	// common prefix of segments, then method match), or -1 if none. On
	// success it equals Value; on 405 it is an operation of the most
	// specific template that matched the path.
	Closest int
}

// DuplicateError reports two entries with the same method whose templates
// are equal modulo parameter names ("/a/{id}" and "/a/{name}").
type DuplicateError struct {
	First, Second Entry
}

func (e *DuplicateError) Error() string {
	return fmt.Sprintf("route: duplicate operation: %s %s (value %d) and %s %s (value %d) have the same method and path template",
		e.First.Method, e.First.Template, e.First.Value, e.Second.Method, e.Second.Template, e.Second.Value)
}

// EntryError reports an entry that New cannot serve for another reason.
type EntryError struct {
	Entry  Entry
	Reason string
}

func (e *EntryError) Error() string {
	return fmt.Sprintf("route: cannot route %s %q (value %d): %s", e.Entry.Method, e.Entry.Template, e.Entry.Value, e.Reason)
}

// maxSegments bounds the segments of a template; httprouter counts the
// parameters of a pattern in a uint8.
const maxSegments = 200

// lookupMethod is the one httprouter method tree used; the methods of the
// operations are dispatched by this package.
const lookupMethod = "ROUTE"

// op is one operation of a route.
type op struct {
	entry Entry    // as given (Method upper-cased)
	names []string // parameter names in template order
}

// route is one template shape (a template modulo parameter names) with its
// operations.
type route struct {
	shape    string
	segs     []segment
	nparams  int
	ops      []op     // sorted by method
	methods  []string // sorted, distinct
	minValue int      // lowest Value of ops
}

func (rt *route) op(method string) *op {
	for i := range rt.ops {
		if rt.ops[i].entry.Method == method {
			return &rt.ops[i]
		}
	}
	return nil
}

// compareRoutes is the precedence order: negative when a is more specific.
func compareRoutes(a, b *route) int {
	n := min(len(a.segs), len(b.segs))
	for i := 0; i < n; i++ {
		if c := compareSegments(&a.segs[i], &b.segs[i]); c != 0 {
			return c
		}
	}
	if len(a.segs) != len(b.segs) {
		return len(a.segs) - len(b.segs)
	}
	return strings.Compare(a.shape, b.shape)
}

// dispatcher picks among the templates folded into one httprouter pattern.
type dispatcher struct {
	// folded lists the template positions that are httprouter parameters,
	// in order; every parameter of every candidate is at one of them.
	folded []int
	// fullPath makes the dispatcher match candidates against the whole path
	// (the fallback scan).
	fullPath bool
	routes   []*route // candidates, most specific first
	// cands narrows routes down by the values at folded positions.
	cands candSet
}

// candSet is a decision tree over the candidates of a dispatcher. Folding
// puts every template below a folded position into one httprouter pattern,
// so a pattern can hold dozens of templates (GitHub's "/orgs/{org}/..." has
// 78 of five segments, because of "/orgs/{org}/{security_product}/...");
// this picks the folded position whose literals tell the candidates apart
// best and maps each literal to the candidates that can match it.
type candSet struct {
	routes []*route // the candidates, most specific first
	key    int      // index into folded of the position looked up, or -1
	byKey  map[string]*candSet
	others *candSet // for values that are none of the keys
}

// minIndexed is the smallest candidate list worth a map lookup.
const minIndexed = 6

func newCandSet(routes []*route, folded []int, used uint64) *candSet {
	c := &candSet{routes: routes, key: -1}
	if len(routes) < minIndexed {
		return c
	}
	best, bestN := -1, 1
	for i, depth := range folded {
		if i >= 64 || used&(1<<i) != 0 {
			continue
		}
		distinct := make(map[string]bool)
		for _, rt := range routes {
			if seg := &rt.segs[depth]; seg.kind == segLiteral && seg.treeSafe {
				distinct[seg.text] = true
			}
		}
		if len(distinct) > bestN {
			best, bestN = i, len(distinct)
		}
	}
	if best < 0 {
		return c
	}
	// A value equal to a tree-safe literal can only be matched by that
	// literal or by segments that are not tree-safe literals; any other
	// value only by the latter.
	depth := folded[best]
	keyed := func(rt *route) bool {
		seg := &rt.segs[depth]
		return seg.kind == segLiteral && seg.treeSafe
	}
	groups := make(map[string][]*route)
	var others []*route
	for _, rt := range routes {
		if !keyed(rt) {
			others = append(others, rt)
			for k := range groups {
				groups[k] = append(groups[k], rt)
			}
			continue
		}
		t := rt.segs[depth].text
		if _, ok := groups[t]; !ok {
			// Start with the unkeyed candidates seen so far, keeping order.
			groups[t] = append([]*route(nil), others...)
		}
		groups[t] = append(groups[t], rt)
	}
	c.key = best
	c.byKey = make(map[string]*candSet, len(groups))
	for k, g := range groups {
		c.byKey[k] = newCandSet(g, folded, used|1<<best)
	}
	c.others = newCandSet(others, folded, used|1<<best)
	return c
}

// lookup returns the candidates that can match the folded values ps.
func (c *candSet) lookup(ps httprouter.Params) []*route {
	for c.key >= 0 && c.key < len(ps) {
		if next, ok := c.byKey[ps[c.key].Value]; ok {
			c = next
		} else {
			c = c.others
		}
	}
	return c.routes
}

// Router matches requests against a set of operations. It is safe for
// concurrent use.
type Router struct {
	hr       *httprouter.Router
	routes   []*route // all routes, most specific first
	fallback dispatcher
}

// New builds a router. It never panics. Entries it cannot serve — a second
// entry with the same method and template modulo parameter names (a
// *DuplicateError naming both Values), an empty method or template, or a
// template with too many segments (an *EntryError) — are left out and
// reported together in the returned error; the returned Router is always
// usable and serves every other entry. Methods are upper-cased; a template
// without a leading "/" is read as if it had one.
func New(entries []Entry) (*Router, error) {
	var errs []error
	byShape := make(map[string]*route)
	var routes []*route
	for _, e := range entries {
		e.Method = strings.ToUpper(e.Method)
		if e.Method == "" || strings.ContainsAny(e.Method, " \t\r\n/") {
			errs = append(errs, &EntryError{Entry: e, Reason: "invalid method"})
			continue
		}
		tmpl := e.Template
		if tmpl == "" {
			errs = append(errs, &EntryError{Entry: e, Reason: "empty path template"})
			continue
		}
		if tmpl[0] != '/' {
			tmpl = "/" + tmpl
		}
		parts := strings.Split(tmpl[1:], "/")
		if len(parts) > maxSegments {
			errs = append(errs, &EntryError{Entry: e, Reason: "more than " + strconv.Itoa(maxSegments) + " segments"})
			continue
		}
		segs := make([]segment, len(parts))
		var names []string
		var shape strings.Builder
		for i, p := range parts {
			var ns []string
			segs[i], ns = parseSegment(p)
			names = append(names, ns...)
			shape.WriteByte('/')
			shape.WriteString(segs[i].shapeText())
		}
		key := shape.String()
		rt := byShape[key]
		if rt == nil {
			rt = &route{shape: key, segs: segs, nparams: len(names), minValue: e.Value}
			byShape[key] = rt
			routes = append(routes, rt)
		} else if o := rt.op(e.Method); o != nil {
			errs = append(errs, &DuplicateError{First: o.entry, Second: e})
			continue
		}
		rt.ops = append(rt.ops, op{entry: e, names: names})
		rt.minValue = min(rt.minValue, e.Value)
	}
	for _, rt := range routes {
		slices.SortStableFunc(rt.ops, func(a, b op) int { return strings.Compare(a.entry.Method, b.entry.Method) })
		for _, o := range rt.ops {
			rt.methods = append(rt.methods, o.entry.Method)
		}
	}
	slices.SortStableFunc(routes, compareRoutes)

	r := &Router{routes: routes, fallback: dispatcher{fullPath: true, routes: routes}}
	if len(routes) > 0 {
		hr := httprouter.New()
		hr.RedirectTrailingSlash = false
		hr.RedirectFixedPath = false
		hr.HandleMethodNotAllowed = false
		hr.HandleOPTIONS = false
		b := builder{hr: hr}
		b.build(routes, 0, "", nil)
		errs = append(errs, b.errs...)
		r.hr = hr
	}
	return r, errors.Join(errs...)
}

// builder folds routes into httprouter patterns.
type builder struct {
	hr   *httprouter.Router
	errs []error
}

// build registers the routes that share the pattern prefix covering template
// positions [0, depth). All routes are in precedence order, and every group
// keeps that order.
func (b *builder) build(routes []*route, depth int, pattern string, folded []int) {
	var terms, rest []*route
	for _, rt := range routes {
		if len(rt.segs) == depth {
			terms = append(terms, rt)
		} else {
			rest = append(rest, rt)
		}
	}
	if len(terms) > 0 {
		b.register(pattern, folded, terms)
	}
	if len(rest) == 0 {
		return
	}
	fold := false
	for _, rt := range rest {
		if s := &rt.segs[depth]; s.kind != segLiteral || !s.treeSafe {
			fold = true
			break
		}
	}
	if !fold {
		// Every sibling is a plain literal: one static child each.
		var order []string
		groups := make(map[string][]*route)
		for _, rt := range rest {
			t := rt.segs[depth].text
			if _, ok := groups[t]; !ok {
				order = append(order, t)
			}
			groups[t] = append(groups[t], rt)
		}
		for _, t := range order {
			b.build(groups[t], depth+1, pattern+"/"+t, folded)
		}
		return
	}
	// httprouter gives a parameter the empty value when the segment is
	// empty in the middle of a path ("/a//b"), but never at its end, so a
	// trailing slash stays a static "/" beside the parameter.
	var slash, deeper []*route
	for _, rt := range rest {
		if rt.segs[depth].text == "" && len(rt.segs) == depth+1 {
			slash = append(slash, rt)
		} else {
			deeper = append(deeper, rt)
		}
	}
	if len(slash) > 0 {
		b.register(pattern+"/", folded, slash)
	}
	if len(deeper) > 0 {
		b.build(deeper, depth+1, pattern+"/:p"+strconv.Itoa(depth), append(folded[:len(folded):len(folded)], depth))
	}
}

// register adds one httprouter pattern. httprouter reports conflicts by
// panicking; folding is meant to rule them out, but a panic is still turned
// into errors for the routes concerned rather than escaping New.
func (b *builder) register(pattern string, folded []int, routes []*route) {
	d := &dispatcher{folded: folded, routes: routes}
	d.cands = *newCandSet(routes, folded, 0)
	h := func(w http.ResponseWriter, _ *http.Request, _ httprouter.Params) {
		if rec, ok := w.(*recorder); ok {
			rec.d = d
		}
	}
	defer func() {
		if p := recover(); p != nil {
			for _, rt := range routes {
				for _, o := range rt.ops {
					b.errs = append(b.errs, &EntryError{Entry: o.entry, Reason: fmt.Sprintf("httprouter rejected pattern %q: %v", pattern, p)})
				}
			}
		}
	}()
	b.hr.Handle(lookupMethod, pattern, h)
}

// recorder is handed to an httprouter Handle to learn which pattern matched.
type recorder struct{ d *dispatcher }

func (*recorder) Header() http.Header         { return http.Header{} }
func (*recorder) Write(p []byte) (int, error) { return len(p), nil }
func (*recorder) WriteHeader(int)             {}

var recorders = sync.Pool{New: func() any { return new(recorder) }}

// Match resolves a request. path is the escaped request path (see the
// package documentation). Match never panics, whatever the input.
func (r *Router) Match(method, path string) (res Result) {
	if r == nil || len(r.routes) == 0 {
		return Result{Status: http.StatusNotFound, Closest: -1}
	}
	if r.hr == nil || len(path) == 0 || path[0] != '/' {
		return r.notFound(method, path)
	}
	defer func() {
		if p := recover(); p != nil {
			res = r.matchSlow(method, path)
		}
	}()
	h, ps, _ := r.hr.Lookup(lookupMethod, path)
	if h == nil {
		return r.notFound(method, path)
	}
	rec := recorders.Get().(*recorder)
	rec.d = nil
	h(rec, nil, ps)
	d := rec.d
	rec.d = nil
	recorders.Put(rec)
	if d == nil {
		return r.notFound(method, path)
	}
	return r.dispatch(d, method, path, ps)
}

// matchSlow matches by scanning every route; it is the fallback if the fast
// path ever panics and the reference the tests compare against.
func (r *Router) matchSlow(method, path string) (res Result) {
	defer func() {
		if p := recover(); p != nil {
			res = Result{Status: http.StatusNotFound, Closest: -1}
		}
	}()
	if len(path) == 0 || path[0] != '/' {
		return r.notFound(method, path)
	}
	return r.dispatch(&r.fallback, method, path, nil)
}

// maxStackParams is how many parameter values a match keeps on the stack.
const maxStackParams = 16

// dispatch picks the most specific candidate of d that matches the path and
// has the method.
func (r *Router) dispatch(d *dispatcher, method, path string, ps httprouter.Params) Result {
	var buf [maxStackParams]string
	var first *route
	routes := d.routes
	if !d.fullPath {
		routes = d.cands.lookup(ps)
	}
	for _, rt := range routes {
		vals := buf[:]
		if rt.nparams > len(buf) {
			vals = make([]string, rt.nparams)
		}
		if !d.matches(rt, path, ps, vals) {
			continue
		}
		if o := rt.op(method); o != nil {
			v := o.entry.Value
			return Result{Value: v, Closest: v, Params: makeParams(o.names, vals, ps)}
		}
		if first == nil {
			first = rt
		}
	}
	if first == nil {
		return r.notFound(method, path)
	}
	// 405: the union of the methods of every template matching the path.
	var allow []string
	for _, rt := range routes {
		vals := buf[:]
		if rt.nparams > len(buf) {
			vals = make([]string, rt.nparams)
		}
		if d.matches(rt, path, ps, vals) {
			allow = append(allow, rt.methods...)
		}
	}
	slices.Sort(allow)
	allow = slices.Compact(allow)
	return Result{Status: http.StatusMethodNotAllowed, Allow: allow, Closest: first.minValue}
}

// matches reports whether rt matches the request, writing its parameter
// values (escaped) to vals.
func (d *dispatcher) matches(rt *route, path string, ps httprouter.Params, vals []string) bool {
	if d.fullPath {
		return rt.matchPath(path, vals)
	}
	if len(ps) < len(d.folded) {
		return false
	}
	k := 0
	for i, depth := range d.folded {
		seg := &rt.segs[depth]
		if !seg.match(ps[i].Value, vals[k:k+seg.nparams]) {
			return false
		}
		k += seg.nparams
	}
	return true
}

// matchPath matches the whole escaped path (starting with "/") against rt.
func (rt *route) matchPath(path string, vals []string) bool {
	if len(path) == 0 || path[0] != '/' {
		return false
	}
	rest, more := path[1:], true
	k := 0
	for i := range rt.segs {
		if !more {
			return false
		}
		var s string
		if j := strings.IndexByte(rest, '/'); j >= 0 {
			s, rest = rest[:j], rest[j+1:]
		} else {
			s, rest, more = rest, "", false
		}
		seg := &rt.segs[i]
		if !seg.match(s, vals[k:k+seg.nparams]) {
			return false
		}
		k += seg.nparams
	}
	return !more
}

// The Params slice reuses the memory of the httprouter.Params slice that
// Lookup allocated for this call and does not keep (httprouter v1.3.0
// allocates it afresh on every Lookup), so a match with parameters
// allocates once. The two element types have the same layout, which these
// declarations check at compile time.
var (
	_ [unsafe.Sizeof(Param{}) - unsafe.Sizeof(httprouter.Param{})]struct{}                 = [0]struct{}{}
	_ [unsafe.Sizeof(httprouter.Param{}) - unsafe.Sizeof(Param{})]struct{}                 = [0]struct{}{}
	_ [unsafe.Offsetof(Param{}.Value) - unsafe.Offsetof(httprouter.Param{}.Value)]struct{} = [0]struct{}{}
)

func makeParams(names, vals []string, ps httprouter.Params) []Param {
	n := len(names)
	if n == 0 {
		return nil
	}
	var out []Param
	if n <= cap(ps) {
		out = unsafe.Slice((*Param)(unsafe.Pointer(unsafe.SliceData(ps))), cap(ps))[:n:n]
	} else {
		out = make([]Param, n)
	}
	for i := range out {
		out[i] = Param{Name: names[i], Value: unescape(vals[i])}
	}
	return out
}

// unescape percent-decodes a parameter value; a value with an invalid escape
// is returned unchanged.
func unescape(s string) string {
	if strings.IndexByte(s, '%') < 0 {
		return s
	}
	if u, err := url.PathUnescape(s); err == nil {
		return u
	}
	return s
}

// notFound builds a 404 result with the closest operation: the route sharing
// the longest prefix of segments with the path, then one having the method,
// then one with the nearest number of segments, then the most specific.
func (r *Router) notFound(method, path string) Result {
	return Result{Status: http.StatusNotFound, Closest: r.closest(method, path)}
}

func (r *Router) closest(method, path string) int {
	if len(path) > 0 && path[0] == '/' {
		path = path[1:]
	}
	// Split once; segments past the buffer never lengthen a prefix much.
	var buf [32]string
	segs := buf[:0]
	nseg := 1
	for rest := path; ; {
		j := strings.IndexByte(rest, '/')
		if j < 0 {
			if len(segs) < len(buf) {
				segs = append(segs, rest)
			}
			break
		}
		if len(segs) < len(buf) {
			segs = append(segs, rest[:j])
		}
		rest = rest[j+1:]
		nseg++
	}
	best, bestPrefix, bestHas, bestDiff := -1, -1, false, 0
	for _, rt := range r.routes {
		p := 0
		for p < len(rt.segs) && p < len(segs) && rt.segs[p].match(segs[p], nil) {
			p++
		}
		if p < bestPrefix {
			continue
		}
		o := rt.op(method)
		has := o != nil
		diff := len(rt.segs) - nseg
		if diff < 0 {
			diff = -diff
		}
		better := best < 0 || p > bestPrefix ||
			has && !bestHas || has == bestHas && diff < bestDiff
		if !better {
			continue
		}
		best, bestPrefix, bestHas, bestDiff = rt.minValue, p, has, diff
		if has {
			best = o.entry.Value
		}
	}
	if bestPrefix <= 0 && !bestHas {
		return -1
	}
	return best
}
