package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/mockserver/mockserver/mockserver"
	"github.com/mockserver/mockserver/mockserver/spec"
)

// Exit codes.
const (
	exitOK    = 0
	exitSpecs = 1 // a description could not be used, or the server failed
	exitUsage = 2 // bad command line
	// exitViolations: with --fail-on-violation, some request broke its contract.
	exitViolations = 3
)

// options is the command line, after flags and MOCKSERVER_* variables.
type options struct {
	specs    []string
	fixtures string
	host     string
	port     int
	seed     string
	dynamic  bool
	cors     bool
	errors   bool
	invalid  string
	mounts   []string
	logLevel string
	quiet    bool
	// CI: where to write coverage at shutdown, and whether a contract violation fails the run.
	coverageOut     string
	failOnViolation bool
	latency         string
	controlToken    string
	watch           bool
	// Limits against slow or oversized requests.
	maxBody  int64
	timeouts timeouts
}

// timeouts bound how long a client may take: to send its headers, its whole request, to read
// the answer, and to stay idle between requests on a kept-alive connection.
type timeouts struct {
	readHeader, read, write, idle time.Duration
}

// timeoutSetting is one of the timeouts as the command line and the environment name it.
type timeoutSetting struct {
	flag, env, usage string
	dst              *time.Duration
}

func (o *options) timeoutSettings() []timeoutSetting {
	return []timeoutSetting{
		{"read-header-timeout", "MOCKSERVER_READ_HEADER_TIMEOUT", "time a client has to send its request headers", &o.timeouts.readHeader},
		{"read-timeout", "MOCKSERVER_READ_TIMEOUT", "time a client has to send its whole request; a body still arriving is answered 408", &o.timeouts.read},
		{"write-timeout", "MOCKSERVER_WRITE_TIMEOUT", "time from the end of the request headers to the end of the answer", &o.timeouts.write},
		{"idle-timeout", "MOCKSERVER_IDLE_TIMEOUT", "time a kept-alive connection may wait for its next request", &o.timeouts.idle},
	}
}

// listFlag is a repeatable string flag.
type listFlag struct {
	vals *[]string
	set  bool
}

func (l *listFlag) String() string {
	if l.vals == nil {
		return ""
	}
	return strings.Join(*l.vals, ",")
}

func (l *listFlag) Set(v string) error {
	if !l.set { // the first explicit value replaces the default
		*l.vals, l.set = nil, true
	}
	*l.vals = append(*l.vals, v)
	return nil
}

// run is the whole program, testable: it returns the exit code.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	o := defaultOptions()
	if err := o.fromEnv(getenv); err != nil {
		fmt.Fprintln(stderr, "mockserver:", err)
		return exitUsage
	}
	if len(args) > 0 && args[0] == "validate" {
		return validate(ctx, o, args[1:], stdout, stderr)
	}
	if code, stop := o.parseArgs(args, stdout, stderr); stop {
		return code
	}
	return serve(ctx, o, stdout, stderr)
}

func defaultOptions() options {
	return options{specs: []string{"specs"}, fixtures: "fixtures", host: "127.0.0.1", port: 4010, cors: true, logLevel: "info",
		maxBody: 10 << 20, timeouts: timeouts{readHeader: 10 * time.Second, read: time.Minute, write: time.Minute, idle: 2 * time.Minute}}
}

// parseArgs reads the command line, either form, over the defaults and the environment
// already in o. stop says the program ends here (help, version, bad usage) with code.
func (o *options) parseArgs(args []string, stdout, stderr io.Writer) (code int, stop bool) {
	var noEffect []string
	var err error
	if len(args) > 0 && args[0] == "mock" {
		noEffect, err = o.parsePrism(args[1:], stderr)
	} else {
		err = o.parse(args, stderr)
	}
	switch {
	case errors.Is(err, flag.ErrHelp):
		return exitOK, true
	case errors.Is(err, errVersion):
		fmt.Fprintln(stdout, "mockserver", version())
		return exitOK, true
	case err != nil:
		fmt.Fprintln(stderr, "mockserver:", err)
		return exitUsage, true
	}
	if o.port < 0 || o.port > 65535 {
		fmt.Fprintf(stderr, "mockserver: port %d out of range 0-65535\n", o.port)
		return exitUsage, true
	}
	if len(noEffect) > 0 {
		fmt.Fprintln(stderr, "mockserver: accepted without effect:", strings.Join(noEffect, ", "))
	}
	return 0, false
}

