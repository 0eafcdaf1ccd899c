// Command prism-compare sends the same requests to Stoplight Prism 5 and to mockserver, each
// serving the same description, and prints what each answered side by side: the status always,
// and the media type and the body where a case asks for them.
//
//	go run ./bench/prism-compare -prism /tmp/prism/node_modules/.bin/prism -mockserver /tmp/mockserver
//
// run.sh builds the binaries, installs Prism when missing and calls this with the right paths.
// The servers run one at a time (one description, one server), on 127.0.0.1 at free ports, from
// an empty scratch directory (no fixtures); each is stopped, by its process group, before the
// next starts. mockserver is started twice per description, in Prism's command-line form
// (`mockserver mock -p PORT SPEC`) and in its own (`mockserver --spec SPEC --port PORT`); the
// table compares Prism with the first and notes any case where the second answered otherwise.
//
// Every request carries `X-Mock-Session: pc-CASE` so that mockserver's state (a DELETE, a POST)
// never leaks from one case into the next: each case sees the description's data, as every
// request does in Prism, whatever the order of the cases or the -only filter.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"
)

// A testCase is one line of the case list.
type testCase struct {
	ID, Spec, Method, Target string
	Headers                  [][2]string
	Body                     *string
	Check                    map[string]bool // "ctype", "body" (status is always compared)
	Note                     string
	Known                    string // why Prism's answer is not the reference ("prism-defect: …"), or ""
	Line                     int
}

// An answer is what one server answered to one case.
type answer struct {
	Status     string // "200", or "-" when no answer (server not started, connection error)
	Header     http.Header
	Body       []byte
	Err        string
	DurationMS float64
	NoServer   bool // the server did not run on this description (did not start, or skipped)
}

func (a answer) mediaType() string {
	ct := a.Header.Get("Content-Type")
	if ct == "" {
		return ""
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return ct
	}
	return mt
}

// A server is one way of serving a description.
type server struct {
	Name string
	Args func(spec string, port int) (bin string, args []string)
	Wait time.Duration
}

type options struct {
	cases, corpus, prism, mockserver, tmp, only, out, tsv, prismSkip string
	prismWait, wait, timeout                                         time.Duration
	plain                                                            bool
}

