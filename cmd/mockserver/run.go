package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/mockserver/mockserver/mockserver"
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
	// shutdownGrace is how long a stop lets the requests in flight finish before cancelling them.
	shutdownGrace time.Duration
	latency       string
	watch         bool
	// The control API: its token, the browser origins allowed to call it.
	controlToken string
	controlCORS  []string
	allowedHosts []string
	// The journal: what else to redact in it, and how many bytes of entries it keeps (0: the
	// library's bound).
	redact       []string
	journalBytes int64
	// maxConns bounds the connections open at once (limit.go).
	maxConns int
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

// run is the whole program, testable: it returns the exit code. sigs are the signals asking
// it to stop (SIGINT, SIGTERM): the first drains, the second cuts the drain short (serve.go);
// a nil channel brings none.
func run(sigs <-chan os.Signal, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	o := defaultOptions()
	if err := o.fromEnv(getenv); err != nil {
		fmt.Fprintln(stderr, "mockserver:", err)
		return exitUsage
	}
	if len(args) > 0 && args[0] == "run" {
		return runCommand(sigs, o, args[1:], stdout, stderr)
	}
	s, release := stopStages(sigs)
	defer release()
	if len(args) > 0 {
		switch args[0] {
		case "validate":
			return validate(s.drain, o, args[1:], stdout, stderr)
		case "wait":
			return waitReady(s.drain, o, args[1:], getenv, stdout, stderr)
		}
	}
	if code, stop := o.parseArgs(args, stdout, stderr); stop {
		return code
	}
	return serve(o, s, stdout, stderr)
}

func defaultOptions() options {
	return options{specs: []string{"specs"}, fixtures: "fixtures", host: "127.0.0.1", port: 4010, cors: true, logLevel: "info",
		maxBody: 10 << 20, timeouts: timeouts{readHeader: 10 * time.Second, read: time.Minute, write: time.Minute, idle: 2 * time.Minute},
		shutdownGrace: 10 * time.Second, maxConns: defaultMaxConns}
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
	if err := o.check(); err != nil {
		fmt.Fprintln(stderr, "mockserver:", err)
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
	if v := getenv("MOCKSERVER_CONTROL_CORS"); v != "" {
		o.controlCORS = splitList(v)
	}
	if v := getenv("MOCKSERVER_ALLOWED_HOSTS"); v != "" {
		o.allowedHosts = splitList(v)
	}
	if v := getenv("MOCKSERVER_REDACT"); v != "" {
		o.redact = splitList(v)
	}
	if v := getenv("MOCKSERVER_SHUTDOWN_GRACE"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			return fmt.Errorf("MOCKSERVER_SHUTDOWN_GRACE: want a duration such as 10s, got %q", v)
		}
		o.shutdownGrace = d
	}
	if v := getenv("MOCKSERVER_MAX_CONNECTIONS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			return fmt.Errorf("MOCKSERVER_MAX_CONNECTIONS: want a positive number, got %q", v)
		}
		o.maxConns = n
	}
	if v := getenv("MOCKSERVER_JOURNAL_BYTES"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return fmt.Errorf("MOCKSERVER_JOURNAL_BYTES: want a number of bytes, got %q", v)
		}
		o.journalBytes = n
	}
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
	fs := o.flagSet("mockserver", stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, "Usage: mockserver [flags]\n"+
			"       mockserver mock [prism mock flags] SPEC...   (mockserver mock --help lists them)\n"+
			"       mockserver run [flags] -- CMD [ARG...]       serve while CMD runs (mockserver run --help)\n"+
			"       mockserver wait [--url URL] [--timeout D]    wait until a mock answers (mockserver wait --help)\n"+
			"       mockserver validate [flags]                  check without serving (mockserver validate --help)\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q (descriptions are given with --spec, or use `mockserver mock SPEC`)", fs.Arg(0))
	}
	return nil
}

// flagSet defines the flags of the plain command line (also `mockserver run`'s) over o.
func (o *options) flagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
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
	fs.StringVar(&o.latency, "latency", o.latency, "hold every answer back MS or MIN-MAX milliseconds, a realistic network (env MOCKSERVER_LATENCY)")
	fs.Int64Var(&o.maxBody, "max-body", o.maxBody, "largest request body accepted, in bytes; a larger one is answered 413 (env MOCKSERVER_MAX_BODY)")
	for _, t := range o.timeoutSettings() {
		fs.DurationVar(t.dst, t.flag, *t.dst, t.usage+" (env "+t.env+")")
	}
	o.ownFlags(fs)
	return fs
}

