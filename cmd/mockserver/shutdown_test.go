package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

func TestMain(m *testing.M) {
	// The test binary is also the command `mockserver run` runs in runcmd_test.go.
	if mode := os.Getenv("MOCKSERVER_TEST_CHILD"); mode != "" {
		os.Exit(testChild(mode))
	}
	code := m.Run()
	if built.dir != "" {
		os.RemoveAll(built.dir)
	}
	os.Exit(code)
}

// built is the mockserver binary, built once for the tests that need a real process (signals).
var built struct {
	once      sync.Once
	dir, path string
	err       error
}

func mockserverBinary(t *testing.T) string {
	t.Helper()
	built.once.Do(func() {
		if built.dir, built.err = os.MkdirTemp("", "mockserver-test-"); built.err != nil {
			return
		}
		built.path = filepath.Join(built.dir, "mockserver")
		if out, err := exec.Command("go", "build", "-o", built.path, ".").CombinedOutput(); err != nil {
			built.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if built.err != nil {
		t.Fatal(built.err)
	}
	return built.path
}

// process is the mockserver binary running.
type process struct {
	cmd            *exec.Cmd
	stdout, stderr *syncBuffer
	addr           string
	exited         chan struct{}
	code           int // once exited: the exit code, -1 when a signal killed it
}

// startBinary runs the mockserver binary with args and waits until it serves.
func startBinary(t *testing.T, args ...string) *process {
	t.Helper()
	p := &process{cmd: exec.Command(mockserverBinary(t), args...), stdout: &syncBuffer{}, stderr: &syncBuffer{}, exited: make(chan struct{})}
	p.cmd.Stdout, p.cmd.Stderr = p.stdout, p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		_ = p.cmd.Wait()
		p.code = p.cmd.ProcessState.ExitCode()
		close(p.exited)
	}()
	t.Cleanup(func() {
		_ = p.cmd.Process.Kill()
		<-p.exited
	})
	ready := regexp.MustCompile(`on http://(\S+) \(ready`)
	deadline := time.After(30 * time.Second)
	for {
		if m := ready.FindStringSubmatch(p.stdout.String()); m != nil {
			p.addr = m[1]
			return p
		}
		select {
		case <-p.exited:
			t.Fatalf("exited with %d before serving\nstderr: %s", p.code, p.stderr)
		case <-deadline:
			t.Fatalf("not ready\nstdout: %s\nstderr: %s", p.stdout, p.stderr)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func (p *process) signal(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
}

// exit waits up to d for the process to end and returns its exit code and how long it took.
func (p *process) exit(t *testing.T, d time.Duration) (int, time.Duration) {
	t.Helper()
	start := time.Now()
	select {
	case <-p.exited:
		return p.code, time.Since(start)
	case <-time.After(d):
		t.Fatalf("still running %s after SIGTERM\nstderr: %s", d, p.stderr)
		return 0, 0
	}
}

const imagePath = "/api/web/namespaces/system/user/settings/image"

// putImage sends the f5xc image update, with body and Prefer (when not empty), to base.
func putImage(base, body, prefer string) (*http.Response, error) {
	req, err := http.NewRequest(http.MethodPut, base+imagePath, strings.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "APIToken t")
	req.Header.Set("Content-Type", "application/json")
	if prefer != "" {
		req.Header.Set("Prefer", prefer)
	}
	res, err := (&http.Client{Timeout: 20 * time.Second}).Do(req)
	if err == nil {
		res.Body.Close()
	}
	return res, err
}

const (
	validImage   = `{"content_type":"image/png","image":"aGk="}`
	invalidImage = `{"content_type":5}`
)

// inFlightDelayed sends a request the mock holds back a minute, and returns once the mock has
// had it a moment; the request ends when the mock cuts it.
func inFlightDelayed(base string) {
	go func() { _, _ = putImage(base, validImage, "delay=60000") }()
	time.Sleep(500 * time.Millisecond)
}

// coverageRequests reads the coverage files at base (base.json and base.xml) and returns the
// number of requests the JSON counts.
func coverageRequests(t *testing.T, base string) int {
	t.Helper()
	if _, err := os.Stat(base + ".xml"); err != nil {
		t.Errorf("no JUnit file: %v", err)
	}
	js, err := os.ReadFile(base + ".json")
	if err != nil {
		t.Fatalf("no coverage JSON: %v", err)
	}
	var rep struct {
		Summary struct {
			Requests int `json:"requests"`
		} `json:"summary"`
	}
	if err := json.Unmarshal(js, &rep); err != nil {
		t.Fatalf("coverage JSON: %v", err)
	}
	return rep.Summary.Requests
}

// TestShutdownKeepsResults: a request still waiting out a delay when the grace is over is
// cancelled, and the run still writes its coverage and exits with --fail-on-violation's code.
func TestShutdownKeepsResults(t *testing.T) {
	out := filepath.Join(t.TempDir(), "reports", "contract")
	p := startBinary(t, "--spec", "../../specs", "--fixtures", "../../fixtures", "--port", "0", "--quiet",
		"--coverage-out", out, "--fail-on-violation", "--shutdown-grace", "1s")
	if _, err := putImage("http://"+p.addr, invalidImage, ""); err != nil {
		t.Fatal(err)
	}
	inFlightDelayed("http://" + p.addr)
	p.signal(t)
	code, took := p.exit(t, 10*time.Second)
	if code != exitViolations {
		t.Errorf("exit code %d, want %d (a request broke the contract)\nstderr: %s", code, exitViolations, p.stderr)
	}
	if took < 900*time.Millisecond || took > 4*time.Second {
		t.Errorf("exited %s after SIGTERM, want about the 1s grace", took)
	}
	if n := coverageRequests(t, out); n != 2 {
		t.Errorf("coverage counts %d requests, want 2 (the one cut short too)", n)
	}
	for _, want := range []string{"stopping: waiting for the requests in flight", "requests still in flight are cancelled", "grace is over"} {
		if !strings.Contains(p.stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, p.stderr)
		}
	}
}

// TestSecondSignal: a second SIGTERM during the drain ends it at once, the results kept.
func TestSecondSignal(t *testing.T) {
	out := filepath.Join(t.TempDir(), "contract")
	p := startBinary(t, "--spec", "../../specs", "--fixtures", "../../fixtures", "--port", "0", "--quiet",
		"--coverage-out", out, "--fail-on-violation", "--shutdown-grace", "30s")
	if _, err := putImage("http://"+p.addr, invalidImage, ""); err != nil {
		t.Fatal(err)
	}
	inFlightDelayed("http://" + p.addr)
	p.signal(t)
	select {
	case <-p.exited:
		t.Fatalf("exited with %d at the first SIGTERM, with a request in flight and a 30s grace\nstderr: %s", p.code, p.stderr)
	case <-time.After(300 * time.Millisecond):
	}
	p.signal(t)
	code, took := p.exit(t, 5*time.Second)
	if code != exitViolations {
		t.Errorf("exit code %d, want %d\nstderr: %s", code, exitViolations, p.stderr)
	}
	if took > 3*time.Second {
		t.Errorf("exited %s after the second SIGTERM, want at once", took)
	}
	if n := coverageRequests(t, out); n != 2 {
		t.Errorf("coverage counts %d requests, want 2", n)
	}
	if !strings.Contains(p.stderr.String(), "a second signal") {
		t.Errorf("stderr does not say the second signal cut the drain:\n%s", p.stderr)
	}
}

// TestShutdownIdle: with nothing in flight, SIGTERM ends the run at once, whatever the grace.
func TestShutdownIdle(t *testing.T) {
	p := startBinary(t, "--spec", "../../specs/f5xc.yaml", "--fixtures", "none", "--port", "0", "--quiet", "--shutdown-grace", "30s")
	if _, err := putImage("http://"+p.addr, validImage, ""); err != nil {
		t.Fatal(err)
	}
	p.signal(t)
	if code, took := p.exit(t, 5*time.Second); code != 0 || took > 3*time.Second {
		t.Errorf("exit code %d after %s, want 0 at once\nstderr: %s", code, took, p.stderr)
	}
}
