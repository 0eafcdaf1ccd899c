package mockserver_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/mockserver/mockserver/mockserver"
	"github.com/mockserver/mockserver/mockserver/internal/corpustest"
)

var (
	fuzzOnce    sync.Once
	fuzzServers []*mockserver.Server
)

// fuzzTargets are the seed descriptions with their fixtures and, where the corpus is there, a
// large real one (Stripe: form bodies, deepObject queries, anyOf everywhere).
func fuzzTargets(t *testing.T) []*mockserver.Server {
	fuzzOnce.Do(func() {
		s, err := mockserver.New(context.Background(), mockserver.Config{Specs: []string{"../specs"}, Fixtures: "../fixtures", CORS: true})
		if err != nil {
			t.Fatal(err)
		}
		fuzzServers = append(fuzzServers, s)
		big, err := mockserver.New(context.Background(), mockserver.Config{Specs: []string{filepath.Join(corpustest.Dir(t), "stripe-spec3.json")}, SkipSpecValidation: true})
		if err == nil {
			fuzzServers = append(fuzzServers, big)
		}
	})
	return fuzzServers
}

// FuzzPipeline sends arbitrary requests through the whole pipeline: nothing may panic, and
// every answer is a well-formed HTTP answer the mock chose (no 500 it was not asked for).
func FuzzPipeline(f *testing.F) {
	seeds := []struct{ method, target, ctype, prefer, body string }{
		{"PATCH", "/user-avatar/8f1c2a44-2d7e-4b8f-9a51-0c6f2f1e9b3d", "application/json", "", `{"avatarId":"3c0a1b52-6a8e-4a43-9a4e-2f4b8d1e7c90"}`},
		{"PATCH", "/invite?filter=%7B%22inviteType%22%3A%22friend%22%7D", "application/json", "code=401", `{"passcode":"1"}`},
		{"PATCH", "/api/v2/user/7/", "application/x-www-form-urlencoded", "", "username=a&tags[0][name]=x"},
		{"PATCH", "/api/v2/user/7/", "multipart/form-data; boundary=X", "", "--X\r\nContent-Disposition: form-data; name=\"avatar\"; filename=\"a.png\"\r\n\r\nPNG\r\n--X--\r\n"},
		{"PUT", "/api/web/namespaces/system/user/settings/image", "application/json", "scenario=image-rate-limited, delay=0", `{"image":"aGk="}`},
		{"POST", "/v1/customers", "application/x-www-form-urlencoded", "", "email=a@b.co&metadata[k]=v&expand[]=x"},
		{"GET", "/v1/customers/cus_1?expand[]=default_source", "", "dynamic=true, seed=7", ""},
		{"OPTIONS", "/invite", "", "", ""},
		{"GET", "/__mock/state/user/7", "", "", ""},
		{"DELETE", "/%2F..%2F/%zz", "text/plain", "code=abc", "\x00\xff"},
	}
	for _, s := range seeds {
		f.Add(s.method, s.target, s.ctype, s.prefer, s.body, "Bearer t")
	}
	f.Fuzz(func(t *testing.T, method, target, ctype, prefer, body, auth string) {
		if !strings.HasPrefix(target, "/") {
			target = "/" + target
		}
		for _, s := range fuzzTargets(t) {
			r, err := http.NewRequest(method, "http://mock"+target, bytes.NewReader([]byte(body)))
			if err != nil {
				return // not a request a client could send
			}
			r.Header.Set("Content-Type", ctype)
			r.Header.Set("Authorization", auth)
			if !strings.Contains(prefer, "fault") && !strings.Contains(prefer, "delay") { // faults and delays are asked for on purpose
				r.Header.Set("Prefer", prefer)
			}
			r.Header.Set("X-Mock-Session", "fuzz")
			w := httptest.NewRecorder()
			s.ServeHTTP(w, r)
			if w.Code == http.StatusInternalServerError && w.Header().Get(mockserver.HeaderSource) == "" {
				t.Fatalf("%s %s: the mock failed: %s", method, target, w.Body.String())
			}
			if w.Code < 200 || w.Code > 599 {
				t.Fatalf("%s %s: status %d", method, target, w.Code)
			}
		}
	})
}
