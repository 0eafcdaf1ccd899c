// Package mockserver serves API descriptions as a mock: every request is matched to an
// operation, validated against the contract, and answered with an example or generated data —
// any documented status on demand.
//
// A request goes through five steps, each in its own file: match (match.go), validate
// (validate.go), select (select.go), write (write.go) and record (record.go).
package mockserver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/mockserver/mockserver/mockserver/fixture"
	"github.com/mockserver/mockserver/mockserver/generate"
	"github.com/mockserver/mockserver/mockserver/journal"
	"github.com/mockserver/mockserver/mockserver/resource"
	"github.com/mockserver/mockserver/mockserver/route"
	"github.com/mockserver/mockserver/mockserver/scenario"
	"github.com/mockserver/mockserver/mockserver/spec"
	"github.com/mockserver/mockserver/mockserver/state"
)

// Config configures a Server. The zero value (plus Specs) is usable.
type Config struct {
	// Specs are description files or directories searched for them.
	Specs []string
	// Fixtures is the directory of fixture files (seed records, named responses, identities,
	// rules); "" or a missing directory means none.
	Fixtures string
	// State bounds the in-memory state: sessions kept, records a session may write, how long an
	// idle session lives.
	State state.Limits
	// Now is the clock for server-maintained timestamps; nil means time.Now.
	Now func() time.Time
	// JournalSize is how many requests the journal keeps (0 → 10,000).
	JournalSize int
	// JournalBytes bounds the bytes the journal keeps (0 → DefaultJournalBytes): past it the
	// oldest entries go, whatever their number.
	JournalBytes int64
	// ControlToken, when set, protects /__mock: its requests must carry
	// `Authorization: Bearer TOKEN` or `X-Mock-Token: TOKEN`.
	ControlToken string
	// ControlCORS are the browser origins allowed to call /__mock ("*" for any). Without one,
	// /__mock answers no CORS headers and no preflight, whatever CORS says.
	ControlCORS []string
	// Addr is the address the server listens on (host:port). /__mock refuses a request whose
	// Host header names a host a DNS-rebinding page could (421): on loopback, any but
	// localhost, 127.0.0.1, [::1] and the configured host; beyond it without a ControlToken,
	// any name but localhost, this machine's and AllowedHosts (an IP address is always
	// accepted there). Empty: no check.
	Addr string
	// AllowedHosts are more names /__mock answers under (a Docker Compose service name, a
	// hostname of the machine).
	AllowedHosts []string
	// WriteTimeout is the http.Server's: a delay asked for beyond it extends the write
	// deadline of that one answer, so the client still gets it. 0 means none is set.
	WriteTimeout time.Duration
	// Redact names more headers, query parameters, cookies and body fields to hide in the
	// journal, the logs and coverage, besides those the descriptions declare as credentials
	// and the common names (redact.go).
	Redact []string
	// RateLimits cap how often operations may be called (fixtures add theirs).
	RateLimits []RateLimit
	// LatencyMin and LatencyMax hold every answer back by a wait in that range, for a
	// "realistic network"; a request's or scenario's own delay replaces it.
	LatencyMin, LatencyMax time.Duration
	// Seed makes generated data reproducible; the same seed gives the same bodies across
	// restarts and replicas. Empty means the fixed default seed, never a random one.
	Seed string
	// Dynamic generates bodies from schemas even where the description has examples.
	Dynamic bool
	// CORS answers preflights and adds CORS headers to every response.
	CORS bool
	// Errors answers 500 with the violations instead of serving an example that breaks its own
	// schema (Prism's --errors).
	Errors bool
	// InvalidExamples says what to do with such an example otherwise: InvalidExamplesServe (the
	// default: served as written, with an X-Mock-Warning header) or InvalidExamplesGenerate.
	InvalidExamples string
	// Mounts serve descriptions under a path prefix. By default none is (as Prism).
	Mounts []Mount
	// MaxBodyBytes bounds a request body (413 past it); 0 means 10 MiB.
	MaxBodyBytes int64
	// BodiesInFlight bounds the memory the request bodies being handled at once may take
	// together, counted as BodyWeight times their bytes (0 → DefaultBodiesInFlight); a request
	// whose body does not fit is answered 503 with Retry-After.
	BodiesInFlight int64
	// AllowRemoteRefs lets descriptions $ref http(s) URLs.
	AllowRemoteRefs bool
	// SkipSpecValidation skips the description checks that produce start-up warnings.
	SkipSpecValidation bool
	// Logger receives one line per request and the start-up warnings; nil discards.
	Logger *slog.Logger
}

