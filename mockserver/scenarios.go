package mockserver

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/julienschmidt/httprouter"

	"github.com/mockserver/mockserver/mockserver/scenario"
	"github.com/mockserver/mockserver/mockserver/spec"
)

// SourceScenario marks an answer a scenario forced.
const SourceScenario = "scenario"

// fromScenario answers a valid request a scenario matches: its next step's status, with the
// step's body, or the documented example it names, or what the description would answer for
// that status. The step's delay and fault are applied by the pipeline.
func (s *Server) fromScenario(x *exchange) *reply {
	var body any
	if x.val != nil {
		body = x.val.Body
	}
	hit, ok := s.scenarios.Next(scenario.Request{
		Operation: x.op.ID, Method: x.op.Method, Template: x.op.Path,
		PathParams: x.params, Query: x.query, Header: x.r.Header, Body: body,
		Session: sessionOf(x.r), Named: x.pref.Scenario,
	})
	if !ok {
		return nil
	}
	st := hit.Step
	x.scenario, x.scenarioDelay, x.scenarioFault = hit.Scenario, st.Delay, st.Fault
	key := responseKey(x.op.Op.Responses, st.Status)
	var rep *reply
	switch {
	case st.HasBody:
		rep = &reply{Status: st.Status, Header: http.Header{}, MediaType: "application/json", Value: st.Body, HasBody: true, Source: SourceScenario}
	case key != "":
		rep = s.render(x, key, st.Status, st.Example, SourceExample)
		if rep.Problem == nil {
			rep.Source = SourceScenario + "+" + rep.Source
		}
	default:
		p := newProblem(st.Status, fmt.Sprintf("answered by scenario %s", hit.Scenario))
		p.Operation = x.op.ID
		rep = problemReply(p, SourceScenario)
	}
	if key == "" {
		rep.Header.Set(HeaderWarning, fmt.Sprintf("status %d is not documented by %s; scenario %s forces it", st.Status, x.op.ID, hit.Scenario))
	}
	for k, v := range st.Headers {
		rep.Header.Set(k, v)
	}
	return rep
}

// checkScenario refuses a scenario the descriptions cannot honour: an operation selector that
// names no served operation, a status it does not document (unless the step says
// undocumented), an example its response does not have.
func (s *Server) checkScenario(sc scenario.Scenario) error {
	if err := sc.Validate(); err != nil {
		return err
	}
	// Every operation, unless the scenario selects some (see package opsel).
	anyOp := sc.Match.Operation == ""
	var ops []*spec.Operation
	if anyOp {
		for _, rt := range s.routes {
			ops = append(ops, rt.op)
		}
	} else {
		sel, selected, err := s.resolveOperation(sc.Match.Operation)
		if err != nil {
			return fmt.Errorf("scenario %s: %w", sc.Name, err)
		}
		ops, anyOp = selected, sel.All()
	}
	var errs []error
	for i, st := range sc.Steps {
		for _, op := range ops {
			key := responseKey(op.Op.Responses, st.Status)
			switch {
			case key == "" && !st.Undocumented && !anyOp:
				errs = append(errs, fmt.Errorf("scenario %s step %d: %s documents no response %d (documented: %s); set undocumented: true to force it",
					sc.Name, i+1, op.ID, st.Status, strings.Join(spec.ResponseKeys(op.Op.Responses), ", ")))
			case key != "" && st.Example != "" && !hasExample(op, key, st.Example):
				errs = append(errs, fmt.Errorf("scenario %s step %d: response %s of %s has no example %q", sc.Name, i+1, key, op.ID, st.Example))
			}
		}
	}
	return errors.Join(errs...)
}

func hasExample(op *spec.Operation, key, name string) bool {
	r := op.Op.Responses.Value(key)
	if r == nil || r.Value == nil {
		return false
	}
	for _, m := range r.Value.Content {
		if m != nil && m.Examples[name] != nil {
			return true
		}
	}
	return false
}

// The control API for scenarios.

func (s *Server) listScenarios(w http.ResponseWriter, _ *http.Request, _ httprouter.Params) {
	writeJSON(w, http.StatusOK, map[string]any{"scenarios": s.scenarios.List()})
}

func (s *Server) putScenario(w http.ResponseWriter, r *http.Request, _ httprouter.Params) {
	var sc scenario.Scenario
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
	if err := dec.Decode(&sc); err != nil {
		writeProblem(w, newProblem(http.StatusBadRequest, "scenario: "+err.Error()))
		return
	}
	if err := s.checkScenario(sc); err != nil {
		writeProblem(w, newProblem(http.StatusUnprocessableEntity, oneLineMsg(strings.ReplaceAll(err.Error(), "\n", "; "))))
		return
	}
	_, existed := s.scenarios.Get(sc.Name)
	if err := s.scenarios.Put(sc); err != nil {
		writeProblem(w, newProblem(http.StatusUnprocessableEntity, err.Error()))
		return
	}
	status := http.StatusCreated
	if existed {
		status = http.StatusOK
	}
	got, _ := s.scenarios.Get(sc.Name)
	writeJSON(w, status, got)
}

func (s *Server) deleteScenario(w http.ResponseWriter, _ *http.Request, ps httprouter.Params) {
	if !s.scenarios.Delete(ps.ByName("name")) {
		writeProblem(w, newProblem(http.StatusNotFound, "no scenario "+ps.ByName("name")))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// activate switches a scenario on (or off) for every request.
func (s *Server) activate(on bool) httprouter.Handle {
	return func(w http.ResponseWriter, _ *http.Request, ps httprouter.Params) {
		sc, ok := s.scenarios.Get(ps.ByName("name"))
		if !ok {
			writeProblem(w, newProblem(http.StatusNotFound, "no scenario "+ps.ByName("name")))
			return
		}
		sc.Active = &on
		if err := s.scenarios.Put(sc); err != nil {
			writeProblem(w, newProblem(http.StatusUnprocessableEntity, err.Error()))
			return
		}
		writeJSON(w, http.StatusOK, sc)
	}
}

func (s *Server) clearScenarios(w http.ResponseWriter, _ *http.Request, _ httprouter.Params) {
	s.scenarios.Clear()
	w.WriteHeader(http.StatusNoContent)
}