func main() {
	var o options
	here := "bench/prism-compare"
	flag.StringVar(&o.cases, "cases", filepath.Join(here, "cases.tsv"), "the case list")
	flag.StringVar(&o.corpus, "corpus", envOr("MOCKSERVER_CORPUS", "../shared/corpus"), "the corpus directory (corpus:PATH specs)")
	flag.StringVar(&o.prism, "prism", "", "the prism executable (required)")
	flag.StringVar(&o.mockserver, "mockserver", "", "the mockserver executable (required)")
	flag.StringVar(&o.tmp, "tmp", "", "scratch directory for server logs and the servers' working directory (default: a new temporary one)")
	flag.StringVar(&o.only, "only", "", "run only the cases whose id matches this regular expression")
	flag.StringVar(&o.out, "out", "", "also write the report (Markdown) to this file")
	flag.StringVar(&o.tsv, "tsv", "", "also write one line per case (id, prism, mockserver, same) to this file")
	flag.DurationVar(&o.prismWait, "prism-wait", 10*time.Minute, "how long Prism may take to answer its first request")
	flag.StringVar(&o.prismSkip, "prism-skip", "", "do not start Prism on the descriptions whose spec (as cases.tsv names it) matches this regular expression; their cases are reported as not comparable")
	flag.DurationVar(&o.wait, "wait", 60*time.Second, "how long mockserver may take to answer its first request")
	flag.DurationVar(&o.timeout, "timeout", 60*time.Second, "per-request timeout")
	flag.BoolVar(&o.plain, "plain", true, "also run mockserver in its own command-line form (--spec/--port) and report where it differs")
	flag.Parse()
	if o.prism == "" || o.mockserver == "" {
		fmt.Fprintln(os.Stderr, "prism-compare: -prism and -mockserver are required (run.sh sets them)")
		os.Exit(2)
	}
	go stopOnSignal()
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "prism-compare:", err)
		os.Exit(1)
	}
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func run(o options) error {
	cases, err := readCases(o.cases)
	if err != nil {
		return err
	}
	if o.only != "" {
		re, err := regexp.Compile(o.only)
		if err != nil {
			return fmt.Errorf("-only: %w", err)
		}
		var kept []testCase
		for _, c := range cases {
			if re.MatchString(c.ID) {
				kept = append(kept, c)
			}
		}
		cases = kept
	}
	if len(cases) == 0 {
		return errors.New("no cases to run")
	}
	if o.tmp == "" {
		if o.tmp, err = os.MkdirTemp("", "prism-compare-"); err != nil {
			return err
		}
	}
	workdir := filepath.Join(o.tmp, "cwd") // empty: no fixtures/ for mockserver to pick up
	if err := os.MkdirAll(workdir, 0o755); err != nil {
		return err
	}
	casesDir, _ := filepath.Abs(filepath.Dir(o.cases))
	corpus, _ := filepath.Abs(o.corpus)

	servers := []server{
		{Name: "prism", Wait: o.prismWait, Args: func(spec string, port int) (string, []string) {
			return o.prism, []string{"mock", "-h", "127.0.0.1", "-p", fmt.Sprint(port), spec}
		}},
		{Name: "mockserver", Wait: o.wait, Args: func(spec string, port int) (string, []string) {
			return o.mockserver, []string{"mock", "-h", "127.0.0.1", "-p", fmt.Sprint(port), spec}
		}},
	}
	if o.plain {
		servers = append(servers, server{Name: "mockserver-plain", Wait: o.wait, Args: func(spec string, port int) (string, []string) {
			return o.mockserver, []string{"--spec", spec, "--host", "127.0.0.1", "--port", fmt.Sprint(port), "--quiet"}
		}})
	}

	var skip *regexp.Regexp
	if o.prismSkip != "" {
		if skip, err = regexp.Compile(o.prismSkip); err != nil {
			return fmt.Errorf("-prism-skip: %w", err)
		}
	}

	// Group the cases by description, in the order they first appear.
	var specs []string
	bySpec := map[string][]int{}
	for i, c := range cases {
		if _, ok := bySpec[c.Spec]; !ok {
			specs = append(specs, c.Spec)
		}
		bySpec[c.Spec] = append(bySpec[c.Spec], i)
	}
	answers := map[string][]answer{} // server name → answer per case index
	for _, s := range servers {
		answers[s.Name] = make([]answer, len(cases))
	}
	startups := map[string]map[string]string{} // spec → server → "1.2 s" or why it did not start
	for _, spec := range specs {
		path := resolveSpec(spec, casesDir, corpus)
		if _, err := os.Stat(path); err != nil {
			return fmt.Errorf("%s: %w", spec, err)
		}
		startups[spec] = map[string]string{}
		for _, s := range servers {
			if s.Name == "prism" && skip != nil && skip.MatchString(spec) {
				why := "not started (-prism-skip " + o.prismSkip + ")"
				startups[spec][s.Name] = why
				for _, i := range bySpec[spec] {
					answers[s.Name][i] = answer{Status: "-", Err: why, Header: http.Header{}, NoServer: true}
				}
				continue
			}
			fmt.Fprintf(os.Stderr, "== %s on %s (%d cases)\n", s.Name, spec, len(bySpec[spec]))
			info, err := withServer(s, path, workdir, o.tmp, func(base string) {
				for _, i := range bySpec[spec] {
					answers[s.Name][i] = send(base, cases[i], o.timeout)
				}
			})
			startups[spec][s.Name] = info
			if err != nil {
				fmt.Fprintf(os.Stderr, "   %s: %v\n", s.Name, err)
				for _, i := range bySpec[spec] {
					answers[s.Name][i] = answer{Status: "-", Err: err.Error(), Header: http.Header{}, NoServer: true}
				}
			} else {
				fmt.Fprintf(os.Stderr, "   answered after %s\n", info)
			}
		}
	}
	report := render(cases, answers, startups, specs, o.plain)
	fmt.Print(report)
	if o.out != "" {
		if err := os.WriteFile(o.out, []byte(report), 0o644); err != nil {
			return err
		}
	}
	if o.tsv != "" {
		var b strings.Builder
		b.WriteString("id\tprism\tmockserver\tsame\tknown\n")
		for i, c := range cases {
			p, m := answers["prism"][i], answers["mockserver"][i]
			verdict := fmt.Sprint(same(c, p, m))
			if p.NoServer {
				verdict = "n/a"
			}
			fmt.Fprintf(&b, "%s\t%s\t%s\t%s\t%s\n", c.ID, p.Status, m.Status, verdict, c.Known)
		}
		if err := os.WriteFile(o.tsv, []byte(b.String()), 0o644); err != nil {
			return err
		}
	}
	return nil
}

