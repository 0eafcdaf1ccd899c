package mockserver_test

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/mockserver/mockserver/mockserver"
)

func TestJournalVerifyCoverage(t *testing.T) {
	s := seedServer(t)
	do(t, s, validSeedRequests["updateUserImage"])
	do(t, s, withPrefer(validSeedRequests["updateUserImage"], "code=429"))
	bad := validSeedRequests["updateUserImage"]
	bad.body = `{"image":"not base64!"}`
	do(t, s, bad)
	do(t, s, req{method: "GET", target: "/nowhere"})

	// The journal lists them, secrets redacted, violations kept.
	res := do(t, s, req{method: "GET", target: "/__mock/requests?operation=updateUserImage"})
	var j struct {
		Requests []struct {
			Status     int                 `json:"status"`
			Headers    map[string][]string `json:"headers"`
			Body       string              `json:"body"`
			Source     string              `json:"source"`
			Violations []struct {
				Location []string `json:"location"`
			} `json:"violations"`
		} `json:"requests"`
	}
	if err := jsonUnmarshal(res.body, &j); err != nil || len(j.Requests) != 3 {
		t.Fatalf("journal: %v %s", err, res.body)
	}
	if got := j.Requests[0].Headers["Authorization"]; len(got) != 1 || got[0] != "APIToken [redacted]" {
		t.Errorf("Authorization kept as %v", got)
	}
	if j.Requests[1].Status != 429 || j.Requests[0].Body == "" {
		t.Errorf("entries: %+v", j.Requests)
	}
	if len(j.Requests[2].Violations) == 0 || strings.Join(j.Requests[2].Violations[0].Location, ".") != "body.image" {
		t.Errorf("violations not journaled: %+v", j.Requests[2])
	}
	if res := do(t, s, req{method: "GET", target: "/__mock/requests?violations=true"}); !strings.Contains(string(res.body), "not base64") || strings.Count(string(res.body), `"id":`) != 1 {
		t.Errorf("violations filter: %s", res.body)
	}

	// Verify: counts and where-clauses.
	verify := func(body string) int {
		return do(t, s, req{"POST", "/__mock/verify", map[string]string{"Content-Type": "application/json"}, body}).status
	}
	for body, want := range map[string]int{
		`{"operation":"updateUserImage","count":3}`:                                                200,
		`{"operation":"updateUserImage","count":2}`:                                                409,
		`{"operation":"updateUserImage","min":1,"max":1,"where":{"status":429}}`:                   200,
		`{"operation":"updateUserImage","count":2,"where":{"body":{"/content_type":"image/png"}}}`: 200,
		`{"operation":"updateUserImage","count":1,"where":{"violations":true}}`:                    200,
		`{"operation":"patchInvites"}`:                                                             409,
		`{"operation":"nope"}`:                                                                     400,
		`{"operation":"updateUserImage","bogus":1}`:                                                400,
	} {
		if got := verify(body); got != want {
			t.Errorf("verify %s: %d, want %d", body, got, want)
		}
	}

	// Coverage: documented statuses with hits, and JUnit.
	cov := s.Coverage()
	var image map[string]int
	for _, o := range cov.Operations {
		if o.Operation == "updateUserImage" {
			image = map[string]int{}
			for _, st := range o.Statuses {
				image[st.Status] = st.Hits
			}
			if o.Violations != 1 || o.Requests != 3 {
				t.Errorf("updateUserImage coverage: %+v", o)
			}
		}
	}
	if image["200"] != 1 || image["429"] != 1 || image["503"] != 0 {
		t.Errorf("status hits: %v", image)
	}
	if cov.Summary.Statuses < 20 || cov.Summary.Covered < 2 {
		t.Errorf("summary: %+v", cov.Summary)
	}
	res = do(t, s, req{method: "GET", target: "/__mock/coverage?format=junit"})
	var suites struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
	}
	if err := xml.Unmarshal(res.body, &suites); err != nil || suites.Failures != 1 || suites.Tests < 20 {
		t.Errorf("junit: %v %+v\n%s", err, suites, res.body)
	}
	do(t, s, req{method: "DELETE", target: "/__mock/requests"})
	if res := do(t, s, req{method: "GET", target: "/__mock/requests"}); strings.Contains(string(res.body), `"id"`) {
		t.Errorf("journal not cleared: %s", res.body)
	}
}