// Mount serves the description whose file is Spec (a path, or a suffix such as its base
// name) under Prefix; an empty Prefix means the path of the description's first server URL.
type Mount struct {
	Spec   string
	Prefix string
}

// DefaultSeed is the seed used when Config.Seed is empty.
const DefaultSeed = "mockserver"

const controlPrefix = "/__mock"

// Server is an http.Handler serving the loaded descriptions. It is safe for concurrent use.
type Server struct {
	cfg Config
	log *slog.Logger
	*plan
	*runtime
	// engine applies requests to the runtime's store as the plan's resource model says.
	engine  *resource.Engine
	control http.Handler
	guard   controlGuard // who may reach control
}

// plan is what New works out from the descriptions and fixtures, once: only read afterwards
// (its caches fill themselves, under their own locks). A reload builds a new one.
type plan struct {
	docs     []*spec.Document
	routes   []Route
	router   *route.Router
	validate *validator
	// gens holds one generator per description: a generator caches what it learns about the
	// schemas it sees, and its semantics follow the description's OpenAPI version.
	gens map[*spec.Document]*generate.Generator
	// badExamples are the response examples that break their schema, found at start-up.
	badExamples map[exampleKey][]Violation
	badList     []BadExample
	warnings    map[exampleKey]string // the X-Mock-Warning of each bad example
	// plans and exampleNames are worked out at start-up for every operation's responses.
	plans        map[*openapi3.Responses]*responsePlan
	exampleNames map[*openapi3.MediaType][]string
	// examples remembers each served example's encoding (exampleEncoding → []byte): encoded
	// once, on first use, rather than at start-up for thousands that may never be asked for.
	examples sync.Map
	// needs2020 remembers, per response schema, whether it needs kin-openapi's JSON Schema
	// 2020-12 validator (*openapi3.SchemaRef → bool; responseOpts).
	needs2020 sync.Map
	// generatedBodies remembers generated answers, bounded (bodycache.go).
	generatedBodies bodyCache
	// redact says which names of a request are secrets, to hide (redact.go); secretPaths which
	// operations carry one in their path.
	redact      *redactor
	secretPaths map[string][][]bool
	// model is the resource plan (which operations touch which records); bindings and shapes
	// are its maps, named short.
	model      *resource.Model
	bindings   map[*spec.Operation]*resource.Binding
	shapes     map[string]*resource.Shape
	named      map[*spec.Operation]map[string]*namedResponse
	identities map[string]map[string]any
	rules      []*rule
	now        func() time.Time
}

// runtime is what requests change. Each part locks on its own. A reload hands it over whole
// to the next version (reload.go): the store's sessions (with the new version's seeds), the
// scenarios and their progress, the rate limits' counters, the id counters and the journal.
type runtime struct {
	store     *state.Store
	limits    *limiter
	scenarios *scenario.Set
	ids       *resource.Sequences
	journal   *journal.Journal
	coverage  *coverage // per plan: a reload starts it again
	bodies    *bodyBudget
	// givingBack is set while freed memory is handed back to the system (giveBack).
	givingBack atomic.Bool
}

// Route is one served operation.
type Route struct {
	Method    string `json:"method"`
	Path      string `json:"path"` // the path served: mount prefix + template
	Operation string `json:"operation"`
	File      string `json:"file"`
	op        *spec.Operation
}

