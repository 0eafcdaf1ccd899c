package mockserver_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/mockserver/mockserver/mockserver"
	"github.com/mockserver/mockserver/mockserver/internal/corpustest"
)

func corpusDir(t testing.TB) string { return corpustest.Dir(t) }

var templateParam = regexp.MustCompile(`\{[^}/]*\}`)

// TestCorpusRoutesEveryOperation loads every corpus description and sends one request to a
// concrete URL built for each of its operations: the operation that answers must be that one,
// and nothing may panic.
func TestCorpusRoutesEveryOperation(t *testing.T) {
	total, routed := 0, 0
	for _, file := range corpustest.Roots(t) {
		name, _ := filepath.Rel(corpusDir(t), file)
		t.Run(name, func(t *testing.T) {
			s, err := mockserver.New(context.Background(), mockserver.Config{Specs: []string{file}, SkipSpecValidation: true})
			if err != nil {
				if strings.Contains(err.Error(), "\n") {
					t.Errorf("refusal is not one line: %q", err)
				}
				t.Logf("refused: %v", err)
				return
			}
			ids := map[string]int{}
			for _, rt := range s.Routes() {
				ids[rt.Operation]++
			}
			ok := 0
			for _, rt := range s.Routes() {
				total++
				n := 0
				target := templateParam.ReplaceAllStringFunc(rt.Path, func(string) string {
					n++
					return "zq" + strings.Repeat("x", n) + "9"
				})
				u := url.URL{Scheme: "http", Host: "mock", Path: target}
				r := httptest.NewRequest(rt.Method, u.String(), nil)
				w := httptest.NewRecorder()
				s.ServeHTTP(w, r)
				src := w.Header().Get(mockserver.HeaderSource)
				got := w.Header().Get(mockserver.HeaderOperation)
				switch {
				case src == "":
					t.Errorf("%s %s: no %s header (status %d): %s", rt.Method, target, mockserver.HeaderSource, w.Code, w.Body.String())
				case w.Code == http.StatusInternalServerError && src == mockserver.SourceMock:
					t.Errorf("%s %s: mock failed: %s", rt.Method, target, w.Body.String())
				case ids[rt.Operation] == 1 && got != rt.Operation:
					t.Errorf("%s %s: answered by %q, want %q (%d %s)", rt.Method, target, got, rt.Operation, w.Code, w.Body.String())
				default:
					ok++
				}
			}
			routed += ok
			t.Logf("%d/%d operations routed", ok, len(s.Routes()))
		})
	}
	t.Logf("corpus: %d/%d operations routed to themselves", routed, total)
}