func (o *options) fromEnv(getenv func(string) string) error {
	str := func(name string, dst *string) {
		if v := getenv(name); v != "" {
			*dst = v
		}
	}
	boolean := func(name string, dst *bool) error {
		if v := getenv(name); v != "" {
			b, err := strconv.ParseBool(v)
			if err != nil {
				return fmt.Errorf("%s: want true or false, got %q", name, v)
			}
			*dst = b
		}
		return nil
	}
	if v := getenv("MOCKSERVER_SPEC"); v != "" {
		o.specs = splitList(v)
	}
	if v := getenv("MOCKSERVER_MOUNT"); v != "" {
		o.mounts = splitList(v)
	}
	str("MOCKSERVER_FIXTURES", &o.fixtures)
	str("MOCKSERVER_HOST", &o.host)
	str("MOCKSERVER_SEED", &o.seed)
	str("MOCKSERVER_LOG_LEVEL", &o.logLevel)
	str("MOCKSERVER_INVALID_EXAMPLES", &o.invalid)
	str("MOCKSERVER_COVERAGE_OUT", &o.coverageOut)
	str("MOCKSERVER_LATENCY", &o.latency)
	str("MOCKSERVER_CONTROL_TOKEN", &o.controlToken)
	if err := boolean("MOCKSERVER_FAIL_ON_VIOLATION", &o.failOnViolation); err != nil {
		return err
	}
	if err := boolean("MOCKSERVER_WATCH", &o.watch); err != nil {
		return err
	}
	for _, t := range o.timeoutSettings() {
		if v := getenv(t.env); v != "" {
			d, err := time.ParseDuration(v)
			if err != nil || d <= 0 {
				return fmt.Errorf("%s: want a duration such as 10s, got %q", t.env, v)
			}
			*t.dst = d
		}
	}
	if v := getenv("MOCKSERVER_MAX_BODY"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			return fmt.Errorf("MOCKSERVER_MAX_BODY: want a number of bytes, got %q", v)
		}
		o.maxBody = n
	}
	if v := getenv("MOCKSERVER_PORT"); v != "" {
		p, err := strconv.Atoi(v)
		if err != nil {
			return fmt.Errorf("MOCKSERVER_PORT: want a number, got %q", v)
		}
		o.port = p
	}
	if err := boolean("MOCKSERVER_DYNAMIC", &o.dynamic); err != nil {
		return err
	}
	if err := boolean("MOCKSERVER_CORS", &o.cors); err != nil {
		return err
	}
	return boolean("MOCKSERVER_ERRORS", &o.errors)
}