// New loads the descriptions and prepares everything requests need. It fails, naming file and
// reason, when a description cannot be used or two claim the same method and path.
func New(ctx context.Context, cfg Config) (*Server, error) {
	if cfg.Seed == "" {
		cfg.Seed = DefaultSeed
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = 10 << 20
	}
	if cfg.BodiesInFlight <= 0 {
		cfg.BodiesInFlight = DefaultBodiesInFlight
	}
	// The largest body accepted always fits when nothing else is being read.
	cfg.BodiesInFlight = max(cfg.BodiesInFlight, BodyWeight*cfg.MaxBodyBytes)
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	docs, err := spec.Load(ctx, cfg.Specs, spec.Options{AllowRemoteRefs: cfg.AllowRemoteRefs, SkipValidation: cfg.SkipSpecValidation})
	if err != nil {
		return nil, err
	}
	s := &Server{
		cfg:     cfg,
		log:     log,
		plan:    &plan{docs: docs, validate: newValidator(), gens: make(map[*spec.Document]*generate.Generator, len(docs))},
		runtime: &runtime{},
	}
	for _, d := range docs {
		s.gens[d] = generate.New(generate.Options{OpenAPIVersion: d.Doc.OpenAPI})
	}
	switch cfg.InvalidExamples {
	case "":
		s.cfg.InvalidExamples = InvalidExamplesServe
	case InvalidExamplesServe, InvalidExamplesGenerate:
	default:
		return nil, fmt.Errorf("invalid-examples: want %s or %s, got %q", InvalidExamplesServe, InvalidExamplesGenerate, cfg.InvalidExamples)
	}
	if err := s.buildRoutes(); err != nil {
		return nil, err
	}
	s.planResponses()
	s.checkExamples()
	s.now = cfg.Now
	if s.now == nil {
		s.now = time.Now
	}
	s.store = state.New(cfg.State, s.now)
	if s.limits, err = newLimiter(cfg.RateLimits); err != nil {
		return nil, err
	}
	s.journal, s.redact = journal.New(cfg.JournalSize, cfg.JournalBytes), newRedactor(docs, cfg.Redact)
	s.secretPaths = secretPaths(s.routes, s.redact)
	s.coverage = newCoverage(s.routes, s.redact)
	s.bodies = &bodyBudget{max: cfg.BodiesInFlight}
	s.model = resource.Infer(docs)
	s.bindings, s.shapes = s.model.Bindings, s.model.Shapes
	s.shapes[filesResource] = &resource.Shape{Name: filesResource, Closed: true, KeyProperty: "id"}
	s.scenarios = scenario.NewSet()
	s.named = map[*spec.Operation]map[string]*namedResponse{}
	s.identities = map[string]map[string]any{}
	if cfg.Fixtures != "" {
		set, err := fixture.Load(cfg.Fixtures)
		if err != nil {
			return nil, err
		}
		if err := s.applyFixtures(set); err != nil {
			return nil, err
		}
	}
	s.scenarios.MarkFiles() // what a reload reads again; the control API's are carried over
	s.model.Prepare()
	s.ids = new(resource.Sequences)
	s.engine = s.newEngine(s.ids)
	s.control = s.controlAPI()
	s.guard = newControlGuard(cfg)
	return s, nil
}

// Documents returns the loaded descriptions (warnings included), in load order.
func (s *Server) Documents() []*spec.Document { return s.docs }

// BadExamples lists the response examples that break their own schema, found at start-up.
func (s *Server) BadExamples() []BadExample { return s.badList }

// Coverage reports, for every operation × documented status, how often it was answered.
func (s *Server) Coverage() CoverageReport { return s.coverage.report() }

// Violations counts the requests that broke their contract since start-up.
func (s *Server) Violations() int { return s.coverage.report().Summary.ViolatingCalls }

// Routes returns the served operations: by file, then path, then method.
func (s *Server) Routes() []Route { return s.routes }

// ServeHTTP runs the pipeline. A panic anywhere becomes a logged 500 problem.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.log.Error("panic serving request", "method", r.Method, "url", s.redactedURL(r), "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			p := newProblem(http.StatusInternalServerError, "the mock failed while answering; this is a bug in mockserver")
			writeProblem(w, p)
		}
	}()
	if r.URL.Path == controlPrefix || strings.HasPrefix(r.URL.Path, controlPrefix+"/") {
		s.serveControl(w, r)
		return
	}
	if s.cfg.CORS {
		if preflight(w, r) {
			return
		}
		corsHeaders(w.Header(), r)
	}
	s.handle(w, r)
}