// ownFlags are mockserver's flags that both command-line forms take (the Prism form has no
// equivalent): a CI run's, the control API's and the journal's.
func (o *options) ownFlags(fs *flag.FlagSet) {
	fs.StringVar(&o.coverageOut, "coverage-out", o.coverageOut, "at shutdown, write contract coverage to `FILE`.json and FILE.xml (JUnit) (env MOCKSERVER_COVERAGE_OUT)")
	fs.BoolVar(&o.failOnViolation, "fail-on-violation", o.failOnViolation, "exit 3 at shutdown if any request broke its contract (env MOCKSERVER_FAIL_ON_VIOLATION)")
	fs.DurationVar(&o.shutdownGrace, "shutdown-grace", o.shutdownGrace, "on SIGTERM or SIGINT, time the requests in flight have to finish before they are cancelled; the reports are written and the exit code set either way (env MOCKSERVER_SHUTDOWN_GRACE)")
	fs.StringVar(&o.controlToken, "control-token", o.controlToken, "require this `TOKEN` (Authorization: Bearer or X-Mock-Token) on /__mock (env MOCKSERVER_CONTROL_TOKEN)")
	fs.Var(&listFlag{vals: &o.allowedHosts}, "allowed-host", "a `NAME` /__mock answers under besides localhost and addresses, when listening beyond loopback without a control token (repeatable; env MOCKSERVER_ALLOWED_HOSTS, comma-separated)")
	fs.Var(&listFlag{vals: &o.controlCORS}, "control-cors", "a browser `ORIGIN` allowed to call /__mock, or * for any (repeatable; env MOCKSERVER_CONTROL_CORS, comma-separated; default none)")
	fs.Var(&listFlag{vals: &o.redact}, "redact", "a header, query parameter, cookie or body field `NAME` to hide in the journal, logs and coverage, besides credentials (repeatable; env MOCKSERVER_REDACT, comma-separated)")
	fs.IntVar(&o.maxConns, "max-connections", o.maxConns, "connections open at once; more wait to be accepted (env MOCKSERVER_MAX_CONNECTIONS)")
	fs.Int64Var(&o.journalBytes, "journal-bytes", o.journalBytes, "the journal keeps at most `N` bytes of requests, the oldest going first (env MOCKSERVER_JOURNAL_BYTES; 0: the built-in bound)")
}

// check refuses values no flag parser catches, whichever command-line form gave them.
func (o *options) check() error {
	if o.port < 0 || o.port > 65535 {
		return fmt.Errorf("port %d out of range 0-65535", o.port)
	}
	if o.maxBody <= 0 {
		return fmt.Errorf("--max-body: want a positive number of bytes, got %d", o.maxBody)
	}
	for _, t := range o.timeoutSettings() {
		if *t.dst <= 0 {
			return fmt.Errorf("--%s: want a positive duration, got %s", t.flag, *t.dst)
		}
	}
	if o.shutdownGrace < 0 {
		return fmt.Errorf("--shutdown-grace: want a duration of 0 or more, got %s", o.shutdownGrace)
	}
	if o.maxConns <= 0 {
		return fmt.Errorf("--max-connections: want a positive number, got %d", o.maxConns)
	}
	if o.journalBytes < 0 {
		return fmt.Errorf("--journal-bytes: want a number of bytes (0: the built-in bound), got %d", o.journalBytes)
	}
	return nil
}

func (o *options) config(log *slog.Logger) (mockserver.Config, error) {
	cfg := mockserver.Config{
		Specs: o.specs, Fixtures: o.fixtures, Seed: o.seed, Dynamic: o.dynamic, CORS: o.cors, Errors: o.errors, InvalidExamples: o.invalid, Logger: log, MaxBodyBytes: o.maxBody,
		ControlToken: o.controlToken, ControlCORS: o.controlCORS, AllowedHosts: o.allowedHosts, Redact: o.redact, JournalBytes: o.journalBytes, WriteTimeout: o.timeouts.write,
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
