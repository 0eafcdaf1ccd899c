package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for the server goroutine and the test.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func noEnv(string) string { return "" }

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// start runs the command in the background and waits until it serves. stop sends it SIGTERM
// and returns its exit code.
func start(t *testing.T, args []string, env func(string) string) (addr string, stdout *syncBuffer, stop func() int) {
	t.Helper()
	addr, stdout, _, stop = startIO(t, args, env)
	return addr, stdout, stop
}

// startIO is start, with what the command writes to stderr too.
func startIO(t *testing.T, args []string, env func(string) string) (addr string, stdout, stderr *syncBuffer, stop func() int) {
	t.Helper()
	sigs := make(chan os.Signal, 2)
	cancel := func() { sigs <- syscall.SIGTERM }
	stdout, stderr = &syncBuffer{}, &syncBuffer{}
	done := make(chan int, 1)
	go func() { done <- run(sigs, args, env, stdout, stderr) }()
	ready := regexp.MustCompile(`on http://(\S+) \(ready`)
	deadline := time.Now().Add(30 * time.Second)
	for {
		if m := ready.FindStringSubmatch(stdout.String()); m != nil {
			addr = m[1]
			break
		}
		select {
		case code := <-done:
			cancel()
			t.Fatalf("exited with %d before serving\nstdout: %s\nstderr: %s", code, stdout, stderr)
		default:
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("not ready\nstdout: %s\nstderr: %s", stdout, stderr)
		}
		time.Sleep(20 * time.Millisecond)
	}
	var once sync.Once
	code := -1
	stop = func() int {
		once.Do(func() {
			cancel()
			code = <-done
		})
		return code
	}
	t.Cleanup(func() { stop() })
	return addr, stdout, stderr, stop
}

func TestServesBundledSpecs(t *testing.T) {
	port := freePort(t)
	addr, stdout, stop := start(t, []string{"--spec", "../../specs", "--port", fmt.Sprint(port)}, noEnv)
	if addr != fmt.Sprintf("127.0.0.1:%d", port) {
		t.Errorf("listening on %s, want 127.0.0.1:%d", addr, port)
	}
	for _, want := range []string{"patchUserAvatar", "patchInvites", "patchCommunityUser", "updateUserImage", "METHOD"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("route table lacks %s:\n%s", want, stdout)
		}
	}
	req, _ := http.NewRequest("PUT", "http://"+addr+"/api/web/namespaces/system/user/settings/image",
		strings.NewReader(`{"content_type":"image/png","image":"aGk="}`))
	req.Header.Set("Authorization", "APIToken t")
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Prefer", "code=429")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 429 || res.Header.Get("X-Mock-Operation") != "updateUserImage" {
		t.Errorf("got %d %v", res.StatusCode, res.Header)
	}
	if code := stop(); code != 0 {
		t.Errorf("exit code after SIGTERM-like cancel = %d, want 0", code)
	}
}

// TestPrismCommandLine runs `mockserver mock` the way scripts call `prism mock`.
func TestPrismCommandLine(t *testing.T) {
	port := freePort(t)
	addr, _, _ := start(t, []string{"mock", "../../specs/ir-engine.yaml", "-p", fmt.Sprint(port), "-h", "127.0.0.1", "-d", "--cors=false", "--errors"}, noEnv)
	req, _ := http.NewRequest("PATCH", "http://"+addr+"/user-avatar/8f1c2a44-2d7e-4b8f-9a51-0c6f2f1e9b3d", strings.NewReader(`{}`))
	req.Header.Set("Authorization", "Bearer t")
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", "http://localhost:3000")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Errorf("status %d", res.StatusCode)
	}
	// -d generates where examples exist; the avatar record, never written before, is
	// generated once and then remembered by the state.
	if got := res.Header.Get("X-Mock-Source"); got != "state" {
		t.Errorf("-d: source %q, want state", got)
	}
	if res.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("--cors=false still sends CORS headers")
	}
}

func TestEnvironment(t *testing.T) {
	port := freePort(t)
	env := map[string]string{"MOCKSERVER_SPEC": "../../specs/f5xc.yaml", "MOCKSERVER_PORT": fmt.Sprint(port), "MOCKSERVER_DYNAMIC": "true"}
	addr, stdout, _ := start(t, nil, func(k string) string { return env[k] })
	if !strings.Contains(stdout.String(), "1 operations from 1 descriptions") || strings.Contains(stdout.String(), "patchInvites") {
		t.Errorf("MOCKSERVER_SPEC not honoured:\n%s", stdout)
	}
	if !strings.HasSuffix(addr, fmt.Sprint(port)) {
		t.Errorf("MOCKSERVER_PORT not honoured: %s", addr)
	}
}

