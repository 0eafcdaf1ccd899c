package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"github.com/mockserver/mockserver/mockserver"
	"github.com/mockserver/mockserver/mockserver/spec"
)

// cancelWait bounds how long the requests cancelled at the end of a drain have to return (and
// be recorded) before the connections are closed under them. A handler returns at once when
// its request is cancelled; this only guards against one that does not.
const cancelWait = 2 * time.Second

// serving is how serve's caller drives it.
type serving struct {
	// drain is done when the server is to stop: it stops accepting, lets the requests in flight
	// finish for up to --shutdown-grace, then cancels those left. Start-up work and background
	// tasks (--watch, the description checks) end with it too.
	drain context.Context
	// now, once closed, cuts the grace short: what is in flight is cancelled at once.
	now <-chan struct{}
	// ready, when set, is called once the server answers, with the URL a client on this
	// machine reaches it by.
	ready func(url string)
}

// stopper tells serve to stop, in its two stages: stop starts the drain, hurry cuts it short.
// Either may be called any number of times, from anywhere; the first call counts.
type stopper struct {
	serving
	stop     context.CancelFunc
	now      chan struct{}
	hurrying sync.Once
}

func newStopper() *stopper {
	drain, cancel := context.WithCancel(context.Background())
	st := &stopper{stop: cancel, now: make(chan struct{})}
	st.serving = serving{drain: drain, now: st.now}
	return st
}

func (st *stopper) hurry() { st.hurrying.Do(func() { close(st.now) }) }

// stopStages turns the process's stop signals into serve's stages: the first signal starts
// the drain, the second cuts it short, and further ones change nothing. release ends the
// watching (and the drain context).
func stopStages(sigs <-chan os.Signal) (s serving, release func()) {
	st := newStopper()
	done := make(chan struct{})
	go func() {
		for _, next := range []func(){st.stop, st.hurry} {
			select {
			case <-sigs:
				next()
			case <-done:
				return
			}
		}
	}()
	return st.serving, func() { close(done); st.stop() }
}

