package mockserver

import (
	"encoding/xml"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/mockserver/mockserver/mockserver/spec"
)

// coverage counts, for every operation × documented status, how often it was answered and with
// which examples; and the requests that broke the contract. It is what a consumer's tests
// exercised of the contract.
type coverage struct {
	// mu guards every counter below; the maps' keys are fixed at start-up.
	mu  sync.Mutex
	ops []*opCoverage // in route order
	by  map[*spec.Operation]*opCoverage
	// redact hides, in the samples of violations, the messages about secrets (redact.go).
	redact *redactor
}

type opCoverage struct {
	op         *spec.Operation
	Requests   int
	Violations int
	// apart counts the requests the description did not answer, by why (an answerKind).
	apart        [answerKinds]int
	statuses     map[string]*statusCoverage // by response key
	keys         []string                   // documented keys, in order
	undocumented map[int]int                // answered statuses the operation does not document
	samples      []string                   // a few violation messages, for reports
}

type statusCoverage struct {
	Hits     int
	Examples map[string]int // source or example name → hits
}

func newCoverage(routes []Route, redact *redactor) *coverage {
	c := &coverage{by: map[*spec.Operation]*opCoverage{}, redact: redact}
	for _, rt := range routes {
		oc := &opCoverage{op: rt.op, statuses: map[string]*statusCoverage{}, undocumented: map[int]int{}}
		oc.keys = spec.ResponseKeys(rt.op.Op.Responses)
		for _, k := range oc.keys {
			oc.statuses[k] = &statusCoverage{Examples: map[string]int{}}
		}
		c.ops = append(c.ops, oc)
		c.by[rt.op] = oc
	}
	return c
}

// answerKind is what reached the client: the description's answer, or something counted apart.
type answerKind int

const (
	answered    answerKind = iota // the answer chosen for the operation, whole
	mockProblem                   // the mock's own problem: unknown code or example, a bad Prefer, a body too large …
	faulted                       // an answer broken on purpose (a fault)
	closed                        // the connection closed before the answer reached the client
	answerKinds
)

// kind says what of rep reached the client.
func (rep *reply) kind() answerKind {
	switch {
	case rep.Fault != "":
		return faulted
	case rep.Closed != "":
		return closed
	case rep.Source == SourceMock:
		return mockProblem
	}
	return answered
}

