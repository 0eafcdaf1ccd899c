package mockserver

import (
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/mockserver/mockserver/mockserver/fixture"
	"github.com/mockserver/mockserver/mockserver/resource"
	"github.com/mockserver/mockserver/mockserver/spec"
	"github.com/mockserver/mockserver/mockserver/state"
)

// namedResponse is a fixture response that `Prefer: example=NAME` picks.
type namedResponse struct {
	Status  int
	Headers map[string]string
	Body    any
	HasBody bool
}

// applyFixtures checks the fixtures that are for the loaded descriptions (see fixturesFor)
// against them and installs them: binding corrections, named responses, identities, rules and
// seed records. Every problem is reported with its file and line; all of them, not just the
// first.
func (s *Server) applyFixtures(set *fixture.Set) error {
	set, err := s.fixturesFor(set)
	if err != nil {
		return err
	}
	var errs []error
	fail := func(pos fixture.Pos, format string, args ...any) {
		errs = append(errs, &fixture.Error{Pos: pos, Msg: fmt.Sprintf(format, args...)})
	}
	// Corrections first: they can create resources the rest refers to.
	for _, fo := range set.Operations {
		op, err := s.operationFor(fo.ID)
		if err != nil {
			fail(fo.Pos, "%v", err)
			continue
		}
		b := s.bindings[op]
		if fo.Kind != "" {
			b.Kind = resource.Kind(fo.Kind)
			b.Inferred = false
		}
		if fo.Resource != "" {
			b.Resource, b.Inferred = fo.Resource, false
		}
		if fo.Key != "" {
			if !slices.Contains(resource.Params(resource.Segments(op.Path)), fo.Key) {
				fail(fo.Pos, "operation %s: key %q is not a path parameter of %s", fo.ID, fo.Key, op.Path)
			}
			b.Key, b.Inferred = fo.Key, false
		}
		if b.Kind != resource.None && b.Resource == "" {
			fail(fo.Pos, "operation %s: kind %s needs a resource", fo.ID, b.Kind)
		}
		if b.Kind != resource.None && s.shapes[b.Resource] == nil && b.Resource != "" {
			s.shapes[b.Resource] = &resource.Shape{Name: b.Resource, Collection: op.Path, Doc: op.Doc, Schema: resource.SuccessSchema(op), KeyProperty: "id"}
		}
		for _, fr := range fo.Responses {
			key := responseKey(op.Op.Responses, fr.Status)
			if key == "" {
				fail(fr.Pos, "operation %s documents no response %d (documented: %s)", fo.ID, fr.Status, strings.Join(spec.ResponseKeys(op.Op.Responses), ", "))
				continue
			}
			if fr.HasBody {
				if vs := s.checkAgainst(op, key, fr.Body); len(vs) > 0 {
					fail(fr.Pos, "response %s of %s: body does not match the schema: %s", fr.Name, fo.ID, describe(vs))
					continue
				}
			}
			if s.named[op] == nil {
				s.named[op] = map[string]*namedResponse{}
			}
			s.named[op][fr.Name] = &namedResponse{Status: fr.Status, Headers: fr.Headers, Body: fr.Body, HasBody: fr.HasBody}
		}
	}

	for _, fi := range set.Identities {
		s.identities[fi.Token] = fi.Identity
	}

	for _, fr := range set.Rules {
		sh := s.shapes[fr.Resource]
		if sh == nil {
			fail(fr.Pos, "rule: unknown resource %q (%s)", fr.Resource, s.knownResources(fr.Resource))
			continue
		}
		if sh.Schema != nil && sh.Schema.Value != nil && len(sh.Schema.Value.Properties) > 0 && sh.Schema.Value.Properties[fr.Property] == nil {
			fail(fr.Pos, "rule: resource %s has no property %q", fr.Resource, fr.Property)
			continue
		}
		if !s.resourceDocuments(fr.Resource, fr.Status, fr.Example) {
			if fr.Example != "" {
				fail(fr.Pos, "rule: no operation of %s documents status %d with example %q", fr.Resource, fr.Status, fr.Example)
			} else {
				fail(fr.Pos, "rule: no operation of %s documents status %d", fr.Resource, fr.Status)
			}
			continue
		}
		r := &rule{Rule: &resource.Rule{Kind: fr.Kind, Resource: fr.Resource, Property: fr.Property, IdentityField: fr.IdentityField},
			Status: fr.Status, Example: fr.Example, Body: fr.Body, HasBody: fr.HasBody}
		s.rules = append(s.rules, r)
		s.model.Rules = append(s.model.Rules, r.Rule)
	}

	for _, fs := range set.Scenarios {
		if err := s.checkScenario(fs.Value); err != nil {
			fail(fs.Pos, "%s", strings.ReplaceAll(err.Error(), "\n", "; "))
			continue
		}
		if err := s.scenarios.Put(fs.Value); err != nil {
			fail(fs.Pos, "%v", err)
		}
	}

	limits := append([]RateLimit(nil), s.cfg.RateLimits...)
	for _, rl := range set.RateLimits {
		if _, _, err := s.resolveOperation(rl.Operation); err != nil {
			fail(rl.Pos, "rate limit: %v", err)
			continue
		}
		limits = append(limits, RateLimit{Operation: rl.Operation, Limit: rl.Limit, Window: rl.Window, Per: rl.Per})
	}
	if lim, err := newLimiter(limits); err == nil {
		s.limits = lim
	} else {
		errs = append(errs, err)
	}

	for _, fr := range set.Resources {
		sh := s.shapes[fr.Name]
		if sh == nil {
			fail(fr.Pos, "unknown resource %q (%s)", fr.Name, s.knownResources(fr.Name))
			continue
		}
		sh.Closed = len(fr.Records) > 0
		if fr.Closed != nil {
			sh.Closed = *fr.Closed
		}
		for _, rec := range fr.Records {
			scope, _ := rec.Value["$scope"].(string)
			value := state.Copy(rec.Value).(map[string]any)
			delete(value, "$scope")
			id := ""
			if sh.KeyProperty != "" {
				id = resource.ScalarString(value[sh.KeyProperty])
			}
			if id == "" {
				fail(rec.Pos, "record of %s has no %q (its key)", fr.Name, sh.KeyProperty)
				continue
			}
			if sh.Schema != nil && sh.Schema.Value != nil {
				if err := sh.Schema.Value.VisitJSON(value, s.validate.responseOpts...); err != nil {
					fail(rec.Pos, "record %s of %s does not match the schema: %s", id, fr.Name, describe(schemaViolations(nil, err)))
					continue
				}
			}
			s.store.Seed(state.Ref{Resource: fr.Name, Scope: scope, ID: id}, value)
		}
	}
	return errors.Join(errs...)
}

