package mockserver

import (
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/mockserver/mockserver/mockserver/route"
	"github.com/mockserver/mockserver/mockserver/scenario"
	"github.com/mockserver/mockserver/mockserver/spec"
)

// buildRoutes registers every operation of every description, refusing two that claim the
// same method and path.
func (s *Server) buildRoutes() error {
	claimed := map[string]Route{}
	var entries []route.Entry
	for _, d := range s.docs {
		prefix, err := s.mountPrefix(d)
		if err != nil {
			return err
		}
		for _, op := range d.Ops {
			p := prefix + op.Path
			if p == controlPrefix || strings.HasPrefix(p, controlPrefix+"/") {
				return fmt.Errorf("%s: path %s falls under %s, which the mock's control API owns", d.File, op.Path, controlPrefix)
			}
			rt := Route{Method: op.Method, Path: p, Operation: op.ID, File: d.File, op: op}
			key := op.Method + " " + shape(p)
			if prev, ok := claimed[key]; ok {
				if prev.File != d.File {
					return fmt.Errorf("%s and %s both describe %s %s; serve them on separate ports or mount one under a prefix (--mount)", prev.File, d.File, op.Method, p)
				}
				s.log.Warn("two paths differ only in parameter names; the first is served", "file", d.File, "served", prev.Path, "shadowed", p, "method", op.Method)
				continue
			}
			claimed[key] = rt
			entries = append(entries, route.Entry{Method: op.Method, Template: p, Value: len(s.routes)})
			s.routes = append(s.routes, rt)
		}
	}
	r, err := route.New(entries)
	if err != nil {
		return fmt.Errorf("routing: %w", err)
	}
	s.router = r
	return nil
}

var paramRe = regexp.MustCompile(`\{[^}/]*\}`)

// shape is a template with its parameter names erased: /a/{id} and /a/{name} are one path.
func shape(p string) string { return paramRe.ReplaceAllString(p, "{}") }

// mountPrefix is the path prefix a description is served under.
func (s *Server) mountPrefix(d *spec.Document) (string, error) {
	for _, m := range s.cfg.Mounts {
		if !mountMatches(m.Spec, d.File) {
			continue
		}
		prefix := m.Prefix
		if prefix == "" {
			prefix = serverPath(d)
		}
		prefix = "/" + strings.Trim(prefix, "/")
		if prefix == "/" {
			prefix = ""
		}
		return prefix, nil
	}
	return "", nil
}

func mountMatches(want, file string) bool {
	if want == "" || want == "*" {
		return true
	}
	cw, cf := filepath.Clean(want), filepath.Clean(file)
	return cw == cf || strings.HasSuffix(cf, string(filepath.Separator)+cw) || filepath.Base(cf) == cw
}

// serverPath is the path of the description's first server URL, variables replaced by their
// defaults.
func serverPath(d *spec.Document) string {
	if len(d.Doc.Servers) == 0 || d.Doc.Servers[0] == nil {
		return ""
	}
	srv := d.Doc.Servers[0]
	raw := srv.URL
	for name, v := range srv.Variables {
		if v != nil {
			raw = strings.ReplaceAll(raw, "{"+name+"}", v.Default)
		}
	}
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Path
}