// add counts one request. Only an answer that reached the client whole, and is the
// operation's own, covers its status; the rest are counted apart.
func (c *coverage) add(op *spec.Operation, rep *reply, violations []Violation) {
	kind := rep.kind()
	key := ""
	if kind == answered {
		key = responseKey(op.Op.Responses, rep.Status)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	oc := c.by[op]
	if oc == nil {
		return
	}
	oc.Requests++
	if len(violations) > 0 {
		oc.Violations++
		for _, v := range violations {
			if len(oc.samples) < 20 {
				msg := v.Message
				if hidesMessage(c.redact, v.Location, v.Code) {
					msg = redacted
				}
				oc.samples = append(oc.samples, strings.Join(v.Location, ".")+": "+msg)
			}
		}
	}
	if kind != answered {
		oc.apart[kind]++
		return
	}
	sc := oc.statuses[key]
	if sc == nil {
		oc.undocumented[rep.Status]++
		return
	}
	sc.Hits++
	sc.Examples[rep.what()]++
}

// unsent moves a request counted by add with rep to those whose connection closed before
// the answer reached the client.
func (c *coverage) unsent(op *spec.Operation, rep *reply) {
	kind := rep.kind()
	key := responseKey(op.Op.Responses, rep.Status)
	c.mu.Lock()
	defer c.mu.Unlock()
	oc := c.by[op]
	if oc == nil {
		return
	}
	switch sc := oc.statuses[key]; {
	case kind != answered:
		oc.apart[kind]--
	case sc == nil:
		if oc.undocumented[rep.Status]--; oc.undocumented[rep.Status] == 0 {
			delete(oc.undocumented, rep.Status)
		}
	default:
		sc.Hits--
		if sc.Examples[rep.what()]--; sc.Examples[rep.what()] == 0 {
			delete(sc.Examples, rep.what())
		}
	}
	oc.apart[closed]++
}

// what names what answered, for coverage: the example, else the source.
func (rep *reply) what() string {
	if rep.Example != "" {
		return rep.Example
	}
	return rep.Source
}

// CoverageReport is the coverage as JSON.
type CoverageReport struct {
	Operations []OperationCoverage `json:"operations"`
	Summary    CoverageSummary     `json:"summary"`
}

// OperationCoverage is one operation's line of the report.
type OperationCoverage struct {
	Operation    string           `json:"operation"`
	Method       string           `json:"method"`
	Path         string           `json:"path"`
	File         string           `json:"file"`
	Requests     int              `json:"requests"`
	Violations   int              `json:"violations"`
	Statuses     []StatusCoverage `json:"statuses"`
	Undocumented []StatusCoverage `json:"undocumented,omitempty"`
	Apart
	Samples []string `json:"violationSamples,omitempty"`
}

// Apart counts the requests that cover no status: the client did not get the description's
// answer.
type Apart struct {
	// MockProblems are the mock's own problem answers: an unknown Prefer code or example, a
	// malformed Prefer, a body too large or too slow, an unsupported encoding.
	MockProblems int `json:"mockProblems,omitempty"`
	// Faults are answers broken on purpose (Prefer: fault=…, a scenario's fault).
	Faults int `json:"faults,omitempty"`
	// Closed are requests whose connection closed before the answer reached the client.
	Closed int `json:"closed,omitempty"`
}

func (a *Apart) add(b Apart) {
	a.MockProblems += b.MockProblems
	a.Faults += b.Faults
	a.Closed += b.Closed
}

// String says what was counted apart, "" when nothing was.
func (a Apart) String() string {
	var parts []string
	for _, p := range []struct {
		n    int
		what string
	}{{a.MockProblems, "the mock's own problem answers"}, {a.Faults, "faults"}, {a.Closed, "connections closed before the answer"}} {
		if p.n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", p.n, p.what))
		}
	}
	return strings.Join(parts, ", ")
}

// StatusCoverage is one documented (or undocumented) status of an operation.
type StatusCoverage struct {
	Status   string         `json:"status"`
	Hits     int            `json:"hits"`
	Examples map[string]int `json:"examples,omitempty"` // the example name (or source) served → hits
}

// CoverageSummary counts documented statuses and how many were exercised.
type CoverageSummary struct {
	Operations      int     `json:"operations"`
	Statuses        int     `json:"statuses"`
	Covered         int     `json:"covered"`
	Percent         float64 `json:"percent"`
	Requests        int     `json:"requests"`
	ViolatingCalls  int     `json:"violatingRequests"`
	OperationsHit   int     `json:"operationsHit"`
	UndocumentedHit int     `json:"undocumentedAnswers"`
	// Apart totals the requests that covered no status (OperationCoverage.Apart).
	Apart
}

