package mockserver

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/julienschmidt/httprouter"

	"github.com/mockserver/mockserver/mockserver/journal"
	"github.com/mockserver/mockserver/mockserver/jsonptr"
	"github.com/mockserver/mockserver/mockserver/opsel"
	"github.com/mockserver/mockserver/mockserver/spec"
)

// verifyRequest is the body of POST /__mock/verify: how many journaled requests to an
// operation (matching the where-clauses) there must be.
type verifyRequest struct {
	Operation string `json:"operation"` // a selector: operationId, "METHOD /template" or "*"
	Count     *int   `json:"count,omitempty"`
	Min       *int   `json:"min,omitempty"`
	Max       *int   `json:"max,omitempty"`
	Where     struct {
		Session    *string           `json:"session,omitempty"`
		Status     int               `json:"status,omitempty"`
		Query      map[string]string `json:"query,omitempty"`
		Headers    map[string]string `json:"headers,omitempty"`
		Body       map[string]any    `json:"body,omitempty"` // JSON pointer → value, as jsonptr.Equal compares them
		Violations *bool             `json:"violations,omitempty"`
	} `json:"where"`
}

func (s *Server) verify(w http.ResponseWriter, r *http.Request, _ httprouter.Params) {
	var v verifyRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
	dec.DisallowUnknownFields()
	dec.UseNumber() // where.body numbers compare exactly, however large
	if err := dec.Decode(&v); err != nil {
		writeProblem(w, newProblem(http.StatusBadRequest, "verify: "+err.Error()))
		return
	}
	if v.Operation == "" {
		writeProblem(w, newProblem(http.StatusBadRequest, "verify: operation is required: "+opsel.Form))
		return
	}
	_, ops, err := s.resolveOperation(v.Operation)
	if err != nil {
		p := newProblem(http.StatusBadRequest, "verify: "+err.Error())
		p.Choices = s.operationIDs()
		writeProblem(w, p)
		return
	}
	body, err := bodyChecks(v.Where.Body)
	if err != nil {
		writeProblem(w, newProblem(http.StatusBadRequest, "verify: where.body: "+err.Error()))
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
	// The entries themselves, not copies; compared without the journal's lock held.
	entries := s.journal.All(journal.Filter{Operations: operationIDs(ops), Status: v.Where.Status, Session: v.Where.Session, Violations: v.Where.Violations})
	matched := 0
	for _, e := range entries {
		if s.whereMatches(e, v.Where.Query, v.Where.Headers, body) {
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

// bodyCheck is one where.body entry: the value at ptr must equal want.
type bodyCheck struct {
	ptr  jsonptr.Pointer
	want any
}

// bodyChecks parses the pointers of where.body, in order.
func bodyChecks(body map[string]any) ([]bodyCheck, error) {
	keys := make([]string, 0, len(body))
	for k := range body {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]bodyCheck, 0, len(keys))
	for _, k := range keys {
		ptr, err := jsonptr.Parse(k)
		if err != nil {
			return nil, err
		}
		out = append(out, bodyCheck{ptr, body[k]})
	}
	return out, nil
}

// operationIDs are the IDs of ops, as the journal names operations: operations of two
// descriptions sharing an operationId are not told apart.
func operationIDs(ops []*spec.Operation) map[string]bool {
	ids := make(map[string]bool, len(ops))
	for _, op := range ops {
		ids[op.ID] = true
	}
	return ids
}

// whereMatches reports whether a journal entry meets verify's where-clauses: query and header
// values compared as text, body values at JSON pointers by JSON equality (jsonptr.Equal:
// 7 equals 7.0, not "7"). The entry is compared as the journal shows it, redacted: verify
// tells nothing about a secret the journal hides.
func (s *Server) whereMatches(e *journal.Entry, query, headers map[string]string, body []bodyCheck) bool {
	rd := s.rulesFor(e)
	if len(query) > 0 {
		_, raw, _ := strings.Cut(e.URL, "?")
		q := parseQuery(redactPairs(rd, raw))
		for k, want := range query {
			if vals := q[k]; len(vals) == 0 || vals[0] != want {
				return false
			}
		}
	}
	for k, want := range headers {
		name := http.CanonicalHeaderKey(k)
		vals := e.Headers[name]
		if len(vals) > 0 && rd.Secret(name) {
			vals = redactHeader(name, vals[:1])
		}
		if len(vals) == 0 || vals[0] != want {
			return false
		}
	}
	if len(body) == 0 {
		return true
	}
	var doc any
	dec := json.NewDecoder(strings.NewReader(entryBody(rd, e)))
	dec.UseNumber()
	if dec.Decode(&doc) != nil || dec.More() {
		return false
	}
	for _, b := range body {
		if !b.ptr.Equals(doc, b.want) {
			return false
		}
	}
	return true
}

// selectOps returns the served operations sel names, in route order.
func (s *Server) selectOps(sel opsel.Selector) []*spec.Operation {
	var ops []*spec.Operation
	for _, rt := range s.routes {
		if sel.Matches(rt.op.ID, rt.op.Method, rt.op.Path) {
			ops = append(ops, rt.op)
		}
	}
	return ops
}

// resolveOperation parses an operation selector (see package opsel) and finds the served
// operations it names. Empty text, or a selector naming no operation, is an error that says
// what a selector looks like and which operations come closest.
func (s *Server) resolveOperation(text string) (opsel.Selector, []*spec.Operation, error) {
	sel, err := opsel.Parse(text)
	if err != nil {
		return sel, nil, err
	}
	ops := s.selectOps(sel)
	if len(ops) == 0 {
		return sel, nil, fmt.Errorf("unknown operation %q: want %s; %s", text, opsel.Form, s.closestOperations(text))
	}
	return sel, ops, nil
}

// operationFor is the one served operation a fixture's operation entry names: the first,
// when a case-insensitive operationId names several.
func (s *Server) operationFor(text string) (*spec.Operation, error) {
	sel, ops, err := s.resolveOperation(text)
	switch {
	case err != nil:
		return nil, err
	case sel.All():
		return nil, fmt.Errorf("operation %q: name one operation: %s", text, opsel.Form)
	}
	return ops[0], nil
}

// closestOperations names the served operations a misspelt selector may have meant.
func (s *Server) closestOperations(text string) string {
	const shown = 3
	type cand struct {
		name string
		dist int
	}
	want := strings.ToLower(strings.Join(strings.Fields(text), " "))
	cands := make([]cand, 0, len(s.routes))
	for _, rt := range s.routes {
		name := rt.op.Method + " " + rt.op.Path
		d := editDistance(want, strings.ToLower(name))
		if rt.op.ID != name {
			d = min(d, editDistance(want, strings.ToLower(rt.op.ID)))
			name = rt.op.ID + " (" + name + ")"
		}
		cands = append(cands, cand{name, d})
	}
	if len(cands) == 0 {
		return "no operations are served"
	}
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].dist < cands[j].dist })
	names := make([]string, 0, shown)
	for _, c := range cands[:min(shown, len(cands))] {
		names = append(names, c.name)
	}
	return "closest: " + strings.Join(names, ", ") + "; all in GET /__mock/routes"
}

