package mockserver

import (
	"fmt"
	"sort"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/mockserver/mockserver/mockserver/body"
	"github.com/mockserver/mockserver/mockserver/spec"
)

// What to do with a response example that breaks its own schema (Config.InvalidExamples).
const (
	InvalidExamplesServe    = "serve"    // serve it as the description wrote it (Prism's behaviour)
	InvalidExamplesGenerate = "generate" // answer generated data instead
)

// exampleKey names one example: name "" is the media type's single `example`.
type exampleKey struct {
	media *openapi3.MediaType
	name  string
}

// BadExample is a response example that does not validate against its own schema, found at
// start-up.
type BadExample struct {
	File       string      `json:"file"`
	Operation  string      `json:"operation"`
	Status     string      `json:"status"`
	MediaType  string      `json:"mediaType"`
	Example    string      `json:"example"` // "" for a media type's single example
	Violations []Violation `json:"violations"`
}

// planResponses works out, once, what answering needs of every operation's responses: the
// default response and the order of each media type's examples.
func (s *Server) planResponses() {
	s.plans = map[*openapi3.Responses]*responsePlan{}
	s.exampleNames = map[*openapi3.MediaType][]string{}
	for _, d := range s.docs {
		for _, op := range d.Ops {
			key, status := defaultAmong(op.Op.Responses, responseOrder(d, op.Op.Responses))
			s.plans[op.Op.Responses] = &responsePlan{key, status}
			for _, ref := range op.Op.Responses.Map() {
				if ref == nil || ref.Value == nil {
					continue
				}
				for _, media := range ref.Value.Content {
					if _, ok := s.exampleNames[media]; media != nil && !ok {
						s.exampleNames[media] = exampleNamesOf(d.ExampleOrder(media), media)
					}
				}
			}
		}
	}
}

// checkExamples validates every response example of every operation against its schema, once,
// and remembers the ones that fail.
func (s *Server) checkExamples() {
	s.badExamples = map[exampleKey][]Violation{}
	s.warnings = map[exampleKey]string{}
	seen := map[exampleKey]bool{}
	for _, d := range s.docs {
		for _, op := range d.Ops {
			for _, status := range spec.ResponseKeys(op.Op.Responses) {
				ref := op.Op.Responses.Value(status)
				if ref == nil || ref.Value == nil {
					continue
				}
				for _, mt := range d.MediaTypes(ref.Value) {
					media := ref.Value.Content[mt]
					if media == nil || media.Schema == nil || media.Schema.Value == nil || !body.IsJSON(mt) {
						continue
					}
					for _, name := range s.examplesOf(media) {
						k := exampleKey{media, name}
						if seen[k] {
							continue // a shared response component is checked once
						}
						seen[k] = true
						vs := s.exampleViolations(media, exampleValue(media, name))
						if len(vs) == 0 {
							continue
						}
						s.badExamples[k] = vs
						if s.cfg.InvalidExamples == InvalidExamplesGenerate {
							s.warnings[k] = fmt.Sprintf("example %q breaks its schema; generated instead", name)
						} else {
							s.warnings[k] = fmt.Sprintf("example %q breaks its schema (served as written)", name)
						}
						s.badList = append(s.badList, BadExample{File: d.File, Operation: op.ID, Status: status, MediaType: mt, Example: name, Violations: vs})
					}
				}
			}
		}
	}
}

func (s *Server) exampleViolations(media *openapi3.MediaType, v any) []Violation {
	if err := media.Schema.Value.VisitJSON(v, s.responseOpts(media.Schema)...); err != nil {
		return schemaViolations([]string{"response", "body"}, err)
	}
	return nil
}

// exampleNamesOf lists a media type's examples: "" for `example`, then the named ones in
// order (the description's, from spec.Document.ExampleOrder; sorted when it is unknown).
func exampleNamesOf(order []string, media *openapi3.MediaType) []string {
	var names []string
	if media.Example != nil {
		names = append(names, "")
	}
	return append(names, namedExamples(order, media.Examples)...)
}

// namedExamples lists the names of the examples that have a value: in order (a listing of
// the names of examples, spec.Document.ExampleOrder) when it is known, else sorted.
func namedExamples(order []string, examples openapi3.Examples) []string {
	var named []string
	if order != nil {
		for _, n := range order {
			if hasValue(examples[n]) {
				named = append(named, n)
			}
		}
		return named
	}
	for n, e := range examples {
		if hasValue(e) {
			named = append(named, n)
		}
	}
	sort.Strings(named)
	return named
}

func hasValue(e *openapi3.ExampleRef) bool {
	return e != nil && e.Value != nil && e.Value.Value != nil
}

func exampleValue(media *openapi3.MediaType, name string) any {
	if name == "" {
		return media.Example
	}
	return media.Examples[name].Value.Value
}

// responsePlan is what answering a valid request that asks for nothing needs of an operation's
// responses, decided at start-up: the response to answer (defaultResponse).
type responsePlan struct {
	key    string
	status int
}

// defaultOf is defaultResponse, as planned at start-up.
func (s *Server) defaultOf(responses *openapi3.Responses) (string, int) {
	if p := s.plans[responses]; p != nil {
		return p.key, p.status
	}
	return defaultResponse(responses)
}

// examplesOf is exampleNamesOf, as listed at start-up (sorted for a media type no operation
// answers with).
func (s *Server) examplesOf(media *openapi3.MediaType) []string {
	if names, ok := s.exampleNames[media]; ok {
		return names
	}
	return exampleNamesOf(nil, media)
}

// firstExample picks the example to serve when none is named: the first one, or with
// InvalidExamples=generate the first one that matches its schema.
func (s *Server) firstExample(media *openapi3.MediaType) (string, any, bool) {
	for _, name := range s.examplesOf(media) {
		if s.cfg.InvalidExamples == InvalidExamplesGenerate && s.badExamples[exampleKey{media, name}] != nil {
			continue
		}
		return name, exampleValue(media, name), true
	}
	return "", nil, false
}

// serveExample answers an example, unless it breaks its schema and the configuration says
// otherwise: with Errors a 500 problem naming the violations, with InvalidExamples=generate
// generated data.
func (s *Server) serveExample(x *exchange, media *openapi3.MediaType, rep *reply, name string, source string) *reply {
	bad := s.badExamples[exampleKey{media, name}]
	switch {
	case bad == nil:
	case s.cfg.Errors:
		p := newProblem(500, fmt.Sprintf("the example %q of %s does not match its own schema", name, x.op.ID))
		p.Operation = x.op.ID
		p.Validation = bad
		return problemReply(p, SourceMock)
	default:
		rep.Header[HeaderWarning] = []string{s.warnings[exampleKey{media, name}]}
		rep.ExampleViolations = bad
		if s.cfg.InvalidExamples == InvalidExamplesGenerate {
			return s.generated(x, media, rep) // a bad example always has a schema
		}
	}
	if textual(rep.MediaType) && structured(exampleValue(media, name)) {
		return notText(x, rep.MediaType, fmt.Sprintf("the example %q", name))
	}
	rep.Source, rep.Example = source, name
	k := exampleEncoding{exampleKey{media, name}, body.IsJSON(rep.MediaType)}
	if raw, ok := s.examples.Load(k); ok {
		rep.Raw = raw.([]byte)
		return rep
	}
	rep.Raw = encodeBody(rep.MediaType, exampleValue(media, name))
	s.examples.Store(k, rep.Raw)
	return rep
}

// exampleEncoding names one encoding of an example: a string example is sent as it is, unless
// the media type is JSON.
type exampleEncoding struct {
	exampleKey
	json bool
}
