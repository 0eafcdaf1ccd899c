package mockserver

import (
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/mockserver/mockserver/mockserver/body"
	"github.com/mockserver/mockserver/mockserver/generate"
	"github.com/mockserver/mockserver/mockserver/scenario"
	"github.com/mockserver/mockserver/mockserver/spec"
)

// Sources name what answered a request (the X-Mock-Source header).
const (
	SourceExample    = "example"    // an example from the description
	SourceGenerated  = "generated"  // generated from the response schema
	SourceEmpty      = "empty"      // the response has no body
	SourceValidation = "validation" // a generated problem for an invalid request
	SourceMock       = "mock"       // a problem about the request to the mock itself (unknown path, code, example)
)

// exchange carries one request through the pipeline.
type exchange struct {
	op     *spec.Operation
	r      *http.Request
	path   string // the concrete escaped path, part of the generation seed
	query  url.Values
	params map[string]string
	pref   preference
	val    *validation
	// Set by the state step.
	session  string
	identity *identity
	// scenario names the scenario that answered, if one did, and the delay and fault its step
	// asks for.
	scenario      string
	scenarioDelay scenario.Delay
	scenarioFault string
	// latency is the server's "realistic network" wait.
	latency scenario.Delay
	// limit is the rate limit this call counted against, if any.
	limit *limitState
}

// delay is how long to hold the answer back: the scenario's, else the client's, else the
// server's latency.
func (x *exchange) delay() scenario.Delay {
	switch {
	case !x.scenarioDelay.IsZero():
		return x.scenarioDelay
	case !x.pref.Delay.IsZero():
		return x.pref.Delay
	}
	return x.latency
}

// fault is the breakage asked for: the scenario's, else the client's.
func (x *exchange) fault() string {
	if x.scenarioFault != "" {
		return x.scenarioFault
	}
	return x.pref.Fault
}

// reply is what the select step decided; write turns it into bytes on the wire.
type reply struct {
	Status    int
	Header    http.Header
	MediaType string
	Value     any    // the body, encoded by write according to MediaType
	Raw       []byte // the body already encoded (then Value is unused); shared: never changed
	HasBody   bool   // false for responses without content
	Source    string
	Example   string // the example's name, when Source is example
	// ExampleViolations are the ways the served example breaks its own schema (reported to
	// the client in Prism's sl-violations header, as response violations).
	ExampleViolations []Violation
	Problem           *problem
	// Fault is the breakage the answer was sent with ("" for none); Closed says why the
	// connection closed before the answer reached the client ("" when it did).
	Fault, Closed string
}

// choose decides the response: the status (client preference, or the invalid-request ladder),
// then the media type (Accept), then the body (named example, generated, first example).
func (s *Server) choose(x *exchange) *reply {
	responses := x.op.Op.Responses
	if x.val != nil && len(x.val.Violations) > 0 {
		return s.chooseInvalid(x)
	}
	var status int
	var key string
	if x.pref.Code != "" {
		status, _ = strconv.Atoi(x.pref.Code)
		key = responseKey(responses, status)
		if key == "" {
			p := newProblem(http.StatusNotFound, fmt.Sprintf("operation %s documents no response %s", x.op.ID, x.pref.Code))
			p.Operation = x.op.ID
			p.Choices = responseOrder(x.op.Doc, responses)
			return problemReply(p, SourceMock)
		}
	}
	if x.pref.Scenario != "" {
		if _, ok := s.scenarios.Get(x.pref.Scenario); !ok {
			p := newProblem(http.StatusNotFound, fmt.Sprintf("no scenario %q", x.pref.Scenario))
			p.Operation = x.op.ID
			for _, sc := range s.scenarios.List() {
				p.Choices = append(p.Choices, sc.Name)
			}
			return problemReply(p, SourceMock)
		}
	}
	if x.pref.Example != "" {
		// A fixture's named response, else the description's example of that name (an example
		// name alone picks the response that has it).
		if nr := s.named[x.op][x.pref.Example]; nr != nil && (x.pref.Code == "" || x.pref.Code == fmt.Sprint(nr.Status)) {
			return fixtureReply(nr, x.pref.Example)
		}
		if key == "" {
			key, status = findExample(x.op.Doc, responses, x.pref.Example)
		}
	}
	if x.pref.Code == "" && x.pref.Example == "" {
		if rep := s.fromScenario(x); rep != nil {
			return rep
		}
		if st := x.limit; st != nil && st.exceeded {
			return s.rateLimited(x, st)
		}
		if rep := s.fromState(x); rep != nil {
			return rep
		}
	}
	if key == "" {
		key, status = s.defaultOf(responses)
	}
	if key == "" {
		// A description with no responses at all: answer 200 with nothing.
		return &reply{Status: http.StatusOK, Header: http.Header{}, Source: SourceEmpty}
	}
	return s.render(x, key, status, x.pref.Example, SourceExample)
}

