package mockserver_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/mockserver/mockserver/mockserver"
)

// The browser tests prove with a real, headless Chromium what guard_test.go simulates with
// headers: a web page of another origin cannot read, reset or clear the control API, a
// DNS-rebinding page is misdirected, while the described API keeps Prism's permissive CORS.
// They need Chromium (or Chrome) in PATH; without one they skip, unless
// MOCKSERVER_REQUIRE_BROWSER=1 (CI) makes that a failure.

const (
	// avatarSeeded is a record of fixtures/ir-engine.yaml (alice's), which the test writes
	// through the described API before the page runs: a reset would undo that write.
	avatarSeeded   = "8f1c2a44-2d7e-4b8f-9a51-0c6f2f1e9b3d"
	avatarFixture  = "6416bb7b-df39-42e4-9136-b622d43ba689" // its avatarId in the fixtures
	avatarWritten  = "3c0a1b52-6a8e-4a43-9a4e-2f4b8d1e7c90" // its avatarId after the test's write
	avatarByPage   = "2b7e1c90-5d3a-4f6e-8a21-9c4d7e8f0a13" // bob's record, which the page patches
	avatarFromPage = "5d9e8f7a-1b2c-4d3e-8f4a-5b6c7d8e9f01"
	rebindHost     = "rebind.test" // resolved to 127.0.0.1 by the browser (host-resolver-rules)
)

// attemptJS defines attempt(url, init): one fetch, reported as what the page could see.
const attemptJS = `
async function attempt(url, init) {
  try {
    const r = await fetch(url, init);
    let body = "";
    try { body = await r.text(); } catch (e) { body = "unreadable: " + e; }
    return {fetched: true, type: r.type, status: r.status, body: body};
  } catch (e) {
    return {fetched: false, error: String(e)};
  }
}
`

// attacksJS runs the four attacks on the mock at the origin held by the variable mock, one
// after the other, and resolves to their outcomes.
const attacksJS = `
(async () => ({
  // (a) read the journal (with its bodies): a CORS read.
  readJournal: await attempt(mock + "/__mock/requests", {mode: "cors", cache: "no-store"}),
  // (b) reset the mock with a "simple" request: no preflight, the side effect is the point.
  reset: await attempt(mock + "/__mock/reset", {method: "POST", mode: "no-cors",
    headers: {"Content-Type": "text/plain"}, body: "{}"}),
  // (c) clear the journal: DELETE needs a preflight.
  clearJournal: await attempt(mock + "/__mock/requests", {method: "DELETE", mode: "cors"}),
  // (d) the described API, as the developer's front end calls it (preflighted PATCH).
  api: await attempt(mock + "/user-avatar/` + avatarByPage + `", {method: "PATCH", mode: "cors",
    headers: {"Authorization": "Bearer bob-token", "Content-Type": "application/json"},
    body: JSON.stringify({avatarId: "` + avatarFromPage + `"})}),
}))()
`

// browserAttempt is what the page saw of one fetch.
type browserAttempt struct {
	Fetched bool   `json:"fetched"` // false: fetch rejected (a TypeError)
	Type    string `json:"type"`    // "cors", "basic", "opaque"
	Status  int    `json:"status"`
	Body    string `json:"body"`
	Error   string `json:"error"`
}

func (a browserAttempt) String() string {
	if !a.Fetched {
		return "rejected: " + a.Error
	}
	body := a.Body
	if len(body) > 60 {
		body = body[:60] + "…"
	}
	return fmt.Sprintf("%s %d %q", a.Type, a.Status, body)
}

type browserAttacks struct {
	ReadJournal  browserAttempt `json:"readJournal"`
	Reset        browserAttempt `json:"reset"`
	ClearJournal browserAttempt `json:"clearJournal"`
	API          browserAttempt `json:"api"`
}

func logAttacks(t *testing.T, res browserAttacks) {
	t.Helper()
	t.Logf("the page saw:\n  (a) GET /__mock/requests: %v\n  (b) POST /__mock/reset (no-cors): %v\n  (c) DELETE /__mock/requests: %v\n  (d) PATCH /user-avatar/%s: %v",
		res.ReadJournal, res.Reset, res.ClearJournal, avatarByPage, res.API)
}