func TestExitCodes(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	a := write("a.yaml", "openapi: 3.0.3\ninfo: {title: a, version: '1'}\npaths:\n  /x/{id}: {get: {responses: {'200': {description: ok}}}}\n")
	b := write("b.yaml", "openapi: 3.0.3\ninfo: {title: b, version: '1'}\npaths:\n  /x/{name}: {get: {responses: {'200': {description: ok}}}}\n")
	broken := write("broken.yaml", "openapi: 3.0.3\ninfo: {title: c\npaths: [\n")
	cases := []struct {
		name string
		args []string
		code int
		want []string
	}{
		{"unknown flag", []string{"--nope"}, 2, []string{"flag provided but not defined"}},
		{"stray argument", []string{"specs"}, 2, []string{"unexpected argument"}},
		{"mock without spec", []string{"mock"}, 2, []string{"missing the description"}},
		{"bad port", []string{"--port", "x"}, 2, []string{"invalid value"}},
		{"missing spec", []string{"--spec", filepath.Join(dir, "none.yaml"), "--port", "0"}, 1, []string{"none.yaml"}},
		{"broken spec", []string{"--spec", broken, "--port", "0"}, 1, []string{"broken.yaml"}},
		{"two claim one path", []string{"--spec", a, "--spec", b, "--port", "0"}, 1, []string{"a.yaml", "b.yaml", "GET /x/{name}"}},
		{"help", []string{"--help"}, 0, []string{"Usage", "mockserver run", "mockserver wait"}},
		{"negative grace", []string{"--shutdown-grace", "-1s"}, 2, []string{"--shutdown-grace: want a duration of 0 or more"}},
		{"negative journal bound", []string{"mock", "api.yaml", "--journal-bytes", "-5"}, 2, []string{"--journal-bytes: want a number of bytes"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := run(nil, c.args, noEnv, &out, &errb)
			if code != c.code {
				t.Errorf("exit %d, want %d\nstderr: %s", code, c.code, errb.String())
			}
			for _, w := range c.want {
				if !strings.Contains(errb.String(), w) {
					t.Errorf("stderr lacks %q:\n%s", w, errb.String())
				}
			}
		})
	}
	// Mounted under a prefix, the two no longer collide.
	port := freePort(t)
	addr, _, _ := start(t, []string{"--spec", a, "--spec", b, "--mount", "b.yaml=/v2", "--port", fmt.Sprint(port), "--quiet"}, noEnv)
	res, err := http.Get("http://" + addr + "/v2/x/1")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 || res.Header.Get("X-Mock-Operation") != "GET /x/{name}" {
		t.Errorf("mounted: %d %q", res.StatusCode, res.Header.Get("X-Mock-Operation"))
	}
}

// TestLogLines checks the one structured line a request.
func TestLogLines(t *testing.T) {
	port := freePort(t)
	sigs := make(chan os.Signal, 1)
	defer func() { sigs <- syscall.SIGTERM }()
	pr, pw := io.Pipe()
	stdout := &syncBuffer{}
	done := make(chan int, 1)
	go func() {
		done <- run(sigs, []string{"--spec", "../../specs/f5xc.yaml", "--port", fmt.Sprint(port), "--quiet"}, noEnv, stdout, pw)
		pw.Close()
	}()
	lines := make(chan string, 16)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(stdout.String(), "ready") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	req, _ := http.NewRequest("PUT", fmt.Sprintf("http://127.0.0.1:%d/api/web/namespaces/system/user/settings/image", port), strings.NewReader(`{}`))
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	for line := range lines {
		if !strings.Contains(line, `"msg":"request"`) {
			continue
		}
		for _, w := range []string{`"operation":"updateUserImage"`, `"status":401`, `"source":"validation+example"`, `"violations":1`} {
			if !strings.Contains(line, w) {
				t.Errorf("log line lacks %s: %s", w, line)
			}
		}
		sigs <- syscall.SIGTERM
		<-done
		return
	}
	t.Fatal("no request log line")
}