func resolveSpec(spec, casesDir, corpus string) string {
	if rest, ok := strings.CutPrefix(spec, "corpus:"); ok {
		return filepath.Join(corpus, rest)
	}
	return filepath.Join(casesDir, spec)
}

// readCases parses the tab-separated case list.
func readCases(path string) ([]testCase, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []testCase
	seen := map[string]bool{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		cols := strings.Split(line, "\t")
		if len(cols) < 4 {
			return nil, fmt.Errorf("%s:%d: want at least id, spec, method, target (tab-separated), got %d columns", path, n, len(cols))
		}
		for len(cols) < 9 {
			cols = append(cols, "-")
		}
		c := testCase{ID: cols[0], Spec: cols[1], Method: strings.ToUpper(cols[2]), Target: cols[3], Note: cols[7], Line: n,
			Check: map[string]bool{}}
		if k := strings.TrimSpace(cols[8]); k != "-" {
			c.Known = k
		}
		if seen[c.ID] {
			return nil, fmt.Errorf("%s:%d: duplicate case id %q", path, n, c.ID)
		}
		seen[c.ID] = true
		if !strings.HasPrefix(c.Target, "/") {
			return nil, fmt.Errorf("%s:%d: target %q must start with /", path, n, c.Target)
		}
		if h := cols[4]; h != "-" && h != "" {
			for _, kv := range strings.Split(h, " || ") {
				name, value, ok := strings.Cut(kv, ":")
				if !ok {
					return nil, fmt.Errorf("%s:%d: header %q: want Name: value", path, n, kv)
				}
				c.Headers = append(c.Headers, [2]string{strings.TrimSpace(name), strings.TrimSpace(value)})
			}
		}
		if b := cols[5]; b != "-" {
			c.Body = &b
		}
		for _, k := range strings.Split(cols[6], ",") {
			switch k = strings.TrimSpace(k); k {
			case "status", "-", "":
			case "ctype", "body":
				c.Check[k] = true
			default:
				if name, ok := strings.CutPrefix(k, "header:"); ok && name != "" {
					c.Check["header:"+http.CanonicalHeaderKey(name)] = true
					continue
				}
				return nil, fmt.Errorf("%s:%d: check %q: want status, ctype, body or header:NAME", path, n, k)
			}
		}
		out = append(out, c)
	}
	return out, sc.Err()
}

