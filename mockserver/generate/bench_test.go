package generate

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/brianvoe/gofakeit/v7"
	"github.com/getkin/kin-openapi/openapi3"
)

var (
	benchDocsMu sync.Mutex
	benchDocs   = map[string]*docResult{}
)

// sharedDocs are the descriptions loaded once per process and shared by
// TestCorpus, TestCorpusDeterminism and the benchmarks.
var sharedDocs = map[string]bool{"stripe-spec3.json": true, "github-api.github.com.json": true}

type docResult struct {
	once sync.Once
	doc  *openapi3.T
	err  error
}

func cachedDoc(path, rel string) (*openapi3.T, error) {
	benchDocsMu.Lock()
	r := benchDocs[rel]
	if r == nil {
		r = &docResult{}
		benchDocs[rel] = r
	}
	benchDocsMu.Unlock()
	r.once.Do(func() { r.doc, r.err = loadDoc(path) })
	return r.doc, r.err
}

// corpusDoc loads (once per process) a corpus description for benchmarks.
func corpusDoc(tb testing.TB, rel string) *openapi3.T {
	tb.Helper()
	dir := corpusDir()
	if dir == "" {
		tb.Skip("corpus not found: set MOCKSERVER_CORPUS")
	}
	doc, err := cachedDoc(filepath.Join(dir, rel), rel)
	if err != nil {
		tb.Skipf("cannot load %s: %v", rel, err)
	}
	return doc
}

func responseSchema(tb testing.TB, doc *openapi3.T, path, method, status string) *openapi3.SchemaRef {
	tb.Helper()
	item := doc.Paths.Find(path)
	if item == nil {
		tb.Fatalf("no path %s", path)
	}
	op := item.GetOperation(method)
	if op == nil {
		tb.Fatalf("no %s %s", method, path)
	}
	r := op.Responses.Value(status)
	if r == nil || r.Value == nil {
		tb.Fatalf("no response %s", status)
	}
	mt := r.Value.Content.Get("application/json")
	if mt == nil || mt.Schema == nil {
		tb.Fatalf("no application/json schema")
	}
	return mt.Schema
}

func benchSchema(b *testing.B, s *openapi3.SchemaRef) {
	g := New(Options{})
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_ = g.Value(s, uint64(i)+1, Response)
	}
}

// BenchmarkStripeCustomer: GET /v1/customers/{customer} 200 of stripe-spec3.json.
func BenchmarkStripeCustomer(b *testing.B) {
	doc := corpusDoc(b, "stripe-spec3.json")
	benchSchema(b, responseSchema(b, doc, "/v1/customers/{customer}", "GET", "200"))
}

// BenchmarkGitHubRepository: GET /repos/{owner}/{repo} 200 of github-api.github.com.json.
func BenchmarkGitHubRepository(b *testing.B) {
	doc := corpusDoc(b, "github-api.github.com.json")
	benchSchema(b, responseSchema(b, doc, "/repos/{owner}/{repo}", "GET", "200"))
}

// BenchmarkStripeError: the `default` (error) response of stripe-spec3.json,
// shared by every operation: anyOf-heavy expandable objects.
func BenchmarkStripeError(b *testing.B) {
	doc := corpusDoc(b, "stripe-spec3.json")
	benchSchema(b, responseSchema(b, doc, "/v1/customers/{customer}", "GET", "default"))
}

// BenchmarkOpenAILargest: the response of real/openai/openapi.yaml whose
// generated JSON (seed 1) is the biggest.
func BenchmarkOpenAILargest(b *testing.B) {
	doc := corpusDoc(b, "real/openai/openapi.yaml")
	tg, size := largestResponse(doc)
	if tg.schema == nil {
		b.Skip("no JSON response")
	}
	b.Logf("%s (%d bytes)", tg.name, size)
	benchSchema(b, tg.schema)
}

// largestResponse finds the JSON response of doc whose generated value for
// seed 1 is the biggest.
func largestResponse(doc *openapi3.T) (target, int) {
	g := New(Options{OpenAPIVersion: doc.OpenAPI})
	var best target
	size := -1
	seen := map[*openapi3.Schema]bool{}
	for _, tg := range targets(doc, false) {
		if seen[tg.schema.Value] {
			continue
		}
		seen[tg.schema.Value] = true
		data, _ := json.Marshal(g.Value(tg.schema, 1, Response))
		if len(data) > size {
			best, size = tg, len(data)
		}
	}
	return best, size
}