func (s *Server) operationIDs() []string {
	out := make([]string, len(s.routes))
	for i, rt := range s.routes {
		out[i] = rt.Operation
	}
	return out
}

// Pages of GET /__mock/requests.
const (
	defaultRequestsLimit = 100
	maxRequestsLimit     = 1000
)

// listRequests answers a page of the journal, filtered by the query: operation (a selector,
// as verify takes it), status, session and violations. With after (an entry id), the page is
// the first limit matching entries after it, and next (the Link header's rel="next" and the
// field) is where to continue while more follow; without, it is the newest limit entries,
// and first says where the journal starts when older ones were left out. limit is 100 unless
// given, at most 1000.
//
// The page is encoded entry by entry to w: neither the journal's lock is held nor the whole
// answer built in memory meanwhile.
func (s *Server) listRequests(w http.ResponseWriter, r *http.Request, _ httprouter.Params) {
	q := r.URL.Query()
	var f journal.Filter
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
	limit := defaultRequestsLimit
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			writeProblem(w, newProblem(http.StatusBadRequest, "requests: limit must be a whole number, got "+strconv.Quote(v)))
			return
		}
		if n > 0 {
			limit = min(n, maxRequestsLimit)
		}
	}
	var after uint64
	_, paging := q["after"]
	if paging {
		var err error
		if after, err = strconv.ParseUint(q.Get("after"), 10, 64); err != nil {
			writeProblem(w, newProblem(http.StatusBadRequest, "requests: after must be the id of an entry, got "+strconv.Quote(q.Get("after"))))
			return
		}
	}
	if op := q.Get("operation"); op != "" {
		_, ops, err := s.resolveOperation(op)
		if err != nil {
			writeProblem(w, newProblem(http.StatusBadRequest, "requests: "+err.Error()))
			return
		}
		f.Operations = operationIDs(ops)
	}

	var page []*journal.Entry
	var more bool
	rel, cursor := "next", uint64(0)
	if paging {
		page, more = s.journal.After(f, after, limit)
		if more {
			cursor = page[len(page)-1].ID
		}
	} else {
		page, more = s.journal.Last(f, limit)
		rel = "first"
	}
	var link string
	if more {
		q.Set("after", strconv.FormatUint(cursor, 10))
		q.Set("limit", strconv.Itoa(limit))
		link = controlPrefix + "/requests?" + q.Encode()
		w.Header().Set("Link", "<"+link+`>; rel="`+rel+`"`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)

	bw := bufio.NewWriterSize(w, 32<<10)
	_, _ = bw.WriteString("{\n  \"requests\": [")
	written := 0
	for i, e := range page {
		page[i] = nil // once written, an entry the journal has dropped meanwhile can go
		b, err := json.MarshalIndent(s.journalView(e), "    ", "  ")
		if err != nil {
			continue // an entry is strings, numbers and maps of strings: it always encodes
		}
		if written > 0 {
			_ = bw.WriteByte(',')
		}
		_, _ = bw.WriteString("\n    ")
		if _, err := bw.Write(b); err != nil {
			return // the client went away
		}
		written++
	}
	if written > 0 {
		_, _ = bw.WriteString("\n  ")
	}
	_, _ = bw.WriteString("]")
	if link != "" {
		// link is a path and an encoded query: nothing in it needs escaping in a JSON string.
		_, _ = bw.WriteString(",\n  \"" + rel + "\": \"" + link + "\"")
	}
	_, _ = bw.WriteString("\n}\n")
	_ = bw.Flush()
}

func (s *Server) clearRequests(w http.ResponseWriter, _ *http.Request, _ httprouter.Params) {
	freed := s.journal.Bytes()
	s.journal.Clear()
	s.giveBack(freed)
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
