package main

import (
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// testChild is the test binary run as `mockserver run`'s command (TestMain): it calls the mock
// at MOCKSERVER_URL as mode says, and exits.
func testChild(mode string) int {
	base := os.Getenv("MOCKSERVER_URL")
	if !regexp.MustCompile(`^http://127\.0\.0\.1:[1-9][0-9]*$`).MatchString(base) {
		fmt.Fprintf(os.Stderr, "child: MOCKSERVER_URL %q\n", base)
		return 20
	}
	send := func(body string) int {
		res, err := putImage(base, body, "")
		if err != nil {
			fmt.Fprintln(os.Stderr, "child:", err)
			return 21
		}
		fmt.Printf("child: %d\n", res.StatusCode)
		return 0
	}
	switch mode {
	case "valid":
		return send(validImage)
	case "violate":
		return send(invalidImage)
	case "fail":
		if code := send(validImage); code != 0 {
			return code
		}
		return 5
	case "signal": // on SIGTERM, one more request (the mock still answers), then exit 7
		sigs := make(chan os.Signal, 1)
		signal.Notify(sigs, syscall.SIGTERM)
		fmt.Println("child: waiting")
		select {
		case <-sigs:
		case <-time.After(20 * time.Second):
			return 22
		}
		if code := send(validImage); code != 0 {
			return code
		}
		return 7
	case "marker":
		_ = os.WriteFile(os.Getenv("MOCKSERVER_TEST_MARKER"), nil, 0o644)
		return 0
	}
	return 23
}

func TestRunCommand(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	// The race detector holds a process that exits 0 back a second (GORACE atexit_sleep_ms).
	t.Setenv("GORACE", strings.TrimSpace(os.Getenv("GORACE")+" atexit_sleep_ms=0"))
	mock := []string{"--spec", "../../specs", "--fixtures", "../../fixtures", "--port", "0", "--quiet", "--fail-on-violation"}
	cases := []struct {
		name, mode string
		args       []string // replace mock when set
		cmd        []string // replaces the test binary when set
		code       int
		requests   int // counted in the coverage; -1: no coverage file
		stderr     string
	}{
		{name: "command passes", mode: "valid", code: 0, requests: 1},
		{name: "contract broken", mode: "violate", code: exitViolations, requests: 1, stderr: "1 requests broke their contract"},
		{name: "command fails", mode: "fail", code: 5, requests: 1, stderr: "exited with 5"},
		{name: "command not found", cmd: []string{filepath.Join(t.TempDir(), "no-such-command")}, code: 127, requests: 0},
		{name: "missing command", args: mock, cmd: []string{}, code: exitUsage, requests: -1, stderr: "missing the command"},
		{name: "bad flag", args: []string{"--nope"}, code: exitUsage, requests: -1, stderr: "flag provided but not defined"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv("MOCKSERVER_TEST_CHILD", c.mode)
			out := filepath.Join(t.TempDir(), "contract")
			args := append([]string{"run", "--coverage-out", out}, mock...)
			if c.args != nil {
				args = append([]string{"run"}, c.args...)
			}
			args = append(args, "--")
			if c.cmd != nil {
				args = append(args, c.cmd...)
			} else {
				args = append(args, self)
			}
			stdout, stderr := &syncBuffer{}, &syncBuffer{}
			if code := run(nil, args, noEnv, stdout, stderr); code != c.code {
				t.Errorf("exit code %d, want %d\nstdout: %s\nstderr: %s", code, c.code, stdout, stderr)
			}
			if !strings.Contains(stderr.String(), c.stderr) {
				t.Errorf("stderr lacks %q:\n%s", c.stderr, stderr)
			}
			if c.requests < 0 {
				return
			}
			if n := coverageRequests(t, out); n != c.requests {
				t.Errorf("coverage counts %d requests, want %d", n, c.requests)
			}
		})
	}
}

// TestRunCommandNotRun: a mock that cannot start runs no command.
func TestRunCommandNotRun(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	marker := filepath.Join(t.TempDir(), "ran")
	t.Setenv("MOCKSERVER_TEST_CHILD", "marker")
	t.Setenv("MOCKSERVER_TEST_MARKER", marker)
	var stdout, stderr syncBuffer
	code := run(nil, []string{"run", "--spec", filepath.Join(t.TempDir(), "none.yaml"), "--port", "0", "--", self}, noEnv, &stdout, &stderr)
	if code != exitSpecs {
		t.Errorf("exit code %d, want %d\nstderr: %s", code, exitSpecs, &stderr)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Error("the command ran although the mock could not start")
	}
}

// TestRunCommandSignal: a signal to `mockserver run` reaches the command, the mock answers
// while the command winds down, then stops and writes its reports.
func TestRunCommandSignal(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("MOCKSERVER_TEST_CHILD", "signal")
	out := filepath.Join(t.TempDir(), "contract")
	sigs := make(chan os.Signal, 1)
	stdout, stderr := &syncBuffer{}, &syncBuffer{}
	done := make(chan int, 1)
	go func() {
		done <- run(sigs, []string{"run", "--spec", "../../specs", "--fixtures", "../../fixtures", "--port", "0", "--quiet",
			"--coverage-out", out, "--", self}, noEnv, stdout, stderr)
	}()
	deadline := time.After(30 * time.Second)
	for !strings.Contains(stdout.String(), "child: waiting") {
		select {
		case code := <-done:
			t.Fatalf("exited with %d before the command waited\nstdout: %s\nstderr: %s", code, stdout, stderr)
		case <-deadline:
			t.Fatalf("the command never started\nstdout: %s\nstderr: %s", stdout, stderr)
		case <-time.After(20 * time.Millisecond):
		}
	}
	sigs <- syscall.SIGTERM
	select {
	case code := <-done:
		if code != 7 {
			t.Errorf("exit code %d, want the command's 7\nstdout: %s\nstderr: %s", code, stdout, stderr)
		}
	case <-time.After(15 * time.Second):
		t.Fatalf("still running after SIGTERM\nstdout: %s\nstderr: %s", stdout, stderr)
	}
	if !strings.Contains(stdout.String(), "child: 200") {
		t.Errorf("the command's request after the signal was not answered:\n%s", stdout)
	}
	if n := coverageRequests(t, out); n != 1 {
		t.Errorf("coverage counts %d requests, want 1", n)
	}
}
