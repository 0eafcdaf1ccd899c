package main

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestPrismFlags reads `mockserver mock …` command lines written for `prism mock` (Prism
// 5.14: every option of `prism mock --help`, in the forms its parser accepts) and checks the
// options they come to and the one line naming the flags accepted without effect.
func TestPrismFlags(t *testing.T) {
	const fill = "mockserver: accepted without effect: --json-schema-faker-fillProperties (generated objects get undeclared properties only where their schema describes or requires them)\n"
	const fillFalse = "mockserver: accepted without effect: --json-schema-faker-fillProperties=false (generated objects get undeclared properties only where their schema describes or requires them)\n"
	const multi = "mockserver: accepted without effect: --multiprocess (one process serves all cores)\n"
	const multiFalse = "mockserver: accepted without effect: --multiprocess=false (one process serves all cores)\n"
	cases := []struct {
		name   string
		args   []string // after "mock"; the description is api.yaml unless specs is set
		env    map[string]string
		want   func(o *options)
		stderr string
	}{
		{name: "description only", args: []string{"api.yaml"}},
		{name: "several descriptions", args: []string{"a.yaml", "-d", "b.yaml"}, want: func(o *options) { o.specs, o.dynamic = []string{"a.yaml", "b.yaml"}, true }},
		{name: "flags before the description", args: []string{"-p", "5000", "--cors=false", "api.yaml"}, want: func(o *options) { o.port, o.cors = 5000, false }},
		{name: "-- ends the flags", args: []string{"--", "-odd.yaml"}, want: func(o *options) { o.specs = []string{"-odd.yaml"} }},

		{name: "-p N", args: []string{"api.yaml", "-p", "5000"}, want: func(o *options) { o.port = 5000 }},
		{name: "-p=N", args: []string{"api.yaml", "-p=5000"}, want: func(o *options) { o.port = 5000 }},
		{name: "-pN", args: []string{"api.yaml", "-p5000"}, want: func(o *options) { o.port = 5000 }},
		{name: "--port N", args: []string{"api.yaml", "--port", "5000"}, want: func(o *options) { o.port = 5000 }},
		{name: "--port=N", args: []string{"api.yaml", "--port=5000"}, want: func(o *options) { o.port = 5000 }},
		{name: "--p N", args: []string{"api.yaml", "--p", "5000"}, want: func(o *options) { o.port = 5000 }},
		{name: "-port N (Go style)", args: []string{"api.yaml", "-port", "5000"}, want: func(o *options) { o.port = 5000 }},
		{name: "--port hex", args: []string{"api.yaml", "--port", "0x10"}, want: func(o *options) { o.port = 16 }},
		{name: "-p over MOCKSERVER_PORT", args: []string{"api.yaml", "-p", "5000"}, env: map[string]string{"MOCKSERVER_PORT": "6000"}, want: func(o *options) { o.port = 5000 }},

		{name: "-h HOST", args: []string{"api.yaml", "-h", "0.0.0.0"}, want: func(o *options) { o.host = "0.0.0.0" }},
		{name: "--host=HOST", args: []string{"api.yaml", "--host=0.0.0.0"}, want: func(o *options) { o.host = "0.0.0.0" }},
		{name: "-hHOST", args: []string{"api.yaml", "-h0.0.0.0"}, want: func(o *options) { o.host = "0.0.0.0" }},

		{name: "--cors=false", args: []string{"api.yaml", "--cors=false"}, want: func(o *options) { o.cors = false }},
		{name: "--cors false", args: []string{"api.yaml", "--cors", "false"}, want: func(o *options) { o.cors = false }},
		{name: "--no-cors", args: []string{"api.yaml", "--no-cors"}, want: func(o *options) { o.cors = false }},
		{name: "--cors over MOCKSERVER_CORS", args: []string{"api.yaml", "--cors"}, env: map[string]string{"MOCKSERVER_CORS": "false"}},
		{name: "--cors true", args: []string{"--cors", "true", "api.yaml"}},

		{name: "-m", args: []string{"api.yaml", "-m"}, stderr: multi},
		{name: "--multiprocess", args: []string{"api.yaml", "--multiprocess"}, stderr: multi},
		{name: "--multiprocess=false", args: []string{"api.yaml", "--multiprocess=false"}, stderr: multiFalse},
		{name: "--no-multiprocess", args: []string{"api.yaml", "--no-multiprocess"}, stderr: multiFalse},
		{name: "-m false", args: []string{"api.yaml", "-m", "false"}, stderr: multiFalse},

		{name: "--errors", args: []string{"api.yaml", "--errors"}, want: func(o *options) { o.errors = true }},
		{name: "--errors=true", args: []string{"api.yaml", "--errors=true"}, want: func(o *options) { o.errors = true }},
		{name: "--errors true", args: []string{"api.yaml", "--errors", "true"}, want: func(o *options) { o.errors = true }},
		{name: "--no-errors over MOCKSERVER_ERRORS", args: []string{"api.yaml", "--no-errors"}, env: map[string]string{"MOCKSERVER_ERRORS": "true"}},

		{name: "-v trace", args: []string{"api.yaml", "-v", "trace"}, want: func(o *options) { o.logLevel = "debug" }},
		{name: "-v debug", args: []string{"api.yaml", "-v", "debug"}, want: func(o *options) { o.logLevel = "debug" }},
		{name: "-v=info", args: []string{"api.yaml", "-v=info"}},
		{name: "--verboseLevel warn", args: []string{"api.yaml", "--verboseLevel", "warn"}, want: func(o *options) { o.logLevel, o.quiet = "warn", true }},
		{name: "--verbose-level=error", args: []string{"api.yaml", "--verbose-level=error"}, want: func(o *options) { o.logLevel, o.quiet = "error", true }},
		{name: "-v fatal", args: []string{"api.yaml", "-v", "fatal"}, want: func(o *options) { o.logLevel, o.quiet = "error", true }},
		{name: "-v silent", args: []string{"api.yaml", "-v", "silent"}, want: func(o *options) { o.logLevel, o.quiet = logLevelSilent, true }},
		{name: "-v over MOCKSERVER_LOG_LEVEL", args: []string{"api.yaml", "-v", "debug"}, env: map[string]string{"MOCKSERVER_LOG_LEVEL": "error"}, want: func(o *options) { o.logLevel = "debug" }},

		{name: "-d", args: []string{"api.yaml", "-d"}, want: func(o *options) { o.dynamic = true }},
		{name: "--dynamic", args: []string{"api.yaml", "--dynamic"}, want: func(o *options) { o.dynamic = true }},
		{name: "--dynamic=true", args: []string{"api.yaml", "--dynamic=true"}, want: func(o *options) { o.dynamic = true }},
		{name: "-d true", args: []string{"-d", "true", "api.yaml"}, want: func(o *options) { o.dynamic = true }},
		{name: "--dynamic false over MOCKSERVER_DYNAMIC", args: []string{"api.yaml", "--dynamic", "false"}, env: map[string]string{"MOCKSERVER_DYNAMIC": "true"}},
		{name: "--no-dynamic", args: []string{"api.yaml", "--no-dynamic"}, env: map[string]string{"MOCKSERVER_DYNAMIC": "true"}},

		{name: "--json-schema-faker-fillProperties", args: []string{"api.yaml", "--json-schema-faker-fillProperties"}, stderr: fill},
		{name: "--json-schema-faker-fillProperties=false", args: []string{"api.yaml", "--json-schema-faker-fillProperties=false"}, stderr: fillFalse},
		{name: "--json-schema-faker-fillProperties false", args: []string{"api.yaml", "--json-schema-faker-fillProperties", "false"}, stderr: fillFalse},
		{name: "--json-schema-faker-fill-properties", args: []string{"api.yaml", "--json-schema-faker-fill-properties"}, stderr: fill},
		{name: "--jsonSchemaFakerFillProperties=false", args: []string{"api.yaml", "--jsonSchemaFakerFillProperties=false"}, stderr: fillFalse},
		{name: "--no-json-schema-faker-fillProperties", args: []string{"api.yaml", "--no-json-schema-faker-fillProperties"}, stderr: fillFalse},

		{name: "--ignoreExamples", args: []string{"api.yaml", "--ignoreExamples"}, want: func(o *options) { o.dynamic = true }},
		{name: "--ignore-examples", args: []string{"api.yaml", "--ignore-examples"}, want: func(o *options) { o.dynamic = true }},
		{name: "--ignoreExamples=false", args: []string{"api.yaml", "--ignoreExamples=false"}},
		{name: "--ignoreExamples=false keeps -d", args: []string{"api.yaml", "-d", "--ignoreExamples=false"}, want: func(o *options) { o.dynamic = true }},

		{name: "--seed S", args: []string{"api.yaml", "--seed", "42"}, want: func(o *options) { o.seed = "42" }},
		{name: "--seed=S", args: []string{"api.yaml", "--seed=abc"}, want: func(o *options) { o.seed = "abc" }},
		{name: "--seed= (Prism's null)", args: []string{"api.yaml", "--seed="}, env: map[string]string{"MOCKSERVER_SEED": "x"}},

		{name: "-dm", args: []string{"api.yaml", "-dm"}, want: func(o *options) { o.dynamic = true }, stderr: multi},
		{name: "-dp N", args: []string{"api.yaml", "-dp", "5000"}, want: func(o *options) { o.dynamic, o.port = true, 5000 }},
		{name: "-dv=warn", args: []string{"api.yaml", "-dv=warn"}, want: func(o *options) { o.dynamic, o.logLevel, o.quiet = true, "warn", true }},
		{name: "-dm false", args: []string{"api.yaml", "-dm", "false"}, want: func(o *options) { o.dynamic = true }, stderr: multiFalse},

		{name: "both without effect, one line", args: []string{"api.yaml", "--json-schema-faker-fillProperties=false", "-m"},
			stderr: "mockserver: accepted without effect: --multiprocess (one process serves all cores), --json-schema-faker-fillProperties=false (generated objects get undeclared properties only where their schema describes or requires them)\n"},
		{name: "CI flags", args: []string{"api.yaml", "--coverage-out", "out/c", "--fail-on-violation"}, want: func(o *options) { o.coverageOut, o.failOnViolation = "out/c", true }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			getenv := func(k string) string { return c.env[k] }
			o := defaultOptions()
			if err := o.fromEnv(getenv); err != nil {
				t.Fatal(err)
			}
			var stdout, stderr bytes.Buffer
			if code, stop := o.parseArgs(append([]string{"mock"}, c.args...), &stdout, &stderr); stop {
				t.Fatalf("stopped with %d\nstderr: %s", code, stderr.String())
			}
			want := defaultOptions()
			want.specs = []string{"api.yaml"}
			if c.want != nil {
				c.want(&want)
			}
			if !reflect.DeepEqual(o, want) {
				t.Errorf("got  %+v\nwant %+v", o, want)
			}
			if got := stderr.String(); got != c.stderr {
				t.Errorf("stderr %q, want %q", got, c.stderr)
			}
			if stdout.Len() > 0 {
				t.Errorf("stdout %q", stdout.String())
			}
		})
	}
}