// match finds the operation for a request, or a problem reply for a miss (404, or 405 with
// Allow), naming the closest operation.
func (s *Server) match(r *http.Request) (*exchange, *reply) {
	path := r.URL.EscapedPath()
	res := s.router.Match(r.Method, path)
	if res.Status == http.StatusMethodNotAllowed && r.Method == http.MethodHead {
		// HEAD on a GET-only path is answered as GET without a body.
		if g := s.router.Match(http.MethodGet, path); g.Status == 0 {
			res = g
		}
	}
	if res.Status == http.StatusNotFound && (strings.Contains(path, "//") || strings.HasSuffix(path, "/")) {
		// An empty segment where a path parameter stands (/users//posts) names the operation
		// all the same: validation then reports the empty parameter (422), not a 404.
		if alt := s.router.Match(r.Method, fillEmptySegments(path)); alt.Status == 0 && slices.ContainsFunc(alt.Params, func(p route.Param) bool { return p.Value == emptySegment }) {
			res = alt
		}
	}
	if res.Status != 0 {
		return nil, s.missReply(r, res)
	}
	rt := s.routes[res.Value]
	params := make(map[string]string, len(res.Params))
	for _, p := range res.Params {
		if p.Value == emptySegment {
			p.Value = ""
		}
		params[p.Name] = p.Value
	}
	query, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		// Keep what parsed; kin-openapi reports the parameters that are then missing or wrong.
		query = lenientQuery(r.URL.RawQuery)
	}
	return &exchange{op: rt.op, r: r, path: path, query: query, params: params,
		latency: scenario.Delay{Min: s.cfg.LatencyMin, Max: max(s.cfg.LatencyMin, s.cfg.LatencyMax)}}, nil
}

// emptySegment stands in an empty path segment while the path is matched again; no client can
// send it (a control character is never part of an escaped path).
const emptySegment = "\x00"

// fillEmptySegments puts emptySegment in every empty segment of path, a trailing one too
// (/pets/ for /pets/{id}).
func fillEmptySegments(path string) string {
	for strings.Contains(path, "//") {
		path = strings.ReplaceAll(path, "//", "/"+emptySegment+"/")
	}
	if strings.HasSuffix(path, "/") {
		path += emptySegment
	}
	return path
}

func lenientQuery(raw string) url.Values {
	q := url.Values{}
	for _, kv := range strings.Split(raw, "&") {
		k, v, _ := strings.Cut(kv, "=")
		if uk, err := url.QueryUnescape(k); err == nil {
			if uv, err := url.QueryUnescape(v); err == nil {
				q.Add(uk, uv)
			}
		}
	}
	return q
}

func (s *Server) missReply(r *http.Request, res route.Result) *reply {
	var p *problem
	if res.Status == http.StatusMethodNotAllowed {
		if slices.Contains(res.Allow, http.MethodGet) && !slices.Contains(res.Allow, http.MethodHead) {
			res.Allow = append(slices.Clone(res.Allow), http.MethodHead) // HEAD is answered as GET
			sort.Strings(res.Allow)
		}
		p = newProblem(http.StatusMethodNotAllowed, fmt.Sprintf("%s is not allowed on %s; allowed: %s", r.Method, r.URL.Path, strings.Join(res.Allow, ", ")))
		p.Allow = res.Allow
	} else {
		p = newProblem(http.StatusNotFound, fmt.Sprintf("no operation matches %s %s", r.Method, r.URL.Path))
	}
	closest := res.Closest
	if closest < 0 || closest >= len(s.routes) {
		closest = s.closestByText(r.Method, r.URL.Path)
	}
	if closest >= 0 {
		c := s.routes[closest]
		p.Operation = c.Operation
		p.Detail += fmt.Sprintf("; closest operation: %s %s (%s)", c.Method, c.Path, c.Operation)
	}
	rep := problemReply(p, SourceMock)
	if len(res.Allow) > 0 {
		rep.Header.Set("Allow", strings.Join(res.Allow, ", "))
	}
	return rep
}

// closestByText is the fallback when the path shares no segment with any route: the route
// whose path shares the longest prefix with it, then the closest in length, preferring the
// request's method. Linear in the number of routes and the path length.
func (s *Server) closestByText(method, path string) int {
	best, bestPrefix, bestDiff := -1, -1, 0
	for i, rt := range s.routes {
		prefix := commonPrefix(path, rt.Path)*2 + boolInt(rt.Method == method)
		diff := len(rt.Path) - len(path)
		if diff < 0 {
			diff = -diff
		}
		if prefix > bestPrefix || (prefix == bestPrefix && diff < bestDiff) {
			best, bestPrefix, bestDiff = i, prefix, diff
		}
	}
	return best
}

func commonPrefix(a, b string) int {
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		if a[i] != b[i] {
			return i
		}
	}
	return n
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
