package mockserver_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mockserver/mockserver/mockserver"
)

// checkGood is a usable description: one operation, its examples valid.
const checkGood = `openapi: 3.0.3
info: {title: good, version: "1"}
paths:
  /things/{id}:
    get:
      operationId: getThing
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                type: object
                required: [id]
                properties:
                  id: {type: string}
              example: {id: a1}
`

// checkBadExample is usable, but its example "wrong" breaks its schema (id is a number).
const checkBadExample = `openapi: 3.0.3
info: {title: bad example, version: "1"}
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
                required: [id]
                properties:
                  id: {type: string}
              examples:
                wrong:
                  value: {id: 7}
`

// checkBrokenYAML cannot be parsed: the flow sequence on line 4 is never closed.
const checkBrokenYAML = `openapi: 3.0.3
info: {title: broken, version: "1"}
paths:
  /x: [
`

// checkFixtureUnknownOp names an operation no description has, on line 3.
const checkFixtureUnknownOp = `# fixtures for the good description
operations:
  noSuchOperation:
    kind: item
    resource: things
`

// checkFixtureSyntax is not a valid fixture file: an unknown top-level key on line 2.
const checkFixtureSyntax = `# misspelt section
resorces:
  things: {}
`

// writeCheckFiles writes name → content under dir, creating subdirectories.
func writeCheckFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, text := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestCheck(t *testing.T) {
	// want is one expected Problem: exact severity, file (relative to the temp dir, "" for
	// none) and line (0: none), and a substring of the message.
	type want struct {
		severity, file string
		line           int
		msg            string
	}
	tests := []struct {
		name     string
		files    map[string]string
		specs    []string // relative to the temp dir
		fixtures string   // relative to the temp dir; "" for none
		want     []want   // exactly these problems, in this order
	}{
		{
			name:  "clean",
			files: map[string]string{"specs/good.yaml": checkGood},
			specs: []string{"specs"},
		},
		{
			name:     "fixture names an unknown operation",
			files:    map[string]string{"specs/good.yaml": checkGood, "fixtures/f.yaml": checkFixtureUnknownOp},
			specs:    []string{"specs"},
			fixtures: "fixtures",
			want:     []want{{"error", "fixtures/f.yaml", 3, `unknown operation "noSuchOperation"`}},
		},
		{
			name:  "broken YAML description",
			files: map[string]string{"specs/broken.yaml": checkBrokenYAML},
			specs: []string{"specs/broken.yaml"},
			want:  []want{{"error", "specs/broken.yaml", 4, "yaml: line 4"}},
		},
		{
			name:  "example breaks its schema",
			files: map[string]string{"specs/bad.yaml": checkBadExample},
			specs: []string{"specs"},
			want:  []want{{"warning", "specs/bad.yaml", 0, `operation getWidget, response 200 application/json: example "wrong" breaks its schema: response.body.id: `}},
		},
		{
			// New stops at the broken description; the others' warnings and the fixtures'
			// syntax are still reported, and the fixtures are not checked against the
			// descriptions (noSuchOperation is not reported).
			name: "broken description with others",
			files: map[string]string{
				"specs/bad.yaml": checkBadExample, "specs/broken.yaml": checkBrokenYAML,
				"fixtures/a.yaml": checkFixtureUnknownOp, "fixtures/b.yaml": checkFixtureSyntax,
			},
			specs:    []string{"specs/bad.yaml", "specs/broken.yaml"},
			fixtures: "fixtures",
			want: []want{
				{"error", "fixtures/b.yaml", 2, "resorces"},
				{"warning", "specs/bad.yaml", 0, `example "wrong" breaks its schema`},
				{"error", "specs/broken.yaml", 4, "yaml: line 4"},
			},
		},
		{
			name:  "missing description path",
			specs: []string{"nowhere"},
			want:  []want{{"error", "", 0, "nowhere"}},
		},
		{
			name:  "two descriptions claim one route",
			files: map[string]string{"specs/a.yaml": checkGood, "specs/b.yaml": checkGood},
			specs: []string{"specs"},
			want:  []want{{"error", "", 0, "both describe GET /things/{id}"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeCheckFiles(t, dir, tt.files)
			cfg := mockserver.Config{}
			for _, s := range tt.specs {
				cfg.Specs = append(cfg.Specs, filepath.Join(dir, s))
			}
			if tt.fixtures != "" {
				cfg.Fixtures = filepath.Join(dir, tt.fixtures)
			}
			got := mockserver.Check(context.Background(), cfg)
			if len(got) != len(tt.want) {
				t.Fatalf("got %d problems, want %d:\n%s", len(got), len(tt.want), problemLines(got))
			}
			for i, w := range tt.want {
				g := got[i]
				file := ""
				if w.file != "" {
					file = filepath.Join(dir, w.file)
				}
				if g.Severity != w.severity || g.File != file || g.Line != w.line || !strings.Contains(g.Message, w.msg) {
					t.Errorf("problem %d = %+v\nwant %s in %q line %d, message containing %q", i, g, w.severity, file, w.line, w.msg)
				}
			}
		})
	}
}

// TestCheckBundled checks the bundled descriptions and fixtures: they must start.
func TestCheckBundled(t *testing.T) {
	got := mockserver.Check(context.Background(), mockserver.Config{Specs: []string{"../specs"}, Fixtures: "../fixtures"})
	warnings := 0
	for _, p := range got {
		switch p.Severity {
		case mockserver.SeverityError:
			t.Errorf("error: %s", p)
		case mockserver.SeverityWarning:
			warnings++
		default:
			t.Errorf("unknown severity: %s", p)
		}
	}
	t.Logf("bundled specs and fixtures: %d warnings\n%s", warnings, problemLines(got))
}

func TestProblemString(t *testing.T) {
	tests := []struct {
		p    mockserver.Problem
		want string
	}{
		{mockserver.Problem{Severity: "error", File: "f.yaml", Line: 3, Message: "m"}, "f.yaml:3: error: m"},
		{mockserver.Problem{Severity: "warning", File: "f.yaml", Message: "m"}, "f.yaml: warning: m"},
		{mockserver.Problem{Severity: "error", Message: "m"}, "error: m"},
	}
	for _, tt := range tests {
		if got := tt.p.String(); got != tt.want {
			t.Errorf("%+v.String() = %q, want %q", tt.p, got, tt.want)
		}
	}
}

func problemLines(ps []mockserver.Problem) string {
	var b strings.Builder
	for _, p := range ps {
		b.WriteString("  " + p.String() + "\n")
	}
	return b.String()
}
