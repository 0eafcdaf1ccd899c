package mockserver

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/julienschmidt/httprouter"

	"github.com/mockserver/mockserver/mockserver/journal"
)

// verifyRequest is the body of POST /__mock/verify: how many journaled requests to an
// operation (matching the where-clauses) there must be.
type verifyRequest struct {
	Operation string `json:"operation"`
	Count     *int   `json:"count,omitempty"`
	Min       *int   `json:"min,omitempty"`
	Max       *int   `json:"max,omitempty"`
	Where     struct {
		Session    *string           `json:"session,omitempty"`
		Status     int               `json:"status,omitempty"`
		Query      map[string]string `json:"query,omitempty"`
		Headers    map[string]string `json:"headers,omitempty"`
		Body       map[string]any    `json:"body,omitempty"` // JSON pointer → value
		Violations *bool             `json:"violations,omitempty"`
	} `json:"where"`
}

func (s *Server) verify(w http.ResponseWriter, r *http.Request, _ httprouter.Params) {
	var v verifyRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		writeProblem(w, newProblem(http.StatusBadRequest, "verify: "+err.Error()))
		return
	}
	if v.Operation == "" {
		writeProblem(w, newProblem(http.StatusBadRequest, "verify: operation is required"))
		return
	}
	if !s.knownOperation(v.Operation) {
		p := newProblem(http.StatusBadRequest, "verify: unknown operation "+v.Operation)
		p.Choices = s.operationIDs()
		writeProblem(w, p)
		return
	}
	min, max := 1, -1 // default: at least once
	switch {
	case v.Count != nil:
		min, max = *v.Count, *v.Count
	case v.Min != nil || v.Max != nil:
		min = 0
		if v.Min != nil {
			min = *v.Min
		}
		if v.Max != nil {
			max = *v.Max
		}
	}
	entries := s.journal.Query(journal.Filter{Operation: v.Operation, Status: v.Where.Status, Session: v.Where.Session, Violations: v.Where.Violations})
	matched := 0
	for _, e := range entries {
		if whereMatches(e, v.Where.Query, v.Where.Headers, v.Where.Body) {
			matched++
		}
	}
	expected := fmt.Sprintf("at least %d", min)
	switch {
	case max == min:
		expected = fmt.Sprintf("exactly %d", min)
	case max >= 0:
		expected = fmt.Sprintf("between %d and %d", min, max)
	}
	result := map[string]any{"operation": v.Operation, "matched": matched, "expected": expected}
	if matched < min || (max >= 0 && matched > max) {
		result["ok"] = false
		result["detail"] = fmt.Sprintf("%s: %d matching requests, expected %s (%d requests to the operation in the journal)", v.Operation, matched, expected, len(entries))
		writeJSON(w, http.StatusConflict, result)
		return
	}
	result["ok"] = true
	writeJSON(w, http.StatusOK, result)
}

func whereMatches(e journal.Entry, query, headers map[string]string, body map[string]any) bool {
	for k, want := range query {
		if vals := e.Query[k]; len(vals) == 0 || vals[0] != want {
			return false
		}
	}
	for k, want := range headers {
		vals := e.Headers[http.CanonicalHeaderKey(k)]
		if len(vals) == 0 || vals[0] != want {
			return false
		}
	}
	if len(body) == 0 {
		return true
	}
	var doc any
	if json.Unmarshal([]byte(e.Body), &doc) != nil {
		return false
	}
	for ptr, want := range body {
		got, ok := pointer(doc, ptr)
		if !ok || scalarString(got) != scalarString(want) {
			return false
		}
	}
	return true
}

// pointer resolves an RFC 6901 JSON pointer.
func pointer(doc any, ptr string) (any, bool) {
	if ptr == "" {
		return doc, true
	}
	if !strings.HasPrefix(ptr, "/") {
		return nil, false
	}
	cur := doc
	for _, tok := range strings.Split(ptr[1:], "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		switch t := cur.(type) {
		case map[string]any:
			v, ok := t[tok]
			if !ok {
				return nil, false
			}
			cur = v
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(t) {
				return nil, false
			}
			cur = t[i]
		default:
			return nil, false
		}
	}
	return cur, true
}

func (s *Server) knownOperation(id string) bool {
	for _, rt := range s.routes {
		if rt.Operation == id {
			return true
		}
	}
	return false
}

// knownTemplate reports whether "METHOD /template" names a served operation.
func (s *Server) knownTemplate(m string) bool {
	for _, rt := range s.routes {
		if opMatches(m, rt) {
			return true
		}
	}
	return false
}

func (s *Server) operationIDs() []string {
	out := make([]string, len(s.routes))
	for i, rt := range s.routes {
		out[i] = rt.Operation
	}
	return out
}

func (s *Server) listRequests(w http.ResponseWriter, r *http.Request, _ httprouter.Params) {
	q := r.URL.Query()
	f := journal.Filter{Operation: q.Get("operation")}
	if v := q.Get("status"); v != "" {
		f.Status, _ = strconv.Atoi(v)
	}
	if v, ok := q["session"]; ok {
		f.Session = &v[0]
	}
	if v := q.Get("violations"); v != "" {
		b := v == "true" || v == "1"
		f.Violations = &b
	}
	if v := q.Get("limit"); v != "" {
		f.Limit, _ = strconv.Atoi(v)
	}
	writeJSON(w, http.StatusOK, map[string]any{"requests": s.journal.Query(f)})
}

func (s *Server) clearRequests(w http.ResponseWriter, _ *http.Request, _ httprouter.Params) {
	s.journal.Clear()
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) getCoverage(w http.ResponseWriter, r *http.Request, _ httprouter.Params) {
	rep := s.coverage.report()
	if r.URL.Query().Get("format") == "junit" {
		b, err := rep.JUnit()
		if err != nil {
			writeProblem(w, newProblem(http.StatusInternalServerError, err.Error()))
			return
		}
		w.Header().Set("Content-Type", "application/xml")
		_, _ = w.Write(b)
		return
	}
	writeJSON(w, http.StatusOK, rep)
}
