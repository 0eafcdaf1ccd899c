package mockserver_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/mockserver/mockserver/mockserver"
)

// forWidgets is the description the fixtures_for tests serve: specs/widgets.yaml.
const forWidgets = `openapi: 3.0.3
info: {title: Widgets, version: "1"}
paths:
  /widget/{id}:
    parameters: [{name: id, in: path, required: true, schema: {type: string}}]
    get:
      operationId: getWidget
      responses:
        "200": {description: the widget, content: {application/json: {schema: {$ref: "#/components/schemas/Widget"}}}}
        "404": {description: no such widget}
    patch:
      operationId: patchWidget
      requestBody: {content: {application/json: {schema: {$ref: "#/components/schemas/Widget"}}}}
      responses:
        "200": {description: the widget, content: {application/json: {schema: {$ref: "#/components/schemas/Widget"}}}}
        "404": {description: no such widget}
components:
  schemas:
    Widget:
      type: object
      required: [id, name]
      properties: {id: {type: string}, name: {type: string}}
`

// forWidgetSeed seeds widget w1; forGadgets names only what a gadgets description would have.
const (
	forWidgetSeed = "resources:\n  widget:\n    records:\n      - {id: w1, name: seeded}\n"
	forGadgets    = "resources:\n  gadget:\n    records:\n      - {id: g1, label: x}\noperations:\n  getGadget: {kind: item}\n"
)

// skipLine is one "fixtures skipped" log record.
type skipLine struct {
	File   string `json:"file"`
	Line   int    `json:"line"`
	Reason string `json:"reason"`
}

// skipped returns the "fixtures skipped" records of a JSON log.
func skipped(t *testing.T, log *bytes.Buffer) []skipLine {
	t.Helper()
	var out []skipLine
	for _, line := range strings.Split(strings.TrimSpace(log.String()), "\n") {
		var rec struct {
			Level string `json:"level"`
			Msg   string `json:"msg"`
			skipLine
		}
		if line == "" {
			continue
		}
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		if rec.Msg == "fixtures skipped" {
			if rec.Level != "INFO" {
				t.Errorf("skip logged at %s, want INFO: %s", rec.Level, line)
			}
			out = append(out, rec.skipLine)
		}
	}
	return out
}