// serve runs the mock o describes until s.drain is done, then stops it and writes the CI
// outputs (finish); it returns the exit code.
//
// It listens before loading the descriptions, so that the mock knows the address it serves
// (the control API's DNS-rebinding check needs it, port 0 included) and a taken port fails at
// once; a client connecting meanwhile waits until the mock answers.
func serve(o options, s serving, stdout, stderr io.Writer) int {
	logs := newLineBuffer(stderr)
	defer logs.Close()
	log, err := newLogger(o.logLevel, logs, isTerminal(stderr))
	if err != nil {
		fmt.Fprintln(stderr, "mockserver:", err)
		return exitUsage
	}
	cfg, err := o.config(log)
	if err != nil {
		fmt.Fprintln(stderr, "mockserver:", err)
		return exitUsage
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(o.host, strconv.Itoa(o.port)))
	if err != nil {
		fmt.Fprintln(stderr, "mockserver:", err)
		return exitSpecs
	}
	defer ln.Close() // on the ways out before Serve, which closes it otherwise
	cfg.Addr = ln.Addr().String()
	// kin-openapi's checks of the descriptions only warn, and take up to seconds on the largest:
	// they run once the server listens (validateSpecs).
	cfg.SkipSpecValidation = true
	start := time.Now()
	srv, err := mockserver.New(s.drain, cfg)
	logs.Flush() // what start-up logged comes before what is printed next
	if err != nil {
		fmt.Fprintln(stderr, "mockserver: cannot start:")
		for _, line := range strings.Split(err.Error(), "\n") {
			fmt.Fprintln(stderr, "  "+line)
		}
		return exitSpecs
	}
	logProblems(srv.Documents(), log, func(d *spec.Document) []string { return d.Warnings })
	for _, b := range srv.BadExamples() {
		first := b.Violations[0]
		log.Warn("example breaks its own schema", "file", b.File, "operation", b.Operation, "status", b.Status,
			"mediaType", b.MediaType, "example", b.Example, "violations", len(b.Violations),
			"first", strings.Join(first.Location, ".")+": "+first.Message)
	}
	logs.Flush()
	warnExposed(stderr, ln.Addr(), o.controlToken)
	if !o.quiet {
		printRoutes(stdout, srv.Routes(), ln.Addr().String())
	}
	fmt.Fprintf(stdout, "mockserver: %d operations from %d descriptions on http://%s (ready in %s)\n",
		len(srv.Routes()), len(srv.Documents()), ln.Addr(), time.Since(start).Round(time.Millisecond))

	validated := make(chan struct{})
	go func() {
		defer close(validated)
		logProblems(srv.Documents(), log, func(d *spec.Document) []string { return d.Validate(s.drain) })
	}()
	// A run ends once every warning is out, however soon it is stopped, unless it is told to
	// stop at once.
	defer func() {
		select {
		case <-validated:
		case <-s.now:
		}
	}()

	go tuneGC(s.drain, memoryLimit(o), time.Second)
	live := mockserver.NewLive(srv)
	if o.watch {
		go watch(s.drain, live, append(append([]string(nil), o.specs...), o.fixtures), 500*time.Millisecond, log)
	}
	// Every request's context derives from requests: cancelling it ends the delays and
	// trickles of those still in flight when the grace is over.
	requests, cancelCause := context.WithCancelCause(context.Background())
	cancelRequests := func() { cancelCause(errors.New("the mock is shutting down")) }
	defer cancelRequests()
	var flight inFlight
	hs := &http.Server{
		Handler:           flight.track(live),
		BaseContext:       func(net.Listener) context.Context { return requests },
		ReadHeaderTimeout: o.timeouts.readHeader,
		ReadTimeout:       o.timeouts.read,
		WriteTimeout:      o.timeouts.write,
		IdleTimeout:       o.timeouts.idle,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(limitListener(ln, o.maxConns)) }()
	if s.ready != nil {
		s.ready(clientURL(ln.Addr()))
	}
	select {
	case err := <-errc:
		fmt.Fprintln(stderr, "mockserver:", err)
		return exitSpecs
	case <-s.drain.Done():
	}
	shutdown(hs, cancelRequests, &flight, o.shutdownGrace, s.now, log)
	logs.Flush()
	return finish(live.Server(), o, stdout, stderr)
}

// shutdown stops hs: it accepts no more connections and lets the requests in flight finish
// within grace, or until now is closed. Those still running then are cancelled (a delay ends
// at once; the mock records the request as cut short), given cancelWait to return, and their
// connections closed. It never fails: whatever was in flight, the run's results are kept.
func shutdown(hs *http.Server, cancelRequests func(), flight *inFlight, grace time.Duration, now <-chan struct{}, log *slog.Logger) {
	ctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	go func() {
		select {
		case <-now:
			cancel()
		case <-ctx.Done():
		}
	}()
	if n := flight.count(); n > 0 {
		log.Info("stopping: waiting for the requests in flight", "requests", n, "grace", grace.String())
	}
	err := hs.Shutdown(ctx)
	for err == nil && flight.count() > 0 { // a hijacked connection (a fault) is not Shutdown's
		select {
		case <-ctx.Done():
			err = ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
	if err == nil {
		return
	}
	reason := "the shutdown grace is over"
	select {
	case <-now:
		reason = "a second signal"
	default:
	}
	log.Warn("stopping: requests still in flight are cancelled", "reason", reason, "requests", flight.count(), "grace", grace.String())
	cancelRequests()
	if n := flight.wait(cancelWait); n > 0 {
		log.Warn("stopping: requests did not return once cancelled; their connections are closed", "requests", n)
	}
	_ = hs.Close()
}

// inFlight counts the requests being handled.
type inFlight struct{ n atomic.Int64 }

func (f *inFlight) track(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.n.Add(1)
		defer f.n.Add(-1)
		h.ServeHTTP(w, r)
	})
}

