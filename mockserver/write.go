package mockserver

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/mockserver/mockserver/mockserver/body"
)

// Response headers the mock adds to every answer from an operation.
const (
	HeaderOperation  = "X-Mock-Operation"  // the operation that answered
	HeaderSource     = "X-Mock-Source"     // what answered: example, generated, validation+example …
	HeaderExample    = "X-Mock-Example"    // the example's name, when one was served
	HeaderViolations = "X-Mock-Violations" // the request's contract violations, as a JSON array
	HeaderWarning    = "X-Mock-Warning"    // something the client should know about the answer
	HeaderScenario   = "X-Mock-Scenario"   // the scenario that answered
	// HeaderPrismViolations carries the same violations in Prism's form: each location starts
	// with "request" (the client's) or "response" (the description's own example).
	HeaderPrismViolations = "Sl-Violations"
)

// maxViolationsHeader bounds the X-Mock-Violations header; past it, entries are dropped and
// the header says how many were left out.
const maxViolationsHeader = 6 << 10

// write encodes the reply: status, declared headers, the mock's own headers, the body.
func (s *Server) write(w http.ResponseWriter, r *http.Request, x *exchange, rep *reply) {
	var data []byte
	if rep.HasBody && bodyAllowed(rep.Status) {
		data = rep.body()
	}
	s.writeHead(w, x, rep, len(data))
	if r.Method != http.MethodHead && len(data) > 0 {
		_, _ = w.Write(data)
	}
}

// writeHead sends the status line and headers of rep, announcing a body of length bytes. The
// mock's own headers are set by their canonical names, without Header.Set's canonicalising.
func (s *Server) writeHead(w http.ResponseWriter, x *exchange, rep *reply, length int) {
	h := w.Header()
	for k, v := range rep.Header {
		switch {
		case strings.HasPrefix(k, "Access-Control-"):
			continue // CORS is the mock's, not the description's
		case k == "Vary":
			for _, e := range v {
				h.Add(k, e)
			}
		default:
			h[k] = v
		}
	}
	if x != nil {
		h[HeaderOperation] = []string{x.op.ID}
		if x.op.Op.Deprecated {
			h["Deprecation"] = []string{"true"} // as Prism marks a deprecated operation's answers
		}
		var req []Violation
		if x.val != nil {
			req = x.val.Violations
		}
		if len(req) > 0 {
			h[HeaderViolations] = []string{violationsHeader(req, "")}
		}
		if len(req) > 0 || len(rep.ExampleViolations) > 0 {
			h[HeaderPrismViolations] = []string{prismViolationsHeader(req, rep.ExampleViolations)}
		}
		if x.scenario != "" {
			h[HeaderScenario] = []string{x.scenario}
		}
	} else if rep.Problem != nil && rep.Problem.Operation != "" {
		h[HeaderOperation] = []string{rep.Problem.Operation}
	}
	h[HeaderSource] = []string{rep.Source}
	if rep.Example != "" {
		h[HeaderExample] = []string{rep.Example}
	}
	if rep.HasBody && bodyAllowed(rep.Status) {
		h["Content-Type"] = []string{rep.MediaType}
	}
	h["Content-Length"] = []string{strconv.Itoa(length)}
	w.WriteHeader(rep.Status)
}

func bodyAllowed(status int) bool {
	return status >= 200 && status != http.StatusNoContent && status != http.StatusNotModified
}

// body is the encoded body of the reply.
func (rep *reply) body() []byte {
	if rep.Raw != nil {
		return rep.Raw
	}
	return encodeBody(rep.MediaType, rep.Value)
}

// encodeBody serialises a body value for its media type: JSON for JSON types and for
// structured values; strings as they are for everything else.
func encodeBody(mediaType string, v any) []byte {
	if p, ok := v.(*problem); ok {
		return p.body()
	}
	if str, ok := v.(string); ok && !body.IsJSON(mediaType) {
		return []byte(str)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return []byte("null")
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// textual reports whether mediaType is a text type other than JSON or XML: a body of that type
// is written as text, so only a string, a number or a boolean can be.
func textual(mediaType string) bool {
	return len(mediaType) > 5 && strings.EqualFold(mediaType[:5], "text/") && !strings.Contains(mediaType, "json") && !strings.Contains(mediaType, "xml")
}

// structured reports whether v is an object or an array, which no text type can carry.
func structured(v any) bool {
	switch v.(type) {
	case map[string]any, []any:
		return true
	}
	return false
}

// notText is the answer when the value to send is an object or an array and the media type is
// text: a 500 saying why, never JSON labelled as text (Prism answers 500 too).
func notText(x *exchange, mediaType string, what string) *reply {
	p := newProblem(http.StatusInternalServerError, fmt.Sprintf("%s of %s is an object or an array, which cannot be written as %s", what, x.op.ID, mediaType))
	p.Operation = x.op.ID
	return problemReply(p, SourceMock)
}

// violationsHeader encodes as many violations as fit in maxViolationsHeader bytes, each
// location preceded by prefix when it is not "".
func violationsHeader(vs []Violation, prefix string) string {
	b := make([]byte, 0, 256)
	b = append(b, '[')
	b, n := appendViolations(b, vs, prefix, 0)
	if n == 0 && len(vs) > 0 {
		return `[{"location":[],"severity":"Error","code":"truncated","message":"violations too long for a header; see the response body or the journal"}]`
	}
	return string(append(b, ']'))
}

// prismViolationsHeader is Prism's sl-violations header: the request's violations under
// "request", the served example's under "response" (they start with "response" already).
func prismViolationsHeader(req, resp []Violation) string {
	b := make([]byte, 0, 256)
	b = append(b, '[')
	b, n := appendViolations(b, req, "request", 0)
	b, _ = appendViolations(b, resp, "", n)
	return string(append(b, ']'))
}

// appendViolations appends vs as JSON array elements to b while they fit in
// maxViolationsHeader bytes; written is how many elements b holds already. It returns b and
// the new count.
func appendViolations(b []byte, vs []Violation, prefix string, written int) ([]byte, int) {
	for _, v := range vs {
		mark := len(b)
		if written > 0 {
			b = append(b, ',')
		}
		b = v.appendJSON(b, prefix)
		if len(b)+1 > maxViolationsHeader {
			return b[:mark], written
		}
		written++
	}
	return b, written
}

func writeProblem(w http.ResponseWriter, p *problem) {
	b := p.body()
	w.Header().Set("Content-Type", problemMediaType)
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(p.Status)
	_, _ = w.Write(b)
}
