package mockserver

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/mockserver/mockserver/mockserver/resource"
)

// identity is the caller, as the credential it sent maps to in fixtures (fields nil when the
// credential is not in fixtures: an authenticated stranger).
type identity struct {
	token  string
	fields map[string]any
}

// rule is a fixture rule a description cannot express: what it checks (the resource model's,
// which applies it) and how a refusal is answered.
type rule struct {
	*resource.Rule
	Status  int
	Example string
	Body    any
	HasBody bool
}

// identify finds the caller: the credential of the first security scheme the request carries
// (the Authorization header without its scheme word, or an API key), mapped through fixtures.
func (s *Server) identify(x *exchange) *identity {
	token := ""
	if h := x.r.Header.Get("Authorization"); h != "" {
		token = h
		if _, rest, ok := strings.Cut(h, " "); ok {
			token = strings.TrimSpace(rest)
		}
	}
	if token == "" && x.op.Doc.Doc.Components != nil {
		for _, alt := range x.op.Security {
			for name := range alt {
				ref := x.op.Doc.Doc.Components.SecuritySchemes[name]
				if ref == nil || ref.Value == nil || !strings.EqualFold(ref.Value.Type, "apiKey") {
					continue
				}
				if v := apiKeyValue(x, ref.Value.In, ref.Value.Name); v != "" && (token == "" || v < token) {
					token = v // the smallest, so that the choice never depends on map order
				}
			}
		}
	}
	if token == "" {
		return nil
	}
	return &identity{token: token, fields: s.identities[token]}
}

func apiKeyValue(x *exchange, in, name string) string {
	switch in {
	case "header":
		return x.r.Header.Get(name)
	case "query":
		return x.query.Get(name)
	case "cookie":
		if c, err := x.r.Cookie(name); err == nil {
			return c.Value
		}
	}
	return ""
}

// ruleOf is the fixture rule whose check refused a write.
func (s *Server) ruleOf(refused *resource.Rule) *rule {
	for _, r := range s.rules {
		if r.Rule == refused {
			return r
		}
	}
	return nil
}

// ruleReply answers a refused write: the rule's body, or the documented response of its status
// (with its named example).
func (s *Server) ruleReply(x *exchange, r *rule) *reply {
	if r.HasBody {
		return &reply{Status: r.Status, Header: http.Header{}, MediaType: "application/json", Value: r.Body, HasBody: true, Source: SourceRule}
	}
	key := responseKey(x.op.Op.Responses, r.Status)
	if key == "" {
		p := newProblem(r.Status, fmt.Sprintf("refused by the %s rule on %s.%s", r.Kind, r.Resource, r.Property))
		p.Operation = x.op.ID
		return problemReply(p, SourceRule)
	}
	return s.render(x, key, r.Status, r.Example, SourceRule)
}