// liveHit is a request that reached the mock's listener, with the status the mock answered.
type liveHit struct {
	method, path, host, origin, preflightFor string
	status                                   int
}

func (h liveHit) String() string {
	s := fmt.Sprintf("%s %s (Host %s, Origin %q) → %d", h.method, h.path, h.host, h.origin, h.status)
	if h.preflightFor != "" {
		s += " [preflight for " + h.preflightFor + "]"
	}
	return s
}

// liveMock is the mock on a real 127.0.0.1 listener, recording what reached it.
type liveMock struct {
	origin string // http://127.0.0.1:PORT
	port   string
	client *http.Client

	mu   sync.Mutex
	hits []liveHit
}

// startLiveMock serves the bundled specs (as seedServer does) on 127.0.0.1, with Addr set to
// the listener's address so that the guard's loopback rules apply.
func startLiveMock(t *testing.T, mod ...func(*mockserver.Config)) *liveMock {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	s := seedServer(t, append([]func(*mockserver.Config){func(c *mockserver.Config) { c.Addr = addr }}, mod...)...)
	_, port, _ := net.SplitHostPort(addr)
	m := &liveMock{origin: "http://" + addr, port: port, client: &http.Client{Timeout: 5 * time.Second}}
	srv := &http.Server{Handler: m.record(s), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return m
}

func (m *liveMock) record(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &liveStatusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		m.mu.Lock()
		m.hits = append(m.hits, liveHit{r.Method, r.URL.Path, r.Host, r.Header.Get("Origin"),
			r.Header.Get("Access-Control-Request-Method"), sw.status})
		m.mu.Unlock()
	})
}

// seen returns the requests that reached the mock for paths starting with prefix.
func (m *liveMock) seen(prefix string) []liveHit {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []liveHit
	for _, h := range m.hits {
		if strings.HasPrefix(h.path, prefix) {
			out = append(out, h)
		}
	}
	return out
}

type liveStatusWriter struct {
	http.ResponseWriter
	status int
}

func (w *liveStatusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *liveStatusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *liveStatusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// call sends a request as the developer's own tools do (no Origin), straight from Go.
func (m *liveMock) call(t *testing.T, method, path, auth, body string) (int, []byte) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	r, err := http.NewRequestWithContext(t.Context(), method, m.origin+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if auth != "" {
		r.Header.Set("Authorization", auth)
	}
	if body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	res, err := m.client.Do(r)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("%s %s: reading: %v", method, path, err)
	}
	return res.StatusCode, data
}

// seedWrite patches alice's avatar through the described API: the state gets a write, which a
// reset would undo, and the journal an entry, which a clear would drop. It returns the
// entry's id.
func (m *liveMock) seedWrite(t *testing.T) uint64 {
	t.Helper()
	status, body := m.call(t, "PATCH", "/user-avatar/"+avatarSeeded, "Bearer alice-token", `{"avatarId":"`+avatarWritten+`"}`)
	if status != http.StatusOK {
		t.Fatalf("seeding PATCH /user-avatar/%s: %d %s", avatarSeeded, status, body)
	}
	j := m.journal(t)
	if len(j) != 1 || j[0].Method != "PATCH" {
		t.Fatalf("journal after the seeding PATCH: %+v", j)
	}
	if got := m.avatarID(t, avatarSeeded); got != avatarWritten {
		t.Fatalf("state after the seeding PATCH: avatarId %q, want %q", got, avatarWritten)
	}
	return j[0].ID
}

type liveEntry struct {
	ID     uint64 `json:"id"`
	Method string `json:"method"`
	Path   string `json:"path"`
	Status int    `json:"status"`
}

func decodeLiveJournal(data []byte) ([]liveEntry, error) {
	var j struct {
		Requests []liveEntry `json:"requests"`
	}
	err := json.Unmarshal(data, &j)
	return j.Requests, err
}

// journal reads GET /__mock/requests directly.
func (m *liveMock) journal(t *testing.T) []liveEntry {
	t.Helper()
	status, data := m.call(t, "GET", "/__mock/requests", "", "")
	j, err := decodeLiveJournal(data)
	if status != http.StatusOK || err != nil {
		t.Fatalf("GET /__mock/requests: %d %v\n%s", status, err, data)
	}
	return j
}