func TestFixturesForDescriptions(t *testing.T) {
	tests := []struct {
		name     string
		fixtures map[string]string // file name → content, under fixtures/
		err      []string          // substrings of the start-up error ("file:line: reason"); none: it starts
		skipped  []string          // per skipped part, in order: "file:line" then substrings of the reason
		seeded   bool              // GET /widget/w1 answers the seeded record
	}{
		{
			name:     "for another description: skipped, logged, starts",
			fixtures: map[string]string{"gadgets.yaml": "# gadgets\nfor: gadgets.yaml\n" + forGadgets},
			skipped:  []string{"gadgets.yaml:2", "it is for gadgets.yaml, which is not loaded (loaded: widgets.yaml)"},
		},
		{
			name:     "for the loaded description, by file name",
			fixtures: map[string]string{"w.yaml": "for: widgets.yaml\n" + forWidgetSeed},
			seeded:   true,
		},
		{
			name:     "for a list naming the loaded description without its extension",
			fixtures: map[string]string{"w.yaml": "for: [gadgets.yaml, widgets]\n" + forWidgetSeed},
			seeded:   true,
		},
		{
			name:     "for the loaded description with an unknown operation: fails at file:line",
			fixtures: map[string]string{"w.yaml": "for: widgets.yaml\noperations:\n  getWidgt: {kind: item}\n"},
			err:      []string{"w.yaml:3: ", `unknown operation "getWidgt"`},
		},
		{
			name:     "for the loaded description with an unknown resource: fails at file:line",
			fixtures: map[string]string{"w.yaml": "for: widgets.yaml\n" + forWidgetSeed + "  gizmo:\n    records: [{id: 1}]\n"},
			err:      []string{"w.yaml:6: ", `unknown resource "gizmo"`},
		},
		{
			name:     "for the loaded description with an undocumented status: fails at file:line",
			fixtures: map[string]string{"w.yaml": "for: widgets.yaml\noperations:\n  getWidget:\n    responses:\n      gone: {status: 410}\n"},
			err:      []string{"w.yaml:5: ", "documents no response 410"},
		},
		{
			name:     "for the loaded description with a record that breaks its schema: fails at file:line",
			fixtures: map[string]string{"w.yaml": "for: widgets.yaml\nresources:\n  widget:\n    records:\n      - {id: w1}\n"},
			err:      []string{"w.yaml:5: ", "does not match the schema"},
		},
		{
			name:     "no for, seeds a resource of the loaded description: applies",
			fixtures: map[string]string{"w.yaml": forWidgetSeed},
			seeded:   true,
		},
		{
			name:     "no for, names an operation of the loaded description: applies, and its mistakes fail",
			fixtures: map[string]string{"w.yaml": forGadgets + "  patchWidget: {kind: item, resource: widget}\n"},
			err:      []string{"w.yaml:2: ", `unknown resource "gadget"`, "w.yaml:6: ", `"getGadget"`},
		},
		{
			name:     "no for, names nothing of the loaded description: skipped, logged",
			fixtures: map[string]string{"gadgets.yaml": forGadgets},
			skipped:  []string{"gadgets.yaml:1", "no for key", `"getGadget"`, `"gadget"`},
		},
		{
			name:     "no for, seeds nothing, names an unknown operation: a mistake, fails",
			fixtures: map[string]string{"w.yaml": "operations:\n  getWidgt: {kind: item}\n"},
			err:      []string{"w.yaml:2: ", `unknown operation "getWidgt"`},
		},
		{
			name:     "no for, identities alone: applies",
			fixtures: map[string]string{"people.yaml": "identities:\n  - {token: t, identity: {id: 1}}\n"},
		},
		{
			name: "one document per description, reusing names: only the loaded one's apply",
			fixtures: map[string]string{"both.yaml": "for: gadgets.yaml\nresources:\n  widget:\n    records: [{id: w1}]\n" +
				"identities: [{token: t, identity: {id: 1}}]\n---\nfor: widgets.yaml\n" + forWidgetSeed + "identities: [{token: t, identity: {id: 2}}]\n"},
			skipped: []string{"both.yaml:1", "it is for gadgets.yaml"},
			seeded:  true,
		},
		{
			name: "two files for the loaded description defining one resource: fails naming both",
			fixtures: map[string]string{
				"a.yaml": "for: widgets.yaml\n" + forWidgetSeed,
				"b.yaml": "for: widgets\n" + forWidgetSeed,
			},
			err: []string{"b.yaml:3: ", `duplicate resource "widget" (first at `, "a.yaml:3)"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, sub := range []string{"specs", "fixtures"} {
				if err := os.Mkdir(filepath.Join(dir, sub), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			writeFile(t, filepath.Join(dir, "specs"), "widgets.yaml", forWidgets)
			for name, text := range tt.fixtures {
				writeFile(t, filepath.Join(dir, "fixtures"), name, text)
			}
			var log bytes.Buffer
			s, err := mockserver.New(t.Context(), mockserver.Config{
				Specs:    []string{filepath.Join(dir, "specs")},
				Fixtures: filepath.Join(dir, "fixtures"),
				Logger:   slog.New(slog.NewJSONHandler(&log, &slog.HandlerOptions{Level: slog.LevelInfo})),
			})
			if len(tt.err) > 0 {
				if err == nil {
					t.Fatalf("New started; want an error with %q", tt.err)
				}
				for _, want := range tt.err {
					if !strings.Contains(err.Error(), want) {
						t.Errorf("error lacks %q:\n%v", want, err)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			got := skipped(t, &log)
			if len(got) != min(len(tt.skipped), 1) {
				t.Fatalf("skipped %+v, want one line with %q", got, tt.skipped)
			}
			if len(got) == 1 {
				if pos := filepath.Base(got[0].File) + ":" + strconv.Itoa(got[0].Line); pos != tt.skipped[0] || !filepath.IsAbs(got[0].File) {
					t.Errorf("skipped %s (file %q), want %s", pos, got[0].File, tt.skipped[0])
				}
				for _, want := range tt.skipped[1:] {
					if !strings.Contains(got[0].Reason, want) {
						t.Errorf("reason %q lacks %q", got[0].Reason, want)
					}
				}
			}
			res := do(t, s, req{method: "GET", target: "/widget/w1"})
			if seeded := res.status == 200 && strings.Contains(string(res.body), `"seeded"`); seeded != tt.seeded {
				t.Errorf("GET /widget/w1 = %d %s; want the seeded record: %v", res.status, res.body, tt.seeded)
			}
		})
	}
}

// TestBundledFixturesForOtherDescriptions serves a description of its own with the bundled
// fixtures/ (as `mockserver --spec mine.yaml` run in the repository, or the image with specs
// mounted over /app/specs): the bundled files for the bundled descriptions are skipped, one line
// each, people.yaml's identities apply.
func TestBundledFixturesForOtherDescriptions(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "widgets.yaml", forWidgets)
	var log bytes.Buffer
	_, err := mockserver.New(t.Context(), mockserver.Config{
		Specs:    []string{filepath.Join(dir, "widgets.yaml")},
		Fixtures: "../fixtures",
		Logger:   slog.New(slog.NewJSONHandler(&log, &slog.HandlerOptions{Level: slog.LevelInfo})),
	})
	if err != nil {
		t.Fatalf("New with the bundled fixtures: %v", err)
	}
	var got []string
	for _, l := range skipped(t, &log) {
		got = append(got, filepath.Base(l.File)+":"+strconv.Itoa(l.Line))
	}
	want := []string{"community.yaml:2", "ir-engine.yaml:2", "qa.yaml:5", "qa.yaml:20"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("skipped %q, want %q", got, want)
	}
}

// TestBundledFixturesAllApply: with the bundled descriptions, every bundled fixture applies and
// nothing is skipped.
func TestBundledFixturesAllApply(t *testing.T) {
	var log bytes.Buffer
	s := seedServer(t, func(c *mockserver.Config) {
		c.Logger = slog.New(slog.NewJSONHandler(&log, &slog.HandlerOptions{Level: slog.LevelInfo}))
	})
	if got := skipped(t, &log); len(got) != 0 {
		t.Errorf("skipped %+v, want none", got)
	}
	res := do(t, s, req{method: "GET", target: "/__mock/scenarios"})
	for _, name := range []string{"image-rate-limited", "image-slow", "avatar-second-call-fails", "invite-connection-reset"} {
		if !strings.Contains(string(res.body), `"`+name+`"`) {
			t.Errorf("scenario %s not installed: %s", name, res.body)
		}
	}
}