// handle is the pipeline for one request: match → validate → select → write → record.
func (s *Server) handle(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	x, miss := s.match(r)
	if miss != nil {
		s.send(w, r, nil, miss, start, nil)
		return
	}
	data, held, err := readBody(w, r, s.cfg.MaxBodyBytes, s.bodies)
	defer s.bodies.give(held)
	if err != nil {
		s.send(w, r, x, problemReply(err, SourceMock), start, data)
		return
	}
	var msg string
	x.pref, msg = parsePrefer(r.Header, x.query)
	if msg != "" {
		s.send(w, r, x, problemReply(newProblem(http.StatusUnprocessableEntity, msg), SourceMock), start, data) // as Prism
		return
	}
	for _, k := range preferQueryKeys {
		x.query.Del(k)
	}
	x.val = s.validate.validate(r.Context(), x.op, r, x.query, x.params, data)
	x.identity = s.identify(x)
	x.limit = s.limits.take(x, s.now())
	rep := s.choose(x)
	if x.limit != nil {
		if rep.Header == nil {
			rep.Header = http.Header{}
		}
		x.limit.headers(rep.Header)
	}
	if d := x.delay().Pick(rand.Uint64()); d > 0 {
		s.holdBack(w, r, d)
		if err := r.Context().Err(); err != nil {
			// Nothing is sent: the client left, or the mock is shutting down.
			rep.Closed = "the connection closed during the delay: " + context.Cause(r.Context()).Error()
			s.record(r, x, rep, start, data)
			panic(http.ErrAbortHandler) // close the connection: an empty 200 would be an answer
		}
	}
	if fault := x.fault(); fault != "" {
		rep.Source += "+fault:" + fault
		rep.Fault = fault
		if fault == "reset" || fault == "empty" {
			rep.Closed = "the mock closed the connection without an answer (fault " + fault + ")"
		}
		s.record(r, x, rep, start, data)
		s.writeFault(w, r, x, rep, fault)
		return
	}
	s.send(w, r, x, rep, start, data)
}

// send writes the answer and records it. It is recorded before it is sent, so that a client
// reading the journal or coverage as soon as it has its answer finds it there; should the
// sending fail (the client went away, a write deadline passed), the record is corrected.
func (s *Server) send(w http.ResponseWriter, r *http.Request, x *exchange, rep *reply, start time.Time, data []byte) {
	s.write(w, r, x, rep)
	e := s.record(r, x, rep, start, data)
	if err := flush(w); err != nil {
		why := "the answer could not be sent: " + err.Error()
		e.Unsend(why)
		if x != nil {
			s.coverage.unsent(x.op, rep)
		}
		s.log.Info("answer not sent", "method", r.Method, "path", s.logPath(r, x), "status", rep.Status, "closed", why)
	}
}

// holdBack waits d before the answer, extending the connection's write deadline past the
// wait first, so that a delay longer than the server's write timeout still gets its answer.
func (s *Server) holdBack(w http.ResponseWriter, r *http.Request, d time.Duration) {
	s.extendWrite(w, min(d, maxDelay))
	wait(r.Context(), d)
}

// extendWrite gives the answer d more than the server's write timeout from now, for a wait
// the client asked for.
func (s *Server) extendWrite(w http.ResponseWriter, d time.Duration) {
	if s.cfg.WriteTimeout > 0 {
		writeBy(w, d+s.cfg.WriteTimeout)
	}
}

// writeBy sets the connection's write deadline d from now: the one place an answer gets more
// time than the server's write timeout gave it.
func writeBy(w http.ResponseWriter, d time.Duration) {
	_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(d))
}

// flush sends what was written so far, reporting whether the client could be reached (a
// write deadline passed, the client went away).
func flush(w http.ResponseWriter) error {
	if f, ok := w.(interface{ FlushError() error }); ok {
		return f.FlushError() // net/http's own writer: no controller to allocate
	}
	// A wrapper (a library user's middleware): through the writers it unwraps to.
	if err := http.NewResponseController(w).Flush(); !errors.Is(err, http.ErrNotSupported) {
		return err
	}
	return nil
}