// avatarID reads a user-avatar record's avatarId from the mock's state.
func (m *liveMock) avatarID(t *testing.T, id string) string {
	t.Helper()
	status, data := m.call(t, "GET", "/__mock/state/user-avatar/"+id, "", "")
	var rec struct {
		AvatarID string `json:"avatarId"`
	}
	if err := json.Unmarshal(data, &rec); status != http.StatusOK || err != nil {
		t.Fatalf("GET /__mock/state/user-avatar/%s: %d %v\n%s", id, status, err, data)
	}
	return rec.AvatarID
}

func journalHasCall(j []liveEntry, method, path string) bool {
	for _, e := range j {
		if e.Method == method && e.Path == path {
			return true
		}
	}
	return false
}

func journalHasID(j []liveEntry, id uint64) bool {
	for _, e := range j {
		if e.ID == id {
			return true
		}
	}
	return false
}

// attackerPage is a page server on another 127.0.0.1 port than the mock: another origin.
type attackerPage struct {
	origin string // http://127.0.0.1:PORT
	ln     net.Listener
}

// listenAttackerPage reserves the page's origin, so that a mock can allow it before the page,
// which names the mock, is served.
func listenAttackerPage(t *testing.T) *attackerPage {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return &attackerPage{origin: "http://" + ln.Addr().String(), ln: ln}
}

// serve serves at / a page that attacks the mock at mockOrigin as soon as it loads;
// window.results is the promise of the outcomes.
func (a *attackerPage) serve(t *testing.T, mockOrigin string) {
	t.Helper()
	target, _ := json.Marshal(mockOrigin)
	page := "<!doctype html><title>attacker</title><script>\nconst mock = " + string(target) + ";\n" +
		attemptJS + "window.results = " + attacksJS + ";\n</script>"
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(w, page)
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(a.ln) }()
	t.Cleanup(func() { _ = srv.Close() })
}

// findBrowser returns the Chromium or Chrome in PATH, or skips (fails when
// MOCKSERVER_REQUIRE_BROWSER=1).
func findBrowser(t *testing.T) string {
	t.Helper()
	names := []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"}
	for _, name := range names {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	msg := "no Chromium or Chrome in PATH (looked for " + strings.Join(names, ", ") + "); install one (e.g. apt-get install chromium) to run the browser tests"
	if os.Getenv("MOCKSERVER_REQUIRE_BROWSER") == "1" {
		t.Fatal(msg + " (MOCKSERVER_REQUIRE_BROWSER=1)")
	}
	t.Skip(msg)
	return ""
}

// newBrowserTab returns a new tab of the shared browser, closed when the (sub)test ends.
func newBrowserTab(t *testing.T, browser context.Context) context.Context {
	t.Helper()
	tab, cancel := chromedp.NewContext(browser)
	t.Cleanup(cancel)
	if err := chromedp.Do(tab); err != nil {
		t.Fatalf("opening a tab: %v", err)
	}
	return tab
}

// runBrowserPage loads url in tab and returns what the expression resolves to.
func runBrowserPage[T any](t *testing.T, tab context.Context, url, expr string) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(tab, 10*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		t.Fatalf("loading %s: %v", url, err)
	}
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("evaluating on %s: %v", url, err)
	}
	return v
}

