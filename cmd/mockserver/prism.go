package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime/debug"
	"strconv"
	"strings"
	"text/tabwriter"
)

// errVersion is returned by parsePrism for --version: print the version and stop.
var errVersion = errors.New("version requested")

// logLevelSilent is above every level anything logs at: Prism's -v silent.
const logLevelSilent = "error+4"

// prismOption is one option of `prism mock` (Prism 5.14), under every name Prism's parser
// (yargs) accepts for it.
type prismOption struct {
	// names: Prism's long name first, then its short form and the spellings yargs derives
	// (verbose-level for verboseLevel, jsonSchemaFakerFillProperties for
	// json-schema-faker-fillProperties).
	names []string
	// boolean options take no value: --x, --x=false, --x false and --no-x.
	boolean bool
	arg     string // the value's placeholder in the usage text
	usage   string
	set     func(string) error
	// ignored, when not empty, says why the option is accepted without effect here.
	ignored string
}

// prismExtra holds what Prism's options say beyond options: the -v level, and
// --ignoreExamples (which turns on generation, as --dynamic does).
type prismExtra struct {
	verbosity      string
	ignoreExamples bool
}

// prismOptions lists the options of `prism mock`, as `prism mock --help` prints them and
// Prism's commands/mock.js and commands/sharedOptions.js define them, then mockserver's own
// (ownFlags: CI, control API, journal).
func (o *options) prismOptions(x *prismExtra) []prismOption {
	accept := func(string) error { return nil }
	opts := []prismOption{
		{names: []string{"port", "p"}, arg: "PORT", usage: "port to listen on (default 4010)", set: setInt(&o.port)},
		{names: []string{"host", "h"}, arg: "HOST", usage: "address to listen on (default 127.0.0.1)", set: setString(&o.host)},
		{names: []string{"cors"}, boolean: true, usage: "answer CORS preflights and add CORS headers (default true)", set: setBool(&o.cors)},
		{names: []string{"multiprocess", "m"}, boolean: true, usage: "Prism forks its server for faster logging", set: accept,
			ignored: "one process serves all cores"},
		{names: []string{"errors"}, boolean: true, usage: "answer 500 when an example breaks its own schema", set: setBool(&o.errors)},
		{names: []string{"verboseLevel", "v", "verbose-level"}, arg: "LEVEL", usage: "trace, debug, info, warn, error, fatal or silent (default info)", set: setString(&x.verbosity)},
		{names: []string{"dynamic", "d"}, boolean: true, usage: "generate bodies from schemas even where examples exist", set: setBool(&o.dynamic)},
		{names: []string{"json-schema-faker-fillProperties", "json-schema-faker-fill-properties", "jsonSchemaFakerFillProperties"}, boolean: true,
			usage: "Prism adds undeclared properties to generated objects", set: accept,
			ignored: "generated objects get undeclared properties only where their schema describes or requires them"},
		{names: []string{"ignoreExamples", "ignore-examples"}, boolean: true, usage: "generate bodies even where examples exist (as --dynamic)", set: setBool(&x.ignoreExamples)},
		{names: []string{"seed"}, arg: "SEED", usage: "seed for generated data; same seed, same bodies", set: setString(&o.seed)},
	}
	fs := flag.NewFlagSet("", flag.ContinueOnError)
	o.ownFlags(fs)
	fs.VisitAll(func(f *flag.Flag) {
		b, ok := f.Value.(interface{ IsBoolFlag() bool })
		arg, usage := flag.UnquoteUsage(f)
		opts = append(opts, prismOption{names: []string{f.Name}, boolean: ok && b.IsBoolFlag(), arg: arg, usage: usage, set: f.Value.Set})
	})
	return opts
}

func setString(dst *string) func(string) error {
	return func(v string) error { *dst = v; return nil }
}

func setInt(dst *int) func(string) error {
	return func(v string) error {
		n, err := strconv.ParseInt(v, 0, 0) // 0x10, as Prism's Number()
		if err != nil {
			return fmt.Errorf("want a number, got %q", v)
		}
		*dst = int(n)
		return nil
	}
}

func setBool(dst *bool) func(string) error {
	return func(v string) error {
		b, err := strconv.ParseBool(v)
		*dst = b
		return err
	}
}

// parsePrism reads Prism's `prism mock` command line as Prism's parser does, so that scripts
// written for it work unchanged: every option of `prism mock`, its short form (clustered too:
// -dm, -p4010), --flag value and --flag=value, booleans as --flag, --flag=false,
// --flag false and --no-flag, options before or after the description. Unlike Prism it
// serves several descriptions (mock A B), and a boolean given something other than true or
// false (--cors=yes) is an error, not false.
//
// It returns the options given that have no effect here, each with the reason.
func (o *options) parsePrism(args []string, stderr io.Writer) (noEffect []string, err error) {
	var x prismExtra
	p := prismParser{opts: o.prismOptions(&x), byName: make(map[string]*prismOption), rest: args,
		given: make(map[*prismOption]bool)}
	for i := range p.opts {
		for _, n := range p.opts[i].names {
			p.byName[n] = &p.opts[i]
		}
	}
	for len(p.rest) > 0 {
		if err := p.next(); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				printPrismUsage(stderr, p.opts)
			}
			return nil, err
		}
	}
	if len(p.specs) == 0 {
		return nil, errors.New("mock: missing the description to serve (mockserver mock SPEC)")
	}
	o.specs = p.specs
	if x.ignoreExamples {
		o.dynamic = true
	}
	if err := o.prismVerbosity(x.verbosity); err != nil {
		return nil, err
	}
	for i := range p.opts {
		opt := &p.opts[i]
		if b, ok := p.given[opt]; ok {
			s := "--" + opt.names[0]
			if !b {
				s += "=false"
			}
			noEffect = append(noEffect, s+" ("+opt.ignored+")")
		}
	}
	return noEffect, nil
}