// TestCIRun is a CI job: the mock runs with --coverage-out and --fail-on-violation, the
// frontend's tests send one request the contract forbids, and the run fails with a JUnit file
// saying why.
func TestCIRun(t *testing.T) {
	out := filepath.Join(t.TempDir(), "reports", "contract")
	port := freePort(t)
	addr, stdout, stop := start(t, []string{"--spec", "../../specs", "--fixtures", "../../fixtures", "--port", fmt.Sprint(port),
		"--quiet", "--coverage-out", out, "--fail-on-violation"}, noEnv)
	send := func(body string) {
		req, _ := http.NewRequest("PUT", "http://"+addr+"/api/web/namespaces/system/user/settings/image", strings.NewReader(body))
		req.Header.Set("Authorization", "APIToken t")
		req.Header.Set("Content-Type", "application/json")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
	}
	send(`{"content_type":"image/png","image":"aGk="}`)
	send(`{"content_type":5}`)
	if code := stop(); code != 3 {
		t.Fatalf("exit code %d, want 3 (a request broke the contract)\n%s", code, stdout)
	}
	x, err := os.ReadFile(out + ".xml")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(x), `<failure message="1 of 2 requests broke the contract">`) || !strings.Contains(string(x), "body.content_type") {
		t.Errorf("JUnit file:\n%s", x)
	}
	if js, err := os.ReadFile(out + ".json"); err != nil || !strings.Contains(string(js), `"operation": "updateUserImage"`) {
		t.Errorf("coverage JSON: %v\n%s", err, js)
	}
	// Without violations the same run passes.
	port = freePort(t)
	addr, _, stop = start(t, []string{"--spec", "../../specs", "--port", fmt.Sprint(port), "--quiet", "--fail-on-violation"}, noEnv)
	send(`{"content_type":"image/png","image":"aGk="}`)
	if code := stop(); code != 0 {
		t.Errorf("clean run exit code %d", code)
	}
}

func TestGCPercent(t *testing.T) {
	for _, tt := range []struct {
		live uint64
		want int
	}{
		{0, 1000},
		{1 << 20, 1000}, // 1 MiB live: 6400% capped
		{16 << 20, 400}, // 16 MiB live: 64 MiB of room is 400%
		{64 << 20, 100}, // from here on, Go's default
		{1 << 30, 100},
	} {
		if got := gcPercent(tt.live); got != tt.want {
			t.Errorf("gcPercent(%d MiB) = %d, want %d", tt.live>>20, got, tt.want)
		}
	}
}

// TestLogsDescriptionProblems checks that kin-openapi's warnings, looked for once the server
// listens, are logged before the run ends.
func TestLogsDescriptionProblems(t *testing.T) {
	dir := t.TempDir()
	spec := filepath.Join(dir, "undeclared.yaml")
	text := `openapi: 3.0.3
info: {title: undeclared, version: "1"}
paths:
  /widgets/{id}:
    get:
      responses:
        "200": {description: ok}
`
	if err := os.WriteFile(spec, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	sigs := make(chan os.Signal, 1)
	stdout, stderr := &syncBuffer{}, &syncBuffer{}
	done := make(chan int, 1)
	args := []string{"--spec", spec, "--fixtures", filepath.Join(dir, "none"), "--port", "0", "--quiet"}
	go func() { done <- run(sigs, args, noEnv, stdout, stderr) }()
	for !strings.Contains(stdout.String(), "(ready in") {
		select {
		case code := <-done:
			t.Fatalf("exited with %d before serving\nstderr: %s", code, stderr)
		case <-time.After(20 * time.Millisecond):
		}
	}
	sigs <- syscall.SIGTERM
	if code := <-done; code != 0 {
		t.Fatalf("exit code %d\nstderr: %s", code, stderr)
	}
	if !strings.Contains(stderr.String(), "must define exactly all path parameters") {
		t.Errorf("no warning about the undeclared path parameter:\n%s", stderr)
	}
}

// TestExposedWarning: listening beyond loopback without a control token says, loudly, who can
// reach the control API and how to stop it.
func TestExposedWarning(t *testing.T) {
	const warning = "WARNING: listening on"
	cases := []struct {
		name string
		args []string
		warn bool
	}{
		{"all interfaces", []string{"--host", "0.0.0.0"}, true},
		{"all interfaces, Prism form", []string{"mock", "../../specs/f5xc.yaml", "-h", "0.0.0.0", "-v", "silent"}, true},
		{"all interfaces with a token", []string{"--host", "0.0.0.0", "--control-token", "s3cret"}, false},
		{"Prism form with a token", []string{"mock", "../../specs/f5xc.yaml", "-h", "0.0.0.0", "--control-token", "s3cret"}, false},
		{"loopback", []string{"--host", "127.0.0.1"}, false},
		{"localhost", []string{"--host", "localhost"}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			args := append(c.args, "--port", "0")
			if c.args[0] != "mock" {
				args = append(args, "--quiet", "--fixtures", "none", "--spec", "../../specs/f5xc.yaml")
			}
			_, _, stderr, stop := startIO(t, args, noEnv)
			stop()
			got := stderr.String()
			if !c.warn {
				if strings.Contains(got, warning) {
					t.Errorf("warned:\n%s", got)
				}
				return
			}
			for _, want := range []string{warning, "anyone who can reach this port", "read the journal", "reset", "--control-token"} {
				if !strings.Contains(got, want) {
					t.Errorf("stderr lacks %q:\n%s", want, got)
				}
			}
		})
	}
}