func splitList(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func (o *options) parse(args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("mockserver", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Var(&listFlag{vals: &o.specs}, "spec", "an API description file, or a directory searched for them (repeatable; env MOCKSERVER_SPEC, comma-separated)")
	fs.StringVar(&o.fixtures, "fixtures", o.fixtures, "fixtures directory: seed records, named responses, identities, rules (env MOCKSERVER_FIXTURES; a missing directory means none)")
	fs.StringVar(&o.host, "host", o.host, "address to listen on (env MOCKSERVER_HOST)")
	fs.IntVar(&o.port, "port", o.port, "port to listen on (env MOCKSERVER_PORT)")
	fs.StringVar(&o.seed, "seed", o.seed, "seed for generated data; same seed, same bodies (env MOCKSERVER_SEED)")
	fs.BoolVar(&o.dynamic, "dynamic", o.dynamic, "generate bodies from schemas even where examples exist (env MOCKSERVER_DYNAMIC)")
	fs.BoolVar(&o.cors, "cors", o.cors, "answer CORS preflights and add CORS headers (env MOCKSERVER_CORS)")
	fs.BoolVar(&o.errors, "errors", o.errors, "answer 500 when an example breaks its own schema (env MOCKSERVER_ERRORS)")
	fs.StringVar(&o.invalid, "invalid-examples", o.invalid, "an example that breaks its own schema is served as written (serve) or replaced by generated data (generate) (env MOCKSERVER_INVALID_EXAMPLES)")
	fs.Var(&listFlag{vals: &o.mounts}, "mount", "serve a description under a prefix: SPEC (its server URL's path) or SPEC=PREFIX (repeatable; env MOCKSERVER_MOUNT)")
	fs.StringVar(&o.logLevel, "log-level", o.logLevel, "debug, info, warn or error (env MOCKSERVER_LOG_LEVEL)")
	fs.BoolVar(&o.quiet, "quiet", o.quiet, "do not print the route table")
	fs.BoolVar(&o.watch, "watch", o.watch, "reload descriptions and fixtures when they change; a broken edit keeps the previous version (env MOCKSERVER_WATCH)")
	fs.StringVar(&o.controlToken, "control-token", o.controlToken, "require this token (Authorization: Bearer or X-Mock-Token) on /__mock (env MOCKSERVER_CONTROL_TOKEN)")
	fs.StringVar(&o.latency, "latency", o.latency, "hold every answer back MS or MIN-MAX milliseconds, a realistic network (env MOCKSERVER_LATENCY)")
	fs.Int64Var(&o.maxBody, "max-body", o.maxBody, "largest request body accepted, in bytes; a larger one is answered 413 (env MOCKSERVER_MAX_BODY)")
	for _, t := range o.timeoutSettings() {
		fs.DurationVar(t.dst, t.flag, *t.dst, t.usage+" (env "+t.env+")")
	}
	o.ciFlags(fs)
	fs.Usage = func() {
		fmt.Fprint(stderr, "Usage: mockserver [flags]\n       mockserver mock [prism mock flags] SPEC...   (mockserver mock --help lists them)\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if o.maxBody <= 0 {
		return fmt.Errorf("--max-body: want a positive number of bytes, got %d", o.maxBody)
	}
	for _, t := range o.timeoutSettings() {
		if *t.dst <= 0 {
			return fmt.Errorf("--%s: want a positive duration, got %s", t.flag, *t.dst)
		}
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q (descriptions are given with --spec, or use `mockserver mock SPEC`)", fs.Arg(0))
	}
	return nil
}

// ciFlags are the flags of a CI run, in both command-line forms.
func (o *options) ciFlags(fs *flag.FlagSet) {
	fs.StringVar(&o.coverageOut, "coverage-out", o.coverageOut, "at shutdown, write contract coverage to `FILE`.json and FILE.xml (JUnit) (env MOCKSERVER_COVERAGE_OUT)")
	fs.BoolVar(&o.failOnViolation, "fail-on-violation", o.failOnViolation, "exit 3 at shutdown if any request broke its contract (env MOCKSERVER_FAIL_ON_VIOLATION)")
}

func (o *options) config(log *slog.Logger) (mockserver.Config, error) {
	cfg := mockserver.Config{
		Specs: o.specs, Fixtures: o.fixtures, Seed: o.seed, ControlToken: o.controlToken, Dynamic: o.dynamic, CORS: o.cors, Errors: o.errors, InvalidExamples: o.invalid, Logger: log, MaxBodyBytes: o.maxBody,
	}
	if o.latency != "" {
		var err error
		if cfg.LatencyMin, cfg.LatencyMax, err = mockserver.ParseLatency(o.latency); err != nil {
			return cfg, fmt.Errorf("--latency: %w", err)
		}
	}
	for _, m := range o.mounts {
		specPart, prefix, _ := strings.Cut(m, "=")
		if specPart == "" {
			return cfg, fmt.Errorf("--mount %q: want SPEC or SPEC=PREFIX", m)
		}
		cfg.Mounts = append(cfg.Mounts, mockserver.Mount{Spec: specPart, Prefix: prefix})
	}
	return cfg, nil
}

// newLogger logs to w: text for a terminal, JSON lines otherwise.
func newLogger(level string, w io.Writer, terminal bool) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level: want debug, info, warn or error, got %q", level)
	}
	opts := &slog.HandlerOptions{Level: l}
	if terminal {
		return slog.New(slog.NewTextHandler(w, opts)), nil
	}
	return slog.New(slog.NewJSONHandler(w, opts)), nil
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func serve(ctx context.Context, o options, stdout, stderr io.Writer) int {
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
	// kin-openapi's checks of the descriptions only warn, and take up to seconds on the largest:
	// they run once the server listens (validateSpecs).
	cfg.SkipSpecValidation = true
	start := time.Now()
	srv, err := mockserver.New(ctx, cfg)
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
	addr := net.JoinHostPort(o.host, strconv.Itoa(o.port))
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		fmt.Fprintln(stderr, "mockserver:", err)
		return exitSpecs
	}
	if !o.quiet {
		printRoutes(stdout, srv.Routes(), ln.Addr().String())
	}
	fmt.Fprintf(stdout, "mockserver: %d operations from %d descriptions on http://%s (ready in %s)\n",
		len(srv.Routes()), len(srv.Documents()), ln.Addr(), time.Since(start).Round(time.Millisecond))

	validated := make(chan struct{})
	go func() {
		defer close(validated)
		logProblems(srv.Documents(), log, func(d *spec.Document) []string { return d.Validate(ctx) })
	}()
	// A run ends once every warning is out, however soon it is stopped.
	defer func() { <-validated }()

	go tuneGC(ctx, time.Second)
	live := mockserver.NewLive(srv)
	if o.watch {
		go watch(ctx, live, append(append([]string(nil), o.specs...), o.fixtures), 500*time.Millisecond, log)
	}
	hs := &http.Server{
		Handler:           live,
		ReadHeaderTimeout: o.timeouts.readHeader,
		ReadTimeout:       o.timeouts.read,
		WriteTimeout:      o.timeouts.write,
		IdleTimeout:       o.timeouts.idle,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		fmt.Fprintln(stderr, "mockserver:", err)
		return exitSpecs
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutdownCtx); err != nil {
		fmt.Fprintln(stderr, "mockserver: shutdown:", err)
		return exitSpecs
	}
	logs.Flush()
	return finish(live.Server(), o, stdout, stderr)
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