// fixturesFor keeps the parts of set (files, or documents of a file) that are for the loaded
// descriptions and merges them; a name two kept parts both define is an error. Each part it
// skips is logged, once, at info level, with its file and line and why. A Set without Parts
// (not made by fixture.Load) is kept whole.
//
// The rule, documented in package fixture: a part with a for key applies when it names a
// loaded description; a part without one applies unless it seeds resources and names no
// operation or resource of the loaded descriptions.
func (s *Server) fixturesFor(set *fixture.Set) (*fixture.Set, error) {
	if len(set.Parts) == 0 {
		return set, nil
	}
	kept := make([]*fixture.Part, 0, len(set.Parts))
	for _, p := range set.Parts {
		if why := s.skipFixture(p); why != "" {
			s.log.Info("fixtures skipped", "file", p.Pos.File, "line", p.Pos.Line, "reason", why)
			continue
		}
		kept = append(kept, p)
	}
	return fixture.Merge(kept)
}

// skipFixture says why the part is not for the loaded descriptions, or "" when it is.
func (s *Server) skipFixture(p *fixture.Part) string {
	if len(p.For) > 0 {
		for _, d := range s.docs {
			if p.Names(d.File) {
				return ""
			}
		}
		return fmt.Sprintf("it is for %s, which is not loaded (loaded: %s)", strings.Join(p.For, ", "), strings.Join(s.docNames(), ", "))
	}
	if len(p.Set.Resources) == 0 {
		return "" // no seed records: identities are for everyone, and a misspelt name must fail
	}
	names := fixtureNames(p.Set)
	for _, n := range names {
		if s.servesName(n) {
			return ""
		}
	}
	return fmt.Sprintf("it has no for key and names no operation or resource of the loaded descriptions (it names %s; loaded: %s)",
		strings.Join(quoteAll(names, 5), ", "), strings.Join(s.docNames(), ", "))
}

// fixtureName is an operation or resource a fixture names.
type fixtureName struct {
	Operation bool // an operation selector, else a resource name
	Text      string
}