func (f *inFlight) count() int64 { return f.n.Load() }

// wait waits up to d for every request to return, and says how many have not.
func (f *inFlight) wait(d time.Duration) int64 {
	deadline := time.Now().Add(d)
	for f.count() > 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	return f.count()
}

// clientURL is the base URL a client on this machine reaches addr by: an unspecified address
// (0.0.0.0, ::) by 127.0.0.1.
func clientURL(addr net.Addr) string {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok {
		return "http://" + addr.String()
	}
	ip := tcp.IP
	if ip.IsUnspecified() {
		ip = net.IPv4(127, 0, 0, 1)
	}
	return "http://" + net.JoinHostPort(ip.String(), strconv.Itoa(tcp.Port))
}

// warnExposed warns, on stderr whatever the log level, when the mock listens beyond this
// machine and its control API has no token: the journal holds every request with its body,
// and /__mock changes and resets the state.
func warnExposed(w io.Writer, addr net.Addr, token string) {
	if tcp, ok := addr.(*net.TCPAddr); token != "" || (ok && tcp.IP.IsLoopback()) {
		return
	}
	fmt.Fprintf(w, "mockserver: WARNING: listening on %s, beyond this machine, without a control token: anyone who can reach this port\n"+
		"  can read the journal (every request, with its headers and body) and change or reset the mock's state through /__mock.\n"+
		"  Set --control-token TOKEN (or MOCKSERVER_CONTROL_TOKEN) to require the token there, or listen on 127.0.0.1 (--host).\n", addr)
}

// logProblems logs, as warnings, the problems problems finds in each description (served
// anyway): the ones loading noted (Document.Warnings), or kin-openapi's checks
// (Document.Validate), which can run while requests are answered (these only read the
// descriptions too).
func logProblems(docs []*spec.Document, log *slog.Logger, problems func(*spec.Document) []string) {
	for _, d := range docs {
		for _, w := range problems(d) {
			log.Warn("description problem (served anyway)", "file", d.File, "problem", w)
		}
	}
}

// finish writes the CI outputs of a run and decides its exit code.
func finish(srv *mockserver.Server, o options, stdout, stderr io.Writer) int {
	rep := srv.Coverage()
	if o.coverageOut != "" {
		if err := writeCoverage(rep, o.coverageOut); err != nil {
			fmt.Fprintln(stderr, "mockserver: coverage:", err)
			return exitSpecs
		}
		fmt.Fprintf(stdout, "mockserver: coverage %d/%d documented statuses (%.1f%%) written to %s.json and %s.xml\n",
			rep.Summary.Covered, rep.Summary.Statuses, rep.Summary.Percent, coverageBase(o.coverageOut), coverageBase(o.coverageOut))
	}
	fmt.Fprintln(stdout, "mockserver: stopped")
	if n := rep.Summary.ViolatingCalls; n > 0 && o.failOnViolation {
		fmt.Fprintf(stderr, "mockserver: %d requests broke their contract (--fail-on-violation)\n", n)
		return exitViolations
	}
	return exitOK
}

func coverageBase(p string) string {
	return strings.TrimSuffix(strings.TrimSuffix(p, ".json"), ".xml")
}

func writeCoverage(rep mockserver.CoverageReport, out string) error {
	base := coverageBase(out)
	if dir := filepath.Dir(base); dir != "." {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
	}
	js, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(base+".json", append(js, '\n'), 0o644); err != nil {
		return err
	}
	x, err := rep.JUnit()
	if err != nil {
		return err
	}
	return os.WriteFile(base+".xml", x, 0o644)
}

func printRoutes(w io.Writer, routes []mockserver.Route, addr string) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "METHOD\tPATH\tOPERATION\tFILE")
	for _, r := range routes {
		fmt.Fprintf(tw, "%s\thttp://%s%s\t%s\t%s\n", r.Method, addr, r.Path, r.Operation, r.File)
	}
	_ = tw.Flush()
}