// chooseInvalid follows Prism's ladder for invalid requests: security → 401; unsupported
// Content-Type → 415, 422, 400, default; anything else → 422, 400, default. When the
// description has none of them, a problem is generated.
func (s *Server) chooseInvalid(x *exchange) *reply {
	responses := x.op.Op.Responses
	var ladder []int
	status := http.StatusUnprocessableEntity
	switch {
	case x.val.Security:
		status, ladder = http.StatusUnauthorized, []int{http.StatusUnauthorized}
	case x.val.UnsupportedMediaType: // a body of a type not accepted, or where none is
		status, ladder = http.StatusUnsupportedMediaType, []int{415, 422, 400}
	default:
		ladder = []int{422, 400}
	}
	for _, code := range ladder {
		if key := spec.CodeKey(responses, code); key != "" {
			return s.invalidFromSpec(x, key, code)
		}
	}
	if spec.Usable(responses, "default") {
		return s.invalidFromSpec(x, "default", status)
	}
	return s.invalidProblem(x, status)
}

// invalidFromSpec answers an invalid request with the description's response under key. The
// client's example preference does not apply (it chose among the answers to a valid request);
// when the response cannot be served as the client accepts, the generated problem answers.
func (s *Server) invalidFromSpec(x *exchange, key string, status int) *reply {
	rep := s.render(x, key, status, "", SourceExample)
	if rep.Problem != nil {
		return s.invalidProblem(x, status)
	}
	rep.Source = SourceValidation + "+" + rep.Source
	for _, c := range x.val.Challenges {
		rep.Header.Add("WWW-Authenticate", c)
	}
	return rep
}

// invalidProblem is the generated problem for an invalid request.
func (s *Server) invalidProblem(x *exchange, status int) *reply {
	p := newProblem(status, invalidDetail(x.val))
	p.Operation = x.op.ID
	p.Validation = x.val.Violations
	rep := problemReply(p, SourceValidation)
	for _, c := range x.val.Challenges {
		rep.Header.Add("WWW-Authenticate", c)
	}
	return rep
}

func invalidDetail(v *validation) string {
	switch {
	case v.Security:
		return "the request does not carry the credentials the operation requires"
	case v.NoBody:
		return "the operation accepts no request body"
	case v.UnsupportedMediaType:
		return "the request body's media type is not one the operation accepts"
	}
	n := len(v.Violations)
	if n == 1 {
		return "the request breaks the contract in 1 place"
	}
	return fmt.Sprintf("the request breaks the contract in %d places", n)
}

// dynamic reports whether the request's answers are generated even where examples exist: the
// client's preference, else the configuration.
func (s *Server) dynamic(x *exchange) bool {
	if x.pref.Dynamic != nil {
		return *x.pref.Dynamic
	}
	return s.cfg.Dynamic
}

