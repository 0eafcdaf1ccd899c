package mockserver

import (
	"bytes"
	"encoding/json"
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
		if x.val != nil && len(x.val.Violations) > 0 {
			h[HeaderViolations] = []string{violationsHeader(x.val.Violations)}
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

// violationsHeader encodes as many violations as fit in maxViolationsHeader bytes.
func violationsHeader(vs []Violation) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, v := range vs {
		e, err := json.Marshal(v)
		if err != nil {
			continue
		}
		if b.Len()+len(e)+2 > maxViolationsHeader {
			if i == 0 {
				return `[{"location":[],"code":"truncated","message":"violations too long for a header; see the response body or the journal"}]`
			}
			break
		}
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(e)
	}
	b.WriteByte(']')
	return b.String()
}

func writeProblem(w http.ResponseWriter, p *problem) {
	b := p.body()
	w.Header().Set("Content-Type", problemMediaType)
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(p.Status)
	_, _ = w.Write(b)
}
