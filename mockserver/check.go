package mockserver

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/mockserver/mockserver/mockserver/fixture"
	"github.com/mockserver/mockserver/mockserver/spec"
)

// Severities of a Problem.
const (
	SeverityError   = "error"   // start-up fails on it
	SeverityWarning = "warning" // served anyway
)

// Problem is one finding of Check.
type Problem struct {
	Severity string `json:"severity"` // "error" or "warning"
	File     string `json:"file"`
	Line     int    `json:"line,omitempty"` // 0 when unknown
	Message  string `json:"message"`
}

// String is "file:line: severity: message", "file: severity: message" without a line, or
// "severity: message" without a file.
func (p Problem) String() string {
	var b strings.Builder
	if p.File != "" {
		b.WriteString(p.File)
		if p.Line > 0 {
			b.WriteString(":" + strconv.Itoa(p.Line))
		}
		b.WriteString(": ")
	}
	b.WriteString(p.Severity + ": " + p.Message)
	return b.String()
}

// Check loads the descriptions and fixtures as New does and reports every problem: errors
// (what stops start-up) and warnings (description problems served anyway, examples that break
// their schema), sorted by file, line, message. It serves nothing; cfg.Logger is not used.
//
// Errors keep their origin: a fixture problem has its file and line, a description that
// cannot be used its file, anything else (a missing --spec path, an invalid setting) only its
// message. Where a description's message carries a line ("yaml: line 12: …", as YAML syntax
// errors from kin-openapi do) that line is reported too; this is best effort, and a message
// without one has Line 0.
//
// When a description cannot be used, New stops before the routes and fixtures. Check then
// still reports what it can: the warnings, bad examples and route conflicts of the
// descriptions that did load, and the fixture files' own syntax problems. Fixtures are not
// checked against the descriptions in that case (an operation of the broken description would
// wrongly be reported unknown). On this path the descriptions are loaded twice.
func Check(ctx context.Context, cfg Config) []Problem {
	var c checker
	var logged *[]Problem
	cfg.Logger, logged = newWarnCollector()
	srv, err := New(ctx, cfg)
	if err == nil {
		c.warnings(srv.Documents(), srv.BadExamples(), *logged)
		return c.done()
	}
	c.errors(err)

	// What New did not get to report: load the descriptions again, keep the usable ones.
	docs, loadErr := spec.Load(ctx, cfg.Specs, spec.Options{AllowRemoteRefs: cfg.AllowRemoteRefs, SkipValidation: cfg.SkipSpecValidation})
	cfg.Logger, logged = newWarnCollector()
	partial := &Server{cfg: cfg, log: cfg.Logger, plan: &plan{docs: docs, validate: newValidator()}}
	routeErr := partial.buildRoutes()
	partial.checkExamples()
	c.warnings(docs, partial.badList, *logged)
	if loadErr != nil { // New stopped at the descriptions
		if routeErr != nil {
			c.errors(routeErr)
		}
		if cfg.Fixtures != "" {
			_, ferr := fixture.Load(cfg.Fixtures)
			c.errors(ferr)
		}
	}
	return c.done()
}

type checker struct{ out []Problem }

// errors adds one error Problem per error joined in err.
func (c *checker) errors(err error) {
	for _, e := range flatten(err) {
		var fe *fixture.Error
		var se *spec.Error
		switch {
		case errors.As(e, &fe):
			c.out = append(c.out, Problem{Severity: SeverityError, File: fe.Pos.File, Line: fe.Pos.Line, Message: fe.Msg})
		case errors.As(e, &se):
			c.out = append(c.out, Problem{Severity: SeverityError, File: se.File, Line: lineOf(se.Reason), Message: se.Reason})
		default:
			c.out = append(c.out, Problem{Severity: SeverityError, Message: e.Error()})
		}
	}
}

