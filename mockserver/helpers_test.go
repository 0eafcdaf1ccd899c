package mockserver_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mockserver/mockserver/mockserver"
)

// inlineServer serves one description given as text.
func inlineServer(t testing.TB, name, text string, mod ...func(*mockserver.Config)) *mockserver.Server {
	t.Helper()
	file := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := mockserver.Config{Specs: []string{file}}
	for _, m := range mod {
		m(&cfg)
	}
	s, err := mockserver.New(context.Background(), cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return s
}

// seedServer serves the bundled specs/.
func seedServer(t testing.TB, mod ...func(*mockserver.Config)) *mockserver.Server {
	t.Helper()
	cfg := mockserver.Config{Specs: []string{"../specs"}, Fixtures: "../fixtures", CORS: true}
	for _, m := range mod {
		m(&cfg)
	}
	s, err := mockserver.New(context.Background(), cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return s
}

// req describes a test request.
type req struct {
	method, target string
	header         map[string]string
	body           string
}

// result is what a client sees.
type result struct {
	status int
	header http.Header
	body   []byte
}

func (r result) json(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("body is not a JSON object: %v\n%s", err, r.body)
	}
	return m
}

// violations decodes the validation array of a problem body.
func (r result) violations(t testing.TB) []mockserver.Violation {
	t.Helper()
	var p struct {
		Validation []mockserver.Violation `json:"validation"`
	}
	if err := json.Unmarshal(r.body, &p); err != nil {
		t.Fatalf("body is not a problem: %v\n%s", err, r.body)
	}
	return p.Validation
}

// headerViolations decodes the X-Mock-Violations header.
func (r result) headerViolations(t testing.TB) []mockserver.Violation {
	t.Helper()
	h := r.header.Get(mockserver.HeaderViolations)
	if h == "" {
		return nil
	}
	var vs []mockserver.Violation
	if err := json.Unmarshal([]byte(h), &vs); err != nil {
		t.Fatalf("bad %s header %q: %v", mockserver.HeaderViolations, h, err)
	}
	return vs
}

func do(t testing.TB, h http.Handler, q req) result {
	t.Helper()
	var body io.Reader
	if q.body != "" {
		body = strings.NewReader(q.body)
	}
	r := httptest.NewRequest(q.method, q.target, body)
	for k, v := range q.header {
		if k == "Host" {
			r.Host = v // as net/http reads it, not as a header
			continue
		}
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	res := w.Result()
	data, _ := io.ReadAll(res.Body)
	return result{status: res.StatusCode, header: res.Header, body: data}
}

// hasViolation reports whether vs has an entry at loc with code (code "" matches any).
func hasViolation(vs []mockserver.Violation, loc, code string) bool {
	for _, v := range vs {
		if strings.Join(v.Location, ".") == loc && (code == "" || v.Code == code) {
			return true
		}
	}
	return false
}

func locations(vs []mockserver.Violation) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = strings.Join(v.Location, ".") + ":" + v.Code
	}
	return out
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

func writeFile(t testing.TB, dir, name, text string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}