// BenchmarkCorpusFile generates every distinct JSON response of a few heavy
// descriptions per iteration (for profiling: go test -bench CorpusFile
// -cpuprofile cpu.out); ns/body is the mean time per response body.
func BenchmarkCorpusFile(b *testing.B) {
	for _, rel := range []string{"stripe-spec3.json", "real/stripe/spec3.yaml", "github-api.github.com.json", "real/discord/openapi.json", "real/digitalocean/specification/DigitalOcean-public.v2.yaml", "real/openai/openapi.yaml"} {
		b.Run(strings.NewReplacer("/", "_", ".", "_").Replace(rel), func(b *testing.B) {
			doc := corpusDoc(b, rel)
			var ts []target
			seen := map[*openapi3.Schema]bool{}
			for _, tg := range targets(doc, false) {
				if !seen[tg.schema.Value] {
					seen[tg.schema.Value] = true
					ts = append(ts, tg)
				}
			}
			g := New(Options{OpenAPIVersion: doc.OpenAPI})
			for _, tg := range ts {
				_ = g.Value(tg.schema, 1, Response) // warm the caches
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				for _, tg := range ts {
					_ = g.Value(tg.schema, uint64(i)+1, Response)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(ts)), "ns/body")
		})
	}
}

// TestCorpusDeterminism: heavy real responses are byte-identical across
// generators for a seed (this also catches any faker function that would
// draw from gofakeit's global, randomly seeded source) and differ across
// seeds.
func TestCorpusDeterminism(t *testing.T) {
	t.Parallel()
	cases := []struct{ file, path, method, status string }{
		{"stripe-spec3.json", "/v1/customers/{customer}", "GET", "200"},
		{"github-api.github.com.json", "/repos/{owner}/{repo}", "GET", "200"},
		{"stripe-spec3.json", "/v1/customers/{customer}", "GET", "default"},
		{"github-api.github.com.json", "/orgs/{org}/projectsV2/{project_number}/drafts", "POST", "201"},
	}
	for _, tc := range cases {
		t.Run(tc.file+" "+tc.method+" "+tc.path+" "+tc.status, func(t *testing.T) {
			doc := corpusDoc(t, tc.file)
			s := responseSchema(t, doc, tc.path, tc.method, tc.status)
			opts := validationOptions(doc, Response)
			// A shared generator, warmed in another order, gives the same
			// bytes as fresh ones: caches never change a value.
			shared := New(Options{OpenAPIVersion: doc.OpenAPI})
			for seed := uint64(5); seed >= 1; seed-- {
				_ = shared.Value(s, seed, Response)
			}
			var prev []byte
			for seed := uint64(1); seed <= 3; seed++ {
				a, _ := json.Marshal(New(Options{OpenAPIVersion: doc.OpenAPI}).Value(s, seed, Response))
				b, _ := json.Marshal(New(Options{OpenAPIVersion: doc.OpenAPI}).Value(s, seed, Response))
				c, _ := json.Marshal(shared.Value(s, seed, Response))
				if !bytes.Equal(a, b) || !bytes.Equal(a, c) {
					t.Fatalf("seed %d: not deterministic", seed)
				}
				if bytes.Equal(a, prev) {
					t.Fatalf("seeds %d and %d gave the same value", seed-1, seed)
				}
				prev = a
				var v any
				_ = json.Unmarshal(a, &v)
				if err := s.Value.VisitJSON(v, opts...); err != nil {
					t.Fatalf("seed %d: %v", seed, err)
				}
			}
		})
	}
}

// BenchmarkReseed measures the per-field cost of seeding: the generator
// reseeds one PCG in place instead of building a faker per field.
func BenchmarkReseed(b *testing.B) {
	c := &gctx{}
	c.fake = gofakeit.NewFaker(&c.pcg, false)
	n := node{h: 12345}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		n.h = uint64(i)
		_ = c.reseed(&n, saltString).Uint64()
	}
}

// BenchmarkNewFaker is the alternative: a new faker per field.
func BenchmarkNewFaker(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		_ = gofakeit.New(uint64(i) + 1).Uint64()
	}
}