// warnings adds the description warnings, the examples that break their schema and the
// problems logged while building the routes.
func (c *checker) warnings(docs []*spec.Document, bad []BadExample, logged []Problem) {
	for _, d := range docs {
		for _, w := range d.Warnings {
			c.out = append(c.out, Problem{Severity: SeverityWarning, File: d.File, Line: lineOf(w), Message: w})
		}
	}
	for _, b := range bad {
		c.out = append(c.out, Problem{Severity: SeverityWarning, File: b.File, Message: badExampleMessage(b)})
	}
	c.out = append(c.out, logged...)
}

// done sorts the problems by file, line, message (then severity) and drops repeats.
func (c *checker) done() []Problem {
	slices.SortFunc(c.out, func(a, b Problem) int {
		return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line),
			cmp.Compare(a.Message, b.Message), cmp.Compare(a.Severity, b.Severity))
	})
	return slices.Compact(c.out)
}

// flatten lists the errors joined in err (errors.Join, nested), or err itself.
func flatten(err error) []error {
	if err == nil {
		return nil
	}
	j, ok := err.(interface{ Unwrap() []error })
	if !ok {
		return []error{err}
	}
	var out []error
	for _, e := range j.Unwrap() {
		out = append(out, flatten(e)...)
	}
	return out
}

// lineRe finds a line number in a message: "line 12:" or "line 12, column 3" (YAML syntax
// errors).
var lineRe = regexp.MustCompile(`\bline (\d+)(?:[:,]| column)`)

// lineOf is the first line number a message carries, or 0.
func lineOf(msg string) int {
	m := lineRe.FindStringSubmatch(msg)
	if m == nil {
		return 0
	}
	n, err := strconv.Atoi(m[1])
	if err != nil {
		return 0
	}
	return n
}

func badExampleMessage(b BadExample) string {
	example := "the example"
	if b.Example != "" {
		example = fmt.Sprintf("example %q", b.Example)
	}
	msg := fmt.Sprintf("operation %s, response %s %s: %s breaks its schema", b.Operation, b.Status, b.MediaType, example)
	if len(b.Violations) == 0 {
		return msg
	}
	first := b.Violations[0]
	msg += ": " + strings.Join(first.Location, ".") + ": " + first.Message
	if n := len(b.Violations) - 1; n == 1 {
		msg += " (and 1 more violation)"
	} else if n > 1 {
		msg += fmt.Sprintf(" (and %d more violations)", n)
	}
	return msg
}

// warnCollector is a slog.Handler keeping the warnings New logs (two paths that differ only
// in parameter names) as Problems: the "file" attribute is the file, the others follow the
// message.
type warnCollector struct {
	attrs    []slog.Attr
	problems *[]Problem // shared with the handlers WithAttrs derives
}

func newWarnCollector() (*slog.Logger, *[]Problem) {
	var ps []Problem
	return slog.New(&warnCollector{problems: &ps}), &ps
}

func (w *warnCollector) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelWarn }

func (w *warnCollector) Handle(_ context.Context, r slog.Record) error {
	p := Problem{Severity: SeverityWarning, Message: r.Message}
	var rest []string
	add := func(a slog.Attr) bool {
		if a.Key == "file" {
			p.File = a.Value.String()
		} else {
			rest = append(rest, a.Key+"="+a.Value.String())
		}
		return true
	}
	for _, a := range w.attrs {
		add(a)
	}
	r.Attrs(add)
	if len(rest) > 0 {
		p.Message += " (" + strings.Join(rest, ", ") + ")"
	}
	*w.problems = append(*w.problems, p)
	return nil
}

// WithAttrs and WithGroup are not used by New; attributes are kept, groups ignored.
func (w *warnCollector) WithAttrs(as []slog.Attr) slog.Handler {
	return &warnCollector{attrs: append(slices.Clip(w.attrs), as...), problems: w.problems}
}

func (w *warnCollector) WithGroup(string) slog.Handler { return w }