// TestControlAddr: the mock knows the address it listens on, port 0 included, so its control
// API refuses a request addressed to another host (DNS rebinding).
func TestControlAddr(t *testing.T) {
	addr, _, _ := start(t, []string{"--spec", "../../specs/f5xc.yaml", "--fixtures", "none", "--port", "0", "--quiet"}, noEnv)
	for host, want := range map[string]int{addr: 200, "evil.example:" + strings.Split(addr, ":")[1]: http.StatusMisdirectedRequest} {
		req, _ := http.NewRequest("GET", "http://"+addr+"/__mock/health", nil)
		req.Host = host
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != want {
			t.Errorf("Host %s: %d, want %d", host, res.StatusCode, want)
		}
	}
}

// TestOwnFlags reads mockserver's own flags in both command-line forms and from the
// environment, and checks the configuration they make.
func TestOwnFlags(t *testing.T) {
	flags := []string{"--control-cors", "http://localhost:3000", "--control-cors=*", "--redact", "X-Api-Key", "--redact", "password",
		"--journal-bytes", "1048576", "--shutdown-grace", "3s", "--control-token", "s3cret", "--write-timeout", "90s"}
	env := map[string]string{"MOCKSERVER_CONTROL_CORS": "http://localhost:3000, *", "MOCKSERVER_REDACT": "X-Api-Key,password",
		"MOCKSERVER_JOURNAL_BYTES": "1048576", "MOCKSERVER_SHUTDOWN_GRACE": "3s", "MOCKSERVER_CONTROL_TOKEN": "s3cret", "MOCKSERVER_WRITE_TIMEOUT": "90s"}
	cases := []struct {
		name string
		args []string
		env  map[string]string
	}{
		{"flags", flags, nil},
		{"Prism form", append([]string{"mock", "specs"}, flags[:len(flags)-2]...), map[string]string{"MOCKSERVER_WRITE_TIMEOUT": "90s"}},
		{"environment", nil, env},
		{"flags over the environment", flags, map[string]string{"MOCKSERVER_CONTROL_CORS": "http://other", "MOCKSERVER_REDACT": "other", "MOCKSERVER_JOURNAL_BYTES": "5"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := defaultOptions()
			if err := o.fromEnv(func(k string) string { return c.env[k] }); err != nil {
				t.Fatal(err)
			}
			var stderr bytes.Buffer
			if code, stop := o.parseArgs(c.args, io.Discard, &stderr); stop {
				t.Fatalf("stopped with %d: %s", code, &stderr)
			}
			cfg, err := o.config(nil)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := cfg.ControlCORS, []string{"http://localhost:3000", "*"}; !reflect.DeepEqual(got, want) {
				t.Errorf("ControlCORS %q, want %q", got, want)
			}
			if got, want := cfg.Redact, []string{"X-Api-Key", "password"}; !reflect.DeepEqual(got, want) {
				t.Errorf("Redact %q, want %q", got, want)
			}
			if cfg.JournalBytes != 1<<20 || cfg.ControlToken != "s3cret" || cfg.WriteTimeout != 90*time.Second || o.shutdownGrace != 3*time.Second {
				t.Errorf("JournalBytes %d, ControlToken %q, WriteTimeout %s, shutdown grace %s", cfg.JournalBytes, cfg.ControlToken, cfg.WriteTimeout, o.shutdownGrace)
			}
		})
	}
	for k, v := range map[string]string{"MOCKSERVER_SHUTDOWN_GRACE": "soon", "MOCKSERVER_JOURNAL_BYTES": "-1"} {
		o := defaultOptions()
		if err := o.fromEnv(func(n string) string { return map[string]string{k: v}[n] }); err == nil || !strings.Contains(err.Error(), k) {
			t.Errorf("%s=%s: error %v", k, v, err)
		}
	}
	// The defaults: no origin, nothing more redacted, the library's journal bound, a 10 s grace.
	o := defaultOptions()
	cfg, _ := o.config(nil)
	if cfg.ControlCORS != nil || cfg.Redact != nil || cfg.JournalBytes != 0 || cfg.WriteTimeout != time.Minute || o.shutdownGrace != 10*time.Second {
		t.Errorf("defaults: %+v, grace %s", cfg, o.shutdownGrace)
	}
}