func TestBrowserControlGuard(t *testing.T) {
	exe := findBrowser(t)
	start := time.Now()
	// Bounds the whole test: when it ends, the browser is killed.
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	t.Cleanup(cancel)
	opts := append(chromedp.DefaultExecAllocatorOptions[:], // headless
		chromedp.ExecPath(exe),
		chromedp.NoSandbox, // CI runs as root in a container
		// No UserDataDir: chromedp then makes a temporary one and, once the browser has
		// exited, kills its leftover children and removes the directory.
		chromedp.Flag("no-proxy-server", true), // 127.0.0.1 and rebind.test never go to a proxy
		// A rebinding attacker's name, which resolves to this machine.
		chromedp.Flag("host-resolver-rules", "MAP "+rebindHost+" 127.0.0.1"),
	)
	allocCtx, allocCancel := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(allocCancel) // waits until the browser process is gone
	browser, browserCancel := chromedp.NewContext(allocCtx)
	t.Cleanup(browserCancel)
	if err := chromedp.Do(browser); err != nil {
		t.Fatalf("starting %s: %v", exe, err)
	}
	t.Logf("%s started in %v", exe, time.Since(start).Round(time.Millisecond))

	t.Run("another origin is refused", func(t *testing.T) {
		evil := listenAttackerPage(t)
		m := startLiveMock(t)
		seeded := m.seedWrite(t)
		evil.serve(t, m.origin)
		res := runBrowserPage[browserAttacks](t, newBrowserTab(t, browser), evil.origin+"/", "window.results")
		logAttacks(t, res)

		// What the browser let the page see.
		if res.ReadJournal.Fetched || !strings.Contains(res.ReadJournal.Error, "TypeError") {
			t.Errorf("(a) reading the journal: %+v, want a TypeError", res.ReadJournal)
		}
		if !res.Reset.Fetched || res.Reset.Type != "opaque" || res.Reset.Status != 0 {
			t.Errorf("(b) no-cors reset: %+v, want an opaque answer", res.Reset)
		}
		if res.ClearJournal.Fetched || !strings.Contains(res.ClearJournal.Error, "TypeError") {
			t.Errorf("(c) clearing the journal: %+v, want a TypeError", res.ClearJournal)
		}
		if !res.API.Fetched || res.API.Type != "cors" || res.API.Status != 200 || !strings.Contains(res.API.Body, avatarFromPage) {
			t.Errorf("(d) the described API: %+v, want a readable 200", res.API)
		}

		// That the browser did send them and OUR guard refused them (not the browser on its
		// own): each control request of the page reached the mock and got 403, and the
		// DELETE itself never came (its preflight failed).
		control := m.seen("/__mock/")
		want := map[string]bool{"GET /__mock/requests": false, "POST /__mock/reset": false, "OPTIONS /__mock/requests DELETE": false}
		for _, h := range control {
			if h.origin == "" {
				continue // the test's own calls
			}
			key := h.method + " " + h.path
			if h.preflightFor != "" {
				key += " " + h.preflightFor
			}
			if _, ok := want[key]; !ok || h.origin != evil.origin || h.status != http.StatusForbidden {
				t.Errorf("the page's control request %v, want one of %v refused 403 for Origin %s", h, want, evil.origin)
			}
			want[key] = true
		}
		for k, ok := range want {
			if !ok {
				t.Errorf("%s never reached the mock from the page; it saw %v", k, control)
			}
		}

		// And that nothing changed: the reset did not undo the write, the journal was not
		// cleared, while the page's call of the described API was served.
		if got := m.avatarID(t, avatarSeeded); got != avatarWritten {
			t.Errorf("after the page, avatarId of %s is %q, want %q (was the mock reset? the fixtures say %q)", avatarSeeded, got, avatarWritten, avatarFixture)
		}
		if got := m.avatarID(t, avatarByPage); got != avatarFromPage {
			t.Errorf("the page's PATCH did not write: avatarId %q", got)
		}
		j := m.journal(t)
		if !journalHasID(j, seeded) {
			t.Errorf("the seeded journal entry %d is gone: %+v", seeded, j)
		}
		if !journalHasCall(j, "PATCH", "/user-avatar/"+avatarByPage) {
			t.Errorf("journal after the page: %+v, want the page's PATCH too", j)
		}
	})

	t.Run("an allowed origin is served", func(t *testing.T) {
		// The control experiment: the same page in the same browser, its origin now in
		// ControlCORS. The attacks now work, so the refusals above were the guard's doing, not
		// the browser's (Private/Local Network Access or else).
		dev := listenAttackerPage(t)
		m := startLiveMock(t, func(c *mockserver.Config) { c.ControlCORS = []string{dev.origin} })
		seeded := m.seedWrite(t)
		dev.serve(t, m.origin)
		res := runBrowserPage[browserAttacks](t, newBrowserTab(t, browser), dev.origin+"/", "window.results")
		logAttacks(t, res)

		// (a) the journal is readable, with the seeded entry.
		j, err := decodeLiveJournal([]byte(res.ReadJournal.Body))
		if !res.ReadJournal.Fetched || res.ReadJournal.Type != "cors" || res.ReadJournal.Status != 200 || err != nil || !journalHasID(j, seeded) {
			t.Errorf("(a) reading the journal: %+v (%v), want a readable 200 with entry %d", res.ReadJournal, err, seeded)
		}
		// (b) the reset happened (the answer stays opaque: no-cors).
		if !res.Reset.Fetched || res.Reset.Type != "opaque" {
			t.Errorf("(b) no-cors reset: %+v, want an opaque answer", res.Reset)
		}
		if got := m.avatarID(t, avatarSeeded); got != avatarFixture {
			t.Errorf("(b) after the allowed reset, avatarId of %s is %q, want the fixtures' %q", avatarSeeded, got, avatarFixture)
		}
		// (c) the preflighted DELETE went through.
		if !res.ClearJournal.Fetched || res.ClearJournal.Status != http.StatusNoContent {
			t.Errorf("(c) clearing the journal: %+v, want 204", res.ClearJournal)
		}
		// (d) unchanged.
		if !res.API.Fetched || res.API.Type != "cors" || res.API.Status != 200 || !strings.Contains(res.API.Body, avatarFromPage) {
			t.Errorf("(d) the described API: %+v, want a readable 200", res.API)
		}
		if j := m.journal(t); journalHasID(j, seeded) || !journalHasCall(j, "PATCH", "/user-avatar/"+avatarByPage) {
			t.Errorf("journal after the page: %+v, want it cleared, then the page's PATCH", j)
		}
		for _, h := range m.seen("/__mock/") {
			if h.origin == dev.origin && h.status >= 400 {
				t.Errorf("the allowed page's control request %v was refused", h)
			}
		}
	})

	t.Run("a rebinding page is misdirected", func(t *testing.T) {
		// A DNS-rebinding page: its name now resolves to 127.0.0.1, so its script reaches the
		// mock same-origin, with no Origin to refuse (GET) or its own (POST). The Host it
		// sends names it, and the mock, bound to loopback, refuses it 421.
		m := startLiveMock(t)
		seeded := m.seedWrite(t)
		rebound := "http://" + net.JoinHostPort(rebindHost, m.port)
		res := runBrowserPage[browserAttacks](t, newBrowserTab(t, browser), rebound+"/", "const mock = location.origin;"+attemptJS+attacksJS)
		logAttacks(t, res)
		for name, a := range map[string]browserAttempt{"(a) reading the journal": res.ReadJournal, "(b) reset": res.Reset, "(c) clearing the journal": res.ClearJournal} {
			if !a.Fetched || a.Status != http.StatusMisdirectedRequest {
				t.Errorf("%s from %s: %+v, want 421", name, rebound, a)
			}
		}
		if strings.Contains(res.ReadJournal.Body, avatarWritten) {
			t.Errorf("the rebinding page read the journal: %s", res.ReadJournal.Body)
		}
		// Each came at least once (Chromium retries a request answered 421 once, on a new
		// connection, so the mock sees each twice), and each was refused.
		rebinding := map[string]bool{"GET /__mock/requests": false, "POST /__mock/reset": false, "DELETE /__mock/requests": false}
		for _, h := range m.seen("/__mock/") {
			if !strings.HasPrefix(h.host, rebindHost+":") {
				continue
			}
			rebinding[h.method+" "+h.path] = true
			if h.status != http.StatusMisdirectedRequest {
				t.Errorf("the rebinding page's control request %v, want 421", h)
			}
		}
		for k, ok := range rebinding {
			if !ok {
				t.Errorf("%s never reached the mock from the rebinding page; it saw %v", k, m.seen("/__mock/"))
			}
		}
		if got := m.avatarID(t, avatarSeeded); got != avatarWritten {
			t.Errorf("after the rebinding page, avatarId of %s is %q, want %q (was the mock reset?)", avatarSeeded, got, avatarWritten)
		}
		if j := m.journal(t); !journalHasID(j, seeded) {
			t.Errorf("the rebinding page cleared the journal: %+v", j)
		}
	})
	t.Logf("whole test: %v", time.Since(start).Round(time.Millisecond))
}
