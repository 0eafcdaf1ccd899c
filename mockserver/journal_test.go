package mockserver_test

import (
	"encoding/xml"
	"strings"
	"testing"
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