// withServer starts s on spec at a free port, waits for its first HTTP answer, calls fn with its
// base URL and stops it. It returns the start-up time, or why the server did not start.
func withServer(s server, spec, workdir, tmp string, fn func(base string)) (string, error) {
	port, err := freePort()
	if err != nil {
		return "", err
	}
	bin, args := s.Args(spec, port)
	logPath := filepath.Join(tmp, fmt.Sprintf("%s-%s.log", s.Name, strings.TrimSuffix(filepath.Base(spec), filepath.Ext(spec))))
	logf, err := os.Create(logPath)
	if err != nil {
		return "", err
	}
	defer logf.Close()
	cmd := exec.Command(bin, args...)
	cmd.Dir = workdir
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // its own group: node children go with it
	cmd.Env = cleanEnv()
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return "", err
	}
	running.Lock()
	running.pgid = cmd.Process.Pid
	running.Unlock()
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	defer stop(cmd, exited)

	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	client := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(s.Wait)
	for {
		select {
		case <-exited:
			return "did not start: " + tail(logPath), fmt.Errorf("exited before answering (%s): %s", cmd.ProcessState, tail(logPath))
		default:
		}
		resp, err := client.Get(base + "/__prism-compare-ready")
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			return fmt.Sprintf("did not answer in %s", s.Wait), fmt.Errorf("did not answer in %s", s.Wait)
		}
		time.Sleep(100 * time.Millisecond)
	}
	took := fmt.Sprintf("%.1f s", time.Since(start).Seconds())
	fn(base)
	return took, nil
}

// running is the process group of the server being run, if any, for stopOnSignal.
var running struct {
	sync.Mutex
	pgid int
}

// stopOnSignal ends the running server's process group on Ctrl-C or SIGTERM, then exits: the
// servers run in groups of their own, so the terminal's signal does not reach them.
func stopOnSignal() {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	sig := <-ch
	running.Lock()
	if running.pgid != 0 {
		_ = syscall.Kill(-running.pgid, syscall.SIGKILL)
	}
	running.Unlock()
	fmt.Fprintln(os.Stderr, "prism-compare: stopped by", sig)
	os.Exit(130)
}

// stop ends the server's process group: SIGTERM, then SIGKILL after 5 s.
func stop(cmd *exec.Cmd, exited chan struct{}) {
	pgid := cmd.Process.Pid
	defer func() {
		running.Lock()
		running.pgid = 0
		running.Unlock()
	}()
	_ = syscall.Kill(-pgid, syscall.SIGTERM)
	select {
	case <-exited:
	case <-time.After(5 * time.Second):
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		<-exited
	}
}

// cleanEnv is the environment without MOCKSERVER_* settings, which would change what is compared.
func cleanEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "MOCKSERVER_") {
			continue
		}
		out = append(out, kv)
	}
	return out
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func tail(path string) string {
	b, _ := os.ReadFile(path)
	s := strings.TrimSpace(string(b))
	if len(s) > 400 {
		s = "…" + s[len(s)-400:]
	}
	return strings.Join(strings.Fields(s), " ")
}

// send makes the case's request exactly as written: the raw path and query go on the wire
// unchanged (no normalisation of //, %25 or brackets), only the case's headers are added (no
// Accept, no Accept-Encoding), one connection per request.
func send(base string, c testCase, timeout time.Duration) answer {
	u, err := url.Parse(base)
	if err != nil {
		return answer{Status: "-", Err: err.Error(), Header: http.Header{}}
	}
	path, query, _ := strings.Cut(c.Target, "?")
	u.Opaque, u.RawQuery = path, query
	var body io.Reader
	if c.Body != nil {
		body = strings.NewReader(*c.Body)
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, c.Method, base, body)
	if err != nil {
		return answer{Status: "-", Err: err.Error(), Header: http.Header{}}
	}
	req.URL = u
	req.Header.Set("User-Agent", "prism-compare")
	req.Header.Set("X-Mock-Session", "pc-"+c.ID)
	for _, h := range c.Headers {
		req.Header.Add(h[0], h[1])
	}
	tr := &http.Transport{DisableCompression: true, DisableKeepAlives: true}
	defer tr.CloseIdleConnections()
	start := time.Now()
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		return answer{Status: "-", Err: err.Error(), Header: http.Header{}}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	a := answer{Status: fmt.Sprint(resp.StatusCode), Header: resp.Header, Body: b, DurationMS: float64(time.Since(start).Microseconds()) / 1000}
	if err != nil {
		a.Err = "reading the body: " + err.Error()
	}
	return a
}