// render builds the reply for the response under key, answering with status: the named
// example when one is given.
func (s *Server) render(x *exchange, key string, status int, example, source string) *reply {
	rep := &reply{Status: status, Header: http.Header{}, Source: SourceEmpty}
	ref := x.op.Op.Responses.Value(key)
	if ref == nil || ref.Value == nil {
		return rep
	}
	resp := ref.Value
	s.headers(x, resp, status, rep.Header)
	if len(resp.Content) == 0 {
		if example != "" {
			p := newProblem(http.StatusNotFound, fmt.Sprintf("response %s of %s has no body, so no example %q", key, x.op.ID, example))
			p.Operation = x.op.ID
			p.Choices = exampleChoices(x.op.Doc, x.op.Op.Responses)
			return problemReply(p, SourceMock)
		}
		return rep
	}
	mkey, send, ok := negotiateAmong(x.op.Doc.MediaTypes(resp), x.r.Header.Get("Accept"))
	if !ok {
		p := newProblem(http.StatusNotAcceptable, fmt.Sprintf("response %s of %s cannot be served as %s", key, x.op.ID, x.r.Header.Get("Accept")))
		p.Operation = x.op.ID
		p.Choices = x.op.Doc.MediaTypes(resp)
		return problemReply(p, SourceMock)
	}
	media := resp.Content[mkey]
	rep.MediaType, rep.HasBody = send, true

	if example != "" {
		if ex := media.Examples[example]; ex == nil || ex.Value == nil || ex.Value.Value == nil {
			p := newProblem(http.StatusNotFound, fmt.Sprintf("response %s of %s has no example %q", key, x.op.ID, example))
			p.Operation = x.op.ID
			p.Choices = exampleChoices(x.op.Doc, x.op.Op.Responses)
			return problemReply(p, SourceMock)
		}
		return s.serveExample(x, media, rep, example, source)
	}
	if !s.dynamic(x) || media.Schema == nil {
		// Without a schema there is nothing to generate from: the example answers, dynamic or not.
		if name, _, ok := s.firstExample(media); ok {
			return s.serveExample(x, media, rep, name, source)
		}
	}
	return s.generated(x, media, rep)
}

// generated answers data generated from the media type's schema (no body without a schema).
func (s *Server) generated(x *exchange, media *openapi3.MediaType, rep *reply) *reply {
	if media.Schema == nil {
		rep.HasBody, rep.Source = false, SourceEmpty
		return rep
	}
	rep.Source = SourceGenerated
	seed := s.seed(x, seedStatus(rep.Status))
	k := generatedKey{schema: media.Schema, seed: seed, json: body.IsJSON(rep.MediaType)}
	var texts errorTexts
	if rep.Status >= 400 {
		// An error body tells what was wrong with the request: that is part of its key.
		var violations []Violation
		if x.val != nil {
			violations = x.val.Violations
		}
		texts = newErrorTexts(rep.Status, violations)
		k.detail = texts.detail
	}
	if raw, ok := s.generatedBodies.get(k); ok {
		rep.Raw = raw
		return rep
	}
	v := s.gens[x.op.Doc].Value(media.Schema, seed, generate.Response)
	if textual(rep.MediaType) && structured(v) {
		return notText(x, rep.MediaType, "the data generated from the schema")
	}
	if rep.Status >= 400 {
		v = s.errorBody(media.Schema, v, texts)
	}
	rep.Raw = encodeBody(rep.MediaType, v)
	s.generatedBodies.put(k, rep.Raw)
	return rep
}

// seedStatus is the status part of a generation seed: every 2xx shares one, so a 200 and a 201
// on one path describe the same resource alike.
func seedStatus(status int) string {
	if status >= 200 && status < 300 {
		return "2xx"
	}
	return strconv.Itoa(status)
}

// headers fills the response headers the description declares.
func (s *Server) headers(x *exchange, resp *openapi3.Response, status int, h http.Header) {
	names := make([]string, 0, len(resp.Headers))
	for n := range resp.Headers {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		ref := resp.Headers[n]
		if ref == nil || ref.Value == nil || strings.EqualFold(n, "Content-Type") {
			continue
		}
		hv := ref.Value
		var v any
		if hv.Example != nil {
			v = hv.Example
		} else if name, ok := firstNamed(x.op.Doc.ExampleOrder(hv), hv.Examples); ok {
			v = hv.Examples[name].Value.Value
		} else if hv.Schema != nil {
			v = s.gens[x.op.Doc].Value(hv.Schema, s.seed(x, seedStatus(status), "header", n), generate.Response)
		} else {
			continue
		}
		h.Set(n, headerValue(v))
	}
}

