package mockserver

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/mockserver/mockserver/mockserver/resource"
	"github.com/mockserver/mockserver/mockserver/state"
)

// identity is the caller, as the credential it sent maps to in fixtures (fields nil when the
// credential is not in fixtures: an authenticated stranger).
type identity struct {
	token  string
	fields map[string]any
}

// rule is a fixture rule a description cannot express.
type rule struct {
	Kind          string // "unique" or "owner"
	Resource      string
	Property      string
	IdentityField string
	Status        int
	Example       string
	Body          any
	HasBody       bool
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

// checkOwner refuses a write to a record that is not the caller's, under the resource's owner
// rules. A caller fixtures do not know is not refused: the rule cannot tell.
func (s *Server) checkOwner(x *exchange, res string, rec state.Record) error {
	for _, r := range s.rules {
		if r.Kind != "owner" || r.Resource != res || x.identity == nil || x.identity.fields == nil {
			continue
		}
		want, ok := x.identity.fields[r.IdentityField]
		if !ok {
			continue
		}
		if resource.ScalarString(rec[r.Property]) != resource.ScalarString(want) {
			return &errRule{rule: r}
		}
	}
	return nil
}

// checkUnique refuses a record whose unique property another record of the resource (in the
// same scope and session) already has.
func (s *Server) checkUnique(res string, ref state.Ref, rec state.Record, v state.View) error {
	for _, r := range s.rules {
		if r.Kind != "unique" || r.Resource != res || rec[r.Property] == nil {
			continue
		}
		val := resource.ScalarString(rec[r.Property])
		for _, e := range v.List(res, ref.Scope) {
			if e.ID != ref.ID && resource.ScalarString(e.Record[r.Property]) == val {
				return &errRule{rule: r}
			}
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
