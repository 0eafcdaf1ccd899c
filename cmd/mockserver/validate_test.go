package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// validateWarnSpec is a usable description whose example breaks its schema: one warning.
const validateWarnSpec = `openapi: 3.0.3
info: {title: warned, version: "1"}
paths:
  /widgets/{id}:
    get:
      operationId: getWidget
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                type: object
                properties:
                  id: {type: string}
              examples:
                wrong:
                  value: {id: 7}
`

// validateBadFixture names an unknown operation on line 2.
const validateBadFixture = `operations:
  noSuchOperation:
    kind: item
    resource: widgets
`

func TestValidate(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	warnSpec := write("specs/warn.yaml", validateWarnSpec)
	badFixture := write("fixtures/bad.yaml", validateBadFixture)
	noFixtures := filepath.Join(dir, "none") // missing: no fixtures

	type jsonOut struct {
		Problems []struct {
			Severity string `json:"severity"`
			File     string `json:"file"`
			Line     int    `json:"line"`
			Message  string `json:"message"`
		} `json:"problems"`
		Errors   int `json:"errors"`
		Warnings int `json:"warnings"`
	}
	tests := []struct {
		name       string
		args       []string
		env        map[string]string
		code       int
		stdout     []string // substrings of stdout
		stderr     []string // substrings of stderr
		json       bool     // stdout is JSON: decode and check counts
		errs, warn int      // with json
	}{
		{name: "bundled text", args: []string{"--spec", "../../specs", "--fixtures", "../../fixtures"}, code: 0,
			stdout: []string{"0 errors, "}},
		{name: "bundled json", args: []string{"--spec", "../../specs", "--fixtures", "../../fixtures", "--format", "json"}, code: 0,
			json: true, errs: 0, warn: -1},
		{name: "warning passes", args: []string{"--spec", warnSpec, "--fixtures", noFixtures}, code: 0,
			stdout: []string{warnSpec + `: warning: operation getWidget, response 200 application/json: example "wrong" breaks its schema`, "\n0 errors, 1 warning\n"}},
		{name: "warning fails with --strict", args: []string{"--spec", warnSpec, "--fixtures", noFixtures, "--strict"}, code: 1,
			stdout: []string{"0 errors, 1 warning"}},
		{name: "warning json --strict", args: []string{"--format", "json", "--strict", "--spec", warnSpec, "--fixtures", noFixtures}, code: 1,
			json: true, errs: 0, warn: 1},
		{name: "fixture error text", args: []string{"--spec", warnSpec, "--fixtures", filepath.Dir(badFixture)}, code: 1,
			stdout: []string{badFixture + `:2: error: unknown operation "noSuchOperation"`, "1 error, 1 warning"}},
		{name: "fixture error json", args: []string{"--spec", warnSpec, "--fixtures", filepath.Dir(badFixture), "--format=json"}, code: 1,
			json: true, errs: 1, warn: 1, stdout: []string{`"file": "` + badFixture + `"`, `"line": 2`}},
		{name: "environment", env: map[string]string{"MOCKSERVER_SPEC": warnSpec, "MOCKSERVER_FIXTURES": filepath.Dir(badFixture)}, code: 1,
			stdout: []string{badFixture + ":2: error:", "1 error, 1 warning"}},
		{name: "flag overrides environment", args: []string{"--fixtures", noFixtures},
			env: map[string]string{"MOCKSERVER_SPEC": warnSpec, "MOCKSERVER_FIXTURES": filepath.Dir(badFixture)}, code: 0,
			stdout: []string{"0 errors, 1 warning"}},
		{name: "default specs directory missing", code: 1, stdout: []string{"error: spec specs: ", "1 error, 0 warnings"}},
		{name: "bad format", args: []string{"--format", "xml"}, code: 2, stderr: []string{"--format: want text or json"}},
		{name: "unknown flag", args: []string{"--port", "1"}, code: 2, stderr: []string{"flag provided but not defined: -port"}},
		{name: "stray argument", args: []string{"specs"}, code: 2, stderr: []string{`unexpected argument "specs"`}},
		{name: "help", args: []string{"-h"}, code: 0, stderr: []string{"Usage: mockserver validate"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := func(k string) string { return tt.env[k] }
			var stdout, stderr bytes.Buffer
			code := run(nil, append([]string{"validate"}, tt.args...), env, &stdout, &stderr)
			if code != tt.code {
				t.Errorf("exit code %d, want %d\nstdout: %s\nstderr: %s", code, tt.code, &stdout, &stderr)
			}
			for _, s := range tt.stdout {
				if !strings.Contains(stdout.String(), s) {
					t.Errorf("stdout lacks %q:\n%s", s, &stdout)
				}
			}
			for _, s := range tt.stderr {
				if !strings.Contains(stderr.String(), s) {
					t.Errorf("stderr lacks %q:\n%s", s, &stderr)
				}
			}
			if !tt.json {
				return
			}
			var out jsonOut
			if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
				t.Fatalf("stdout is not JSON: %v\n%s", err, &stdout)
			}
			if out.Problems == nil {
				t.Errorf(`"problems" is missing or null:\n%s`, &stdout)
			}
			if out.Errors != tt.errs || (tt.warn >= 0 && out.Warnings != tt.warn) {
				t.Errorf("errors %d, warnings %d; want %d, %d", out.Errors, out.Warnings, tt.errs, tt.warn)
			}
			if out.Errors+out.Warnings != len(out.Problems) {
				t.Errorf("%d problems, but errors+warnings = %d", len(out.Problems), out.Errors+out.Warnings)
			}
			for _, p := range out.Problems {
				if p.Severity != "error" && p.Severity != "warning" {
					t.Errorf("problem with severity %q", p.Severity)
				}
			}
		})
	}
}