// TestPrismFlagErrors: what `prism mock` refuses (and a boolean that is neither true nor false)
// is bad usage, exit 2, saying what is wrong; --help and --version stop with 0.
func TestPrismFlagErrors(t *testing.T) {
	cases := []struct {
		args           []string // after "mock"
		code           int
		stderr, stdout string
	}{
		{[]string{"api.yaml", "--nope"}, 2, "mockserver: unknown flag --nope (mockserver mock takes the flags of prism mock: see mockserver mock --help)\n", ""},
		{[]string{"api.yaml", "--nope=1"}, 2, "unknown flag --nope ", ""},
		{[]string{"api.yaml", "--config", "prism.yaml"}, 2, "unknown flag --config ", ""}, // Prism 5 has none either
		{[]string{"api.yaml", "--fixtures", "f"}, 2, "unknown flag --fixtures ", ""},
		{[]string{"api.yaml", "--no-port"}, 2, "unknown flag --no-port ", ""},
		{[]string{"api.yaml", "-dx"}, 2, "unknown flag -x in -dx ", ""},
		{[]string{"api.yaml", "-v", "chatty"}, 2, `-v: want trace, debug, info, warn, error, fatal or silent, got "chatty"`, ""},
		{[]string{"api.yaml", "--cors=yes"}, 2, `--cors: want true or false, got "yes"`, ""},
		{[]string{"api.yaml", "-p"}, 2, "-p needs a value: PORT", ""},
		{[]string{"api.yaml", "-h"}, 2, "help is --help", ""},
		{[]string{"api.yaml", "--port", "abc"}, 2, `--port: want a number, got "abc"`, ""},
		{[]string{"api.yaml", "-p", "70000"}, 2, "port 70000 out of range", ""},
		{[]string{"-d"}, 2, "missing the description", ""},
		{[]string{"--help"}, 0, "--json-schema-faker-fillProperties", ""},
		{[]string{"api.yaml", "--version"}, 0, "", "mockserver "},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(nil, append([]string{"mock"}, c.args...), noEnv, &stdout, &stderr)
			if code != c.code {
				t.Errorf("exit %d, want %d", code, c.code)
			}
			if !strings.Contains(stderr.String(), c.stderr) || (c.stderr == "" && stderr.Len() > 0) {
				t.Errorf("stderr %q, want %q", stderr.String(), c.stderr)
			}
			if !strings.Contains(stdout.String(), c.stdout) || (c.stdout == "" && stdout.Len() > 0) {
				t.Errorf("stdout %q, want %q", stdout.String(), c.stdout)
			}
		})
	}
}

