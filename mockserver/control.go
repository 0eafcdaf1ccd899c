package mockserver

import (
	"crypto/subtle"
	_ "embed"
	"encoding/json"
	"io"
	"net/http"
	"runtime/debug"
	"sort"
	"strings"

	"github.com/julienschmidt/httprouter"

	"github.com/mockserver/mockserver/mockserver/resource"
	"github.com/mockserver/mockserver/mockserver/state"
)

//go:embed controlapi.json
var controlAPIDescription []byte

// controlAPI serves /__mock: the mock's own endpoints, never part of a description. It is
// described by controlapi.json, served at /__mock/openapi.json.
func (s *Server) controlAPI() http.Handler {
	r := httprouter.New()
	r.RedirectTrailingSlash = false
	r.RedirectFixedPath = false
	r.HandleMethodNotAllowed = true
	r.GET(controlPrefix+"/health", func(w http.ResponseWriter, _ *http.Request, _ httprouter.Params) {
		writeJSON(w, http.StatusOK, map[string]any{"status": "ok", "descriptions": len(s.docs), "operations": len(s.routes)})
	})
	r.GET(controlPrefix+"/openapi.json", func(w http.ResponseWriter, _ *http.Request, _ httprouter.Params) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(controlAPIDescription)
	})
	r.GET(controlPrefix+"/routes", func(w http.ResponseWriter, _ *http.Request, _ httprouter.Params) {
		writeJSON(w, http.StatusOK, s.routeInfo())
	})
	r.GET(controlPrefix+"/state", s.getState)
	r.GET(controlPrefix+"/state/:resource", s.listRecords)
	r.GET(controlPrefix+"/state/:resource/:id", s.getRecord)
	r.PUT(controlPrefix+"/state/:resource/:id", s.putRecord)
	r.DELETE(controlPrefix+"/state/:resource/:id", s.deleteRecord)
	r.POST(controlPrefix+"/reset", s.reset)
	r.GET(controlPrefix+"/requests", s.listRequests)
	r.DELETE(controlPrefix+"/requests", s.clearRequests)
	r.POST(controlPrefix+"/verify", s.verify)
	r.GET(controlPrefix+"/coverage", s.getCoverage)
	r.GET(controlPrefix+"/scenarios", s.listScenarios)
	r.POST(controlPrefix+"/scenarios", s.putScenario)
	r.DELETE(controlPrefix+"/scenarios", s.clearScenarios)
	r.DELETE(controlPrefix+"/scenarios/:name", s.deleteScenario)
	r.POST(controlPrefix+"/scenarios/:name/activate", s.activate(true))
	r.POST(controlPrefix+"/scenarios/:name/deactivate", s.activate(false))
	r.NotFound = http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		writeProblem(w, newProblem(http.StatusNotFound, "no control endpoint "+req.URL.Path+"; see /__mock/openapi.json"))
	})
	r.MethodNotAllowed = http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		writeProblem(w, newProblem(http.StatusMethodNotAllowed, req.Method+" is not allowed on "+req.URL.Path))
	})
	return r
}

// controlAllowed checks the control token, when one is configured (constant time).
func (s *Server) controlAllowed(r *http.Request) bool {
	if s.cfg.ControlToken == "" {
		return true
	}
	got := r.Header.Get("X-Mock-Token")
	if h := r.Header.Get("Authorization"); got == "" && len(h) > 7 && strings.EqualFold(h[:7], "Bearer ") {
		got = h[7:]
	}
	return subtle.ConstantTimeCompare([]byte(got), []byte(s.cfg.ControlToken)) == 1
}

// routeInfo is a served operation with what the mock inferred about its state.
type routeInfo struct {
	Route
	Resource string `json:"resource,omitempty"`
	Kind     string `json:"kind"`
	Key      string `json:"key,omitempty"`
	Inferred bool   `json:"inferred"`
}

func (s *Server) routeInfo() []routeInfo {
	out := make([]routeInfo, len(s.routes))
	for i, rt := range s.routes {
		out[i] = routeInfo{Route: rt, Kind: string(resource.None), Inferred: true}
		if b := s.bindings[rt.op]; b != nil {
			out[i].Resource, out[i].Kind, out[i].Key, out[i].Inferred = b.Resource, string(b.Kind), b.Key, b.Inferred
		}
	}
	return out
}

// controlSession is the session a control request is about: ?session=, else the header.
func controlSession(r *http.Request) string {
	if v, ok := r.URL.Query()["session"]; ok && len(v) > 0 {
		return v[0]
	}
	return sessionOf(r)
}

func (s *Server) getState(w http.ResponseWriter, r *http.Request, _ httprouter.Params) {
	session := controlSession(r)
	resources := make([]map[string]any, 0, len(s.shapes))
	counts := map[string]int{}
	for _, ri := range s.store.Resources(session) {
		counts[ri.Resource] += ri.Count
	}
	for _, name := range s.resourceNames() {
		sh := s.shapes[name]
		resources = append(resources, map[string]any{"name": name, "records": counts[name], "closed": sh.Closed, "key": sh.KeyProperty, "collection": sh.Collection})
	}
	writeJSON(w, http.StatusOK, map[string]any{"session": session, "resources": resources, "sessions": s.store.Sessions()})
}