// same reports whether the two answers agree on what the case checks.
func same(c testCase, p, m answer) bool {
	if p.Status != m.Status {
		return false
	}
	if c.Check["ctype"] && p.mediaType() != m.mediaType() {
		return false
	}
	if c.Check["body"] && !sameBody(p.Body, m.Body) {
		return false
	}
	return len(headerDiffs(c, p, m)) == 0
}

// headerDiffs names the header:NAME checks on which the answers differ (value, or presence).
func headerDiffs(c testCase, p, m answer) []string {
	var out []string
	for k := range c.Check {
		if name, ok := strings.CutPrefix(k, "header:"); ok && p.Header.Get(name) != m.Header.Get(name) {
			out = append(out, "header "+name)
		}
	}
	sort.Strings(out)
	return out
}

func sameBody(a, b []byte) bool {
	var va, vb any
	if json.Unmarshal(a, &va) == nil && json.Unmarshal(b, &vb) == nil {
		ja, _ := json.Marshal(va)
		jb, _ := json.Marshal(vb)
		return bytes.Equal(ja, jb)
	}
	return bytes.Equal(bytes.TrimSpace(a), bytes.TrimSpace(b))
}

// whatDiffers names the checked aspects on which the answers differ.
func whatDiffers(c testCase, p, m answer) string {
	var d []string
	if p.Status != m.Status {
		d = append(d, "status")
	}
	if c.Check["ctype"] && p.mediaType() != m.mediaType() {
		d = append(d, "media type")
	}
	if c.Check["body"] && !sameBody(p.Body, m.Body) {
		d = append(d, "body")
	}
	d = append(d, headerDiffs(c, p, m)...)
	return strings.Join(d, ", ")
}

func excerpt(b []byte, n int) string {
	s := strings.Join(strings.Fields(string(b)), " ")
	if len([]rune(s)) > n {
		s = string([]rune(s)[:n]) + "…"
	}
	return s
}

func cell(s string) string {
	s = strings.ReplaceAll(s, "|", `\|`)
	s = strings.ReplaceAll(s, "\n", " ")
	return s
}