// prismParser is one reading of a Prism command line.
type prismParser struct {
	opts   []prismOption
	byName map[string]*prismOption // every name of every option
	rest   []string                // the arguments not read yet
	specs  []string                // the descriptions read
	given  map[*prismOption]bool   // the options without effect given: their last value
}

// next reads the next argument: a description, an option (with its value), or a cluster of
// single-letter options.
func (p *prismParser) next() error {
	a := p.rest[0]
	p.rest = p.rest[1:]
	if a == "--" {
		p.specs, p.rest = append(p.specs, p.rest...), nil
		return nil
	}
	if len(a) < 2 || a[0] != '-' {
		p.specs = append(p.specs, a)
		return nil
	}
	name, v, inline := strings.Cut(strings.TrimPrefix(a[1:], "-"), "=")
	spelled, _, _ := strings.Cut(a, "=")
	switch name {
	case "help":
		return flag.ErrHelp
	case "version":
		return errVersion
	}
	if opt := p.byName[name]; opt != nil {
		return p.set(opt, spelled, v, inline)
	}
	if n, ok := strings.CutPrefix(name, "no-"); ok && !inline && p.byName[n] != nil && p.byName[n].boolean {
		return p.set(p.byName[n], spelled, "false", true)
	}
	if a[1] != '-' && name != "" && p.byName[name[:1]] != nil {
		return p.cluster(name, v, inline)
	}
	return fmt.Errorf("unknown flag %s (mockserver mock takes the flags of prism mock: see mockserver mock --help)", spelled)
}

// set gives opt (spelled so on the command line) the value v when inline, else the next
// argument when opt takes one (for a boolean, only a following true or false).
func (p *prismParser) set(opt *prismOption, spelled, v string, inline bool) error {
	if opt.boolean {
		if !inline && len(p.rest) > 0 && (p.rest[0] == "true" || p.rest[0] == "false") {
			v, inline, p.rest = p.rest[0], true, p.rest[1:]
		}
		if !inline {
			v = "true"
		}
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("%s: want true or false, got %q", spelled, v)
		}
		v = strconv.FormatBool(b)
		if opt.ignored != "" {
			p.given[opt] = b
		}
	} else if !inline {
		if len(p.rest) == 0 {
			if spelled == "-h" {
				return errors.New("-h needs a value: HOST (-h is the host, as in Prism; help is --help)")
			}
			return fmt.Errorf("%s needs a value: %s", spelled, opt.arg)
		}
		v, p.rest = p.rest[0], p.rest[1:]
	}
	if err := opt.set(v); err != nil {
		return fmt.Errorf("%s: %w", spelled, err)
	}
	return nil
}

// cluster reads single-letter options written together, as yargs does: -dm is -d -m; a
// letter that takes a value takes the rest of the word (-p4010) or the next argument
// (-dp 4010); the last letter takes an inline value (-dv=debug).
func (p *prismParser) cluster(letters, v string, inline bool) error {
	for j := 0; j < len(letters); j++ {
		spelled := "-" + letters[j:j+1]
		opt := p.byName[letters[j:j+1]]
		if opt == nil {
			return fmt.Errorf("unknown flag %s in -%s (mockserver mock takes the flags of prism mock: see mockserver mock --help)", spelled, letters)
		}
		last := j == len(letters)-1
		switch {
		case !opt.boolean && !last && inline:
			return p.set(opt, spelled, letters[j+1:]+"="+v, true)
		case !opt.boolean && !last:
			return p.set(opt, spelled, letters[j+1:], true)
		case last:
			return p.set(opt, spelled, v, inline)
		}
		if err := p.set(opt, spelled, "true", true); err != nil {
			return err
		}
	}
	return nil
}

// prismVerbosity maps Prism's -v level onto the log level. Above info, the route table (which
// Prism logs at info) is not printed either.
func (o *options) prismVerbosity(level string) error {
	switch level {
	case "":
	case "trace", "debug":
		o.logLevel = "debug"
	case "info", "success": // success: a level of Prism's logger, between info and warn
		o.logLevel = "info"
	case "warn":
		o.logLevel, o.quiet = "warn", true
	case "error", "fatal":
		o.logLevel, o.quiet = "error", true
	case "silent":
		o.logLevel, o.quiet = logLevelSilent, true
	default:
		return fmt.Errorf("-v: want trace, debug, info, warn, error, fatal or silent, got %q", level)
	}
	return nil
}

func printPrismUsage(w io.Writer, opts []prismOption) {
	fmt.Fprint(w, "Usage: mockserver mock [flags] SPEC...\n\nThe flags of prism mock (Prism 5), in every form Prism accepts (-dm, -p4010, --cors false,\n--no-cors, --verbose-level):\n\n")
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, opt := range opts {
		var names []string
		for _, n := range opt.names[1:] {
			if len(n) == 1 {
				names = append(names, "-"+n)
			}
		}
		names = append(names, "--"+opt.names[0])
		spelled := strings.Join(names, ", ")
		if len(names) == 1 {
			spelled = "    " + spelled
		}
		if opt.arg != "" {
			spelled += " " + opt.arg
		}
		usage := opt.usage
		if opt.ignored != "" {
			usage += "; accepted without effect: " + opt.ignored
		}
		fmt.Fprintf(tw, "  %s\t%s\n", spelled, usage)
	}
	fmt.Fprintln(tw, "      --version\tprint the version")
	_ = tw.Flush()
}

// version is the module version the binary was built from ("(devel)" from a checkout).
func version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "(devel)"
}
