package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/mockserver/mockserver/mockserver"
)

// validate is `mockserver validate`: it checks the descriptions and fixtures as serving would,
// without serving, and prints every problem. o holds the defaults and the MOCKSERVER_*
// variables already; args are the arguments after "validate".
//
// Exit codes: 0 when there is no error (with --strict, no warning either), 1 when there is,
// 2 on a bad command line.
func validate(ctx context.Context, o options, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("mockserver validate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Var(&listFlag{vals: &o.specs}, "spec", "an API description file, or a directory searched for them (repeatable; env MOCKSERVER_SPEC, comma-separated)")
	fs.StringVar(&o.fixtures, "fixtures", o.fixtures, "fixtures directory (env MOCKSERVER_FIXTURES; a missing directory means none)")
	fs.Var(&listFlag{vals: &o.mounts}, "mount", "check routes as served with a description under a prefix: SPEC or SPEC=PREFIX (repeatable; env MOCKSERVER_MOUNT)")
	format := fs.String("format", "text", "output format: text (file:line: severity: message) or json")
	strict := fs.Bool("strict", false, "fail on warnings too")
	fs.Usage = func() {
		fmt.Fprint(stderr, "Usage: mockserver validate [--spec PATH]... [--fixtures DIR] [--mount SPEC[=PREFIX]]... [--format text|json] [--strict]\n\n"+
			"Checks the descriptions and fixtures without serving. Exit status: 0 no errors (with\n--strict: no warnings either), 1 problems found, 2 bad usage.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage // the flag package has printed the problem
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "mockserver validate: unexpected argument %q (descriptions are given with --spec)\n", fs.Arg(0))
		return exitUsage
	}
	if *format != "text" && *format != "json" {
		fmt.Fprintf(stderr, "mockserver validate: --format: want text or json, got %q\n", *format)
		return exitUsage
	}
	cfg, err := o.config(nil)
	if err != nil {
		fmt.Fprintln(stderr, "mockserver validate:", err)
		return exitUsage
	}

	problems := mockserver.Check(ctx, cfg)
	if problems == nil {
		problems = []mockserver.Problem{} // "problems": [] in JSON
	}
	var nErr, nWarn int
	for _, p := range problems {
		if p.Severity == mockserver.SeverityError {
			nErr++
		} else {
			nWarn++
		}
	}
	if *format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		err = enc.Encode(struct {
			Problems []mockserver.Problem `json:"problems"`
			Errors   int                  `json:"errors"`
			Warnings int                  `json:"warnings"`
		}{problems, nErr, nWarn})
	} else {
		for _, p := range problems {
			fmt.Fprintln(stdout, p)
		}
		_, err = fmt.Fprintf(stdout, "%s, %s\n", plural(nErr, "error"), plural(nWarn, "warning"))
	}
	if err != nil {
		fmt.Fprintln(stderr, "mockserver validate:", err)
		return exitSpecs
	}
	if nErr > 0 || (*strict && nWarn > 0) {
		return exitSpecs
	}
	return exitOK
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