// TestPrismFlagsServe runs a Prism command line with flags that have no effect here and -v
// silent: the server starts, says once which flags it ignored, and logs nothing else.
func TestPrismFlagsServe(t *testing.T) {
	port := freePort(t)
	sigs := make(chan os.Signal, 1)
	stdout, stderr := &syncBuffer{}, &syncBuffer{}
	done := make(chan int, 1)
	args := []string{"mock", "../../specs/f5xc.yaml", "-mp", fmt.Sprint(port), "--json-schema-faker-fillProperties=false", "--ignoreExamples", "-v", "silent"}
	go func() { done <- run(sigs, args, noEnv, stdout, stderr) }()
	for !strings.Contains(stdout.String(), "(ready in") {
		select {
		case code := <-done:
			t.Fatalf("exited with %d before serving\nstderr: %s", code, stderr)
		case <-time.After(20 * time.Millisecond):
		}
	}
	res, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/api/web/namespaces/system/user/settings/image", port))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	sigs <- syscall.SIGTERM
	if code := <-done; code != 0 {
		t.Fatalf("exit %d\nstderr: %s", code, stderr)
	}
	want := "mockserver: accepted without effect: --multiprocess (one process serves all cores), --json-schema-faker-fillProperties=false (generated objects get undeclared properties only where their schema describes or requires them)\n"
	if got := stderr.String(); got != want {
		t.Errorf("stderr %q, want %q", got, want)
	}
	if strings.Contains(stdout.String(), "METHOD") {
		t.Errorf("-v silent still prints the route table:\n%s", stdout)
	}
}