// TestRequestsPages: GET /__mock/requests answers a page: the newest entries by default, or
// those after a cursor, with the link to the next page while more follow; the filters are
// kept in the links; verify counts over the whole journal, whatever the pages.
func TestRequestsPages(t *testing.T) {
	s := inlineServer(t, "things.yaml", thingsSpec)
	for i := range 250 {
		target := "/things"
		if i%2 == 1 {
			target = "/things/" + strconv.Itoa(i)
		}
		do(t, s, req{method: "GET", target: target})
	}
	type page struct {
		status int
		link   string
		ids    []uint64
		next   string
		first  string
	}
	get := func(target string) page {
		res := do(t, s, req{method: "GET", target: target})
		var p struct {
			Requests []struct {
				ID  uint64 `json:"id"`
				URL string `json:"url"`
			} `json:"requests"`
			Next  string `json:"next"`
			First string `json:"first"`
		}
		if res.status == 200 {
			if err := json.Unmarshal(res.body, &p); err != nil {
				t.Fatalf("%s: %v\n%s", target, err, res.body)
			}
		}
		out := page{status: res.status, link: res.header.Get("Link"), next: p.Next, first: p.First}
		for _, e := range p.Requests {
			out.ids = append(out.ids, e.ID)
		}
		return out
	}
	span := func(ids []uint64) string {
		if len(ids) == 0 {
			return "none"
		}
		return fmt.Sprintf("%d×%d..%d", len(ids), ids[0], ids[len(ids)-1])
	}
	tests := []struct {
		target string
		status int
		span   string
		link   string
	}{
		{"/__mock/requests", 200, "100×151..250", `</__mock/requests?after=0&limit=100>; rel="first"`},
		{"/__mock/requests?limit=1", 200, "1×250..250", `</__mock/requests?after=0&limit=1>; rel="first"`},
		{"/__mock/requests?limit=0", 200, "100×151..250", `</__mock/requests?after=0&limit=100>; rel="first"`},
		{"/__mock/requests?limit=5000", 200, "250×1..250", ""},
		{"/__mock/requests?after=0&limit=10", 200, "10×1..10", `</__mock/requests?after=10&limit=10>; rel="next"`},
		{"/__mock/requests?after=240&limit=10", 200, "10×241..250", ""},
		{"/__mock/requests?after=245", 200, "5×246..250", ""},
		{"/__mock/requests?after=250", 200, "none", ""},
		{"/__mock/requests?after=0&operation=listThings&limit=50", 200, "50×1..99", `</__mock/requests?after=99&limit=50&operation=listThings>; rel="next"`},
		{"/__mock/requests?operation=listThings&limit=50&status=200", 200, "50×151..249", `</__mock/requests?after=0&limit=50&operation=listThings&status=200>; rel="first"`},
		{"/__mock/requests?limit=-1", 400, "none", ""},
		{"/__mock/requests?limit=ten", 400, "none", ""},
		{"/__mock/requests?after=last", 400, "none", ""},
	}
	for _, tt := range tests {
		p := get(tt.target)
		if p.status != tt.status || span(p.ids) != tt.span || p.link != tt.link {
			t.Errorf("%s: %d %s %s, want %d %s %s", tt.target, p.status, span(p.ids), p.link, tt.status, tt.span, tt.link)
		}
		// The answer's next (or first) field is the link's target.
		want, rel, _ := strings.Cut(strings.TrimPrefix(tt.link, "<"), ">; rel=")
		if got := map[string]string{`"next"`: p.next, `"first"`: p.first}; got[rel] != want || (rel != `"next"` && p.next != "") || (rel != `"first"` && p.first != "") {
			t.Errorf("%s: next %q, first %q; want %s %q", tt.target, p.next, p.first, rel, want)
		}
	}

	// Following the links from the start reads every entry once, in order.
	var all []uint64
	pages := 0
	for target := "/__mock/requests?after=0&limit=40"; target != ""; pages++ {
		p := get(target)
		all = append(all, p.ids...)
		target = p.next
	}
	if pages != 7 || len(all) != 250 || all[0] != 1 || all[249] != 250 {
		t.Errorf("following next: %d pages, %s", pages, span(all))
	}

	// verify counts over the whole journal.
	for body, want := range map[string]int{
		`{"operation":"listThings","count":125}`: 200,
		`{"operation":"*","count":250}`:          200,
		`{"operation":"*","count":100}`:          409,
	} {
		if res := do(t, s, req{"POST", "/__mock/verify", map[string]string{"Content-Type": "application/json"}, body}); res.status != want {
			t.Errorf("verify %s: %d, want %d: %s", body, res.status, want, res.body)
		}
	}

	// An empty journal answers an empty list.
	do(t, s, req{method: "DELETE", target: "/__mock/requests"})
	if res := do(t, s, req{method: "GET", target: "/__mock/requests"}); res.status != 200 || res.header.Get("Link") != "" || !json.Valid(res.body) || !strings.Contains(string(res.body), `"requests": []`) {
		t.Errorf("empty journal: %d %s", res.status, res.body)
	}
}

// TestJournalBounds: the journal keeps the newest entries that fit Config.JournalSize and
// Config.JournalBytes, and says what it cut of an entry.
func TestJournalBounds(t *testing.T) {
	tests := []struct {
		name    string
		cfg     func(*mockserver.Config)
		kept    int
		maxKept int
	}{
		{"by entries", func(c *mockserver.Config) { c.JournalSize = 30 }, 30, 30},
		{"by bytes", func(c *mockserver.Config) { c.JournalBytes = 200 << 10 }, 0, 60},
	}
	big := strings.Repeat("v", 20000)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := inlineServer(t, "things.yaml", thingsSpec, tt.cfg)
			for range 100 {
				do(t, s, req{"POST", "/things?q=" + big, map[string]string{"Content-Type": "application/json", "X-Big": big}, `{"name":"` + big + `"}`})
			}
			res := do(t, s, req{method: "GET", target: "/__mock/requests?limit=1000"})
			var p struct {
				Requests []journalEntry `json:"requests"`
			}
			if err := json.Unmarshal(res.body, &p); err != nil {
				t.Fatal(err)
			}
			n := len(p.Requests)
			if (tt.kept > 0 && n != tt.kept) || n > tt.maxKept || n < 2 || p.Requests[n-1].ID != 100 {
				t.Fatalf("kept %d entries", n)
			}
			e := p.Requests[n-1]
			if !e.URLTruncated || len(e.URL) > 2048 || !e.HeadersTruncated || len(e.Headers["X-Big"][0]) > 1024 || !e.BodyTruncated || len(e.Body) > 4096 {
				t.Errorf("entry not cut: url %d (%v), X-Big %d (%v), body %d (%v)", len(e.URL), e.URLTruncated, len(e.Headers["X-Big"][0]), e.HeadersTruncated, len(e.Body), e.BodyTruncated)
			}
			if e.Headers["Content-Type"][0] != "application/json" || e.Path != "/things" || len(e.Query["q"][0]) < 1000 {
				t.Errorf("entry cut too much: %+v", e.Headers)
			}
		})
	}
}
