package mockserver

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mockserver/mockserver/mockserver/internal/corpustest"
)

// discardWriter is a ResponseWriter that keeps only the headers.
type discardWriter struct{ h http.Header }

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *discardWriter) WriteHeader(int)             {}

// BenchmarkStages measures each step of the pipeline on its own, with its allocations: match
// (route and parameters), validate, select (the state included) and write (encoding and
// headers; the network is not part of it). Generation has its own benchmarks (generate/).
func BenchmarkStages(b *testing.B) {
	corpus := corpustest.Dir(b)
	newServer := func(cfg Config) *Server {
		cfg.SkipSpecValidation = true
		s, err := New(context.Background(), cfg)
		if err != nil {
			b.Fatal(err)
		}
		return s
	}
	seeds := newServer(Config{Specs: []string{"../specs"}, Fixtures: "../fixtures"})
	spec := func(rel string) *Server { return newServer(Config{Specs: []string{filepath.Join(corpus, rel)}}) }
	cases := []struct {
		name           string
		s              *Server
		method, target string
		header         map[string]string
		body           string
	}{
		{"seeds/patch-user-avatar", seeds, "PATCH", "/user-avatar/8f1c2a44-2d7e-4b8f-9a51-0c6f2f1e9b3d",
			map[string]string{"Authorization": "Bearer alice-token", "Content-Type": "application/json"}, `{"avatarId":"3c0a1b52-6a8e-4a43-9a4e-2f4b8d1e7c90"}`},
		{"petstore/invalid-post", spec("petstore.yaml"), "POST", "/pets",
			map[string]string{"Content-Type": "application/json"}, `{"id":"seven","name":5}`},
		{"github/get-repo", spec("github-api.github.com.json"), "GET", "/repos/octocat/hello-world", nil, ""},
		{"stripe/get-customer", spec("stripe-spec3.json"), "GET", "/v1/customers/cus_123",
			map[string]string{"Authorization": "Bearer sk_test_x"}, ""},
	}
	for _, c := range cases {
		r := httptest.NewRequest(c.method, c.target, strings.NewReader(c.body))
		for k, v := range c.header {
			r.Header.Set(k, v)
		}
		data := []byte(c.body)
		prepare := func(b *testing.B) *exchange {
			x, miss := c.s.match(r)
			if miss != nil {
				b.Fatalf("%s %s: %d", c.method, c.target, miss.Status)
			}
			x.pref, _ = parsePrefer(r.Header, x.query)
			x.val = c.s.validate.validate(r.Context(), x.op, r, x.query, x.params, data)
			x.identity = c.s.identify(x)
			return x
		}
		b.Run(c.name+"/match", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				c.s.match(r)
			}
		})
		b.Run(c.name+"/validate", func(b *testing.B) {
			x := prepare(b)
			b.ReportAllocs()
			for b.Loop() {
				c.s.validate.validate(r.Context(), x.op, r, x.query, x.params, data)
			}
		})
		b.Run(c.name+"/select", func(b *testing.B) {
			x := prepare(b)
			if rep := c.s.choose(x); rep.Status >= 500 {
				b.Fatalf("select answered %d", rep.Status)
			}
			b.ReportAllocs()
			for b.Loop() {
				c.s.choose(x)
			}
		})
		b.Run(c.name+"/write", func(b *testing.B) {
			x := prepare(b)
			rep := c.s.choose(x)
			w := &discardWriter{}
			b.ReportAllocs()
			for b.Loop() {
				w.h = http.Header{}
				c.s.write(w, r, x, rep)
			}
		})
	}
}
