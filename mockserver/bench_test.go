package mockserver_test

import (
	"context"
	"io"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mockserver/mockserver/mockserver"
)

// BenchmarkPipeline measures one request through match → validate → select → write, as the
// handler sees it (no network).
func BenchmarkPipeline(b *testing.B) {
	seed := seedServer(b)
	corpus := func(rel string) *mockserver.Server {
		s, err := mockserver.New(context.Background(), mockserver.Config{Specs: []string{filepath.Join(corpusDir(b), rel)}, SkipSpecValidation: true})
		if err != nil {
			b.Fatal(err)
		}
		return s
	}
	petstore := corpus("petstore.yaml")
	museum := corpus("real/redocly-museum/openapi.yaml") // OpenAPI 3.1
	github := corpus("github-api.github.com.json")
	stripe := corpus("stripe-spec3.json")
	cases := []struct {
		name string
		s    *mockserver.Server
		q    req
	}{
		{"seed/valid-json-patch", seed, validSeedRequests["patchUserAvatar"]},
		{"seed/invalid-json-patch", seed, req{"PATCH", "/user-avatar/nope", map[string]string{"Authorization": bearer, "Content-Type": "application/json"}, `{"avatarId":5}`}},
		{"seed/form-patch", seed, validSeedRequests["patchCommunityUser"]},
		{"seed/json-query-filter", seed, validSeedRequests["patchInvites"]},
		{"seed/generated", seed, withPrefer(validSeedRequests["patchUserAvatar"], "dynamic=true")},
		{"petstore/get-item", petstore, req{method: "GET", target: "/pets/7"}},
		{"petstore/post", petstore, req{"POST", "/pets", map[string]string{"Content-Type": "application/json"}, `{"id":1,"name":"Rex","tag":"dog"}`}},
		{"petstore/invalid-post", petstore, req{"POST", "/pets", map[string]string{"Content-Type": "application/json"}, `{"id":"x"}`}},
		{"github/get-repo", github, req{method: "GET", target: "/repos/octocat/hello-world"}},
		{"stripe/get-customer", stripe, req{"GET", "/v1/customers/cus_123", map[string]string{"Authorization": "Bearer sk_test_x"}, ""}},
		{"stripe/list-customers", stripe, req{"GET", "/v1/customers?limit=3&starting_after=cus_1&expand[]=data.default_source&created[gte]=1600000000", map[string]string{"Authorization": "Bearer sk_test_x"}, ""}},
		{"openapi31/post", museum, req{"POST", "/special-events", map[string]string{"Authorization": "Basic dXNlcjpwYXNz", "Content-Type": "application/json"},
			`{"name":"Pirate Coding Workshop","location":"Computer Room","eventDescription":"Captain Blackbeard shares his love of the C...language.","dates":["2023-10-29","2023-10-30"],"price":25}`}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			if res := do(b, c.s, c.q); res.status >= 500 {
				b.Fatalf("status %d: %s", res.status, res.body)
			}
			b.ReportAllocs()
			for b.Loop() {
				r := httptest.NewRequest(c.q.method, c.q.target, strings.NewReader(c.q.body))
				for k, v := range c.q.header {
					r.Header.Set(k, v)
				}
				w := httptest.NewRecorder()
				c.s.ServeHTTP(w, r)
				_, _ = io.Copy(io.Discard, w.Body)
			}
		})
	}
}