func headerValue(v any) string {
	switch t := v.(type) {
	case nil:
		return ""
	case string:
		return t
	case []any:
		parts := make([]string, len(t))
		for i, e := range t {
			parts[i] = headerValue(e)
		}
		return strings.Join(parts, ",")
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}

// seed derives the generation seed from the server seed (or the client's), the concrete path
// and the status: the same request gets the same body whatever the order of requests, across
// restarts and replicas; and two operations on one item (GET and PATCH /pets/7) describe it
// alike where their schemas agree.
func (s *Server) seed(x *exchange, parts ...string) uint64 {
	base := s.cfg.Seed
	if x.pref.Seed != "" {
		base = x.pref.Seed
	}
	return generate.Seed(append([]string{base, x.path}, parts...)...)
}

// firstNamed is the first of the examples that have a value, in order (spec.Document's
// ExampleOrder; sorted when it is unknown).
func firstNamed(order []string, examples openapi3.Examples) (string, bool) {
	if order == nil {
		order = namedExamples(nil, examples)
	}
	for _, n := range order {
		if hasValue(examples[n]) {
			return n, true
		}
	}
	return "", false
}

// exampleChoices lists the operation's named examples as "STATUS NAME", for a client that
// asked for one that does not exist: responses, media types and examples in the order the
// description writes them, each name once per response.
func exampleChoices(doc *spec.Document, responses *openapi3.Responses) []string {
	var out []string
	for _, k := range responseOrder(doc, responses) {
		r := responses.Value(k)
		if r == nil || r.Value == nil {
			continue
		}
		var names []string
		for _, mt := range doc.MediaTypes(r.Value) {
			media := r.Value.Content[mt]
			if media == nil {
				continue
			}
			order := doc.ExampleOrder(media)
			if order == nil {
				order = slices.Sorted(maps.Keys(media.Examples))
			}
			for _, n := range order {
				if !slices.Contains(names, n) {
					names = append(names, n)
					out = append(out, k+" "+n)
				}
			}
		}
	}
	return out
}

// findExample finds the first response, in the order the description writes them, whose
// content has the named example.
func findExample(doc *spec.Document, responses *openapi3.Responses, name string) (string, int) {
	for _, k := range responseOrder(doc, responses) {
		r := responses.Value(k)
		if r == nil || r.Value == nil {
			continue
		}
		for _, m := range doc.MediaTypes(r.Value) {
			if r.Value.Content[m].Examples[name] != nil {
				return k, spec.KeyStatus(k)
			}
		}
	}
	return "", 0
}

// responseKey finds the response documenting status: exact code, then NXX, then default.
func responseKey(responses *openapi3.Responses, status int) string {
	if k := spec.CodeKey(responses, status); k != "" {
		return k
	}
	if spec.Usable(responses, "default") {
		return "default"
	}
	return ""
}

// defaultResponse is defaultAmong the responses in responseKeys' order: for a caller that
// does not know the description's order.
func defaultResponse(responses *openapi3.Responses) (string, int) {
	return defaultAmong(responses, spec.ResponseKeys(responses))
}

// defaultAmong picks the response for a request that asks for nothing: the lowest 2xx code,
// then the first 2XX, then default, then the first of keys (responses' keys, as responseOrder
// lists them).
func defaultAmong(responses *openapi3.Responses, keys []string) (string, int) {
	best, status := "", 0
	for _, k := range keys {
		st := spec.KeyStatus(k)
		if st < 200 || st > 299 {
			continue
		}
		// An exact code beats a range; a lower code a higher one.
		if best == "" || (spec.IsRange(best) && !spec.IsRange(k)) || (!spec.IsRange(k) && st < status) {
			best, status = k, st
		}
	}
	if best != "" {
		return best, status
	}
	if responses.Value("default") != nil {
		return "default", http.StatusOK
	}
	if len(keys) > 0 {
		return keys[0], spec.KeyStatus(keys[0])
	}
	return "", 0
}

// responseOrder lists the documented responses in the order the description writes them (as
// responseKeys does where that order is unknown). The slice may be shared: callers must not
// modify it.
func responseOrder(doc *spec.Document, responses *openapi3.Responses) []string {
	if order := doc.ResponseOrder(responses); order != nil {
		return order
	}
	return spec.ResponseKeys(responses)
}

func problemReply(p *problem, source string) *reply {
	return &reply{Status: p.Status, Header: http.Header{}, MediaType: problemMediaType, Value: p, HasBody: true, Source: source, Problem: p}
}