// fixtureNames lists the operations and resources a fixture set names, operations first,
// each once, in the order found.
func fixtureNames(set *fixture.Set) []fixtureName {
	var out []fixtureName
	seen := map[fixtureName]bool{}
	add := func(op bool, text string) {
		n := fixtureName{Operation: op, Text: text}
		if text != "" && !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	for _, o := range set.Operations {
		add(true, o.ID)
	}
	for _, sc := range set.Scenarios {
		add(true, sc.Value.Match.Operation)
	}
	for _, rl := range set.RateLimits {
		add(true, rl.Operation)
	}
	for _, r := range set.Resources {
		add(false, r.Name)
	}
	for _, r := range set.Rules {
		add(false, r.Resource)
	}
	for _, o := range set.Operations {
		add(false, o.Resource)
	}
	return out
}

// servesName reports whether n is an operation the server serves (a selector naming one
// operation, or an operationId naming several; "*" names none in particular) or a resource it
// inferred from the descriptions.
func (s *Server) servesName(n fixtureName) bool {
	if !n.Operation {
		return s.shapes[n.Text] != nil && n.Text != filesResource
	}
	sel, _, err := s.resolveOperation(n.Text)
	return err == nil && !sel.All()
}

// docNames are the base names of the loaded descriptions' files, in load order.
func (s *Server) docNames() []string {
	names := make([]string, len(s.docs))
	for i, d := range s.docs {
		names[i] = filepath.Base(d.File)
	}
	return names
}

// quoteAll quotes the names' texts, the first max of them, then "…".
func quoteAll(names []fixtureName, max int) []string {
	out := make([]string, 0, min(len(names), max)+1)
	for i, n := range names {
		if i == max {
			out = append(out, "…")
			break
		}
		out = append(out, strconv.Quote(n.Text))
	}
	return out
}

// checkAgainst validates a body against the JSON schema of the response under key.
func (s *Server) checkAgainst(op *spec.Operation, key string, body any) []Violation {
	r := op.Op.Responses.Value(key)
	if r == nil || r.Value == nil {
		return nil
	}
	for _, mt := range spec.OrderedMediaTypes(r.Value.Content) {
		if m := r.Value.Content[mt]; m != nil && m.Schema != nil && m.Schema.Value != nil {
			return s.exampleViolations(m, body)
		}
	}
	return nil
}

// resourceDocuments reports whether some operation of the resource documents status (with the
// named example, when one is given).
func (s *Server) resourceDocuments(resource string, status int, example string) bool {
	for op, b := range s.bindings {
		if b.Resource != resource {
			continue
		}
		key := responseKey(op.Op.Responses, status)
		if key == "" {
			continue
		}
		if example == "" {
			return true
		}
		if r := op.Op.Responses.Value(key); r != nil && r.Value != nil {
			for _, m := range r.Value.Content {
				if m != nil && m.Examples[example] != nil {
					return true
				}
			}
		}
	}
	return false
}

func (s *Server) resourceNames() []string {
	names := make([]string, 0, len(s.shapes))
	for n := range s.shapes {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// knownResources names the resources a misspelt name may have meant: all of them when there are
// few, else the closest ones (GitHub's description has over 600).
func (s *Server) knownResources(name string) string {
	names := s.resourceNames()
	const shown = 8
	if len(names) <= shown+2 {
		return "known: " + strings.Join(names, ", ")
	}
	dist := make(map[string]int, len(names)) // names containing the name first, then by edits
	for _, n := range names {
		if strings.Contains(n, name) {
			dist[n] = -1_000_000 + len(n)
		} else {
			dist[n] = editDistance(name, n)
		}
	}
	sort.SliceStable(names, func(i, j int) bool { return dist[names[i]] < dist[names[j]] })
	return fmt.Sprintf("closest: %s; %d more in GET /__mock/routes", strings.Join(names[:shown], ", "), len(names)-shown)
}

// editDistance is the Levenshtein distance between a and b, by bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

func describe(vs []Violation) string {
	parts := make([]string, 0, 3)
	for i, v := range vs {
		if i == 3 {
			parts = append(parts, fmt.Sprintf("and %d more", len(vs)-3))
			break
		}
		parts = append(parts, strings.Join(v.Location, ".")+": "+v.Message)
	}
	return strings.Join(parts, "; ")
}

// fixtureReply answers a named fixture response.
func fixtureReply(nr *namedResponse, name string) *reply {
	rep := &reply{Status: nr.Status, Header: http.Header{}, Source: SourceFixture, Example: name}
	for k, v := range nr.Headers {
		rep.Header.Set(k, v)
	}
	if nr.HasBody {
		rep.MediaType, rep.Value, rep.HasBody = "application/json", nr.Body, true
	}
	return rep
}

// SourceFixture marks an answer from a fixture's named response.
const SourceFixture = "fixture"