func render(cases []testCase, answers map[string][]answer, startups map[string]map[string]string, specs []string, plain bool) string {
	var b strings.Builder
	p, m := answers["prism"], answers["mockserver"]
	fmt.Fprintf(&b, "# mockserver beside Prism: %d cases\n\n", len(cases))
	b.WriteString("Start-up (to the first HTTP answer):\n\n| description | Prism | mockserver mock | mockserver --spec |\n|---|---|---|---|\n")
	for _, s := range specs {
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", s, cell(startups[s]["prism"]), cell(startups[s]["mockserver"]), cell(startups[s]["mockserver-plain"]))
	}
	b.WriteString("\n| case | Prism | mockserver | same? | Prism: Content-Type, body | mockserver: Content-Type, body |\n|---|---|---|---|---|---|\n")
	// A case is comparable when Prism served its description: where Prism did not start (or was
	// skipped) there is no reference to compare with. A description mockserver refuses while
	// Prism serves it is a difference like any other.
	comparable, identical, statusSame, knownStatus := 0, 0, 0, 0
	var diffs, skipped []int
	for i, c := range cases {
		if p[i].NoServer {
			skipped = append(skipped, i)
			fmt.Fprintf(&b, "| %s | - | %s | n/a (no Prism) |  |  |\n", c.ID, m[i].Status)
			continue
		}
		comparable++
		ok := same(c, p[i], m[i])
		if p[i].Status == m[i].Status {
			statusSame++
		}
		mark := "yes"
		var pe, me string
		if ok {
			identical++
			if c.Known != "" {
				mark = "yes (cases.tsv records a Prism defect here: check it)"
			}
		} else {
			diffs = append(diffs, i)
			mark = "**no** (" + whatDiffers(c, p[i], m[i]) + ")"
			if c.Known != "" {
				mark = "no (" + whatDiffers(c, p[i], m[i]) + "; known Prism defect)"
				if p[i].Status != m[i].Status {
					knownStatus++
				}
			}
			pe = fmt.Sprintf("`%s` %s", p[i].Header.Get("Content-Type"), excerpt(p[i].Body, 90))
			me = fmt.Sprintf("`%s` %s", m[i].Header.Get("Content-Type"), excerpt(m[i].Body, 90))
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", c.ID, p[i].Status, m[i].Status, mark, cell(pe), cell(me))
	}

	if len(diffs) > 0 {
		b.WriteString("\n## Differences in detail\n")
		for _, i := range diffs {
			writeDetail(&b, cases[i], p[i], m[i])
		}
	}

	// What each side reported about the request (and its own response): informative, not part
	// of the share. Locations are each server's own choice (Prism names the parent of a missing
	// property, ["request"] for security and Content-Type; mockserver the parameter or header).
	var vrows []string
	both, onlyP, onlyM := 0, 0, 0
	for i, c := range cases {
		if p[i].NoServer {
			continue
		}
		pv, pok := violations(p[i])
		mv, mok := violations(m[i])
		switch {
		case pok && mok:
			both++
		case pok:
			onlyP++
		case mok:
			onlyM++
		default:
			continue
		}
		vrows = append(vrows, fmt.Sprintf("| %s | %s | %s |", c.ID, cell(violationList(pv)), cell(violationList(mv))))
	}
	fmt.Fprintf(&b, "\n## Violations reported (sl-violations, or the body of Prism's own problem documents, which carry no header)\n\nBoth sides: %d cases; only Prism: %d; only mockserver: %d. Each entry: location (severity, code).\n\n| case | Prism | mockserver |\n|---|---|---|\n%s\n",
		both, onlyP, onlyM, strings.Join(vrows, "\n"))

	if plain {
		var notes []string
		pl := answers["mockserver-plain"]
		for i, c := range cases {
			if pl[i].Status != m[i].Status || pl[i].mediaType() != m[i].mediaType() {
				notes = append(notes, fmt.Sprintf("- %s: `mockserver mock` %s `%s`, `mockserver --spec` %s `%s`", c.ID, m[i].Status, m[i].mediaType(), pl[i].Status, pl[i].mediaType()))
			}
		}
		b.WriteString("\n## mockserver's two command-line forms\n\n")
		if len(notes) == 0 {
			b.WriteString("`mockserver mock -p PORT SPEC` and `mockserver --spec SPEC --port PORT` answered every case with the same status and media type.\n")
		} else {
			b.WriteString(strings.Join(notes, "\n") + "\n")
		}
	}

	byReason := map[string]int{}
	for _, i := range diffs {
		byReason[whatDiffers(cases[i], p[i], m[i])]++
	}
	var reasons []string
	for r, n := range byReason {
		reasons = append(reasons, fmt.Sprintf("%s: %d", r, n))
	}
	sort.Strings(reasons)
	fmt.Fprintf(&b, "\n## Summary\n\n- cases: %d, of which comparable (Prism served the description): %d\n", len(cases), comparable)
	if len(skipped) > 0 {
		var ids []string
		for _, i := range skipped {
			ids = append(ids, cases[i].ID)
		}
		fmt.Fprintf(&b, "- not comparable (%d): %s — Prism: %s\n", len(skipped), strings.Join(ids, ", "), p[skipped[0]].Err)
	}
	fmt.Fprintf(&b, "- **same status: %d/%d (%.1f%%)**\n- same status, or a status difference cases.tsv records as a Prism defect (%d): %d/%d (%.1f%%)\n- identical on everything checked (status, and media type / body where the case asks): %d/%d (%.1f%%)\n- differences by aspect: %s\n",
		statusSame, comparable, pct(statusSame, comparable), knownStatus, statusSame+knownStatus, comparable, pct(statusSame+knownStatus, comparable),
		identical, comparable, pct(identical, comparable), strings.Join(reasons, "; "))
	return b.String()
}

// writeDetail describes one difference: the request, and for each side the status, media type,
// the headers that explain the choice (violations, source) and the start of the body.
func writeDetail(b *strings.Builder, c testCase, p, m answer) {
	fmt.Fprintf(b, "\n### %s — %s\n\n", c.ID, c.Note)
	if c.Known != "" {
		fmt.Fprintf(b, "Known: %s\n\n", c.Known)
	}
	fmt.Fprintf(b, "`%s %s` on `%s`", c.Method, c.Target, c.Spec)
	for _, h := range c.Headers {
		fmt.Fprintf(b, ", `%s: %s`", h[0], h[1])
	}
	if c.Body != nil {
		fmt.Fprintf(b, ", body `%s`", *c.Body)
	}
	b.WriteString("\n\n")
	for _, side := range []struct {
		name string
		a    answer
		hdrs []string
	}{
		{"Prism", p, append([]string{"sl-violations", "WWW-Authenticate", "Allow"}, checkedHeaders(c)...)},
		{"mockserver", m, append([]string{"X-Mock-Source", "Sl-Violations", "X-Mock-Warning", "WWW-Authenticate", "Allow"}, checkedHeaders(c)...)},
	} {
		fmt.Fprintf(b, "- %s: **%s** `%s`", side.name, side.a.Status, side.a.Header.Get("Content-Type"))
		if side.a.Err != "" {
			fmt.Fprintf(b, " (%s)", excerpt([]byte(side.a.Err), 300))
		}
		b.WriteString("\n")
		for _, h := range side.hdrs {
			if v := side.a.Header.Get(h); v != "" {
				fmt.Fprintf(b, "  - %s: `%s`\n", h, excerpt([]byte(v), 400))
			}
		}
		if len(side.a.Body) > 0 {
			fmt.Fprintf(b, "  - body: `%s`\n", excerpt(side.a.Body, 300))
		}
	}
}

// A violation is one entry of an sl-violations header (Prism's format, which mockserver also
// sends): {"location": ["request", "query", "n"], "severity": "Error", "code": …, "message": …}.
type violation struct {
	Location []string `json:"location"`
	Severity string   `json:"severity"`
	Code     any      `json:"code"`
	Message  string   `json:"message"`
}

// violations lists what a server reported about the exchange: its sl-violations header, else,
// for Prism's own problem documents (which carry no header), the body's validation array with
// the "request" prefix the header would have had. ok is false when it reported nothing.
func violations(a answer) (out []violation, ok bool) {
	if h := a.Header.Get("sl-violations"); h != "" {
		if json.Unmarshal([]byte(h), &out) == nil {
			return out, true
		}
		return nil, false // "Too many violations! …": cut, not JSON
	}
	if mt := a.mediaType(); mt != "application/problem+json" {
		return nil, false
	}
	var p struct {
		Validation []violation `json:"validation"`
	}
	if json.Unmarshal(a.Body, &p) != nil || len(p.Validation) == 0 {
		return nil, false
	}
	for _, v := range p.Validation {
		v.Location = append([]string{"request"}, v.Location...)
		out = append(out, v)
	}
	return out, true
}

// checkedHeaders lists the headers the case compares (header:NAME checks).
func checkedHeaders(c testCase) []string {
	var out []string
	for k := range c.Check {
		if name, ok := strings.CutPrefix(k, "header:"); ok {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// violationList shows violations as "location (severity, code)", in the order reported.
func violationList(vs []violation) string {
	if len(vs) == 0 {
		return "none"
	}
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = fmt.Sprintf("%s (%s, %v)", strings.Join(v.Location, "."), v.Severity, v.Code)
	}
	return strings.Join(out, "; ")
}

func pct(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return 100 * float64(a) / float64(b)
}