func (s *Server) knownResource(w http.ResponseWriter, name string) bool {
	if s.shapes[name] == nil {
		p := newProblem(http.StatusNotFound, "no resource "+name)
		p.Choices = s.resourceNames()
		writeProblem(w, p)
		return false
	}
	return true
}

func (s *Server) listRecords(w http.ResponseWriter, r *http.Request, ps httprouter.Params) {
	name := ps.ByName("resource")
	if !s.knownResource(w, name) {
		return
	}
	session := controlSession(r)
	var scopes []string
	if sc, ok := r.URL.Query()["scope"]; ok {
		scopes = sc[:1]
	} else {
		for _, ri := range s.store.Resources(session) {
			if ri.Resource == name {
				scopes = append(scopes, ri.Scope)
			}
		}
		sort.Strings(scopes)
	}
	records := []map[string]any{}
	for _, scope := range scopes {
		for _, e := range s.store.List(session, name, scope) {
			records = append(records, map[string]any{"id": e.ID, "scope": scope, "record": e.Record})
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"session": session, "resource": name, "records": records})
}

func recordRef(r *http.Request, ps httprouter.Params) state.Ref {
	return state.Ref{Resource: ps.ByName("resource"), Scope: r.URL.Query().Get("scope"), ID: ps.ByName("id")}
}

func (s *Server) getRecord(w http.ResponseWriter, r *http.Request, ps httprouter.Params) {
	ref := recordRef(r, ps)
	if !s.knownResource(w, ref.Resource) {
		return
	}
	rec, ok := s.store.Get(controlSession(r), ref)
	if !ok {
		writeProblem(w, newProblem(http.StatusNotFound, "no record "+ref.ID+" of "+ref.Resource+" in this session"))
		return
	}
	writeJSON(w, http.StatusOK, rec)
}

// putRecord stores a record as sent (a JSON object), replacing any; its key property is set
// from the path.
func (s *Server) putRecord(w http.ResponseWriter, r *http.Request, ps httprouter.Params) {
	ref := recordRef(r, ps)
	if !s.knownResource(w, ref.Resource) {
		return
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.cfg.MaxBodyBytes))
	var rec map[string]any
	if err == nil {
		err = json.Unmarshal(data, &rec)
	}
	if err != nil || rec == nil {
		writeProblem(w, newProblem(http.StatusBadRequest, "want a JSON object as the record"))
		return
	}
	sh := s.shapes[ref.Resource]
	if v, ok := s.engine.KeyValue(sh, ref.ID); ok {
		rec[sh.KeyProperty] = v
	}
	status := http.StatusOK
	_, err = s.store.Update(controlSession(r), ref, func(_ state.Record, exists bool, _ state.View) (state.Record, error) {
		if !exists {
			status = http.StatusCreated
		}
		return rec, nil
	})
	if err != nil {
		writeProblem(w, newProblem(http.StatusInsufficientStorage, err.Error()))
		return
	}
	writeJSON(w, status, rec)
}

func (s *Server) deleteRecord(w http.ResponseWriter, r *http.Request, ps httprouter.Params) {
	ref := recordRef(r, ps)
	if !s.knownResource(w, ref.Resource) {
		return
	}
	if !s.store.Delete(controlSession(r), ref) {
		writeProblem(w, newProblem(http.StatusNotFound, "no record "+ref.ID+" of "+ref.Resource+" in this session"))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// reset drops the writes of one session (?session= or the header) or, with neither, of all.
func (s *Server) reset(w http.ResponseWriter, r *http.Request, _ httprouter.Params) {
	_, named := r.URL.Query()["session"]
	if named || r.Header.Get(HeaderSession) != "" {
		session := controlSession(r)
		s.store.Reset(session)
		s.scenarios.Reset(session)
		s.ids.Reset(session, false)
		writeJSON(w, http.StatusOK, map[string]any{"reset": []string{session}})
		return
	}
	var freed int64
	for _, ss := range s.store.Sessions() {
		freed += ss.Bytes
	}
	s.store.ResetAll()
	s.scenarios.ResetAll()
	s.ids.Reset("", true)
	s.giveBack(freed)
	writeJSON(w, http.StatusOK, map[string]any{"reset": "all"})
}

// giveBackAt is how much a reset or a cleared journal must have freed for the memory to be
// handed back to the system at once.
const giveBackAt = 8 << 20

// giveBack hands the memory just freed back to the system, in the background, when it is much:
// Go would keep it for minutes, and a mock left running after a large test run should not
// hold on to what that run needed.
// One runs at a time: the next ones meanwhile are the same work (rt.givingBack).
func (rt *runtime) giveBack(freed int64) {
	if freed >= giveBackAt && rt.givingBack.CompareAndSwap(false, true) {
		go func() {
			defer rt.givingBack.Store(false)
			debug.FreeOSMemory()
		}()
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		writeProblem(w, newProblem(http.StatusInternalServerError, err.Error()))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}