func (c *coverage) report() CoverageReport {
	c.mu.Lock()
	defer c.mu.Unlock()
	var r CoverageReport
	for _, oc := range c.ops {
		o := OperationCoverage{Operation: oc.op.ID, Method: oc.op.Method, Path: oc.op.Path, File: oc.op.Doc.File,
			Requests: oc.Requests, Violations: oc.Violations, Samples: append([]string(nil), oc.samples...),
			Apart: Apart{MockProblems: oc.apart[mockProblem], Faults: oc.apart[faulted], Closed: oc.apart[closed]}}
		r.Summary.Apart.add(o.Apart)
		for _, k := range oc.keys {
			sc := oc.statuses[k]
			ex := make(map[string]int, len(sc.Examples))
			for n, v := range sc.Examples {
				ex[n] = v
			}
			o.Statuses = append(o.Statuses, StatusCoverage{Status: k, Hits: sc.Hits, Examples: ex})
			r.Summary.Statuses++
			if sc.Hits > 0 {
				r.Summary.Covered++
			}
		}
		codes := make([]int, 0, len(oc.undocumented))
		for st := range oc.undocumented {
			codes = append(codes, st)
		}
		sort.Ints(codes)
		for _, st := range codes {
			o.Undocumented = append(o.Undocumented, StatusCoverage{Status: strconv.Itoa(st), Hits: oc.undocumented[st]})
			r.Summary.UndocumentedHit += oc.undocumented[st]
		}
		r.Summary.Operations++
		r.Summary.Requests += oc.Requests
		r.Summary.ViolatingCalls += oc.Violations
		if oc.Requests > 0 {
			r.Summary.OperationsHit++
		}
		r.Operations = append(r.Operations, o)
	}
	if r.Summary.Statuses > 0 {
		r.Summary.Percent = float64(int(1000*float64(r.Summary.Covered)/float64(r.Summary.Statuses))) / 10
	}
	return r
}

// JUnit renders the report as JUnit XML: one test suite per description, one test case per
// operation × documented status (skipped when never answered), and one per operation for its
// requests' contract, failed when any request broke it.
func (r CoverageReport) JUnit() ([]byte, error) {
	type failure struct {
		Message string `xml:"message,attr"`
		Text    string `xml:",chardata"`
	}
	type skipped struct {
		Message string `xml:"message,attr"`
	}
	type testcase struct {
		Name      string   `xml:"name,attr"`
		Classname string   `xml:"classname,attr"`
		Failure   *failure `xml:"failure,omitempty"`
		Skipped   *skipped `xml:"skipped,omitempty"`
		SystemOut string   `xml:"system-out,omitempty"`
	}
	type testsuite struct {
		Name     string     `xml:"name,attr"`
		Tests    int        `xml:"tests,attr"`
		Failures int        `xml:"failures,attr"`
		Skipped  int        `xml:"skipped,attr"`
		Cases    []testcase `xml:"testcase"`
	}
	type testsuites struct {
		XMLName  xml.Name    `xml:"testsuites"`
		Name     string      `xml:"name,attr"`
		Tests    int         `xml:"tests,attr"`
		Failures int         `xml:"failures,attr"`
		Skipped  int         `xml:"skipped,attr"`
		Suites   []testsuite `xml:"testsuite"`
	}
	out := testsuites{Name: "mockserver contract coverage"}
	index := map[string]int{}
	for _, o := range r.Operations {
		i, ok := index[o.File]
		if !ok {
			i = len(out.Suites)
			index[o.File] = i
			out.Suites = append(out.Suites, testsuite{Name: o.File})
		}
		s := &out.Suites[i]
		class := o.Operation
		contract := testcase{Name: fmt.Sprintf("%s %s: requests follow the contract", o.Method, o.Path), Classname: class}
		if o.Violations > 0 {
			contract.Failure = &failure{Message: fmt.Sprintf("%d of %d requests broke the contract", o.Violations, o.Requests), Text: strings.Join(o.Samples, "\n")}
			s.Failures++
		}
		if apart := o.Apart.String(); apart != "" {
			contract.SystemOut = "requests that covered no status: " + apart
		}
		s.Cases = append(s.Cases, contract)
		for _, st := range o.Statuses {
			tc := testcase{Name: fmt.Sprintf("%s %s → %s", o.Method, o.Path, st.Status), Classname: class}
			if st.Hits == 0 {
				tc.Skipped = &skipped{Message: "never answered"}
				s.Skipped++
			}
			s.Cases = append(s.Cases, tc)
		}
		s.Tests = len(s.Cases)
	}
	for _, s := range out.Suites {
		out.Tests += s.Tests
		out.Failures += s.Failures
		out.Skipped += s.Skipped
	}
	b, err := xml.MarshalIndent(out, "", "  ")
	if err != nil {
		return nil, err
	}
	return append([]byte(xml.Header), append(b, '\n')...), nil
}
