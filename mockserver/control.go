package mockserver

import (
	"encoding/json"
	"net/http"

	"github.com/julienschmidt/httprouter"
)

// controlAPI serves /__mock: the mock's own endpoints, never part of a description.
func (s *Server) controlAPI() http.Handler {
	r := httprouter.New()
	r.RedirectTrailingSlash = false
	r.RedirectFixedPath = false
	r.HandleMethodNotAllowed = true
	r.GET(controlPrefix+"/health", func(w http.ResponseWriter, _ *http.Request, _ httprouter.Params) {
		writeJSON(w, http.StatusOK, map[string]any{"status": "ok", "descriptions": len(s.docs), "operations": len(s.routes)})
	})
	r.GET(controlPrefix+"/routes", func(w http.ResponseWriter, _ *http.Request, _ httprouter.Params) {
		writeJSON(w, http.StatusOK, s.routes)
	})
	r.NotFound = http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		writeProblem(w, newProblem(http.StatusNotFound, "no control endpoint "+req.URL.Path))
	})
	r.MethodNotAllowed = http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		writeProblem(w, newProblem(http.StatusMethodNotAllowed, req.Method+" is not allowed on "+req.URL.Path))
	})
	return r
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
