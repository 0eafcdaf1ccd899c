package main

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestWait(t *testing.T) {
	addr, _, _ := start(t, []string{"--spec", "../../specs/f5xc.yaml", "--fixtures", "none", "--port", "0", "--quiet", "--control-token", "s3cret"}, noEnv)
	closed := fmt.Sprintf("http://127.0.0.1:%d", freePort(t))
	cases := []struct {
		name   string
		args   []string
		env    map[string]string
		code   int
		stdout string
		stderr string
	}{
		{name: "ready", args: []string{"--url", "http://" + addr, "--control-token", "s3cret"}, code: 0, stdout: "http://" + addr + " is ready"},
		{name: "from the environment", env: map[string]string{"MOCKSERVER_URL": "http://" + addr + "/", "MOCKSERVER_CONTROL_TOKEN": "s3cret"}, code: 0, stdout: "is ready"},
		{name: "without the token", args: []string{"--url", "http://" + addr, "--timeout", "300ms"}, code: 1,
			stderr: "not ready after 300ms: 401: the control API needs its token"},
		{name: "nothing listening", args: []string{"--url", closed, "--timeout", "300ms"}, code: 1, stderr: closed + " not ready after 300ms: "},
		{name: "port from the environment", env: map[string]string{"MOCKSERVER_PORT": strings.TrimPrefix(closed, "http://127.0.0.1:")},
			args: []string{"--timeout", "200ms"}, code: 1, stderr: closed + " not ready"},
		{name: "bad URL", args: []string{"--url", "localhost:4010"}, code: 2, stderr: "--url: want a base URL"},
		{name: "bad timeout", args: []string{"--timeout", "0s"}, code: 2, stderr: "--timeout: want a positive duration"},
		{name: "stray argument", args: []string{"http://x"}, code: 2, stderr: `unexpected argument "http://x"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var stdout, stderr syncBuffer
			code := run(nil, append([]string{"wait"}, c.args...), func(k string) string { return c.env[k] }, &stdout, &stderr)
			if code != c.code {
				t.Errorf("exit code %d, want %d\nstdout: %s\nstderr: %s", code, c.code, &stdout, &stderr)
			}
			if !strings.Contains(stdout.String(), c.stdout) || !strings.Contains(stderr.String(), c.stderr) {
				t.Errorf("stdout %q, want %q\nstderr %q, want %q", &stdout, c.stdout, &stderr, c.stderr)
			}
		})
	}
}

// TestWaitUntilStarted: wait, started before the mock, returns once the mock answers.
func TestWaitUntilStarted(t *testing.T) {
	port := freePort(t)
	done := make(chan int, 1)
	var stderr syncBuffer
	go func() {
		done <- run(nil, []string{"wait", "--url", fmt.Sprintf("http://127.0.0.1:%d", port), "--timeout", "20s"}, noEnv, &syncBuffer{}, &stderr)
	}()
	time.Sleep(300 * time.Millisecond)
	select {
	case code := <-done:
		t.Fatalf("wait ended with %d before the mock started\nstderr: %s", code, &stderr)
	default:
	}
	start(t, []string{"--spec", "../../specs/f5xc.yaml", "--fixtures", "none", "--port", fmt.Sprint(port), "--quiet"}, noEnv)
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("exit code %d\nstderr: %s", code, &stderr)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("wait still waiting 5s after the mock started")
	}
}
